//! Building the MIME message both the SMTP transport and the mail folder send.

use lettre::Message;
use lettre::message::header::{Header, HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};
use zeugnis_core::ports::{DeliveryError, Mail};

/// `Auto-Submitted: auto-generated` (RFC 3834): out-of-office replies and
/// other robots do not answer.
#[derive(Debug, Clone)]
struct AutoSubmitted;

impl Header for AutoSubmitted {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("Auto-Submitted")
    }

    fn parse(_: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(Self)
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), "auto-generated".to_owned())
    }
}

/// The `Message-ID` of an outbox message: the same id on every attempt, so a
/// receiving system can drop a duplicate.
#[must_use]
pub fn message_id(mail: &Mail, from: &lettre::Address) -> String {
    format!("<{}@{}>", mail.id, from.domain())
}

/// A multipart (text + HTML) message from `from` under the tenant's display name.
///
/// # Errors
/// [`DeliveryError::Permanent`] when the recipient is no address SMTP can use.
pub fn build(mail: &Mail, from: &lettre::Address) -> Result<Message, DeliveryError> {
    let to: lettre::Address = mail.to.as_str().parse().map_err(|_| {
        DeliveryError::Permanent("the recipient is not a deliverable e-mail address".into())
    })?;
    Message::builder()
        .from(Mailbox::new(Some(mail.from_name.clone()), from.clone()))
        .to(Mailbox::new(None, to))
        .subject(mail.subject.clone())
        .message_id(Some(message_id(mail, from)))
        .header(AutoSubmitted)
        .multipart(MultiPart::alternative_plain_html(
            mail.text.clone(),
            mail.html.clone(),
        ))
        .map_err(|e| DeliveryError::Permanent(format!("the mail cannot be built: {e}")))
}

#[cfg(test)]
mod tests {
    use zeugnis_core::id::MessageId;
    use zeugnis_core::values::Email;

    use super::*;

    #[test]
    fn mails_are_multipart_with_a_stable_message_id_and_the_tenant_name() {
        let mail = Mail {
            id: MessageId::from_bytes([9; 16]),
            to: Email::parse("chef@firma.de").unwrap(),
            from_name: "Personalabteilung Müller".into(),
            subject: "Bitte um Mitwirkung".into(),
            text: "Hallo".into(),
            html: "<p>Hallo</p>".into(),
        };
        let from: lettre::Address = "zeugnis@firma.de".parse().unwrap();
        let raw = String::from_utf8(build(&mail, &from).unwrap().formatted()).unwrap();
        assert!(
            raw.contains(&format!("Message-ID: <{}@firma.de>", mail.id)),
            "{raw}"
        );
        assert!(raw.contains("Auto-Submitted: auto-generated"));
        assert!(raw.contains("multipart/alternative"));
        assert!(raw.contains("text/plain") && raw.contains("text/html"));
        assert!(raw.contains("<zeugnis@firma.de>"));
        assert!(raw.contains("To: chef@firma.de"));
        assert!(
            !raw.contains("Müller"),
            "non-ASCII names are encoded: {raw}"
        );
    }
}
