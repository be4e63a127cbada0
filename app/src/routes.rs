//! The HTTP routes.

use std::sync::Arc;

use poem::http::StatusCode;
use poem::web::{Data, Json};
use poem::{Endpoint, EndpointExt as _, IntoResponse as _, Response, Route, get, handler};
use serde::Serialize;
use zeugnis_store::Store;

use crate::security_headers::SecurityHeaders;
use crate::state::AppState;

/// All routes of the server, with the middleware every response passes through.
pub fn routes(state: Arc<AppState>) -> impl Endpoint<Output = Response> {
    let hsts = state.links.base().starts_with("https://");
    Route::new()
        .at("/health", get(health))
        .at("/ready", get(ready))
        .at("/setup", get(crate::setup::page))
        .at("/t/:slug/welcome", get(crate::setup::page))
        .at("/t/:slug/reset", get(crate::setup::page))
        .at("/assets/account.js", get(crate::setup::script))
        .at("/assets/account.css", get(crate::setup::style))
        .at("/t/:slug/h/:id/:secret", get(crate::setup::handover_page))
        .at("/assets/handover.js", get(crate::setup::handover_script))
        .at("/assets/handover.css", get(crate::setup::handover_style))
        .nest(crate::api::PREFIX, crate::api::routes(Arc::clone(&state)))
        .data(Arc::clone(&state.store))
        .data(state)
        .with(SecurityHeaders { hsts })
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
