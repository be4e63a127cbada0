//! Baseline security headers on every response, errors included.

use poem::http::HeaderValue;
use poem::http::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY, HeaderName, REFERRER_POLICY, STRICT_TRANSPORT_SECURITY,
    X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS,
};
use poem::{Endpoint, Middleware, Request, Response};

/// The headers and their values. A handler that sets one of them itself (a page
/// that needs its own `Content-Security-Policy`, say) keeps its value.
/// `Cache-Control: no-store` keeps personal data out of browser and proxy caches;
/// a response meant to be cached sets its own.
pub const HEADERS: [(HeaderName, &str); 5] = [
    (CACHE_CONTROL, "no-store"),
    (X_CONTENT_TYPE_OPTIONS, "nosniff"),
    (REFERRER_POLICY, "no-referrer"),
    (X_FRAME_OPTIONS, "DENY"),
    (
        CONTENT_SECURITY_POLICY,
        "default-src 'none'; frame-ancestors 'none'",
    ),
];

/// `Strict-Transport-Security` when the server is reached over HTTPS: two years,
/// subdomains included.
pub const HSTS: &str = "max-age=63072000; includeSubDomains";

/// Middleware adding [`HEADERS`] (and [`HSTS`] when `hsts`) to every response.
#[derive(Clone, Copy, Debug, Default)]
pub struct SecurityHeaders {
    /// Add `Strict-Transport-Security` (the public address is `https://`).
    pub hsts: bool,
}

impl<E: Endpoint> Middleware<E> for SecurityHeaders {
    type Output = SecurityHeadersEndpoint<E>;

    fn transform(&self, inner: E) -> Self::Output {
        SecurityHeadersEndpoint {
            inner,
            hsts: self.hsts,
        }
    }
}

/// Endpoint wrapped by [`SecurityHeaders`].
#[derive(Debug)]
pub struct SecurityHeadersEndpoint<E> {
    inner: E,
    hsts: bool,
}

impl<E: Endpoint> Endpoint for SecurityHeadersEndpoint<E> {
    type Output = Response;

    async fn call(&self, req: Request) -> poem::Result<Self::Output> {
        let mut response = self.inner.get_response(req).await;
        let headers = response.headers_mut();
        for (name, value) in HEADERS {
            if !headers.contains_key(&name) {
                headers.insert(name, HeaderValue::from_static(value));
            }
        }
        if self.hsts && !headers.contains_key(STRICT_TRANSPORT_SECURITY) {
            headers.insert(STRICT_TRANSPORT_SECURITY, HeaderValue::from_static(HSTS));
        }
        Ok(response)
    }
}
