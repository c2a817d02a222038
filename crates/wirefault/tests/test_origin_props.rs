//! Property tests: hostile origins built around a trusted one are never
//! allowed; listed origins always are, in any spelling a browser or a
//! careless client could send.
#![allow(clippy::unwrap_used)]

use proptest::prelude::*;
use wirefault::cors::{CorsPolicy, Origin};

/// Lower-case DNS labels.
fn label() -> impl Strategy<Value = String> {
    "[a-z][a-z0-9-]{0,10}[a-z0-9]"
        .prop_filter("not an ACE (punycode) label", |s| !s.starts_with("xn--"))
}

/// A trusted host of two or three labels.
fn host() -> impl Strategy<Value = String> {
    prop::collection::vec(label(), 2..=3).prop_map(|labels| labels.join("."))
}

fn scheme() -> impl Strategy<Value = &'static str> {
    prop_oneof![Just("https"), Just("http")]
}

fn port() -> impl Strategy<Value = Option<u16>> {
    prop_oneof![Just(None), (1024u16..=65535).prop_map(Some)]
}

fn origin(scheme: &str, host: &str, port: Option<u16>) -> String {
    match port {
        Some(p) => format!("{scheme}://{host}:{p}"),
        None => format!("{scheme}://{host}"),
    }
}

fn default_port(scheme: &str) -> u16 {
    if scheme == "https" {
        443
    } else {
        80
    }
}

/// Upper-cases the characters selected by `mask`.
fn mix_case(s: &str, mask: &[bool]) -> String {
    s.chars()
        .zip(mask.iter().cycle())
        .map(|(c, up)| if *up { c.to_ascii_uppercase() } else { c })
        .collect()
}

