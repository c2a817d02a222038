//! tonic sample services, served here: gRPC with tonic-reflection, and
//! gRPC-Web (tonic-web) behind a tower-http `CorsLayer`, as tonic-web's
//! docs set it up; each audited by the real binary.
//!
//! The service code is what `tonic-prost-build` generates for one unary
//! method, written out (no build script for a test): prost-derived
//! messages, a `Service` that routes the method path to
//! `tonic::server::Grpc::unary`, and the file descriptor given to
//! reflection.
#![allow(clippy::unwrap_used)]

mod fixtures;

use std::collections::BTreeSet;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::http::{self, HeaderName, HeaderValue, Method};
use fixtures::apps::free_port;
use fixtures::audit_at_warning;
use futures_util::stream::{self, Stream, StreamExt as _};
use prost_types::field_descriptor_proto::{Label, Type};
use prost_types::{
    DescriptorProto, FieldDescriptorProto, FileDescriptorProto, FileDescriptorSet,
    MethodDescriptorProto, ServiceDescriptorProto,
};
use tonic::codegen::BoxFuture;
use tonic::server::{NamedService, ServerStreamingService, UnaryService};
use tower_http::cors::{AllowOrigin, CorsLayer};

const TRUSTED: &str = "https://app.example.com";
const SERVICE: &str = "samples.tonic.v1.Notes";

#[derive(Clone, PartialEq, prost::Message)]
struct GetNoteRequest {
    #[prost(string, tag = "1")]
    id: String,
}

#[derive(Clone, PartialEq, prost::Message)]
struct WatchRequest {
    #[prost(int32, tag = "1")]
    since: i32,
}

#[derive(Clone, PartialEq, prost::Message)]
struct Note {
    #[prost(string, tag = "1")]
    id: String,
    #[prost(string, tag = "2")]
    title: String,
}

/// How `GetNote` treats an id it does not have.
#[derive(Clone, Copy)]
enum Mistake {
    /// `NOT_FOUND`, `INVALID_ARGUMENT` for an empty id.
    None,
    /// Indexes a map with the id: a missing id panics in the handler.
    PanicOnMissing,
    /// `Watch` panics inside its stream on a negative `since`, after the
    /// headers went out.
    StreamPanics,
    /// The service's router answers a method it does not have NOT_FOUND.
    CatchAllNotFound,
    /// The empty id is INVALID_ARGUMENT with details built by hand from a
    /// NOT_FOUND template.
    MismatchedDetails,
}

#[derive(Clone)]
struct Notes(Mistake);

impl Notes {
    fn get(&self, id: &str) -> Result<Note, tonic::Status> {
        let notes: std::collections::HashMap<&str, &str> = [("1", "first")].into();
        match self.0 {
            Mistake::MismatchedDetails if id.is_empty() => {
                let details = tonic_types::pb::Status {
                    code: tonic::Code::NotFound as i32,
                    message: "id is required".into(),
                    details: Vec::new(),
                };
                Err(tonic::Status::with_details(
                    tonic::Code::InvalidArgument,
                    "id is required",
                    prost::Message::encode_to_vec(&details).into(),
                ))
            }
            _ if id.is_empty() => Err(tonic::Status::invalid_argument("id is required")),
            Mistake::None
            | Mistake::StreamPanics
            | Mistake::CatchAllNotFound
            | Mistake::MismatchedDetails => notes
                .get(id)
                .map(|title| Note {
                    id: id.to_owned(),
                    title: (*title).to_owned(),
                })
                .ok_or_else(|| tonic::Status::not_found("no such note")),
            Mistake::PanicOnMissing => Ok(Note {
                id: id.to_owned(),
                title: notes[id].to_owned(),
            }),
        }
    }
}

impl UnaryService<GetNoteRequest> for Notes {
    type Response = Note;
    type Future = BoxFuture<tonic::Response<Note>, tonic::Status>;
    fn call(&mut self, request: tonic::Request<GetNoteRequest>) -> Self::Future {
        let answer = self.get(&request.into_inner().id).map(tonic::Response::new);
        Box::pin(async move { answer })
    }
}

type NoteStream = std::pin::Pin<Box<dyn Stream<Item = Result<Note, tonic::Status>> + Send>>;

/// `WatchNotes`: the first note, then the stream stays open. A negative
/// `since` ends the stream with INVALID_ARGUMENT in its trailers.
#[derive(Clone)]
struct Watch(Mistake);

