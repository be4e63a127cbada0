//! An HTTP SMS gateway: one JSON `POST` per message.
//!
//! ```text
//! POST <url>
//! Authorization: Bearer <token>
//! Idempotency-Key: <message id>
//! Content-Type: application/json
//!
//! {"id": "<message id>", "from": "<sender id>", "to": "+4915112345678", "text": "…"}
//! ```
//!
//! Any 2xx answer means accepted. The message id is the idempotency key: a
//! gateway that supports one drops the duplicate when a retry follows a lost
//! answer. Redirects are not followed (the URL is configuration, and a
//! redirect could lead the token elsewhere).

use std::fmt;
use std::time::Duration;

use async_trait::async_trait;
use reqwest::StatusCode;
use zeugnis_core::id::MessageId;
use zeugnis_core::ports::{DeliveryError, SmsGateway};
use zeugnis_core::values::Phone;

/// Settings of the SMS gateway.
#[derive(Clone)]
pub struct SmsSettings {
    /// The gateway's send URL (https; http only for a gateway on this machine).
    pub url: String,
    /// Bearer token, if the gateway wants one.
    pub token: Option<String>,
    /// Sender id shown on the phone (up to 11 letters or a number).
    pub sender_id: String,
    /// Timeout per request.
    pub timeout: Duration,
}

/// A URL fit for logs: without user name, password, query and fragment, which
/// may hold credentials.
#[must_use]
pub fn redact_url(raw: &str) -> String {
    match url::Url::parse(raw) {
        Ok(mut u) => {
            let _ = u.set_username("");
            let _ = u.set_password(None);
            u.set_query(None);
            u.set_fragment(None);
            u.to_string()
        }
        Err(_) => "<not a URL>".to_owned(),
    }
}

impl fmt::Debug for SmsSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmsSettings")
            .field("url", &redact_url(&self.url))
            .field("token", &self.token.as_ref().map(|_| "<redacted>"))
            .field("sender_id", &self.sender_id)
            .field("timeout", &self.timeout)
            .finish()
    }
}

/// A refused gateway configuration.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SmsConfigError {
    /// The URL does not parse.
    #[error("sms.url {0:?} is not a URL")]
    Url(String),
    /// Plain HTTP to another machine.
    #[error(
        "sms.url must use https (plain http only for a gateway on this machine): the token and the messages would travel in clear"
    )]
    PlainHttp,
    /// Sender id out of bounds.
    #[error(
        "sms.sender_id must be 1 to 11 letters or digits, or a phone number of up to 16 digits"
    )]
    SenderId,
    /// The HTTP client could not be built.
    #[error("cannot build the HTTP client: {0}")]
    Client(String),
}

/// The HTTP SMS gateway adapter.
pub struct HttpSmsGateway {
    client: reqwest::Client,
    url: reqwest::Url,
    token: Option<String>,
    sender_id: String,
}

impl fmt::Debug for HttpSmsGateway {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpSmsGateway")
            .field("url", &redact_url(self.url.as_str()))
            .finish_non_exhaustive()
    }
}

fn valid_sender_id(s: &str) -> bool {
    let alnum = !s.is_empty() && s.len() <= 11 && s.chars().all(|c| c.is_ascii_alphanumeric());
    let number = s.strip_prefix('+').unwrap_or(s);
    let numeric =
        !number.is_empty() && number.len() <= 16 && number.chars().all(|c| c.is_ascii_digit());
    alnum || numeric
}

impl HttpSmsGateway {
    /// Builds the adapter.
    ///
    /// # Errors
    /// [`SmsConfigError`] naming the setting that is wrong.
    pub fn new(s: &SmsSettings) -> Result<Self, SmsConfigError> {
        let url = reqwest::Url::parse(&s.url).map_err(|_| SmsConfigError::Url(s.url.clone()))?;
        let local = match url.host() {
            Some(url::Host::Domain(d)) => d == "localhost",
            Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
            Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
            None => false,
        };
        match url.scheme() {
            "https" => {}
            "http" if local => {}
            "http" => return Err(SmsConfigError::PlainHttp),
            _ => return Err(SmsConfigError::Url(s.url.clone())),
        }
        if !valid_sender_id(&s.sender_id) {
            return Err(SmsConfigError::SenderId);
        }
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(s.timeout)
            .build()
            .map_err(|e| SmsConfigError::Client(e.to_string()))?;
        Ok(Self {
            client,
            url,
            token: s.token.clone().filter(|t| !t.is_empty()),
            sender_id: s.sender_id.clone(),
        })
    }
}

