//! The TLS client configuration every probe shares (HTTP and WebSocket).
//!
//! Trust comes from Mozilla's roots bundled in the binary (`webpki-roots`:
//! the auditor reads no platform store and downloads nothing), plus the
//! certificates of `--ca-cert`. `--insecure` turns certificate checks off
//! (the handshake signatures are still verified, so the peer must hold the
//! key of the certificate it shows); the report says so.

use std::path::Path;
use std::sync::Arc;

use anyhow::Context as _;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{self, CryptoProvider};
use rustls::pki_types::pem::PemObject as _;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};

/// How the server's certificate is checked.
#[derive(Debug, Clone, Default)]
pub(crate) struct TlsOptions<'a> {
    /// A PEM file of extra trusted CA certificates (`--ca-cert`).
    pub(crate) ca_cert: Option<&'a Path>,
    /// Accept any certificate (`--insecure`).
    pub(crate) insecure: bool,
    /// A PEM file with a client certificate chain and its key
    /// (`--client-cert`).
    pub(crate) client_cert: Option<&'a Path>,
}

/// Builds the client configuration (HTTP/1.1 only: no ALPN offered).
pub(crate) fn client_config(options: &TlsOptions<'_>) -> anyhow::Result<Arc<rustls::ClientConfig>> {
    let provider = Arc::new(crypto::ring::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .context("cannot set up TLS")?;
    let builder = if options.insecure {
        builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(AnyCertificate { provider }))
    } else {
        let mut roots = rustls::RootCertStore {
            roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
        };
        if let Some(path) = options.ca_cert {
            let mut added = 0;
            for cert in CertificateDer::pem_file_iter(path)
                .with_context(|| format!("cannot read --ca-cert {}", path.display()))?
            {
                let cert = cert.with_context(|| {
                    format!("--ca-cert {}: not a PEM certificate", path.display())
                })?;
                roots.add(cert).with_context(|| {
                    format!("--ca-cert {}: unusable certificate", path.display())
                })?;
                added += 1;
            }
            if added == 0 {
                anyhow::bail!("--ca-cert {}: no PEM certificate in it", path.display());
            }
        }
        builder.with_root_certificates(roots)
    };
    let config = match options.client_cert {
        None => builder.with_no_client_auth(),
        Some(path) => {
            let (chain, key) = client_identity(path)?;
            builder
                .with_client_auth_cert(chain, key)
                .with_context(|| format!("--client-cert {}: unusable key", path.display()))?
        }
    };
    Ok(Arc::new(config))
}

/// The certificates and the private key of a `--client-cert` PEM file.
fn client_identity(
    path: &Path,
) -> anyhow::Result<(Vec<CertificateDer<'static>>, PrivateKeyDer<'static>)> {
    let read = || format!("cannot read --client-cert {}", path.display());
    let chain = CertificateDer::pem_file_iter(path)
        .with_context(read)?
        .collect::<Result<Vec<_>, _>>()
        .with_context(|| format!("--client-cert {}: not a PEM certificate", path.display()))?;
    if chain.is_empty() {
        anyhow::bail!("--client-cert {}: no PEM certificate in it", path.display());
    }
    let key = PrivateKeyDer::from_pem_file(path)
        .with_context(|| format!("--client-cert {}: no PEM private key in it", path.display()))?;
    Ok((chain, key))
}

/// `--insecure`: any certificate chain and name; signatures still checked.
#[derive(Debug)]
struct AnyCertificate {
    provider: Arc<CryptoProvider>,
}

impl ServerCertVerifier for AnyCertificate {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn default_and_insecure_configs_build() {
        assert!(client_config(&TlsOptions::default()).is_ok());
        assert!(client_config(&TlsOptions {
            ca_cert: None,
            insecure: true,
            client_cert: None,
        })
        .is_ok());
    }

    #[test]
    fn a_ca_file_without_certificates_is_refused() {
        let dir = std::env::temp_dir().join(format!("wirefault-tls-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let empty = dir.join("empty.pem");
        std::fs::write(&empty, "not a certificate\n").unwrap();
        let err = client_config(&TlsOptions {
            ca_cert: Some(&empty),
            insecure: false,
            client_cert: None,
        })
        .unwrap_err();
        assert!(err.to_string().contains("no PEM certificate"), "{err}");
        assert!(client_config(&TlsOptions {
            ca_cert: Some(&dir.join("missing.pem")),
            insecure: false,
            client_cert: None,
        })
        .is_err());
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_client_certificate_needs_its_key() {
        let dir = std::env::temp_dir().join(format!("wirefault-mtls-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let key = rcgen::KeyPair::generate().unwrap();
        let cert = rcgen::CertificateParams::new(vec!["client".to_owned()])
            .unwrap()
            .self_signed(&key)
            .unwrap();
        let options = |path| TlsOptions {
            client_cert: Some(path),
            ..TlsOptions::default()
        };
        let alone = dir.join("cert-only.pem");
        std::fs::write(&alone, cert.pem()).unwrap();
        let err = client_config(&options(&alone)).unwrap_err();
        assert!(err.to_string().contains("no PEM private key"), "{err}");
        let both = dir.join("cert-and-key.pem");
        std::fs::write(&both, format!("{}{}", cert.pem(), key.serialize_pem())).unwrap();
        assert!(client_config(&options(&both)).is_ok());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