/// Variations an attacker controls, each a different origin than the
/// trusted one (or not an origin at all).
fn hostile(scheme: &str, host: &str, port: Option<u16>, evil: &str, pick: usize) -> String {
    let other_scheme = if scheme == "https" { "http" } else { "https" };
    let odd_port = match port {
        Some(p) if p < 65535 => p + 1,
        Some(_) => 1024,
        None => 8443,
    };
    let trusted = origin(scheme, host, port);
    let (first, rest) = host.split_once('.').unwrap();
    match pick % 16 {
        0 => origin(scheme, &format!("{host}.{evil}"), port),
        1 => origin(scheme, &format!("{evil}{host}"), port),
        2 => origin(scheme, &format!("{evil}-{host}"), port),
        3 => format!("{scheme}://{host}@{evil}"),
        4 => origin(scheme, &format!("{host}."), port),
        5 => origin(other_scheme, host, port),
        6 => origin(scheme, host, Some(odd_port)),
        7 => origin(scheme, &format!("{evil}.{host}"), port),
        8 => "null".to_owned(),
        9 => format!("{trusted}/"),
        10 => format!("{trusted}/x"),
        11 => origin(scheme, &format!("{first}x.{rest}"), port),
        12 => origin(scheme, &format!("{first}ü.{rest}"), port),
        13 => format!(" {trusted}"),
        14 => format!("{trusted}#"),
        _ => origin(scheme, rest, port),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn listed_origins_are_always_allowed(
        scheme in scheme(),
        host in host(),
        port in port(),
        mask in prop::collection::vec(any::<bool>(), 1..8),
        explicit_default in any::<bool>(),
    ) {
        let listed = origin(scheme, &host, port);
        let policy = CorsPolicy::builder().allow_origin(&listed).build().unwrap();
        prop_assert!(policy.allows_origin(&listed));
        // Hosts and schemes compare case-insensitively.
        prop_assert!(policy.allows_origin(mix_case(&listed, &mask)));
        // The default port, written out, is the same origin.
        if port.is_none() && explicit_default {
            let with_port = origin(scheme, &host, Some(default_port(scheme)));
            prop_assert!(policy.allows_origin(&with_port));
        }
    }

    #[test]
    fn hostile_origins_are_never_allowed(
        scheme in scheme(),
        host in host(),
        port in port(),
        evil in label(),
        pick in 0usize..16,
        mask in prop::collection::vec(any::<bool>(), 1..8),
        with_pattern in any::<bool>(),
    ) {
        let trusted = origin(scheme, &host, port);
        let attack = hostile(scheme, &host, port, &evil, pick);
        prop_assume!(attack != trusted);
        let mut builder = CorsPolicy::builder().allow_origin(&trusted);
        if with_pattern {
            // A pattern for a sibling zone must not widen anything else.
            builder = builder.allow_origin_patterns([origin(scheme, &format!("*.{evil}.test"), port)]);
        }
        let policy = builder.build().unwrap();
        prop_assert!(!policy.allows_origin(&attack), "{attack} allowed by {trusted}");
        prop_assert!(!policy.allows_origin(mix_case(&attack, &mask)), "{attack} (mixed case)");
        // The WebSocket check agrees.
        let mut headers = http::HeaderMap::new();
        if let Ok(value) = http::HeaderValue::from_str(&attack) {
            headers.insert(http::header::ORIGIN, value);
            prop_assert!(policy.check_websocket_origin(&headers).is_err());
        }
    }

    #[test]
    fn patterns_match_subdomains_only(
        scheme in scheme(),
        host in host(),
        port in port(),
        sub in prop::collection::vec(label(), 1..3),
        evil in label(),
        pick in 0usize..16,
    ) {
        let pattern = origin(scheme, &format!("*.{host}"), port);
        let policy = CorsPolicy::builder().allow_origin_patterns([&pattern]).build().unwrap();
        let child = origin(scheme, &format!("{}.{host}", sub.join(".")), port);
        prop_assert!(policy.allows_origin(&child), "{child} refused by {pattern}");
        // The apex is not a subdomain.
        prop_assert!(!policy.allows_origin(origin(scheme, &host, port)));
        let attack = hostile(scheme, &host, port, &evil, pick);
        // `evil.host` (pick 7) is a real subdomain: that one matches by design.
        if pick % 16 != 7 {
            prop_assert!(!policy.allows_origin(&attack), "{attack} allowed by {pattern}");
        }
    }

    #[test]
    fn non_ascii_names_match_only_their_listed_form(
        host in host(),
        ch in prop::sample::select(vec!['ü', 'é', 'ß', 'ж', '中', 'ı']),
    ) {
        let (first, rest) = host.split_once('.').unwrap();
        let idn = format!("https://{first}{ch}.{rest}");
        let ascii = Origin::parse(&idn).unwrap();
        let policy = CorsPolicy::builder().allow_origin(&idn).build().unwrap();
        // What a browser sends (punycode) matches; the raw spelling is not
        // a serialized origin (not ASCII) and is refused.
        prop_assert!(policy.allows_origin(ascii.as_str()));
        prop_assert!(!policy.allows_origin(&idn));
        // The look-alike without the character does not.
        let look_alike = format!("https://{first}.{rest}");
        prop_assert!(!policy.allows_origin(&look_alike));
        // And an IDN is never allowed by a plain-ASCII listing.
        let plain = CorsPolicy::builder().allow_origin(format!("https://{first}.{rest}")).build().unwrap();
        prop_assert!(!plain.allows_origin(&idn));
        prop_assert!(!plain.allows_origin(ascii.as_str()));
    }

    #[test]
    fn parsing_arbitrary_strings_never_panics(s in ".{0,64}") {
        let policy = CorsPolicy::builder().allow_origin("https://a.com").build().unwrap();
        let _ = Origin::parse(&s);
        let allowed = policy.allows_origin(&s);
        if allowed {
            let parsed = Origin::parse(&s).unwrap();
            prop_assert_eq!(parsed.as_str(), "https://a.com");
        }
    }
}
