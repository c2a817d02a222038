//! One connected byte stream to the target, plain or TLS, for the probes
//! that speak the protocol themselves (the raw WebSocket client).

use std::sync::Arc;

use reqwest::Url;
use rustls::pki_types::ServerName;
use tokio::net::TcpStream;
use tokio_rustls::client::TlsStream;
use tokio_util::either::Either;

/// A TCP stream, wrapped in TLS for `https`/`wss` URLs.
pub(crate) type Stream = Either<TcpStream, TlsStream<TcpStream>>;

/// Connects to the URL's host and port; TLS (with `tls`) for `https` and `wss`.
pub(crate) async fn connect(url: &Url, tls: &Arc<rustls::ClientConfig>) -> Result<Stream, String> {
    let host = url.host_str().ok_or("no host")?;
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let secure = match url.scheme() {
        "http" | "ws" => false,
        "https" | "wss" => true,
        other => return Err(format!("unsupported scheme {other}")),
    };
    let port = url.port().unwrap_or(if secure { 443 } else { 80 });
    let tcp = TcpStream::connect((host, port))
        .await
        .map_err(|e| format!("connect: {e}"))?;
    if !secure {
        return Ok(Either::Left(tcp));
    }
    let name =
        ServerName::try_from(host.to_owned()).map_err(|e| format!("TLS name {host}: {e}"))?;
    let stream = tokio_rustls::TlsConnector::from(tls.clone())
        .connect(name, tcp)
        .await
        .map_err(|e| format!("TLS handshake: {e}"))?;
    Ok(Either::Right(stream))
}
