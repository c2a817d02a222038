//! `wirefault.demo.v1.Debug`: the gRPC twin of `GET /debug/panic`.

use super::pb;
use tonic::{Request, Response, Status};

/// `wirefault.demo.v1.Debug`, served with `--fault-routes` only.
#[derive(Debug, Clone, Copy)]
pub struct DebugService;

#[tonic::async_trait]
impl pb::debug_server::Debug for DebugService {
    async fn panic(
        &self,
        _request: Request<pb::PanicRequest>,
    ) -> Result<Response<pb::PanicResponse>, Status> {
        panic!("debug: the handler broke reading /var/lib/wirefault/notes.db (debug route)")
    }
}
