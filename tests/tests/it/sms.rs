//! The HTTP SMS gateway adapter against a gateway double: what it sends, and how
//! it sorts the gateway's answers into "retry" and "give up".

#![expect(
    clippy::expect_used,
    reason = "test helpers fail the test that calls them"
)]

use std::time::Duration;

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

use zeugnis_core::id::MessageId;
use zeugnis_core::ports::{DeliveryError, SmsGateway as _};
use zeugnis_core::values::Phone;
use zeugnis_notify::{HttpSmsGateway, SmsSettings};
use zeugnis_tests::sms_gateway::GatewayDouble;
use zeugnis_tests::smtp_sink::free_port;

const TOKEN: &str = "gw-token-7f3a";
const SENDER: &str = "FirmaGmbH";
const NUMBER: &str = "+49 151 1234 5678";
const E164: &str = "+4915112345678";
const TEXT: &str = "Ihr Code für das Zeugnis: 482913 – gültig 10 Minuten 🔐";

fn id() -> MessageId {
    MessageId::from_bytes([0x3c; 16])
}

fn phone() -> Phone {
    Phone::parse(NUMBER).expect("a valid test number")
}

fn settings(url: String) -> SmsSettings {
    SmsSettings {
        url,
        token: Some(TOKEN.to_owned()),
        sender_id: SENDER.to_owned(),
        timeout: Duration::from_secs(10),
    }
}

fn adapter(settings: &SmsSettings) -> HttpSmsGateway {
    HttpSmsGateway::new(settings).expect("the SMS settings are accepted")
}

/// What an error may never reveal: whom the message was for, and what it said.
fn assert_discreet(error: &DeliveryError) {
    let shown = format!("{error} {error:?}");
    assert!(!shown.contains(E164), "{shown}");
    assert!(!shown.contains("1234"), "{shown}");
    assert!(!shown.contains("482913"), "{shown}");
    assert!(!shown.contains(TOKEN), "{shown}");
}

