//! The HTTP routes.

use poem::web::Json;
use poem::{Endpoint, EndpointExt as _, Response, Route, get, handler};
use serde::Serialize;

use crate::security_headers::SecurityHeaders;

/// All routes of the server, with the middleware every response passes through.
pub fn routes() -> impl Endpoint<Output = Response> {
    Route::new()
        .at("/health", get(health))
        .at("/ready", get(ready))
        .with(SecurityHeaders)
}

#[derive(Debug, Serialize)]
struct Status {
    status: &'static str,
}

/// Liveness: the process is up and serving HTTP.
#[handler]
fn health() -> Json<Status> {
    Json(Status { status: "ok" })
}

/// Readiness: the server can take requests. It has nothing to wait for yet.
#[handler]
fn ready() -> Json<Status> {
    Json(Status { status: "ready" })
}
