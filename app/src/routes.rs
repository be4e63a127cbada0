//! The HTTP routes.

use std::sync::Arc;

use poem::http::StatusCode;
use poem::web::{Data, Json};
use poem::{Endpoint, EndpointExt as _, IntoResponse, Response, Route, get, handler};
use serde::Serialize;

use crate::security_headers::SecurityHeaders;
use crate::state::AppState;

/// All routes of the server, with the middleware every response passes through.
pub fn routes(state: Arc<AppState>) -> impl Endpoint<Output = Response> {
    let hsts = state.links.base().starts_with("https://");
    crate::web::routes(Route::new())
        .at("/health", get(health))
        .at("/ready", get(ready))
        .at("/setup", get(crate::setup::page))
        .at("/t/:slug/welcome", get(crate::setup::page))
        .at("/t/:slug/reset", get(crate::setup::page))
        .at("/assets/account.js", get(crate::setup::script))
        .nest(crate::api::PREFIX, crate::api::routes(Arc::clone(&state)))
        .data(state)
        .with(SecurityHeaders { hsts })
        .with(crate::request_log::RequestSpans)
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

/// How long readiness waits for the database.
const READY_TIMEOUT: std::time::Duration = std::time::Duration::from_millis(500);

/// Readiness: the server can take requests — its database answers within
/// [`READY_TIMEOUT`]; otherwise `503` with `Retry-After`.
#[handler]
async fn ready(state: Data<&Arc<AppState>>) -> Response {
    // Its own short check: a probe with a 1 s timeout must get an answer even
    // while the database hangs or the pool waits for a connection.
    let answered = tokio::time::timeout(READY_TIMEOUT, state.ping()).await;
    if answered == Ok(true) {
        Json(Status { status: "ready" }).into_response()
    } else {
        Json(Status {
            status: "database unavailable",
        })
        .with_status(StatusCode::SERVICE_UNAVAILABLE)
        .with_header(poem::http::header::RETRY_AFTER, "5")
        .into_response()
    }
}
