//! Mail and SMS templates ("E-Mail-Vorlagen") on minijinja.
//!
//! Every kind of message has German defaults (`templates/<kind>.<part>`); a
//! tenant may override any part. The rules that keep tenant templates safe:
//!
//! - HTML parts are auto-escaped: a name like `<script>` arrives as text. The
//!   `safe` filter is removed and the `autoescape` tag refused, so no template
//!   can switch escaping off for a value. The HTML part is the inside of `<body>`; the document around it is
//!   fixed.
//! - A placeholder the kind does not offer is an error (strict undefined), so a
//!   typo is found when the template is saved ([`Templates::check`]), not by the
//!   recipient.
//! - Rendering runs on a fuel budget: a template cannot loop for long.
//! - A tenant part that fails at send time is replaced by the default and
//!   reported as a [`TemplateProblem`]; a broken template is never sent.
//! - Subjects are one line: line breaks and control characters become spaces.

use std::collections::BTreeMap;

use minijinja::value::Value;
use minijinja::{AutoEscape, Environment, UndefinedBehavior};
use zeugnis_core::mail::{
    COMMON_PLACEHOLDERS, MailSettingsError, TemplateOverride, TemplatePart, placeholders,
};
use zeugnis_core::ports::{
    DeliveryError, Destination, MessageKind, MessageRenderer, OutgoingMessage, RenderContext,
    Rendered, RenderedContent, TemplateProblem,
};

/// Work a template may do per rendering (minijinja fuel units; the defaults
/// need a few hundred).
const FUEL: u64 = 20_000;

macro_rules! defaults {
    ($($kind:literal),*) => {
        &[$(
            ($kind, "subject", include_str!(concat!("../templates/", $kind, ".subject"))),
            ($kind, "text", include_str!(concat!("../templates/", $kind, ".text"))),
            ($kind, "html", include_str!(concat!("../templates/", $kind, ".html"))),
            ($kind, "sms", include_str!(concat!("../templates/", $kind, ".sms"))),
        )*]
    };
}

const DEFAULTS: &[(&str, &str, &str)] = defaults!(
    "invitation",
    "password_reset",
    "handover_link",
    "handover_reminder",
    "one_time_code",
    "lockout_notice",
    "security_alert"
);

const LAYOUT: &str = include_str!("../templates/layout.html");

/// The template engine with the defaults loaded.
#[derive(Debug)]
pub struct Templates {
    env: Environment<'static>,
}

/// Why a template did not render, with the line: the kind of error, and the
/// details only for syntax errors (they quote the template, which the tenant
/// wrote). Other details can quote values — a code, a link — and are left out.
fn reason(e: &minijinja::Error) -> String {
    let mut out = e.kind().to_string();
    if let Some(detail) = e
        .detail()
        .filter(|_| e.kind() == minijinja::ErrorKind::SyntaxError)
    {
        out.push_str(": ");
        out.push_str(detail);
    }
    if let Some(line) = e.line() {
        out.push_str(&format!(" (line {line})"));
    }
    out
}

fn name(kind: MessageKind, part: TemplatePart) -> String {
    // The `.html` ending switches auto-escaping on.
    match part {
        TemplatePart::Html => format!("{}.html", kind.key()),
        other => format!("{}.{}", kind.key(), other.key()),
    }
}

/// Whether a template uses the `autoescape` tag, which could switch escaping
/// off for a value (`{% autoescape false %}`). Tenant templates may not.
fn switches_escaping(source: &str) -> bool {
    source.to_ascii_lowercase().contains("autoescape")
}

/// `&`, `<`, `>`, `"` and `'` as character references: safe in text and in
/// quoted attribute values.
fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn one_line(s: &str) -> String {
    s.split(|c: char| c.is_control() || c == '\u{2028}' || c == '\u{2029}')
        .flat_map(str::split_whitespace)
        .collect::<Vec<_>>()
        .join(" ")
}

impl Default for Templates {
    fn default() -> Self {
        Self::new()
    }
}

