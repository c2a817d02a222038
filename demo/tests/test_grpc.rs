//! Every row of DEMO.md's gRPC table, over a real socket, with a tonic
//! client generated from the service's own proto.
#![allow(clippy::unwrap_used)]

mod common;

use common::TestServer;
use std::time::Duration;
use tonic::metadata::MetadataValue;
use tonic::transport::Channel;
use tonic::{Code, Request, Status};
use tonic_types::StatusExt;
use wirefault_demo::grpc::pb::notes_client::NotesClient;
use wirefault_demo::grpc::pb::{self, note_event};
use wirefault_demo::grpc::DOMAIN;
use wirefault_test_helpers::STEP;

async fn channel(s: &TestServer) -> Channel {
    Channel::from_shared(s.url(""))
        .unwrap()
        .timeout(STEP)
        .connect()
        .await
        .unwrap()
}

async fn notes(s: &TestServer) -> NotesClient<Channel> {
    NotesClient::new(channel(s).await)
}

/// A started service, a session cookie for `user` and a client.
async fn signed_in(user: &str) -> (TestServer, String, NotesClient<Channel>) {
    let s = TestServer::start().await;
    let cookie = s.session_cookie(user).await;
    let client = notes(&s).await;
    (s, cookie, client)
}

/// A watch of `s`'s note events, signed in as bob.
async fn watching(s: &TestServer) -> tonic::codec::Streaming<pb::NoteEvent> {
    let cookie = s.session_cookie("bob").await;
    notes(s)
        .await
        .watch_notes(with_cookie(pb::WatchNotesRequest {}, &cookie))
        .await
        .unwrap()
        .into_inner()
}

/// `message` with the session cookie as `cookie` metadata.
fn with_cookie<T>(message: T, cookie: &str) -> Request<T> {
    let mut request = Request::new(message);
    request
        .metadata_mut()
        .insert("cookie", MetadataValue::try_from(cookie).unwrap());
    request
}

/// The status's `ErrorInfo` reason and `httpStatus`, checked to be ours.
fn reason_and_http(status: &Status) -> (String, String) {
    let details = status.get_error_details();
    let info = details.error_info().expect("an ErrorInfo");
    assert_eq!(info.domain, DOMAIN);
    (info.reason.clone(), info.metadata["httpStatus"].clone())
}

/// An ASCII metadata value, as text.
fn meta(map: &tonic::metadata::MetadataMap, key: &str) -> String {
    map.get(key)
        .unwrap_or_else(|| panic!("no {key} in {map:?}"))
        .to_str()
        .unwrap()
        .to_owned()
}

fn new_note(title: &str, body: &str) -> pb::CreateNoteRequest {
    pb::CreateNoteRequest {
        title: title.into(),
        body: body.into(),
    }
}

#[tokio::test]
async fn every_method_needs_a_session() {
    let s = TestServer::start().await;
    let mut c = notes(&s).await;
    let statuses = [
        c.create_note(new_note("t", "")).await.unwrap_err(),
        c.get_note(pb::GetNoteRequest { id: 1 }).await.unwrap_err(),
        c.list_notes(pb::ListNotesRequest {}).await.unwrap_err(),
        c.delete_note(pb::DeleteNoteRequest { id: 1 })
            .await
            .unwrap_err(),
        c.watch_notes(pb::WatchNotesRequest {}).await.unwrap_err(),
    ];
    for status in statuses {
        assert_eq!(status.code(), Code::Unauthenticated, "{status:?}");
        assert!(status.message().starts_with("sign in first"), "{status:?}");
        assert_eq!(
            reason_and_http(&status),
            ("UNAUTHENTICATED".into(), "401".into())
        );
    }
    // A cookie that names no session is no session.
    let status = c
        .list_notes(with_cookie(pb::ListNotesRequest {}, "wf_session=nobody"))
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::Unauthenticated);
}

