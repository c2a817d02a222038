//! The example service over a real socket, with a real tonic client: the
//! code, the message and each rich detail, decoded on the client side.
#![allow(clippy::unwrap_used)]

use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::sync::oneshot;
use tonic::transport::Channel;
use tonic::{Code, Request, Status};
use tonic_types::{ErrorDetails, StatusExt};
use wirefault_grpc_example::pb::{
    gateway_client::GatewayClient, notes_client::NotesClient, CreateNoteRequest, FailRequest,
    GetNoteRequest,
};
use wirefault_grpc_example::DOMAIN;

const STEP: Duration = Duration::from_secs(10);

/// A server on 127.0.0.1 port 0; stops when dropped.
struct Running {
    addr: SocketAddr,
    _stop: oneshot::Sender<()>,
}

async fn start<F, Fut, E>(serve: F) -> Running
where
    F: FnOnce(tokio::net::TcpListener, oneshot::Receiver<()>) -> Fut,
    Fut: Future<Output = Result<(), E>> + Send + 'static,
    E: std::fmt::Debug + Send + 'static,
{
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = oneshot::channel();
    tokio::spawn(serve(listener, stopped));
    Running { addr, _stop: stop }
}

async fn notes_server() -> Running {
    start(|listener, stopped| {
        wirefault_grpc_example::serve(listener, async move {
            let _ = stopped.await;
        })
    })
    .await
}

async fn gateway_server(upstream: String) -> Running {
    start(move |listener, stopped| {
        wirefault_grpc_example::serve_gateway(listener, upstream, async move {
            let _ = stopped.await;
        })
    })
    .await
}

async fn channel(addr: SocketAddr) -> Channel {
    tokio::time::timeout(
        STEP,
        Channel::from_shared(format!("http://{addr}"))
            .unwrap()
            .connect(),
    )
    .await
    .unwrap()
    .unwrap()
}

fn with_id<T>(message: T, id: &str) -> Request<T> {
    let mut request = Request::new(message);
    request
        .metadata_mut()
        .insert("x-request-id", id.parse().unwrap());
    request
}

async fn bounded<T>(call: impl Future<Output = Result<T, Status>>) -> Result<T, Status> {
    tokio::time::timeout(STEP, call).await.unwrap()
}

/// The one ErrorInfo, checked for reason, domain and HTTP status.
fn assert_error_info(status: &Status, reason: &str, http: u16) -> ErrorDetails {
    let all = status.check_error_details_vec().unwrap();
    let infos = all
        .iter()
        .filter(|d| matches!(d, tonic_types::ErrorDetail::ErrorInfo(_)))
        .count();
    assert_eq!(infos, 1, "exactly one ErrorInfo: {all:?}");
    let details = status.get_error_details();
    let info = details.error_info().unwrap();
    assert_eq!(info.reason, reason);
    assert_eq!(info.domain, DOMAIN);
    assert_eq!(info.metadata["httpStatus"], http.to_string());
    details
}

#[tokio::test]
async fn invalid_fields_are_bad_request_violations() {
    let server = notes_server().await;
    let mut client = NotesClient::new(channel(server.addr).await);
    let status = bounded(client.create_note(with_id(
        CreateNoteRequest {
            title: " ".into(),
            body: "x".repeat(10_001),
        },
        "req-grpc-1",
    )))
    .await
    .unwrap_err();

    assert_eq!(status.code(), Code::InvalidArgument);
    assert_eq!(status.message(), "the request has invalid fields");
    let details = assert_error_info(&status, "UNPROCESSABLE", 422);
    let violations = &details.bad_request().unwrap().field_violations;
    let fields: Vec<_> = violations
        .iter()
        .map(|v| (v.field.as_str(), v.description.as_str()))
        .collect();
    assert_eq!(
        fields,
        [
            ("title", "must not be empty"),
            ("body", "must be at most 10000 characters, not 10001")
        ]
    );
    assert_eq!(details.request_info().unwrap().request_id, "req-grpc-1");
    assert!(details.retry_info().is_none());
}

#[tokio::test]
async fn conflicts_and_missing_notes() {
    let server = notes_server().await;
    let mut client = NotesClient::new(channel(server.addr).await);
    let note = bounded(client.create_note(CreateNoteRequest {
        title: "hello".into(),
        body: "world".into(),
    }))
    .await
    .unwrap()
    .into_inner();
    assert_eq!(note.title, "hello");

    let status = bounded(client.create_note(CreateNoteRequest {
        title: "hello".into(),
        body: String::new(),
    }))
    .await
    .unwrap_err();
    assert_eq!(status.code(), Code::AlreadyExists);
    assert_eq!(status.message(), "a note titled \"hello\" exists");
    let details = assert_error_info(&status, "TITLE_TAKEN", 409);
    assert_eq!(
        details.bad_request().unwrap().field_violations[0].field,
        "title"
    );
    // No id sent: the server made one.
    assert!(!details.request_info().unwrap().request_id.is_empty());

    let status = bounded(client.get_note(GetNoteRequest { id: 99 }))
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::NotFound);
    assert_eq!(status.message(), "note 99 does not exist");
    let details = assert_error_info(&status, "NOT_FOUND", 404);
    assert!(details.bad_request().is_none());
}