impl Templates {
    /// The engine with the built-in German defaults.
    #[must_use]
    pub fn new() -> Self {
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        env.set_fuel(Some(FUEL));
        env.set_auto_escape_callback(|name| {
            if name.ends_with(".html") {
                AutoEscape::Html
            } else {
                AutoEscape::None
            }
        });
        env.remove_filter("safe");
        env.set_formatter(|out, state, value| match value.as_str() {
            // Escape what HTML needs and nothing more: minijinja's own escaper
            // also turns `/` into `&#x2f;`, which mangles links for some mail
            // clients and link scanners.
            Some(s) if *state.auto_escape() == AutoEscape::Html && !value.is_safe() => out
                .write_str(&escape_html(s))
                .map_err(minijinja::Error::from),
            _ => minijinja::escape_formatter(out, state, value),
        });
        let mut broken = Vec::new();
        for &(kind, part, source) in DEFAULTS {
            let key = if part == "html" {
                format!("{kind}.html")
            } else {
                format!("{kind}.{part}")
            };
            if env.add_template_owned(key.clone(), source).is_err() {
                broken.push(key);
            }
        }
        if env.add_template("layout.html", LAYOUT).is_err() {
            broken.push("layout.html".into());
        }
        // The defaults are compiled into the binary and tested; a broken one
        // would fail every message of its kind with a clear error.
        debug_assert!(
            broken.is_empty(),
            "default templates do not compile: {broken:?}"
        );
        Self { env }
    }

    /// The default source of a part (to show tenants what they override).
    #[must_use]
    pub fn default_source(kind: MessageKind, part: TemplatePart) -> Option<&'static str> {
        DEFAULTS
            .iter()
            .find(|(k, p, _)| *k == kind.key() && *p == part.key())
            .map(|(_, _, s)| *s)
    }

    /// Checks a tenant's override before it is saved: sizes, syntax, and that
    /// it renders with the kind's placeholders (so an unknown placeholder is
    /// refused).
    ///
    /// # Errors
    /// [`MailSettingsError`] naming the kind, the part and what is wrong.
    pub fn check(
        &self,
        kind: MessageKind,
        custom: &TemplateOverride,
    ) -> Result<(), MailSettingsError> {
        custom.check_sizes(kind)?;
        let sample = sample_values(kind);
        for &part in TemplatePart::ALL {
            if let Some(source) = custom.part(part) {
                self.render_custom(kind, part, source, &sample)
                    .map_err(|e| MailSettingsError::InvalidTemplate {
                        kind,
                        part,
                        reason: reason(&e),
                    })?;
            }
        }
        Ok(())
    }

    fn render_custom(
        &self,
        kind: MessageKind,
        part: TemplatePart,
        source: &str,
        values: &BTreeMap<String, Value>,
    ) -> Result<String, minijinja::Error> {
        if switches_escaping(source) {
            return Err(minijinja::Error::new(
                minijinja::ErrorKind::SyntaxError,
                "the autoescape tag is not allowed: placeholders are always escaped",
            ));
        }
        let name = format!("custom.{}", name(kind, part));
        let template = self.env.template_from_named_str(&name, source)?;
        template.render(values)
    }

    fn render_default(
        &self,
        kind: MessageKind,
        part: TemplatePart,
        values: &BTreeMap<String, Value>,
    ) -> Result<String, DeliveryError> {
        self.env
            .get_template(&name(kind, part))
            .and_then(|t| t.render(values))
            .map_err(|e| {
                DeliveryError::Permanent(format!(
                    "the default {} {} template does not render: {}",
                    kind.key(),
                    part.key(),
                    reason(&e)
                ))
            })
    }

    /// One part, from the tenant's template if it renders, else the default.
    fn part(
        &self,
        kind: MessageKind,
        part: TemplatePart,
        custom: Option<&TemplateOverride>,
        values: &BTreeMap<String, Value>,
        problems: &mut Vec<TemplateProblem>,
    ) -> Result<String, DeliveryError> {
        if let Some(source) = custom.and_then(|c| c.part(part)) {
            let attempt = if source.chars().count() > TemplateOverride::MAX_LEN {
                Err(format!(
                    "longer than {} characters",
                    TemplateOverride::MAX_LEN
                ))
            } else {
                self.render_custom(kind, part, source, values)
                    .map_err(|e| reason(&e))
                    .and_then(|out| {
                        if out.trim().is_empty() {
                            Err("renders empty".into())
                        } else {
                            Ok(out)
                        }
                    })
            };
            match attempt {
                Ok(out) => return Ok(out),
                Err(reason) => problems.push(TemplateProblem { part, reason }),
            }
        }
        self.render_default(kind, part, values)
    }
}