/// Maps a gateway answer: retry what may pass later, give up on what never will.
fn classify(status: StatusCode) -> Result<(), DeliveryError> {
    let code = status.as_u16();
    match code {
        200..=299 => Ok(()),
        401 | 403 => Err(DeliveryError::Transient(format!(
            "the SMS gateway refused the credentials ({code}); check sms.token"
        ))),
        404 | 405 => Err(DeliveryError::Transient(format!(
            "the SMS gateway has no such endpoint ({code}); check sms.url"
        ))),
        300..=399 => Err(DeliveryError::Transient(format!(
            "the SMS gateway answered with a redirect ({code}); set sms.url to the final address"
        ))),
        408 | 425 | 429 => Err(DeliveryError::Transient(format!(
            "the SMS gateway asked to try later ({code})"
        ))),
        400..=499 => Err(DeliveryError::Permanent(format!(
            "the SMS gateway refused the message ({code})"
        ))),
        _ => Err(DeliveryError::Transient(format!(
            "the SMS gateway failed ({code})"
        ))),
    }
}

#[async_trait]
impl SmsGateway for HttpSmsGateway {
    async fn send(&self, id: MessageId, to: &Phone, text: &str) -> Result<(), DeliveryError> {
        let body = serde_json::json!({
            "id": id.to_string(),
            "from": self.sender_id,
            "to": to.as_str(),
            "text": text,
        });
        let mut request = self
            .client
            .post(self.url.clone())
            .header("Idempotency-Key", id.to_string())
            .json(&body);
        if let Some(token) = &self.token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.map_err(|e| {
            if e.is_timeout() {
                DeliveryError::Transient("the SMS gateway did not answer in time".into())
            } else {
                DeliveryError::Transient(format!(
                    "cannot reach the SMS gateway at {}: {}",
                    self.url.host_str().unwrap_or("?"),
                    e.without_url()
                ))
            }
        })?;
        classify(response.status())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_map_to_retry_or_give_up() {
        assert!(classify(StatusCode::OK).is_ok());
        assert!(classify(StatusCode::ACCEPTED).is_ok());
        for c in [401, 403, 404, 408, 429, 500, 502, 503, 302] {
            let s = StatusCode::from_u16(c).unwrap();
            assert!(
                matches!(classify(s), Err(DeliveryError::Transient(_))),
                "{c}"
            );
        }
        for c in [400, 413, 422] {
            let s = StatusCode::from_u16(c).unwrap();
            assert!(
                matches!(classify(s), Err(DeliveryError::Permanent(_))),
                "{c}"
            );
        }
        assert!(
            classify(StatusCode::UNAUTHORIZED)
                .unwrap_err()
                .to_string()
                .contains("sms.token")
        );
    }

    #[test]
    fn plain_http_only_to_this_machine() {
        let s = |url: &str| SmsSettings {
            url: url.into(),
            token: Some("t".into()),
            sender_id: "Firma".into(),
            timeout: Duration::from_secs(5),
        };
        assert!(HttpSmsGateway::new(&s("http://127.0.0.1:9000/send")).is_ok());
        assert!(HttpSmsGateway::new(&s("http://localhost/send")).is_ok());
        assert!(HttpSmsGateway::new(&s("https://sms.example.com/v1/send")).is_ok());
        assert!(matches!(
            HttpSmsGateway::new(&s("http://sms.example.com/send")),
            Err(SmsConfigError::PlainHttp)
        ));
        assert!(matches!(
            HttpSmsGateway::new(&s("ftp://x/")),
            Err(SmsConfigError::Url(_))
        ));
        assert!(matches!(
            HttpSmsGateway::new(&s("nonsense")),
            Err(SmsConfigError::Url(_))
        ));
    }

    #[test]
    fn sender_ids_are_checked() {
        assert!(valid_sender_id("FirmaGmbH"));
        assert!(valid_sender_id("+4915112345678"));
        assert!(!valid_sender_id("Firma GmbH"));
        assert!(!valid_sender_id("ZwölfZeichen"));
        assert!(!valid_sender_id(""));
    }

    #[test]
    fn urls_in_logs_lose_their_credentials() {
        assert_eq!(
            redact_url("https://user:pw@sms.example.com/v1/send?api_key=K#x"),
            "https://sms.example.com/v1/send"
        );
        assert_eq!(redact_url("nonsense"), "<not a URL>");
        let s = SmsSettings {
            url: "https://user:pw@sms.example.com/send?key=K".into(),
            token: None,
            sender_id: "Firma".into(),
            timeout: Duration::from_secs(5),
        };
        let debug = format!("{s:?} {:?}", HttpSmsGateway::new(&s).unwrap());
        assert!(!debug.contains("pw") && !debug.contains("key=K"), "{debug}");
    }

    #[test]
    fn debug_hides_the_token() {
        let s = SmsSettings {
            url: "https://sms.example.com".into(),
            token: Some("geheim-123".into()),
            sender_id: "Firma".into(),
            timeout: Duration::from_secs(5),
        };
        assert!(!format!("{s:?}").contains("geheim-123"));
    }
}