impl ServerStreamingService<WatchRequest> for Watch {
    type Response = Note;
    type ResponseStream = NoteStream;
    type Future = BoxFuture<tonic::Response<NoteStream>, tonic::Status>;
    fn call(&mut self, request: tonic::Request<WatchRequest>) -> Self::Future {
        let first = Note {
            id: "1".into(),
            title: "first".into(),
        };
        let negative = request.into_inner().since < 0;
        let rest: NoteStream = match (negative, self.0) {
            (false, _) => Box::pin(stream::pending()),
            (true, Mistake::StreamPanics) => Box::pin(stream::once(async {
                tokio::time::sleep(Duration::from_millis(50)).await;
                panic!("since must not be negative")
            })),
            (true, _) => Box::pin(stream::once(async {
                Err(tonic::Status::invalid_argument(
                    "since must not be negative",
                ))
            })),
        };
        let notes: NoteStream = Box::pin(stream::once(async { Ok(first) }).chain(rest));
        Box::pin(async move { Ok(tonic::Response::new(notes)) })
    }
}

impl NamedService for Notes {
    const NAME: &'static str = SERVICE;
}

impl<B> tower::Service<http::Request<B>> for Notes
where
    B: tonic::codegen::Body + Send + 'static,
    B::Error: Into<tonic::codegen::StdError> + Send + 'static,
{
    type Response = http::Response<tonic::body::Body>;
    type Error = Infallible;
    type Future = BoxFuture<Self::Response, Infallible>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: http::Request<B>) -> Self::Future {
        let notes = self.clone();
        if request.uri().path() == format!("/{SERVICE}/GetNote") {
            let mut grpc = tonic::server::Grpc::new(tonic_prost::ProstCodec::default());
            return Box::pin(async move { Ok(grpc.unary(notes, request).await) });
        }
        if request.uri().path() == format!("/{SERVICE}/WatchNotes") {
            let mut grpc = tonic::server::Grpc::new(tonic_prost::ProstCodec::default());
            let watch = Watch(notes.0);
            return Box::pin(async move { Ok(grpc.server_streaming(watch, request).await) });
        }
        let status = match notes.0 {
            Mistake::CatchAllNotFound => tonic::Status::not_found("no such route"),
            _ => tonic::Status::unimplemented(""),
        };
        Box::pin(async move { Ok(status.into_http()) })
    }
}

/// The descriptor of `notes.proto`, as `protoc` would give it.
fn descriptor() -> FileDescriptorSet {
    let field = |name: &str, number: i32, kind: Type| FieldDescriptorProto {
        name: Some(name.into()),
        number: Some(number),
        label: Some(Label::Optional as i32),
        r#type: Some(kind as i32),
        json_name: Some(name.into()),
        ..Default::default()
    };
    let string = |name: &str, number: i32| field(name, number, Type::String);
    let message = |name: &str, fields| DescriptorProto {
        name: Some(name.into()),
        field: fields,
        ..Default::default()
    };
    FileDescriptorSet {
        file: vec![FileDescriptorProto {
            name: Some("samples/tonic/notes.proto".into()),
            package: Some("samples.tonic.v1".into()),
            syntax: Some("proto3".into()),
            message_type: vec![
                message("GetNoteRequest", vec![string("id", 1)]),
                message("Note", vec![string("id", 1), string("title", 2)]),
                message("WatchRequest", vec![field("since", 1, Type::Int32)]),
            ],
            service: vec![ServiceDescriptorProto {
                name: Some("Notes".into()),
                method: vec![
                    MethodDescriptorProto {
                        name: Some("GetNote".into()),
                        input_type: Some(".samples.tonic.v1.GetNoteRequest".into()),
                        output_type: Some(".samples.tonic.v1.Note".into()),
                        ..Default::default()
                    },
                    MethodDescriptorProto {
                        name: Some("WatchNotes".into()),
                        input_type: Some(".samples.tonic.v1.WatchRequest".into()),
                        output_type: Some(".samples.tonic.v1.Note".into()),
                        server_streaming: Some(true),
                        ..Default::default()
                    },
                ],
                ..Default::default()
            }],
            ..Default::default()
        }],
    }
}