fn values(message: &OutgoingMessage, context: &RenderContext<'_>) -> BTreeMap<String, Value> {
    let mut v: BTreeMap<String, Value> = message
        .params
        .iter()
        .map(|(k, val)| (k.to_owned(), Value::from(val)))
        .collect();
    v.insert("organisation".into(), Value::from(context.organisation));
    v.insert("sender".into(), Value::from(context.sender));
    v
}

/// Harmless values for every placeholder of a kind, for checking templates.
fn sample_values(kind: MessageKind) -> BTreeMap<String, Value> {
    COMMON_PLACEHOLDERS
        .iter()
        .chain(placeholders(kind))
        .map(|p| ((*p).to_owned(), Value::from(format!("[{p}]"))))
        .collect()
}

impl MessageRenderer for Templates {
    fn render<'a>(
        &self,
        message: &OutgoingMessage,
        context: &RenderContext<'a>,
    ) -> Result<Rendered, DeliveryError> {
        let values = values(message, context);
        let kind = message.kind;
        let mut problems = Vec::new();
        let content = match &message.to {
            Destination::Sms(_) => {
                let text = self.part(
                    kind,
                    TemplatePart::Sms,
                    context.custom,
                    &values,
                    &mut problems,
                )?;
                RenderedContent::Sms(text.trim().to_owned())
            }
            _ => {
                let mut subject = one_line(&self.part(
                    kind,
                    TemplatePart::Subject,
                    context.custom,
                    &values,
                    &mut problems,
                )?);
                if subject.is_empty() {
                    subject =
                        one_line(&self.render_default(kind, TemplatePart::Subject, &values)?);
                }
                let text = self.part(
                    kind,
                    TemplatePart::Text,
                    context.custom,
                    &values,
                    &mut problems,
                )?;
                let body = self.part(
                    kind,
                    TemplatePart::Html,
                    context.custom,
                    &values,
                    &mut problems,
                )?;
                let html = self
                    .env
                    .get_template("layout.html")
                    .and_then(|t| {
                        t.render(minijinja::context! {
                            subject => &subject,
                            body => Value::from_safe_string(body),
                        })
                    })
                    .map_err(|e| {
                        DeliveryError::Permanent(format!(
                            "the mail layout does not render: {}",
                            reason(&e)
                        ))
                    })?;
                RenderedContent::Mail {
                    subject,
                    text,
                    html,
                }
            }
        };
        Ok(Rendered { content, problems })
    }
}

#[cfg(test)]
mod tests {
    use zeugnis_core::id::{MessageId, TenantId};
    use zeugnis_core::mail::MESSAGE_KINDS;
    use zeugnis_core::ports::MessageParams;
    use zeugnis_core::values::{Email, Phone, Timestamp};

    use super::*;

    fn message(kind: MessageKind, to: Destination, params: MessageParams) -> OutgoingMessage {
        OutgoingMessage {
            id: MessageId::from_bytes([1; 16]),
            tenant: TenantId::from_bytes([2; 16]),
            kind,
            to,
            params,
            created_at: Timestamp::from_unix_timestamp(1_750_000_000).unwrap(),
            expires_at: None,
        }
    }

    fn email() -> Destination {
        Destination::Email(Email::parse("chef@firma.de").unwrap())
    }

    fn full_params(kind: MessageKind) -> MessageParams {
        placeholders(kind)
            .iter()
            .fold(MessageParams::new(), |p, k| p.with(k, format!("<{k}>")))
    }

