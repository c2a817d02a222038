//! The gateway: forwards `GetNote` to the notes service and passes its
//! failures on with [`Upstream`].

use crate::pb::{self, gateway_server::Gateway, notes_client::NotesClient};
use crate::{request_id, FAULTS, REQUEST_ID};
use std::time::Duration;
use tonic::metadata::MetadataValue;
use tonic::transport::{Channel, Endpoint};
use tonic::{Request, Response, Status};
use wirefault::tonic::Upstream;
use wirefault::Fault;

/// How long the gateway waits for the upstream.
pub const UPSTREAM_TIMEOUT: Duration = Duration::from_secs(5);

/// The gateway, with a lazily connected channel to the upstream.
#[derive(Debug, Clone)]
pub struct GatewayService {
    upstream: NotesClient<Channel>,
}

impl GatewayService {
    /// A gateway in front of the notes service at `upstream`
    /// (`http://host:port`). Connects on the first call.
    ///
    /// # Errors
    ///
    /// When `upstream` is not a valid URI.
    pub fn new(upstream: String) -> Result<GatewayService, tonic::transport::Error> {
        let channel = Endpoint::from_shared(upstream)?
            .connect_timeout(UPSTREAM_TIMEOUT)
            .timeout(UPSTREAM_TIMEOUT)
            .connect_lazy();
        Ok(GatewayService {
            upstream: NotesClient::new(channel),
        })
    }

    async fn get(&self, id: i64, request_id: &str) -> Result<pb::Note, Fault> {
        let mut request = Request::new(pb::GetNoteRequest { id });
        if let Ok(value) = MetadataValue::try_from(request_id) {
            request.metadata_mut().insert(REQUEST_ID, value);
        }
        let mut upstream = self.upstream.clone();
        match upstream.get_note(request).await {
            Ok(response) => Ok(response.into_inner()),
            // The id is the client's, passed on as it is: a NOT_FOUND from
            // the upstream is the client's 404, not the gateway's bug.
            Err(status) => Err(Upstream::pass_through().fault(&status)),
        }
    }
}

#[tonic::async_trait]
impl Gateway for GatewayService {
    async fn get_note(
        &self,
        request: Request<pb::GetNoteRequest>,
    ) -> Result<Response<pb::Note>, Status> {
        let id = request_id(&request);
        self.get(request.get_ref().id, &id)
            .await
            .map(Response::new)
            .map_err(|fault| FAULTS.status(&fault, Some(&id)))
    }
}