/// Sends once to a fresh double answering `status`, and returns the error.
async fn error_for(status: u16) -> (DeliveryError, usize) {
    let gateway = GatewayDouble::start().await;
    gateway.respond_with(status, r#"{"error":"nope"}"#);
    let error = adapter(&settings(gateway.url()))
        .send(id(), &phone(), TEXT)
        .await
        .expect_err("the gateway's answer is an error");
    assert_discreet(&error);
    (error, gateway.requests().len())
}

#[tokio::test]
async fn a_send_posts_json_with_token_and_idempotency_key() {
    let gateway = GatewayDouble::start().await;
    let sms = adapter(&settings(gateway.url()));

    sms.send(id(), &phone(), TEXT).await.unwrap();

    let requests = gateway.requests();
    assert_eq!(requests.len(), 1);
    let request = &requests[0];
    assert_eq!(request.method, "POST");
    assert_eq!(request.path, "/send");
    assert_eq!(
        request.headers.get("authorization").map(String::as_str),
        Some(format!("Bearer {TOKEN}").as_str())
    );
    assert_eq!(
        request.headers.get("idempotency-key"),
        Some(&id().to_string())
    );
    let content_type = request.headers.get("content-type").expect("a content type");
    assert!(
        content_type.starts_with("application/json"),
        "{content_type}"
    );
    assert_eq!(
        request.body,
        serde_json::json!({
            "id": id().to_string(),
            "from": SENDER,
            "to": E164,
            "text": TEXT,
        })
    );
}

#[tokio::test]
async fn without_a_token_no_authorization_is_sent() {
    let gateway = GatewayDouble::start().await;
    let sms = adapter(&SmsSettings {
        token: None,
        ..settings(gateway.url())
    });

    sms.send(id(), &phone(), TEXT).await.unwrap();

    let requests = gateway.requests();
    assert_eq!(requests.len(), 1);
    assert!(!requests[0].headers.contains_key("authorization"));
    assert_eq!(requests[0].body["text"], TEXT);
}

#[tokio::test]
async fn an_empty_token_counts_as_none() {
    let gateway = GatewayDouble::start().await;
    let sms = adapter(&SmsSettings {
        token: Some(String::new()),
        ..settings(gateway.url())
    });

    sms.send(id(), &phone(), TEXT).await.unwrap();

    assert!(!gateway.requests()[0].headers.contains_key("authorization"));
}

#[tokio::test]
async fn a_busy_gateway_is_retried_with_the_same_key() {
    let gateway = GatewayDouble::start().await;
    gateway.respond_with(503, r#"{"error":"busy"}"#);
    gateway.respond_with(200, r#"{"status":"queued"}"#);
    let sms = adapter(&settings(gateway.url()));

    let first = sms.send(id(), &phone(), TEXT).await.unwrap_err();
    assert!(matches!(first, DeliveryError::Transient(_)), "{first:?}");
    assert_discreet(&first);
    sms.send(id(), &phone(), TEXT).await.unwrap();

    let requests = gateway.requests();
    assert_eq!(requests.len(), 2);
    assert_eq!(
        requests[0].headers.get("idempotency-key"),
        requests[1].headers.get("idempotency-key")
    );
    assert_eq!(requests[0].body, requests[1].body);
}

#[tokio::test]
async fn a_bad_request_is_permanent() {
    let (error, requests) = error_for(400).await;
    assert!(matches!(error, DeliveryError::Permanent(_)), "{error:?}");
    assert_eq!(requests, 1);
}

#[tokio::test]
async fn an_unprocessable_message_is_permanent() {
    let (error, _) = error_for(422).await;
    assert!(matches!(error, DeliveryError::Permanent(_)), "{error:?}");
}

/// The message of the transient failure that the gateway's `status` gives.
#[expect(clippy::panic, reason = "a test helper fails the test that calls it")]
async fn transient_message(status: u16) -> String {
    let (error, _) = error_for(status).await;
    let DeliveryError::Transient(message) = error else {
        panic!("{status}: expected a transient failure, got {error:?}");
    };
    message
}

#[tokio::test]
async fn refused_credentials_are_transient_and_name_the_setting() {
    for status in [401, 403] {
        let message = transient_message(status).await;
        assert!(message.contains("sms.token"), "{message}");
    }
}

#[tokio::test]
async fn too_many_requests_is_transient() {
    transient_message(429).await;
}

#[tokio::test]
async fn a_wrong_endpoint_is_transient_and_names_the_setting() {
    let message = transient_message(404).await;
    assert!(message.contains("sms.url"), "{message}");
}

/// Answers one request with `302 Found` pointing at `location`.
async fn redirecting_once(location: String) -> (String, tokio::task::JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
        .await
        .expect("bind the redirecting server");
    let url = format!(
        "http://{}/send",
        listener.local_addr().expect("its address")
    );
    let server = tokio::spawn(async move {
        let (mut stream, _) = listener.accept().await.expect("a connection");
        let mut request = Vec::new();
        let mut chunk = [0_u8; 4096];
        while !request.windows(4).any(|w| w == b"\r\n\r\n") {
            let n = stream.read(&mut chunk).await.expect("read the request");
            if n == 0 {
                break;
            }
            request.extend_from_slice(chunk.get(..n).unwrap_or_default());
        }
        let answer = format!(
            "HTTP/1.1 302 Found\r\nLocation: {location}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        );
        stream
            .write_all(answer.as_bytes())
            .await
            .expect("write the answer");
        stream.shutdown().await.expect("close the connection");
    });
    (url, server)
}

#[tokio::test]
async fn a_redirect_elsewhere_takes_neither_token_nor_message_along() {
    let elsewhere = GatewayDouble::start().await;
    let (url, server) = redirecting_once(elsewhere.url_for("/stolen")).await;
    let sms = adapter(&settings(url));

    let error = sms.send(id(), &phone(), TEXT).await.unwrap_err();

    assert!(matches!(error, DeliveryError::Transient(_)), "{error:?}");
    assert_discreet(&error);
    server.await.unwrap();
    assert!(elsewhere.requests().is_empty(), "the redirect was followed");
}

#[tokio::test]
async fn a_slow_gateway_times_out() {
    let gateway = GatewayDouble::start().await;
    gateway.set_delay(Duration::from_secs(3));
    let sms = adapter(&SmsSettings {
        timeout: Duration::from_secs(1),
        ..settings(gateway.url())
    });

    let started = std::time::Instant::now();
    let error = sms.send(id(), &phone(), TEXT).await.unwrap_err();

    assert!(started.elapsed() < Duration::from_millis(2900));
    let DeliveryError::Transient(message) = &error else {
        panic!("expected a transient failure, got {error:?}");
    };
    assert!(message.contains("did not answer in time"), "{message}");
    assert_discreet(&error);
    assert_eq!(gateway.requests().len(), 1);
}

#[tokio::test]
async fn an_unreachable_gateway_is_transient() {
    let url = format!("http://127.0.0.1:{}/send", free_port());
    let sms = adapter(&settings(url));

    let error = sms.send(id(), &phone(), TEXT).await.unwrap_err();

    let DeliveryError::Transient(message) = &error else {
        panic!("expected a transient failure, got {error:?}");
    };
    assert!(message.contains("127.0.0.1"), "{message}");
    assert_discreet(&error);
}

#[tokio::test]
async fn server_errors_are_transient() {
    for status in [500, 502, 504] {
        let (error, _) = error_for(status).await;
        assert!(
            matches!(error, DeliveryError::Transient(_)),
            "{status}: {error:?}"
        );
    }
}
