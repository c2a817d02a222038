//! The cookies the target set (`Set-Cookie`) on the HTTP answers the audit
//! saw, with their `SameSite` attribute: what limits a browser in sending
//! the audit's cookie from another site (WF-WS-001's context).
//!
//! Hand-written: only the name and one attribute are read, the way
//! RFC 6265bis §5.6 does (attributes split on `;`, names case-insensitive,
//! an unknown `SameSite` value ignored); a cookie crate would parse and
//! validate far more than this needs.

use crate::probe::observe::Observation;

/// A cookie's `SameSite` attribute, as the target set it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SameSite {
    /// `SameSite=Strict`.
    Strict,
    /// `SameSite=Lax`.
    Lax,
    /// `SameSite=None`.
    None,
    /// No attribute, or one with a value browsers ignore.
    Unset,
}

/// One `Set-Cookie` the target sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SetCookie {
    /// The cookie's name.
    pub(crate) name: String,
    /// Its `SameSite` attribute.
    pub(crate) same_site: SameSite,
}

/// Parses one `Set-Cookie` value; `None` when it has no `name=`.
pub(crate) fn parse_set_cookie(value: &str) -> Option<SetCookie> {
    let mut parts = value.split(';');
    let (name, _) = parts.next()?.split_once('=')?;
    let name = name.trim();
    if name.is_empty() {
        return None;
    }
    // The last SameSite attribute counts (RFC 6265bis §5.6, step 6).
    let same_site = parts
        .filter_map(|attribute| attribute.split_once('='))
        .rfind(|(key, _)| key.trim().eq_ignore_ascii_case("samesite"))
        .map_or(SameSite::Unset, |(_, v)| match v.trim() {
            v if v.eq_ignore_ascii_case("strict") => SameSite::Strict,
            v if v.eq_ignore_ascii_case("lax") => SameSite::Lax,
            v if v.eq_ignore_ascii_case("none") => SameSite::None,
            _ => SameSite::Unset,
        });
    Some(SetCookie {
        name: name.to_owned(),
        same_site,
    })
}

/// Every `Set-Cookie` in these answers (redirects and re-asks included),
/// the first one of each name.
pub(crate) fn seen(observations: &[Observation]) -> Vec<SetCookie> {
    let mut found: Vec<SetCookie> = Vec::new();
    let answers = observations
        .iter()
        .flat_map(|o| o.chain.iter().chain(&o.again))
        .filter_map(|e| e.received.http());
    for answer in answers {
        let values = answer
            .headers
            .iter()
            .filter(|(n, _)| n == "set-cookie")
            .filter_map(|(_, v)| parse_set_cookie(v));
        for cookie in values {
            if !found.iter().any(|c| c.name == cookie.name) {
                found.push(cookie);
            }
        }
    }
    found
}

/// The cookie names in a `Cookie` header value (`a=1; b=2`).
pub(crate) fn names(cookie_header: &str) -> Vec<String> {
    cookie_header
        .split(';')
        .filter_map(|pair| pair.split_once('='))
        .map(|(name, _)| name.trim().to_owned())
        .filter(|name| !name.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::checks::testing::exchange_at;
    use crate::probe::observe::Probe;

    fn same_site(value: &str) -> SameSite {
        parse_set_cookie(value).unwrap().same_site
    }

    #[test]
    fn reads_the_name_and_same_site() {
        let c = parse_set_cookie("session=s3cret; HttpOnly; Path=/; SameSite=lax").unwrap();
        assert_eq!(c.name, "session");
        assert_eq!(c.same_site, SameSite::Lax);
        assert_eq!(same_site("a=1; samesite = Strict"), SameSite::Strict);
        assert_eq!(same_site("a=1; Secure; SameSite=None"), SameSite::None);
        assert_eq!(same_site("a=1; Path=/"), SameSite::Unset);
        assert_eq!(same_site("a=; SameSite=bogus"), SameSite::Unset);
        assert_eq!(
            same_site("a=1; SameSite=Lax; SameSite=None"),
            SameSite::None
        );
        assert_eq!(parse_set_cookie("no-equals; SameSite=Lax"), None);
        assert_eq!(parse_set_cookie(" =1"), None);
        assert_eq!(parse_set_cookie(""), None);
    }

    #[test]
    fn names_of_a_cookie_header() {
        assert_eq!(names("a=1; b = 2;c=x=y"), ["a", "b", "c"]);
        assert!(names("").is_empty());
        assert!(names("junk").is_empty());
    }

    #[test]
    fn seen_keeps_the_first_of_each_name() {
        let observations = [
            Observation::of(
                Probe::Known,
                exchange_at(
                    "GET",
                    "/",
                    200,
                    &[
                        ("set-cookie", "sid=1; SameSite=Strict"),
                        ("set-cookie", "theme=dark"),
                    ],
                    "",
                ),
            ),
            Observation::of(
                Probe::UnknownPath,
                exchange_at(
                    "GET",
                    "/x",
                    404,
                    &[("set-cookie", "sid=2; SameSite=None")],
                    "",
                ),
            ),
        ];
        let found = seen(&observations);
        assert_eq!(
            found,
            [
                SetCookie {
                    name: "sid".into(),
                    same_site: SameSite::Strict
                },
                SetCookie {
                    name: "theme".into(),
                    same_site: SameSite::Unset
                },
            ]
        );
    }
}
