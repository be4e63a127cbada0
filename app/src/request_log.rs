//! One span per request, and one log line when it is answered.
//!
//! The span carries the method, the route *pattern* (`/t/:slug/h/:id/:secret`,
//! never the path itself, so a link's secret, an id or a query string never
//! reaches the log), the tenant once a session proved it, the status and the
//! duration. Events logged while the request runs carry the same fields.

use std::time::Instant;

use poem::PathPattern;
use poem::{Endpoint, IntoResponse, Middleware, Request, Response};
use tracing::Instrument as _;
use tracing::field::Empty;

/// Middleware adding the request span.
#[derive(Clone, Copy, Debug, Default)]
pub struct RequestSpans;

impl<E: Endpoint> Middleware<E> for RequestSpans {
    type Output = RequestSpansEndpoint<E>;

    fn transform(&self, inner: E) -> Self::Output {
        RequestSpansEndpoint { inner }
    }
}

/// Endpoint wrapped by [`RequestSpans`].
#[derive(Debug)]
pub struct RequestSpansEndpoint<E> {
    inner: E,
}

impl<E: Endpoint> Endpoint for RequestSpansEndpoint<E> {
    type Output = Response;

    async fn call(&self, req: Request) -> poem::Result<Self::Output> {
        let span = tracing::info_span!(
            "request",
            method = %req.method(),
            route = Empty,
            tenant = Empty,
            status = Empty,
            duration_ms = Empty,
        );
        let started = Instant::now();
        let response = self
            .inner
            .call(req)
            .instrument(span.clone())
            .await
            .map_or_else(poem::Error::into_response, IntoResponse::into_response);
        let route = response
            .data::<PathPattern>()
            .map_or("(no route)", |p| &p.0);
        let status = response.status().as_u16();
        let duration_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        span.record("route", route);
        span.record("status", status);
        span.record("duration_ms", duration_ms);
        span.in_scope(|| {
            if status >= 500 {
                tracing::warn!("request answered");
            } else {
                tracing::info!("request answered");
            }
        });
        Ok(response)
    }
}

/// Records the tenant of the request's session on its span.
pub fn record_tenant(tenant: zeugnis_core::id::TenantId) {
    tracing::Span::current().record("tenant", tracing::field::display(tenant));
}