#[tokio::test]
async fn notes_round_trip_with_the_http_session() {
    let (s, cookie, mut c) = signed_in("alice").await;

    let response = c
        .create_note(with_cookie(new_note("over grpc", "hello"), &cookie))
        .await
        .unwrap();
    assert_eq!(meta(response.metadata(), "x-ratelimit-remaining"), "59");
    assert!(response.metadata().contains_key("x-request-id"));
    let note = response.into_inner();
    assert_eq!(
        (note.owner.as_str(), note.title.as_str()),
        ("alice", "over grpc")
    );
    assert!(note.created_at.ends_with('Z'), "{}", note.created_at);

    let read = c
        .get_note(with_cookie(pb::GetNoteRequest { id: note.id }, &cookie))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(read, note);

    // The note is the HTTP one: the same store, the same JSON fields.
    let http: serde_json::Value = s
        .signed_in("bob")
        .await
        .get(s.url(&format!("/notes/{}", note.id)))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(http["title"], "over grpc");
    assert_eq!(http["created_at"], note.created_at.as_str());

    let all = c
        .list_notes(with_cookie(pb::ListNotesRequest {}, &cookie))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(all.notes, std::slice::from_ref(&note));

    let deleted = c
        .delete_note(with_cookie(pb::DeleteNoteRequest { id: note.id }, &cookie))
        .await
        .unwrap();
    assert_eq!(meta(deleted.metadata(), "x-ratelimit-remaining"), "58");
}

#[tokio::test]
async fn an_invalid_note_names_every_bad_field() {
    let (_server, cookie, mut c) = signed_in("alice").await;
    let status = c
        .create_note(with_cookie(new_note("", &"b".repeat(10_001)), &cookie))
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::InvalidArgument);
    assert_eq!(status.message(), "the request has invalid fields");
    assert_eq!(
        reason_and_http(&status),
        ("UNPROCESSABLE".into(), "422".into())
    );
    let details = status.get_error_details();
    let violations: Vec<_> = details
        .bad_request()
        .unwrap()
        .field_violations
        .iter()
        .map(|v| (v.field.as_str(), v.description.as_str()))
        .collect();
    assert_eq!(
        violations,
        [
            ("title", "must not be empty"),
            ("body", "must be at most 10000 characters")
        ]
    );
    // The request id of the answer is the one in RequestInfo.
    let id = meta(status.metadata(), "x-request-id");
    assert_eq!(details.request_info().unwrap().request_id, id);
    // Refused writes do not count.
    assert_eq!(meta(status.metadata(), "x-ratelimit-remaining"), "60");

    // Limits count characters, as over HTTP.
    c.create_note(with_cookie(new_note(&"é".repeat(200), ""), &cookie))
        .await
        .unwrap();
    let status = c
        .create_note(with_cookie(new_note(&"a".repeat(201), ""), &cookie))
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::InvalidArgument);
}

#[tokio::test]
async fn a_taken_title_is_already_exists() {
    let (_server, cookie, mut c) = signed_in("alice").await;
    c.create_note(with_cookie(new_note("twice", ""), &cookie))
        .await
        .unwrap();
    let status = c
        .create_note(with_cookie(new_note("twice", ""), &cookie))
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::AlreadyExists);
    assert_eq!(status.message(), "you already have a note titled \"twice\"");
    assert_eq!(
        reason_and_http(&status),
        ("TITLE_TAKEN".into(), "409".into())
    );
    let details = status.get_error_details();
    assert_eq!(
        details.bad_request().unwrap().field_violations[0].field,
        "title"
    );
}

#[tokio::test]
async fn missing_and_foreign_notes() {
    let s = TestServer::start().await;
    let alice = s.session_cookie("alice").await;
    let bob = s.session_cookie("bob").await;
    let mut c = notes(&s).await;

    let status = c
        .get_note(with_cookie(pb::GetNoteRequest { id: 999 }, &alice))
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::NotFound);
    assert_eq!(status.message(), "note 999 does not exist");
    assert_eq!(reason_and_http(&status), ("NOT_FOUND".into(), "404".into()));
    // The same fault over HTTP: the same kind.
    let res = s
        .signed_in("carol")
        .await
        .get(s.url("/notes/999"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["detail"], status.message());

    let status = c
        .delete_note(with_cookie(pb::DeleteNoteRequest { id: 999 }, &alice))
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::NotFound);

    let note = c
        .create_note(with_cookie(new_note("mine", ""), &alice))
        .await
        .unwrap()
        .into_inner();
    let status = c
        .delete_note(with_cookie(pb::DeleteNoteRequest { id: note.id }, &bob))
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::PermissionDenied);
    assert_eq!(
        reason_and_http(&status),
        ("PERMISSION_DENIED".into(), "403".into())
    );
}