#[tokio::test]
async fn a_server_failure_shows_no_internals() {
    let server = notes_server().await;
    let mut client = NotesClient::new(channel(server.addr).await);
    let status = bounded(client.fail(with_id(
        FailRequest {
            kind: "internal".into(),
        },
        "req-grpc-500",
    )))
    .await
    .unwrap_err();
    assert_eq!(status.code(), Code::Internal);
    assert_eq!(status.message(), "Internal Server Error");
    let details = assert_error_info(&status, "INTERNAL", 500);
    assert_eq!(details.error_info().unwrap().metadata.len(), 1);
    assert!(details.bad_request().is_none());
    assert!(details.debug_info().is_none());
    assert_eq!(details.request_info().unwrap().request_id, "req-grpc-500");
    let raw = String::from_utf8_lossy(status.details()).into_owned();
    for leak in ["10.1.2.3", "password", "SELECT", "refused"] {
        assert!(!raw.contains(leak), "{leak} leaked in details");
        assert!(!status.message().contains(leak), "{leak} leaked in message");
    }
}

#[tokio::test]
async fn retry_info_on_unavailable_and_rate_limited() {
    let server = notes_server().await;
    let mut client = NotesClient::new(channel(server.addr).await);
    let cases = [
        (
            "unavailable",
            Code::Unavailable,
            "Service Unavailable",
            "UNAVAILABLE",
            503,
            30,
        ),
        (
            "rate_limited",
            Code::ResourceExhausted,
            "too many requests: slow down",
            "RATE_LIMITED",
            429,
            2,
        ),
    ];
    for (kind, code, message, reason, http, secs) in cases {
        let status = bounded(client.fail(FailRequest { kind: kind.into() }))
            .await
            .unwrap_err();
        assert_eq!(status.code(), code, "{kind}");
        assert_eq!(status.message(), message, "{kind}");
        let details = assert_error_info(&status, reason, http);
        assert_eq!(
            details.retry_info().unwrap().retry_delay,
            Some(Duration::from_secs(secs))
        );
    }
    // A 503 shows no detail: "maintenance window" stays inside.
    let status = bounded(client.fail(FailRequest {
        kind: "unavailable".into(),
    }))
    .await
    .unwrap_err();
    assert!(!String::from_utf8_lossy(status.details()).contains("maintenance"));

    let status = bounded(client.fail(FailRequest {
        kind: "teapot".into(),
    }))
    .await
    .unwrap_err();
    assert_eq!(status.code(), Code::InvalidArgument);
    let details = assert_error_info(&status, "BAD_REQUEST", 400);
    assert_eq!(
        details.bad_request().unwrap().field_violations[0].field,
        "kind"
    );
}

#[tokio::test]
async fn the_gateway_passes_failures_on() {
    let upstream = notes_server().await;
    let mut notes = NotesClient::new(channel(upstream.addr).await);
    let note = bounded(notes.create_note(CreateNoteRequest {
        title: "via gateway".into(),
        body: String::new(),
    }))
    .await
    .unwrap()
    .into_inner();

    let gateway = gateway_server(format!("http://{}", upstream.addr)).await;
    let mut client = GatewayClient::new(channel(gateway.addr).await);

    let got = bounded(client.get_note(GetNoteRequest { id: note.id }))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(got, note);

    // The client's id was passed through: the upstream's NOT_FOUND is the
    // client's, with its message, in the gateway's domain and request.
    let status = bounded(client.get_note(with_id(GetNoteRequest { id: 404 }, "req-gw-1")))
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::NotFound);
    assert_eq!(status.message(), "note 404 does not exist");
    let details = assert_error_info(&status, "NOT_FOUND", 404);
    assert_eq!(details.request_info().unwrap().request_id, "req-gw-1");
}

#[tokio::test]
async fn an_unreachable_upstream_is_a_bad_gateway() {
    // A port that was just free: nothing listens there.
    let closed = {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        listener.local_addr().unwrap()
    };
    let gateway = gateway_server(format!("http://{closed}")).await;
    let mut client = GatewayClient::new(channel(gateway.addr).await);
    let status = bounded(client.get_note(GetNoteRequest { id: 1 }))
        .await
        .unwrap_err();
    // 502 Bad Gateway; its gRPC code is UNAVAILABLE.
    assert_eq!(status.code(), Code::Unavailable);
    assert_eq!(status.message(), "Bad Gateway");
    let details = assert_error_info(&status, "BAD_GATEWAY", 502);
    assert!(details.retry_info().is_none());
    let raw = String::from_utf8_lossy(status.details()).into_owned();
    for leak in ["127.0.0.1", "refused", "tcp", &closed.port().to_string()] {
        assert!(!raw.contains(leak), "{leak} leaked");
        assert!(!status.message().contains(leak), "{leak} leaked");
    }
}