/// The CORS layer of tonic-web's docs for one trusted origin; with
/// `expose: false` it forgets the gRPC status headers.
fn cors(expose: bool) -> CorsLayer {
    let layer = CorsLayer::new()
        .allow_origin(AllowOrigin::exact(HeaderValue::from_static(TRUSTED)))
        .allow_credentials(true)
        .allow_methods([Method::POST])
        .allow_headers(
            ["content-type", "x-grpc-web", "x-user-agent", "grpc-timeout"]
                .map(HeaderName::from_static),
        )
        .max_age(Duration::from_secs(600));
    if expose {
        layer.expose_headers(
            ["grpc-status", "grpc-message", "grpc-status-details-bin"].map(HeaderName::from_static),
        )
    } else {
        layer
    }
}

/// Serves the notes service and reflection (and gRPC-Web behind `cors`)
/// on a free loopback port from a runtime of its own.
fn serve(mistake: Mistake, web: Option<CorsLayer>) -> SocketAddr {
    let addr: SocketAddr = format!("127.0.0.1:{}", free_port()).parse().unwrap();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Runtime::new().unwrap();
        runtime.block_on(async move {
            let reflection = tonic_reflection::server::Builder::configure()
                .register_file_descriptor_set(descriptor())
                .build_v1()
                .unwrap();
            let notes = Notes(mistake);
            match web {
                Some(cors) => tonic::transport::Server::builder()
                    .accept_http1(true)
                    .layer(cors)
                    .layer(tonic_web::GrpcWebLayer::new())
                    .add_service(notes)
                    .add_service(reflection)
                    .serve(addr)
                    .await
                    .unwrap(),
                None => tonic::transport::Server::builder()
                    .add_service(notes)
                    .add_service(reflection)
                    .serve(addr)
                    .await
                    .unwrap(),
            }
        });
    });
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while std::net::TcpStream::connect(addr).is_err() {
        assert!(std::time::Instant::now() < deadline, "tonic did not listen");
        std::thread::sleep(Duration::from_millis(20));
    }
    addr
}

fn assert_found(addr: SocketAddr, extra: &[&str], expected: &[&str]) -> serde_json::Value {
    let mut args = vec!["--grpc"];
    args.extend_from_slice(extra);
    let (ids, code, report) = audit_at_warning(&format!("http://{addr}/"), &args);
    let expected: BTreeSet<String> = expected.iter().map(|s| (*s).to_owned()).collect();
    assert_eq!(ids, expected, "{report:#}");
    assert_eq!(code, i32::from(!expected.is_empty()), "{report:#}");
    report
}

#[test]
fn tonic_service_is_clean_and_discovered_by_reflection_v1() {
    let addr = serve(Mistake::None, None);
    let report = assert_found(addr, &[], &[]);
    assert!(
        report["notes"]
            .to_string()
            .contains("grpc.reflection.v1.ServerReflection): samples.tonic.v1.Notes"),
        "{report:#}"
    );
}

#[test]
fn tonic_handler_panic_is_a_call_without_status() {
    let addr = serve(Mistake::PanicOnMissing, None);
    assert_found(addr, &[], &["WF-GRPC-002"]);
}

#[test]
fn tonic_web_behind_a_cors_layer_that_exposes_the_status_is_clean() {
    let addr = serve(Mistake::None, Some(cors(true)));
    let report = assert_found(addr, &["--origin", TRUSTED], &[]);
    assert!(
        report["notes"].to_string().contains("gRPC-Web answered"),
        "{report:#}"
    );
}

#[test]
fn tonic_web_behind_a_cors_layer_without_expose_headers_is_found() {
    let addr = serve(Mistake::None, Some(cors(false)));
    assert_found(addr, &["--origin", TRUSTED], &["WF-GRPCWEB-001"]);
}

#[test]
fn tonic_web_stream_that_panics_after_its_headers_is_a_call_without_status() {
    let addr = serve(Mistake::StreamPanics, Some(cors(true)));
    let report = assert_found(addr, &["--origin", TRUSTED], &["WF-GRPC-002"]);
    // Seen over gRPC-Web too: the page's stream broke off with no trailer
    // frame.
    let over_web = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "WF-GRPC-002")
        .any(|f| f["request"]["headers"].to_string().contains("x-grpc-web"));
    assert!(over_web, "{report:#}");
}

#[test]
fn tonic_router_answering_an_unknown_method_not_found_is_found() {
    let addr = serve(Mistake::CatchAllNotFound, None);
    assert_found(addr, &[], &["WF-GRPC-004"]);
}

#[test]
fn tonic_details_with_another_code_are_found() {
    let addr = serve(Mistake::MismatchedDetails, None);
    assert_found(addr, &[], &["WF-GRPC-005"]);
}