#[tokio::test]
async fn the_write_budget_is_resource_exhausted_with_retry_info() {
    let mut config = wirefault_demo::Config::for_tests();
    config.rate_limit = "1/3600".parse().unwrap();
    let s = TestServer::start_with(config).await;
    let cookie = s.session_cookie("alice").await;
    let mut c = notes(&s).await;
    let one = c
        .create_note(with_cookie(new_note("one", ""), &cookie))
        .await
        .unwrap()
        .into_inner();
    let status = c
        .delete_note(with_cookie(pb::DeleteNoteRequest { id: one.id }, &cookie))
        .await
        .unwrap_err();
    assert_eq!(
        status.code(),
        Code::ResourceExhausted,
        "deletes spend it too"
    );
    let status = c
        .create_note(with_cookie(new_note("two", ""), &cookie))
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::ResourceExhausted);
    assert_eq!(
        reason_and_http(&status),
        ("RATE_LIMITED".into(), "429".into())
    );
    let delay = status
        .get_error_details()
        .retry_info()
        .unwrap()
        .retry_delay
        .unwrap();
    assert!(delay > Duration::from_secs(3000), "{delay:?}");
    assert_eq!(meta(status.metadata(), "x-ratelimit-remaining"), "0");
    // HTTP shares the budget.
    let res = reqwest::Client::new()
        .post(s.url("/notes"))
        .header("cookie", &cookie)
        .json(&serde_json::json!({"title": "three"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 429);
}

#[tokio::test]
async fn watch_notes_streams_the_sse_events() {
    let s = TestServer::start().await;
    let mut stream = watching(&s).await;

    let alice = s.signed_in("alice").await;
    let res = alice
        .post(s.url("/notes"))
        .json(&serde_json::json!({"title": "watched"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let created: serde_json::Value = res.json().await.unwrap();
    let id = created["id"].as_i64().unwrap();
    let res = alice
        .delete(s.url(&format!("/notes/{id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);

    let first = tokio::time::timeout(STEP, stream.message())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    match first.event.unwrap() {
        note_event::Event::Created(note) => {
            assert_eq!((note.id, note.title.as_str()), (id, "watched"))
        }
        other => panic!("expected created, got {other:?}"),
    }
    let second = tokio::time::timeout(STEP, stream.message())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert_eq!(
        second.event.unwrap(),
        note_event::Event::Deleted(pb::Deleted {
            id,
            owner: "alice".into()
        })
    );
}

/// A watcher that falls behind (more events than the channel's 256
/// arrive before the server forwards them) gets UNAVAILABLE, reason
/// STREAM_LAGGED, with RetryInfo, and the end of the stream.
#[tokio::test]
async fn a_watcher_that_falls_behind_gets_unavailable() {
    let s = TestServer::start().await;
    let mut stream = watching(&s).await;
    const SENT: i64 = 1_000;
    for id in 0..SENT {
        let _ = s.state.events.send(wirefault_demo::NoteEvent::Deleted {
            id,
            owner: "alice".into(),
        });
    }
    let mut received = 0;
    let status = loop {
        match tokio::time::timeout(STEP, stream.message()).await.unwrap() {
            Ok(Some(_)) => received += 1,
            Ok(None) => panic!("the stream ended without a status after {received} events"),
            Err(status) => break status,
        }
        assert!(
            received < SENT,
            "every event arrived: the watcher never lagged"
        );
    };
    assert_eq!(status.code(), Code::Unavailable, "{status:?}");
    assert_eq!(
        reason_and_http(&status),
        ("STREAM_LAGGED".into(), "503".into())
    );
    assert!(status.get_error_details().retry_info().is_some());
    let end = tokio::time::timeout(STEP, stream.message()).await.unwrap();
    assert!(matches!(end, Ok(None)), "{end:?}");
}

/// On graceful shutdown, a watch ends with OK, as an SSE stream ends.
#[tokio::test]
async fn a_watch_ends_with_ok_on_shutdown() {
    let s = TestServer::start().await;
    let mut stream = watching(&s).await;
    s.state.shutdown.cancel();
    let end = tokio::time::timeout(STEP, stream.message()).await.unwrap();
    assert!(matches!(end, Ok(None)), "{end:?}");
}

#[tokio::test]
async fn a_panic_is_internal_without_internals() {
    let s = TestServer::start().await;
    let mut debug = wirefault_demo::grpc::pb::debug_client::DebugClient::new(channel(&s).await);
    let status = debug.panic(pb::PanicRequest {}).await.unwrap_err();
    assert_eq!(status.code(), Code::Internal);
    assert_eq!(status.message(), "Internal Server Error");
    assert_eq!(reason_and_http(&status), ("INTERNAL".into(), "500".into()));
    let raw = String::from_utf8_lossy(status.details()).into_owned();
    for leak in ["/var/lib", "notes.db", "panicked", "debug route"] {
        assert!(!raw.contains(leak), "{leak} in {raw:?}");
    }
    // The service goes on.
    let status = notes(&s)
        .await
        .get_note(pb::GetNoteRequest { id: 1 })
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::Unauthenticated);
}

#[tokio::test]
async fn the_debug_service_is_off_without_fault_routes() {
    let mut config = wirefault_demo::Config::for_tests();
    config.fault_routes = false;
    let s = TestServer::start_with(config).await;
    let mut debug = wirefault_demo::grpc::pb::debug_client::DebugClient::new(channel(&s).await);
    let status = debug.panic(pb::PanicRequest {}).await.unwrap_err();
    assert_eq!(status.code(), Code::Unimplemented);
}

#[tokio::test]
async fn an_unknown_method_or_service_is_unimplemented() {
    let s = TestServer::start().await;
    let mut grpc = tonic::client::Grpc::new(channel(&s).await);
    for path in [
        "/wirefault.demo.v1.Notes/Nope",
        "/wirefault.demo.v1.Nope/GetNote",
    ] {
        grpc.ready().await.unwrap();
        let status = grpc
            .unary::<_, pb::ListNotesResponse, _>(
                Request::new(pb::ListNotesRequest {}),
                axum::http::uri::PathAndQuery::from_static(path),
                tonic_prost::ProstCodec::default(),
            )
            .await
            .unwrap_err();
        assert_eq!(status.code(), Code::Unimplemented, "{path}");
    }
}

/// tonic's own answer, before any handler runs (as hyper's bare 400s over
/// HTTP): the message is refused at its frame header, without details.
#[tokio::test]
async fn a_message_over_the_limit_is_tonics_out_of_range() {
    let s = TestServer::start().await;
    let cookie = s.session_cookie("alice").await;
    let status = notes(&s)
        .await
        .create_note(with_cookie(new_note("big", &"b".repeat(70_000)), &cookie))
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::OutOfRange, "{status:?}");
    assert!(status.message().contains("65531 bytes"), "{status:?}");
}

/// One reflection request on `channel` with the reflection client of
/// `$version` (`v1`, `v1alpha`): the first answer's message.
macro_rules! reflect {
    ($version:ident, $channel:expr, $request:expr) => {{
        use tonic_reflection::pb::$version::server_reflection_client::ServerReflectionClient;
        use tonic_reflection::pb::$version::ServerReflectionRequest;
        let request = ServerReflectionRequest {
            host: String::new(),
            message_request: Some($request),
        };
        let mut answers = ServerReflectionClient::new($channel)
            .server_reflection_info(futures_util::stream::once(async move { request }))
            .await
            .unwrap()
            .into_inner();
        tokio::time::timeout(STEP, answers.message())
            .await
            .unwrap()
            .unwrap()
            .unwrap()
            .message_response
            .unwrap()
    }};
}

#[tokio::test]
async fn reflection_v1_lists_the_services_and_serves_their_files() {
    use tonic_reflection::pb::v1::server_reflection_request::MessageRequest;
    use tonic_reflection::pb::v1::server_reflection_response::MessageResponse;

    let s = TestServer::start().await;
    let answer = reflect!(
        v1,
        channel(&s).await,
        MessageRequest::ListServices(String::new())
    );
    let MessageResponse::ListServicesResponse(list) = answer else {
        panic!("expected a service list, got {answer:?}");
    };
    let mut names: Vec<_> = list.service.into_iter().map(|s| s.name).collect();
    names.sort();
    assert_eq!(
        names,
        [
            "grpc.reflection.v1.ServerReflection",
            "wirefault.demo.v1.Debug",
            "wirefault.demo.v1.Notes"
        ]
    );
    let answer = reflect!(
        v1,
        channel(&s).await,
        MessageRequest::FileContainingSymbol("wirefault.demo.v1.Notes".into())
    );
    let MessageResponse::FileDescriptorResponse(files) = answer else {
        panic!("expected the file, got {answer:?}");
    };
    let file = String::from_utf8_lossy(&files.file_descriptor_proto[0]).into_owned();
    assert!(file.contains("wirefault/demo/v1/notes.proto"), "{file}");
}

#[tokio::test]
async fn reflection_v1alpha_lists_the_services_without_debug_when_off() {
    use tonic_reflection::pb::v1alpha::server_reflection_request::MessageRequest;
    use tonic_reflection::pb::v1alpha::server_reflection_response::MessageResponse;

    let mut config = wirefault_demo::Config::for_tests();
    config.fault_routes = false;
    let s = TestServer::start_with(config).await;
    let answer = reflect!(
        v1alpha,
        channel(&s).await,
        MessageRequest::ListServices(String::new())
    );
    let MessageResponse::ListServicesResponse(list) = answer else {
        panic!("expected a service list, got {answer:?}");
    };
    let mut names: Vec<_> = list.service.into_iter().map(|s| s.name).collect();
    names.sort();
    assert_eq!(
        names,
        [
            "grpc.reflection.v1alpha.ServerReflection",
            "wirefault.demo.v1.Notes"
        ]
    );
}

mod grpc_web {
    //! gRPC-Web over HTTP/1.1, framed by hand as a browser's client frames
    //! it, with the CORS headers a browser would check.
    use super::*;
    use prost::Message;

    const ALLOWED: &str = "http://127.0.0.1:3001";
    const FOREIGN: &str = "https://evil.example";

    /// A gRPC-Web request body: one uncompressed message frame.
    fn frame(message: &impl Message) -> Vec<u8> {
        let bytes = message.encode_to_vec();
        let mut out = vec![0];
        out.extend_from_slice(&u32::try_from(bytes.len()).unwrap().to_be_bytes());
        out.extend_from_slice(&bytes);
        out
    }

    async fn call(
        s: &TestServer,
        method: &str,
        message: &impl Message,
        origin: &str,
        cookie: Option<&str>,
    ) -> reqwest::Response {
        let mut request = reqwest::Client::new()
            .post(s.url(&format!("/wirefault.demo.v1.Notes/{method}")))
            .header("content-type", "application/grpc-web+proto")
            .header("x-grpc-web", "1")
            .header("origin", origin)
            .body(frame(message));
        if let Some(cookie) = cookie {
            request = request.header("cookie", cookie);
        }
        request.send().await.unwrap()
    }

    fn exposed(res: &reqwest::Response) -> String {
        res.headers()
            .get("access-control-expose-headers")
            .map(|v| v.to_str().unwrap().to_ascii_lowercase())
            .unwrap_or_default()
    }

    #[tokio::test]
    async fn the_trusted_page_can_read_the_status_and_details() {
        let s = TestServer::start().await;
        let cookie = s.session_cookie("alice").await;
        let res = call(&s, "CreateNote", &new_note("", ""), ALLOWED, Some(&cookie)).await;
        assert_eq!(res.status(), 200);
        let h = res.headers();
        assert_eq!(h["access-control-allow-origin"], ALLOWED);
        assert_eq!(h["access-control-allow-credentials"], "true");
        assert!(h["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/grpc-web"));
        // A trailers-only answer: the status is in the headers.
        assert_eq!(h["grpc-status"], "3");
        // Percent-encoded, as the gRPC protocol says.
        assert_eq!(h["grpc-message"], "the%20request%20has%20invalid%20fields");
        let exposed = exposed(&res);
        for name in ["grpc-status", "grpc-message", "grpc-status-details-bin"] {
            assert!(exposed.contains(name), "{name} not in {exposed}");
        }
        // The details decode to the same AIP-193 details as over gRPC.
        let status = tonic::Status::from_header_map(h).unwrap();
        assert_eq!(status.message(), "the request has invalid fields");
        let details = status.get_error_details();
        assert_eq!(details.error_info().unwrap().reason, "UNPROCESSABLE");
        assert_eq!(
            details.bad_request().unwrap().field_violations[0].field,
            "title"
        );

        let res = call(
            &s,
            "GetNote",
            &pb::GetNoteRequest { id: 404 },
            ALLOWED,
            Some(&cookie),
        )
        .await;
        assert_eq!(res.headers()["grpc-status"], "5");
        let status = tonic::Status::from_header_map(res.headers()).unwrap();
        assert_eq!(status.message(), "note 404 does not exist");
    }

    #[tokio::test]
    async fn a_success_ends_with_a_trailers_frame() {
        let s = TestServer::start().await;
        let cookie = s.session_cookie("alice").await;
        let res = call(
            &s,
            "ListNotes",
            &pb::ListNotesRequest {},
            ALLOWED,
            Some(&cookie),
        )
        .await;
        assert_eq!(res.status(), 200);
        let body = res.bytes().await.unwrap();
        // A message frame (flag 0), then the trailers frame (flag 0x80).
        assert_eq!(body[0], 0);
        let len = u32::from_be_bytes(body[1..5].try_into().unwrap()) as usize;
        let trailers = &body[5 + len..];
        assert_eq!(trailers[0], 0x80);
        let text = String::from_utf8_lossy(&trailers[5..]).to_ascii_lowercase();
        assert!(text.contains("grpc-status:0"), "{text}");
    }

    /// The layer's body limit answers first, over HTTP: a declared
    /// length over 64 KiB is the 413 problem.
    #[tokio::test]
    async fn a_declared_body_over_the_limit_is_413() {
        let s = TestServer::start().await;
        let res = call(
            &s,
            "CreateNote",
            &new_note("big", &"b".repeat(70_000)),
            ALLOWED,
            None,
        )
        .await;
        assert_eq!(res.status(), 413);
        assert_eq!(res.headers()["content-type"], "application/problem+json");
    }

    #[tokio::test]
    async fn a_foreign_page_gets_nothing() {
        let s = TestServer::start().await;
        let cookie = s.session_cookie("alice").await;
        let res = call(
            &s,
            "GetNote",
            &pb::GetNoteRequest { id: 1 },
            FOREIGN,
            Some(&cookie),
        )
        .await;
        assert!(
            res.headers()
                .keys()
                .all(|name| !name.as_str().starts_with("access-control-")),
            "{:?}",
            res.headers()
        );
    }

    #[tokio::test]
    async fn the_preflight_grants_the_grpc_web_headers() {
        let s = TestServer::start().await;
        let res = reqwest::Client::new()
            .request(
                reqwest::Method::OPTIONS,
                s.url("/wirefault.demo.v1.Notes/GetNote"),
            )
            .header("origin", ALLOWED)
            .header("access-control-request-method", "POST")
            .header(
                "access-control-request-headers",
                "content-type,x-grpc-web,x-user-agent,grpc-timeout",
            )
            .send()
            .await
            .unwrap();
        assert!(res.status().is_success(), "{}", res.status());
        let h = res.headers();
        assert_eq!(h["access-control-allow-origin"], ALLOWED);
        let allowed = h["access-control-allow-headers"]
            .to_str()
            .unwrap()
            .to_ascii_lowercase();
        for name in ["content-type", "x-grpc-web", "x-user-agent", "grpc-timeout"] {
            assert!(allowed.contains(name), "{name} not in {allowed}");
        }
        // A foreign origin's preflight gets no grant.
        let res = reqwest::Client::new()
            .request(
                reqwest::Method::OPTIONS,
                s.url("/wirefault.demo.v1.Notes/GetNote"),
            )
            .header("origin", FOREIGN)
            .header("access-control-request-method", "POST")
            .header("access-control-request-headers", "content-type,x-grpc-web")
            .send()
            .await
            .unwrap();
        assert!(res.headers().get("access-control-allow-origin").is_none());
        assert!(res.headers().get("access-control-allow-headers").is_none());
    }
}
