//! Starts the reference service on 127.0.0.1 port 0 for a test.
#![allow(dead_code, unreachable_pub, clippy::unwrap_used)]

use std::net::SocketAddr;
use wirefault_demo::{api_server, AppState, Config};

/// A running reference service.
pub struct TestServer {
    pub addr: SocketAddr,
    pub state: AppState,
    pub handle: tokio::task::JoinHandle<()>,
}

impl TestServer {
    /// Starts the service with the test configuration.
    pub async fn start() -> TestServer {
        TestServer::start_with(Config::for_tests()).await
    }

    /// Starts the service with `config` (its addresses are ignored).
    pub async fn start_with(config: Config) -> TestServer {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        TestServer::start_on(listener, config).await
    }

    /// Starts the service with `config` on `listener`.
    pub async fn start_on(listener: tokio::net::TcpListener, config: Config) -> TestServer {
        let state = AppState::open(config).await.unwrap();
        let addr = listener.local_addr().unwrap();
        // Served as `wirefault-demo` serves it: the bounded server, its
        // configured bounds, the drain.
        let server = api_server(listener, state.clone());
        let handle = tokio::spawn(async move {
            server.await;
        });
        TestServer {
            addr,
            state,
            handle,
        }
    }

    /// `http://127.0.0.1:port` + `path`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    /// A client that keeps cookies.
    pub fn client() -> reqwest::Client {
        reqwest::Client::builder()
            .cookie_store(true)
            .timeout(std::time::Duration::from_secs(10))
            .build()
            .unwrap()
    }

    /// A client signed in as `user`.
    pub async fn signed_in(&self, user: &str) -> reqwest::Client {
        let client = TestServer::client();
        let res = client
            .post(self.url("/session"))
            .json(&serde_json::json!({ "user": user }))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 201);
        client
    }

    /// The `wf_session=…` cookie pair for `user`, for raw clients.
    pub async fn session_cookie(&self, user: &str) -> String {
        let res = TestServer::client()
            .post(self.url("/session"))
            .json(&serde_json::json!({ "user": user }))
            .send()
            .await
            .unwrap();
        let set = res.headers()["set-cookie"].to_str().unwrap();
        set.split(';').next().unwrap().to_owned()
    }
}

/// Asserts a problem+json response with `status`, and returns its body.
pub async fn problem(res: reqwest::Response, status: u16) -> serde_json::Value {
    assert_eq!(res.status().as_u16(), status, "status of {}", res.url());
    assert_eq!(
        res.headers()["content-type"],
        "application/problem+json",
        "content type of {}",
        res.url()
    );
    assert!(res.headers().contains_key("x-request-id"));
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["status"], status);
    assert!(body["type"].is_string() && body["title"].is_string());
    body
}

/// A log sink for a tracing subscriber: what the server logged, to assert
/// on (`Captured::text`).
#[derive(Clone, Default)]
pub struct Captured(pub std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl Captured {
    /// Everything written so far.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
