//! `https://` and `wss://` targets: a local TLS server with a certificate
//! made in the test (rcgen), audited by the real binary with `--ca-cert`,
//! with `--insecure`, and with neither (refused: the bundled web roots do
//! not know the test's CA).
#![allow(clippy::unwrap_used)]

mod fixtures;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use fixtures::pki::{pki, temp_file, Pki};
use fixtures::{app, audit_ids, runtime, wirefault, Fault, TRUSTED};
use hyper_util::rt::TokioIo;
use hyper_util::service::TowerToHyperService;
use tokio_rustls::rustls;
use tokio_rustls::rustls::pki_types::pem::PemObject as _;

/// Serves the router over TLS (HTTP/1.1, upgrades allowed) on 127.0.0.1:0.
fn serve_tls(router: Router, pki: &Pki) -> SocketAddr {
    serve_tls_with(router, pki, false)
}

/// As [`serve_tls`]; with `client_auth`, only clients with a certificate
/// the test CA signed get through the TLS handshake.
fn serve_tls_with(router: Router, pki: &Pki, client_auth: bool) -> SocketAddr {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ServerConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .unwrap();
    let builder = if client_auth {
        let mut roots = rustls::RootCertStore::empty();
        let ca = rustls::pki_types::CertificateDer::pem_slice_iter(pki.ca_pem.as_bytes());
        for cert in ca {
            roots.add(cert.unwrap()).unwrap();
        }
        let verifier =
            rustls::server::WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider)
                .build()
                .unwrap();
        builder.with_client_cert_verifier(verifier)
    } else {
        builder.with_no_client_auth()
    };
    let config = builder
        .with_single_cert(pki.chain.clone(), pki.key.clone_key())
        .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = runtime()
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let addr = listener.local_addr().unwrap();
    runtime().spawn(async move {
        loop {
            let Ok((tcp, _)) = listener.accept().await else {
                return;
            };
            let acceptor = acceptor.clone();
            let service = TowerToHyperService::new(router.clone());
            tokio::spawn(async move {
                // A client that refuses the certificate ends the handshake.
                let Ok(tls) = acceptor.accept(tcp).await else {
                    return;
                };
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(tls), service)
                    .with_upgrades()
                    .await;
            });
        }
    });
    addr
}

#[test]
fn https_and_wss_with_a_private_ca() {
    let pki = pki();
    let ca = temp_file("ca-correct.pem", &pki.ca_pem);
    let addr = serve_tls(app(Fault::Correct), &pki);
    let url = format!("https://localhost:{}/", addr.port());
    let (code, ids, report) = audit_ids(
        &url,
        &["--ca-cert", &ca, "--origin", TRUSTED, "--ws", "/ws"],
    );
    assert!(ids.is_empty(), "{report:#}");
    assert_eq!(code, 0);
    assert!(report["requests"].as_u64().unwrap() > 10, "{report:#}");

    // A mistake behind wss:// is found: the WebSocket probes ran over TLS.
    let addr = serve_tls(app(Fault::WsLeakReason), &pki);
    let url = format!("https://127.0.0.1:{}/", addr.port());
    let (code, ids, report) = audit_ids(
        &url,
        &["--ca-cert", &ca, "--origin", TRUSTED, "--ws", "/ws"],
    );
    assert!(ids.contains("WF-WS-006"), "{report:#}");
    assert_eq!(code, 1);
}

#[test]
fn an_unknown_certificate_is_refused_unless_insecure() {
    let pki = pki();
    let addr = serve_tls(app(Fault::Correct), &pki);
    let url = format!("https://localhost:{}/", addr.port());
    let out = wirefault(&["audit", &url, "--timeout", "2"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("cannot reach"), "{stderr}");

    let (code, ids, report) = audit_ids(&url, &["--insecure", "--origin", TRUSTED]);
    assert!(ids.is_empty(), "{report:#}");
    assert_eq!(code, 0);
    let notes = report["notes"].to_string();
    assert!(notes.contains("--insecure"), "{report:#}");
    let human = wirefault(&["audit", &url, "--insecure", "--timeout", "2"]);
    assert!(String::from_utf8_lossy(&human.stdout).contains("not checked (--insecure)"));

    // A CA file that is not the server's does not help.
    let other = temp_file("ca-other.pem", &self::pki().ca_pem);
    let out = wirefault(&["audit", &url, "--ca-cert", &other, "--timeout", "2"]);
    assert_eq!(out.status.code(), Some(2));
}

/// A socket behind mutual TLS that accepts any Origin: a browser holding
/// the client certificate presents it whichever page opens the socket, so
/// the foreign origin is an error, as with a cookie.
#[test]
fn a_client_certificate_is_an_ambient_credential() {
    let pki = pki();
    let ca = temp_file("ca-mtls.pem", &pki.ca_pem);
    let client = temp_file("client-mtls.pem", &pki.client_pem);
    let addr = serve_tls_with(app(Fault::WsAnyOrigin), &pki, true);
    let url = format!("https://localhost:{}/", addr.port());
    let args = ["--ca-cert", &ca, "--origin", TRUSTED, "--ws", "/ws"];
    let (code, ids, report) = audit_ids(&url, &[&args[..], &["--client-cert", &client]].concat());
    assert_eq!(ids, ["WF-WS-001".to_owned()].into(), "{report:#}");
    assert_eq!(code, 1);
    let finding = &report["findings"][0];
    assert_eq!(finding["severity"], "error", "{report:#}");
    assert!(
        finding["context"]
            .as_str()
            .unwrap()
            .contains("client certificate"),
        "{report:#}"
    );
    // Without the certificate, the TLS handshake itself is refused.
    let out = wirefault(&[&["audit", &url][..], &args].concat());
    assert_ne!(out.status.code(), Some(0));
}
