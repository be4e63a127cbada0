//! A stand-in for an HTTP SMS gateway, for SMS delivery tests.
//!
//! [`GatewayDouble`] listens on `127.0.0.1` on a free port, records every request
//! (any method, any path) and answers with queued responses, or
//! `200 {"status":"queued"}` once the queue is empty:
//!
//! ```no_run
//! # async fn example() {
//! let gateway = zeugnis_tests::sms_gateway::GatewayDouble::start().await;
//! gateway.respond_with(503, r#"{"error":"busy"}"#);
//! // ... let the code under test POST to gateway.url() ...
//! let requests = gateway.requests();
//! assert_eq!(requests[0].body["to"], "+491701234567");
//! # }
//! ```

use std::collections::{BTreeMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use poem::http::StatusCode;
use poem::listener::TcpAcceptor;
use poem::{Endpoint, Request, Response, Server};
use tokio::task::JoinHandle;

/// The answer once no queued response is left.
pub const DEFAULT_RESPONSE: (u16, &str) = (200, r#"{"status":"queued"}"#);

/// A request the gateway double received.
#[derive(Debug, Clone, PartialEq)]
pub struct GatewayRequest {
    /// The HTTP method, e.g. `POST`.
    pub method: String,
    /// The path, without the query.
    pub path: String,
    /// The headers, names in lower case (a repeated header keeps its last value).
    pub headers: BTreeMap<String, String>,
    /// The body parsed as JSON; a body that is not JSON is kept as a JSON string,
    /// an empty body is `null`.
    pub body: serde_json::Value,
}

#[derive(Debug, Default)]
struct State {
    requests: Vec<GatewayRequest>,
    responses: VecDeque<(u16, String)>,
    delay: Duration,
}

#[derive(Debug, Clone, Default)]
struct Shared(Arc<Mutex<State>>);

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A running gateway double, stopped when dropped.
#[derive(Debug)]
pub struct GatewayDouble {
    addr: SocketAddr,
    state: Shared,
    server: JoinHandle<std::io::Result<()>>,
}

impl GatewayDouble {
    /// Starts the double on the current tokio runtime, on a free port.
    ///
    /// # Panics
    ///
    /// When no port on 127.0.0.1 can be bound.
    pub async fn start() -> Self {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
            .await
            .expect("bind the SMS gateway double on 127.0.0.1");
        let addr = listener.local_addr().expect("the double's address");
        let acceptor = TcpAcceptor::from_tokio(listener).expect("acceptor for the double");
        let state = Shared::default();
        let endpoint = Gateway {
            state: state.clone(),
        };
        let server = tokio::spawn(Server::new_with_acceptor(acceptor).run(endpoint));
        Self {
            addr,
            state,
            server,
        }
    }

    /// `http://127.0.0.1:PORT/send`, the URL to configure as the gateway's.
    #[must_use]
    pub fn url(&self) -> String {
        self.url_for("/send")
    }

    /// `http://127.0.0.1:PORT` followed by `path`; every path is answered.
    #[must_use]
    pub fn url_for(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// The address the double listens on.
    #[must_use]
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The requests received so far, oldest first, including those answered with
    /// an error or still waiting for their (delayed) answer.
    #[must_use]
    pub fn requests(&self) -> Vec<GatewayRequest> {
        self.state.lock().requests.clone()
    }

    /// Queues a response: the next request not yet answered by an earlier queued
    /// one gets `status` with `body` (as `application/json`).
    ///
    /// # Panics
    ///
    /// When `status` is not a valid HTTP status code.
    pub fn respond_with(&self, status: u16, body: &str) {
        assert!(
            StatusCode::from_u16(status).is_ok(),
            "{status} is no HTTP status code"
        );
        self.state
            .lock()
            .responses
            .push_back((status, body.to_owned()));
    }

    /// Waits `delay` before answering each request from now on (to test client
    /// timeouts); the request is recorded on arrival.
    pub fn set_delay(&self, delay: Duration) {
        self.state.lock().delay = delay;
    }
}

impl Drop for GatewayDouble {
    fn drop(&mut self) {
        self.server.abort();
    }
}

struct Gateway {
    state: Shared,
}

impl Endpoint for Gateway {
    type Output = Response;

    async fn call(&self, req: Request) -> poem::Result<Response> {
        let method = req.method().to_string();
        let path = req.uri().path().to_owned();
        let headers = req
            .headers()
            .iter()
            .map(|(name, value)| {
                let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
                (name.as_str().to_ascii_lowercase(), value)
            })
            .collect();
        let bytes = req.into_body().into_vec().await.unwrap_or_default();
        let body = if bytes.is_empty() {
            serde_json::Value::Null
        } else {
            serde_json::from_slice(&bytes).unwrap_or_else(|_| {
                serde_json::Value::String(String::from_utf8_lossy(&bytes).into_owned())
            })
        };

        let (status, answer, delay) = {
            let mut state = self.state.lock();
            state.requests.push(GatewayRequest {
                method,
                path,
                headers,
                body,
            });
            let (status, answer) = state.responses.pop_front().unwrap_or_else(|| {
                let (status, body) = DEFAULT_RESPONSE;
                (status, body.to_owned())
            });
            (status, answer, state.delay)
        };
        if !delay.is_zero() {
            tokio::time::sleep(delay).await;
        }
        Ok(Response::builder()
            .status(StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR))
            .content_type("application/json")
            .body(answer))
    }
}
