//! Service discovery by server reflection (`grpc.reflection.v1`, then
//! `v1alpha`): the services listed, and the file descriptors that define
//! them, in a `prost_reflect::DescriptorPool`.
//!
//! Each question is its own call (one request message, then the end of the
//! request stream), so a server that answers one and fails the next still
//! gives what it gave. v1 and v1alpha messages are the same on the wire; the
//! v1 types serve both.

use std::collections::BTreeMap;
use std::time::Duration;

use prost::Message as _;
use prost_reflect::DescriptorPool;
use tonic_reflection::pb::v1::{
    server_reflection_request::MessageRequest, server_reflection_response::MessageResponse,
    ServerReflectionRequest, ServerReflectionResponse,
};

use super::wire::{self, Wire};
use crate::probe::Ctx;

/// The reflection services, newest first.
const REFLECTION: &[&str] = &[
    "grpc.reflection.v1.ServerReflection",
    "grpc.reflection.v1alpha.ServerReflection",
];
/// Most services described.
const MAX_SERVICES: usize = 20;

/// What reflection told.
#[derive(Debug)]
pub(crate) struct Discovery {
    /// The reflection service that answered.
    pub(crate) reflection: &'static str,
    /// The services listed, reflection itself left out.
    pub(crate) services: Vec<String>,
    /// Every file descriptor received.
    pub(crate) pool: DescriptorPool,
    /// Services listed but not described (no descriptor, or one that does
    /// not build), with why.
    pub(crate) undescribed: Vec<(String, String)>,
}

/// Asks the target's reflection service; `Err` says why there is none.
pub(crate) async fn discover(ctx: &Ctx, client: &reqwest::Client) -> Result<Discovery, String> {
    let mut why = Vec::new();
    for reflection in REFLECTION {
        let list = ServerReflectionRequest {
            host: String::new(),
            message_request: Some(MessageRequest::ListServices(String::new())),
        };
        match ask(ctx, client, reflection, &list).await {
            Ok(MessageResponse::ListServicesResponse(listed)) => {
                let services: Vec<String> = listed
                    .service
                    .into_iter()
                    .map(|s| s.name)
                    .filter(|n| !n.starts_with("grpc.reflection."))
                    .take(MAX_SERVICES)
                    .collect();
                return Ok(describe(ctx, client, reflection, services).await);
            }
            Ok(_) => why.push(format!(
                "{reflection}: an answer that is not a service list"
            )),
            Err(e) => why.push(format!("{reflection}: {e}")),
        }
    }
    Err(why.join("; "))
}

async fn describe(
    ctx: &Ctx,
    client: &reqwest::Client,
    reflection: &'static str,
    services: Vec<String>,
) -> Discovery {
    let mut files: BTreeMap<String, prost_types::FileDescriptorProto> = BTreeMap::new();
    let mut undescribed = Vec::new();
    for service in &services {
        let question = ServerReflectionRequest {
            host: String::new(),
            message_request: Some(MessageRequest::FileContainingSymbol(service.clone())),
        };
        match ask(ctx, client, reflection, &question).await {
            Ok(MessageResponse::FileDescriptorResponse(found)) => {
                for bytes in found.file_descriptor_proto {
                    match prost_types::FileDescriptorProto::decode(bytes.as_slice()) {
                        Ok(file) => {
                            files.insert(file.name().to_owned(), file);
                        }
                        Err(e) => undescribed.push((service.clone(), e.to_string())),
                    }
                }
            }
            Ok(MessageResponse::ErrorResponse(e)) => {
                undescribed.push((service.clone(), e.error_message));
            }
            Ok(_) => undescribed.push((service.clone(), "not a file descriptor".into())),
            Err(e) => undescribed.push((service.clone(), e)),
        }
    }
    let pool = build_pool(files.into_values().collect());
    for service in &services {
        if pool.get_service_by_name(service).is_none()
            && !undescribed.iter().any(|(s, _)| s == service)
        {
            undescribed.push((service.clone(), "its descriptor did not build".into()));
        }
    }
    Discovery {
        reflection,
        services,
        pool,
        undescribed,
    }
}

/// A pool of every file that builds: files are added once their imports
/// are in (reflection sends them in no set order).
fn build_pool(mut pending: Vec<prost_types::FileDescriptorProto>) -> DescriptorPool {
    let mut pool = DescriptorPool::new();
    // Each pass adds at least one file, or stops.
    for _ in 0..=pending.len() {
        let before = pending.len();
        pending.retain(|file| pool.add_file_descriptor_proto(file.clone()).is_err());
        if pending.is_empty() || pending.len() == before {
            break;
        }
    }
    pool
}

/// One reflection question, one answer.
async fn ask(
    ctx: &Ctx,
    client: &reqwest::Client,
    reflection: &str,
    question: &ServerReflectionRequest,
) -> Result<MessageResponse, String> {
    let path = format!("/{reflection}/ServerReflectionInfo");
    let message = question.encode_to_vec();
    let call = wire::call(
        ctx,
        client,
        Wire::Grpc,
        &wire::Request {
            path: &path,
            message: &message,
            shown: "a reflection request".into(),
            extra: Vec::new(),
            max_messages: 1,
            wait: ctx.timeout.min(Duration::from_secs(10)),
        },
    )
    .await;
    if let Some(first) = call.messages.first() {
        let answer = ServerReflectionResponse::decode(first.as_ref())
            .map_err(|e| format!("an answer that does not decode: {e}"))?;
        return answer
            .message_response
            .ok_or_else(|| "an empty answer".to_owned());
    }
    Err(match (&call.status, &call.end, call.answer()) {
        (Some(s), ..) => format!(
            "status {}",
            s.code
                .as_ref()
                .map_or_else(|raw| raw.clone(), |c| wire::code_name(*c).to_owned())
        ),
        (None, _, Some(answer)) => format!("HTTP {} and no message", answer.status),
        (None, wire::End::Broken(why), None) => why.clone(),
        (None, ..) => "no answer in time".to_owned(),
    })
}
