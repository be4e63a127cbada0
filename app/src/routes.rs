//! The HTTP routes.

use std::sync::Arc;

use poem::http::StatusCode;
use poem::web::{Data, Json};
use poem::{Endpoint, EndpointExt as _, IntoResponse as _, Response, Route, get, handler};
use serde::Serialize;
use zeugnis_store::Store;

use crate::security_headers::SecurityHeaders;

/// All routes of the server, with the middleware every response passes through.
pub fn routes(store: Arc<Store>) -> impl Endpoint<Output = Response> {
    Route::new()
        .at("/health", get(health))
        .at("/ready", get(ready))
        .data(store)
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

/// Readiness: the server can take requests — its database answers.
#[handler]
async fn ready(store: Data<&Arc<Store>>) -> Response {
    if store.ping().await {
        Json(Status { status: "ready" }).into_response()
    } else {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(Status {
                status: "database unavailable",
            }),
        )
            .into_response()
    }
}