    fn context(custom: Option<&TemplateOverride>) -> RenderContext<'_> {
        RenderContext {
            organisation: "Müller & Söhne GmbH",
            sender: "Personalabteilung",
            custom,
        }
    }

    fn mail(r: &Rendered) -> (&str, &str, &str) {
        match &r.content {
            RenderedContent::Mail {
                subject,
                text,
                html,
            } => (subject, text, html),
            RenderedContent::Sms(_) => panic!("expected a mail"),
        }
    }

    #[test]
    fn every_default_renders_in_german_for_mail_and_sms() {
        let t = Templates::new();
        for &kind in MESSAGE_KINDS {
            let r = t
                .render(&message(kind, email(), full_params(kind)), &context(None))
                .unwrap();
            assert!(r.problems.is_empty());
            let (subject, text, html) = mail(&r);
            assert!(!subject.is_empty() && !subject.contains('\n'), "{kind:?}");
            for p in placeholders(kind) {
                assert!(text.contains(&format!("<{p}>")), "{kind:?} text lacks {p}");
                assert!(
                    html.contains(&format!("&lt;{p}&gt;")),
                    "{kind:?} html lacks {p}"
                );
            }
            assert!(
                text.contains("Personalabteilung"),
                "{kind:?} signs with the sender"
            );
            assert!(html.starts_with("<!DOCTYPE html>") && html.contains("lang=\"de\""));
            assert!(html.contains("Müller &amp; Söhne GmbH") || !html.contains("Müller"));
            assert!(!text.contains("{{") && !html.contains("{{"));
            let sms = t
                .render(
                    &message(
                        kind,
                        Destination::Sms(Phone::parse("+4915112345678").unwrap()),
                        full_params(kind),
                    ),
                    &context(None),
                )
                .unwrap();
            let RenderedContent::Sms(sms) = sms.content else {
                panic!("expected an SMS")
            };
            assert!(sms.contains("Müller & Söhne GmbH"), "{kind:?}: {sms}");
        }
    }

    #[test]
    fn user_supplied_names_are_escaped_in_html_but_not_in_text() {
        let t = Templates::new();
        let params = full_params(MessageKind::Invitation)
            .with("name", "<script>alert(1)</script> O'Brien & \"Co\"");
        let r = t
            .render(
                &message(MessageKind::Invitation, email(), params),
                &context(None),
            )
            .unwrap();
        let (_, text, html) = mail(&r);
        assert!(text.contains("<script>alert(1)</script> O'Brien & \"Co\""));
        assert!(!html.contains("<script>"));
        assert!(
            html.contains("&lt;script&gt;alert(1)&lt;/script&gt; O&#39;Brien &amp; &quot;Co&quot;"),
            "{html}"
        );
    }

    #[test]
    fn a_tenant_override_replaces_only_its_parts() {
        let t = Templates::new();
        let custom = TemplateOverride {
            subject: Some("Willkommen bei {{ organisation }}, {{ name }}".into()),
            html: Some("<p>Hallo <b>{{ name }}</b>: <a href=\"{{ link }}\">los</a></p>".into()),
            ..TemplateOverride::default()
        };
        t.check(MessageKind::Invitation, &custom).unwrap();
        let params = full_params(MessageKind::Invitation).with("name", "Eva <Chefin>");
        let r = t
            .render(
                &message(MessageKind::Invitation, email(), params),
                &context(Some(&custom)),
            )
            .unwrap();
        assert!(r.problems.is_empty());
        let (subject, text, html) = mail(&r);
        assert_eq!(subject, "Willkommen bei Müller & Söhne GmbH, Eva <Chefin>");
        assert!(
            html.contains(
                "<p>Hallo <b>Eva &lt;Chefin&gt;</b>: <a href=\"&lt;link&gt;\">los</a></p>"
            ),
            "{html}"
        );
        assert!(
            text.starts_with("Guten Tag Eva <Chefin>,"),
            "the default text stays: {text}"
        );
    }

    #[test]
    fn broken_templates_fall_back_to_the_default_and_are_reported() {
        let t = Templates::new();
        let cases = [
            ("{% if name %}unclosed", "syntax"),
            ("Hallo {{ nmae }}", "undefined"),
            ("{{ name|safe }}", "filter"),
            (
                "{% autoescape false %}{{ name }}{% endautoescape %}",
                "autoescape",
            ),
            (
                "{%- AutoEscape false -%}{{ name }}{% endautoescape %}",
                "autoescape, any case",
            ),
            ("{% for i in range(1000000) %}{{ i }}{% endfor %}", "fuel"),
        ];
        for (source, what) in cases {
            let custom = TemplateOverride {
                html: Some(source.into()),
                ..TemplateOverride::default()
            };
            let refused = t.check(MessageKind::Invitation, &custom).unwrap_err();
            assert!(
                matches!(
                    refused,
                    MailSettingsError::InvalidTemplate {
                        part: TemplatePart::Html,
                        ..
                    }
                ),
                "{what}: {refused:?}"
            );
            let params = full_params(MessageKind::Invitation).with("name", "<i>Eva</i>");
            let r = t
                .render(
                    &message(MessageKind::Invitation, email(), params),
                    &context(Some(&custom)),
                )
                .unwrap();
            assert_eq!(r.problems.len(), 1, "{what}");
            assert_eq!(r.problems[0].part, TemplatePart::Html);
            assert!(
                !r.problems[0].reason.contains("Eva"),
                "no values in the reason"
            );
            let (_, _, html) = mail(&r);
            assert!(
                html.contains("Guten Tag &lt;i&gt;Eva&lt;/i&gt;"),
                "{what}: default sent, escaped: {html}"
            );
        }
    }

    #[test]
    fn a_failure_reason_never_quotes_a_value() {
        let t = Templates::new();
        // Renders with the sample values, fails with the real code.
        let custom = TemplateOverride {
            sms: Some("{% if code != \"[code]\" %}{{ code|int // 0 }}{% endif %}{{ code }}".into()),
            ..TemplateOverride::default()
        };
        t.check(MessageKind::OneTimeCode, &custom).unwrap();
        let params = MessageParams::new()
            .with("code", "482913")
            .with("valid_minutes", "5");
        let sms = Destination::Sms(Phone::parse("+4915112345678").unwrap());
        let r = t
            .render(
                &message(MessageKind::OneTimeCode, sms, params),
                &context(Some(&custom)),
            )
            .unwrap();
        assert_eq!(r.problems.len(), 1);
        assert!(
            !r.problems[0].reason.contains("482913"),
            "{}",
            r.problems[0].reason
        );
        let refused = t
            .check(
                MessageKind::Invitation,
                &TemplateOverride {
                    html: Some("{% autoescape false %}{{ name }}{% endautoescape %}".into()),
                    ..TemplateOverride::default()
                },
            )
            .unwrap_err();
        assert!(
            refused
                .to_string()
                .contains("autoescape tag is not allowed"),
            "{refused}"
        );
    }

    #[test]
    fn subjects_stay_on_one_line() {
        let t = Templates::new();
        let custom = TemplateOverride {
            subject: Some("Hallo {{ name }}".into()),
            ..TemplateOverride::default()
        };
        let params =
            full_params(MessageKind::Invitation).with("name", "Eva\r\nBcc: angreifer@example.com");
        let r = t
            .render(
                &message(MessageKind::Invitation, email(), params),
                &context(Some(&custom)),
            )
            .unwrap();
        assert_eq!(mail(&r).0, "Hallo Eva Bcc: angreifer@example.com");
    }

    #[test]
    fn a_message_without_its_placeholders_fails_for_good() {
        let t = Templates::new();
        let r = t.render(
            &message(MessageKind::OneTimeCode, email(), MessageParams::new()),
            &context(None),
        );
        assert!(matches!(r, Err(DeliveryError::Permanent(_))), "{r:?}");
    }

    #[test]
    fn defaults_are_available_to_show_tenants() {
        let s = Templates::default_source(MessageKind::HandoverLink, TemplatePart::Text).unwrap();
        assert!(s.contains("{{ link }}"));
    }
}
