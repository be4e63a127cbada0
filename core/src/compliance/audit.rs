//! The security audit log: event types, entries chained by hash, CSV safety.
//!
//! Every entry records time, actor (user, handover, support, operator, system or
//! an anonymous source), source IP, action, target and — for changes — what
//! changed. Entries never contain passwords, codes, tokens or reference content:
//! the types here have no place for them, and free text goes through
//! [`AuditText`], which neutralises line breaks and control characters so user
//! input cannot forge entries or log lines.
//!
//! Entries of one tenant form a chain: each entry's hash is an HMAC-SHA-256, under
//! a [`ChainKey`] kept outside the database, over the previous entry's hash and the
//! entry's own canonical encoding. Changing, inserting or removing an entry in the
//! middle is detected by [`verify_chain`], and someone who can write the database
//! but does not hold the key cannot recompute the chain after a forgery. When
//! retention deletes the oldest entries, the sequence numbers continue and
//! verification starts at the oldest remaining entry (its `prev` is the anchor).
//! Cutting off the newest entries is only detectable against a head recorded
//! elsewhere (the storage adapter keeps the head with the tenant).
//!
//! ```
//! use zeugnis_core::audit::*;
//! use zeugnis_core::id::{TenantId, UserId};
//!
//! let at = time::UtcDateTime::from_unix_timestamp(1_700_000_000)?;
//! let tenant = Some(TenantId::from_bytes([1; 16]));
//! let user = UserId::from_bytes([2; 16]);
//! let key = ChainKey::from_bytes([7; 32]); // in production: derived from the master key
//! let e1 = AuditEntry::chain(&key, None, AuditEvent::new(tenant, at, AuditActor::User(user), AuditAction::LoginSucceeded, AuditTarget::User(user)));
//! let e2 = AuditEntry::chain(&key, Some(&e1), AuditEvent::new(tenant, at, AuditActor::User(user), AuditAction::LoggedOut, AuditTarget::User(user)));
//! assert_eq!(verify_chain(&key, &[e1.clone(), e2.clone()]), Ok(()));
//! let mut forged = e1.clone();
//! forged.event.action = AuditAction::LoginFailed;
//! assert!(verify_chain(&key, &[forged, e2]).is_err());
//! assert_eq!(csv_cell("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fmt;
use std::net::IpAddr;

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use crate::id::{EmployeeId, MessageId, OperatorId, ReferenceId, RoleId, TenantId, UserId};
use crate::token::HandoverId;
use crate::values::Timestamp;

macro_rules! actions {
    ($($(#[$m:meta])* $variant:ident => $key:literal,)*) => {
        /// What happened.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        #[derive(serde::Serialize, serde::Deserialize)]
        #[serde(rename_all = "snake_case")]
        #[non_exhaustive]
        pub enum AuditAction {
            $($(#[$m])* $variant,)*
        }

        impl AuditAction {
            /// Every action.
            pub const ALL: &'static [AuditAction] = &[$(AuditAction::$variant,)*];

            /// Stable machine key, e.g. `login_failed`.
            #[must_use]
            pub const fn key(self) -> &'static str {
                match self {
                    $(AuditAction::$variant => $key,)*
                }
            }
        }
    };
}

actions! {
    /// A login succeeded.
    LoginSucceeded => "login_succeeded",
    /// A login failed (unknown account, wrong password, locked, inactive).
    LoginFailed => "login_failed",
    /// A session ended by logout.
    LoggedOut => "logged_out",
    /// All sessions of a user were ended.
    SessionsEnded => "sessions_ended",
    /// A password reset was requested.
    PasswordResetRequested => "password_reset_requested",
    /// A password was reset by link.
    PasswordReset => "password_reset",
    /// A user changed their password.
    PasswordChanged => "password_changed",
    /// An account was locked after failed logins.
    AccountLocked => "account_locked",
    /// An account was unlocked.
    AccountUnlocked => "account_unlocked",
    /// A second factor was enrolled.
    SecondFactorEnrolled => "second_factor_enrolled",
    /// A second factor was removed.
    SecondFactorRemoved => "second_factor_removed",
    /// A second-factor code was wrong or missing.
    SecondFactorFailed => "second_factor_failed",
    /// A recovery code was used.
    RecoveryCodeUsed => "recovery_code_used",
    /// A user was invited / created.
    UserCreated => "user_created",
    /// An invited user completed the registration.
    InvitationAccepted => "invitation_accepted",
    /// A user was changed (role, scope, name, e-mail, phone).
    UserChanged => "user_changed",
    /// A user was deactivated.
    UserDeactivated => "user_deactivated",
    /// A user was reactivated.
    UserReactivated => "user_reactivated",
    /// A user was deleted.
    UserDeleted => "user_deleted",
    /// A role was created.
    RoleCreated => "role_created",
    /// A role's name or permissions changed.
    RoleChanged => "role_changed",
    /// A role was deleted.
    RoleDeleted => "role_deleted",
    /// Privacy or security settings changed.
    SettingsChanged => "settings_changed",
    /// A handover was created.
    HandoverCreated => "handover_created",
    /// A handover link was opened.
    HandoverOpened => "handover_opened",
    /// A one-time code for a handover link was sent.
    HandoverCodeSent => "handover_code_sent",
    /// A wrong one-time code was entered on a handover link.
    HandoverCodeFailed => "handover_code_failed",
    /// A handover was revoked.
    HandoverRevoked => "handover_revoked",
    /// HR reminded the recipient of a handover (with a fresh link).
    HandoverReminded => "handover_reminded",
    /// A handover was finished by its recipient.
    HandoverFinished => "handover_finished",
    /// A reference document was downloaded.
    ReferenceDownloaded => "reference_downloaded",
    /// An employee record was created.
    EmployeeCreated => "employee_created",
    /// An employee record was changed (field names only).
    EmployeeChanged => "employee_changed",
    /// A reference was created.
    ReferenceCreated => "reference_created",
    /// Sections of a reference were changed (section names only).
    ReferenceChanged => "reference_changed",
    /// A reference changed its workflow status.
    ReferenceStatusChanged => "reference_status_changed",
    /// The reference text was generated.
    ReferenceGenerated => "reference_generated",
    /// A phrase library or the reference formatting was changed.
    LibraryChanged => "library_changed",
    /// A reference was deleted by a user.
    ReferenceDeleted => "reference_deleted",
    /// An employee record was deleted by a user.
    EmployeeDeleted => "employee_deleted",
    /// Data was exported.
    DataExported => "data_exported",
    /// Support access was granted.
    SupportAccessGranted => "support_access_granted",
    /// Support access was ended early.
    SupportAccessEnded => "support_access_ended",
    /// Support logged in during a granted period.
    SupportAccessUsed => "support_access_used",
    /// Retention deleted expired records.
    RetentionSweep => "retention_sweep",
    /// A burst of failures from one source looks like an attack.
    SuspectedAttack => "suspected_attack",
    /// A message could not be delivered after all retries.
    DeliveryFailed => "delivery_failed",
    /// A tenant's mail template failed to render; the default was sent.
    MailTemplateFailed => "mail_template_failed",
    /// An operator created a tenant.
    TenantCreated => "tenant_created",
    /// An operator ended a tenant's contract.
    TenantContractEnded => "tenant_contract_ended",
    /// A tenant's data was deleted.
    TenantDeleted => "tenant_deleted",
}

/// Who acted.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum AuditActor {
    /// A user of the tenant.
    User(UserId),
    /// Vendor support acting in the tenant for a user account.
    Support {
        /// The support person.
        operator: OperatorId,
    },
    /// A vendor operator (installation level).
    Operator(OperatorId),
    /// The holder of a handover link.
    Handover(HandoverId),
    /// A background job.
    System,
    /// Someone not (yet) identified, e.g. a login with an unknown address.
    Anonymous,
}

/// What an action was about.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum AuditTarget {
    /// Nothing in particular.
    None,
    /// The tenant itself.
    Tenant(TenantId),
    /// A user.
    User(UserId),
    /// A role.
    Role(RoleId),
    /// An employee record.
    Employee(EmployeeId),
    /// A reference.
    Reference(ReferenceId),
    /// A handover.
    Handover(HandoverId),
    /// A message.
    Message(MessageId),
    /// The tenant's settings.
    Settings,
}

/// Text in an audit entry: control characters (line breaks included) are replaced
/// by visible escapes and the length is capped at 500 characters, so user input
/// cannot forge entries or log lines.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(from = "String", into = "String")]
pub struct AuditText(String);

impl From<String> for AuditText {
    fn from(raw: String) -> Self {
        Self::new(&raw)
    }
}

impl From<AuditText> for String {
    fn from(t: AuditText) -> Self {
        t.0
    }
}

impl AuditText {
    /// Longest text kept.
    pub const MAX_CHARS: usize = 500;

    /// Neutralises `raw`.
    #[must_use]
    pub fn new(raw: &str) -> Self {
        let mut out = String::with_capacity(raw.len().min(Self::MAX_CHARS));
        for (n, c) in raw.chars().enumerate() {
            if n >= Self::MAX_CHARS {
                out.push('…');
                break;
            }
            match c {
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                '\t' => out.push_str("\\t"),
                c if crate::values::is_unsafe_char(c) => {
                    out.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
                }
                c => out.push(c),
            }
        }
        Self(out)
    }

    /// The neutralised text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for AuditText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// One changed field: name, before, after. Use it for settings, roles and account
/// attributes — never for passwords, codes, tokens or reference content.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct FieldChange {
    /// The field, e.g. `role` or `privacy.audit_retention`.
    pub field: AuditText,
    /// Value before (none when created).
    pub before: Option<AuditText>,
    /// Value after (none when removed).
    pub after: Option<AuditText>,
}

impl FieldChange {
    /// A change of `field` from `before` to `after`.
    #[must_use]
    pub fn new(field: &str, before: Option<&str>, after: Option<&str>) -> Self {
        Self {
            field: AuditText::new(field),
            before: before.map(AuditText::new),
            after: after.map(AuditText::new),
        }
    }
}

/// An event to record.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct AuditEvent {
    /// The tenant, or `None` for installation-level operator events.
    pub tenant: Option<TenantId>,
    /// When (UTC).
    pub at: Timestamp,
    /// Who.
    pub actor: AuditActor,
    /// For support actions: the user account support acted as, if any.
    pub on_behalf_of: Option<UserId>,
    /// From where.
    pub source_ip: Option<IpAddr>,
    /// What.
    pub action: AuditAction,
    /// About what.
    pub target: AuditTarget,
    /// What changed.
    pub changes: Vec<FieldChange>,
    /// A short reason or detail (never content or secrets), e.g. `unknown_account`.
    pub detail: Option<AuditText>,
}

impl AuditEvent {
    /// An event without IP, changes or detail.
    #[must_use]
    pub fn new(
        tenant: Option<TenantId>,
        at: Timestamp,
        actor: AuditActor,
        action: AuditAction,
        target: AuditTarget,
    ) -> Self {
        Self {
            tenant,
            at,
            actor,
            on_behalf_of: None,
            source_ip: None,
            action,
            target,
            changes: Vec::new(),
            detail: None,
        }
    }

    /// The user who acted (directly, or the account support acted for).
    #[must_use]
    pub fn acting_user(&self) -> Option<UserId> {
        match self.actor {
            AuditActor::User(u) => Some(u),
            _ => self.on_behalf_of,
        }
    }

    /// The user the event is about, if its target is a user.
    #[must_use]
    pub fn target_user(&self) -> Option<UserId> {
        match self.target {
            AuditTarget::User(u) => Some(u),
            _ => None,
        }
    }

    /// The same event with a source address.
    #[must_use]
    pub fn from_ip(mut self, ip: Option<IpAddr>) -> Self {
        self.source_ip = ip;
        self
    }

    /// The same event with a detail.
    #[must_use]
    pub fn with_detail(mut self, detail: &str) -> Self {
        self.detail = Some(AuditText::new(detail));
        self
    }

    /// The same event with changed fields.
    #[must_use]
    pub fn with_changes(mut self, changes: Vec<FieldChange>) -> Self {
        self.changes = changes;
        self
    }

    /// The canonical, unambiguous byte encoding that the chain hash covers.
    #[must_use]
    pub fn canonical_bytes(&self) -> Vec<u8> {
        let mut enc = Encoder::default();
        enc.opt_bytes(self.tenant.as_ref().map(|t| t.as_bytes().as_slice()));
        enc.int(self.at.unix_timestamp_nanos());
        match &self.actor {
            AuditActor::User(u) => enc.tagged("user", u.as_bytes()),
            AuditActor::Support { operator } => enc.tagged("support", operator.as_bytes()),
            AuditActor::Operator(o) => enc.tagged("operator", o.as_bytes()),
            AuditActor::Handover(h) => enc.tagged("handover", h.as_bytes()),
            AuditActor::System => enc.tagged("system", &[]),
            AuditActor::Anonymous => enc.tagged("anonymous", &[]),
        }
        enc.opt_bytes(self.on_behalf_of.as_ref().map(|u| u.as_bytes().as_slice()));
        enc.opt_str(self.source_ip.map(|ip| ip.to_string()).as_deref());
        enc.str(self.action.key());
        match &self.target {
            AuditTarget::None => enc.tagged("none", &[]),
            AuditTarget::Tenant(t) => enc.tagged("tenant", t.as_bytes()),
            AuditTarget::User(u) => enc.tagged("user", u.as_bytes()),
            AuditTarget::Role(r) => enc.tagged("role", r.as_bytes()),
            AuditTarget::Employee(e) => enc.tagged("employee", e.as_bytes()),
            AuditTarget::Reference(r) => enc.tagged("reference", r.as_bytes()),
            AuditTarget::Handover(h) => enc.tagged("handover", h.as_bytes()),
            AuditTarget::Message(m) => enc.tagged("message", m.as_bytes()),
            AuditTarget::Settings => enc.tagged("settings", &[]),
        }
        enc.int(i128::try_from(self.changes.len()).unwrap_or(i128::MAX));
        for c in &self.changes {
            enc.str(c.field.as_str());
            enc.opt_str(c.before.as_ref().map(AuditText::as_str));
            enc.opt_str(c.after.as_ref().map(AuditText::as_str));
        }
        enc.opt_str(self.detail.as_ref().map(AuditText::as_str));
        enc.0
    }
}

#[derive(Default)]
struct Encoder(Vec<u8>);

impl Encoder {
    fn bytes(&mut self, b: &[u8]) {
        self.0.extend_from_slice(&(b.len() as u64).to_be_bytes());
        self.0.extend_from_slice(b);
    }
    fn str(&mut self, s: &str) {
        self.bytes(s.as_bytes());
    }
    fn int(&mut self, i: i128) {
        self.0.extend_from_slice(&i.to_be_bytes());
    }
    fn tagged(&mut self, tag: &str, b: &[u8]) {
        self.str(tag);
        self.bytes(b);
    }
    fn opt_bytes(&mut self, b: Option<&[u8]>) {
        match b {
            None => self.0.push(0),
            Some(b) => {
                self.0.push(1);
                self.bytes(b);
            }
        }
    }
    fn opt_str(&mut self, s: Option<&str>) {
        self.opt_bytes(s.map(str::as_bytes));
    }
}

/// The secret key of the audit chain. It must not live in the database the chain
/// is stored in (the crypto adapter derives it from the master key). `Debug`
/// never shows it.
#[derive(Clone)]
pub struct ChainKey([u8; 32]);

impl ChainKey {
    /// Wraps key bytes.
    #[must_use]
    pub const fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }
}

impl fmt::Debug for ChainKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ChainKey(redacted)")
    }
}

/// A chain hash (HMAC-SHA-256).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize)]
pub struct ChainHash(pub [u8; 32]);

impl fmt::Debug for ChainHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ChainHash(")?;
        for b in self.0.iter().take(6) {
            write!(f, "{b:02x}")?;
        }
        write!(f, "…)")
    }
}

/// A recorded entry: the event, its position and its place in the chain.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct AuditEntry {
    /// Position in the tenant's chain (1 for the first entry ever).
    pub seq: u64,
    /// The event.
    pub event: AuditEvent,
    /// The previous entry's hash (all zero for the first).
    pub prev: ChainHash,
    /// This entry's hash.
    pub hash: ChainHash,
}

fn entry_hash(key: &ChainKey, seq: u64, prev: &ChainHash, event: &AuditEvent) -> ChainHash {
    // HMAC pads a key shorter than the block with zeros; doing it here gives the
    // fixed-size key the infallible constructor wants.
    let mut block = [0u8; 64];
    for (d, s) in block.iter_mut().zip(key.0) {
        *d = s;
    }
    let mut mac = <Hmac<Sha256> as KeyInit>::new(&block.into());
    mac.update(b"zeugnis-audit-v1");
    mac.update(&seq.to_be_bytes());
    mac.update(&prev.0);
    mac.update(&event.canonical_bytes());
    ChainHash(mac.finalize().into_bytes().into())
}

impl AuditEntry {
    /// Appends `event` after `prev` (or starts a chain).
    #[must_use]
    pub fn chain(key: &ChainKey, prev: Option<&AuditEntry>, event: AuditEvent) -> Self {
        let (seq, prev_hash) = prev.map_or((1, ChainHash::default()), |p| {
            (p.seq.saturating_add(1), p.hash)
        });
        Self::at(key, seq, prev_hash, event)
    }

    /// Appends `event` at position `seq` after an entry whose hash was `prev`
    /// (for adapters that keep only the chain's head).
    #[must_use]
    pub fn at(key: &ChainKey, seq: u64, prev: ChainHash, event: AuditEvent) -> Self {
        let hash = entry_hash(key, seq, &prev, &event);
        Self {
            seq,
            event,
            prev,
            hash,
        }
    }

    /// Whether the entry's own hash is right under `key` (constant-time compare).
    #[must_use]
    pub fn is_intact(&self, key: &ChainKey) -> bool {
        use subtle::ConstantTimeEq;
        let expected = entry_hash(key, self.seq, &self.prev, &self.event);
        bool::from(expected.0.ct_eq(&self.hash.0))
    }
}

/// Where a chain is broken.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ChainError {
    /// The entry's content does not match its hash (it was changed).
    #[error("audit entry {seq} was altered: its hash does not match its content")]
    Altered {
        /// The entry's position.
        seq: u64,
    },
    /// The entry does not follow its predecessor (one was removed or inserted).
    #[error(
        "the audit chain is broken before entry {seq}: an entry was removed, inserted or reordered"
    )]
    Broken {
        /// The entry's position.
        seq: u64,
    },
}

/// Verifies a run of consecutive entries, oldest first.
///
/// # Errors
/// The first [`ChainError`] found.
pub fn verify_chain(key: &ChainKey, entries: &[AuditEntry]) -> Result<(), ChainError> {
    let mut prev: Option<&AuditEntry> = None;
    for e in entries {
        if !e.is_intact(key) {
            return Err(ChainError::Altered { seq: e.seq });
        }
        if let Some(p) = prev
            && (e.prev != p.hash || e.seq != p.seq.saturating_add(1))
        {
            return Err(ChainError::Broken { seq: e.seq });
        }
        prev = Some(e);
    }
    Ok(())
}

impl AuditActor {
    /// A stable text form: `user:<id>`, `support:<id>`, `operator:<id>`,
    /// `handover:<id>`, `system`, `anonymous`.
    #[must_use]
    pub fn label(&self) -> String {
        match self {
            AuditActor::User(u) => format!("user:{u}"),
            AuditActor::Support { operator } => format!("support:{operator}"),
            AuditActor::Operator(o) => format!("operator:{o}"),
            AuditActor::Handover(h) => format!("handover:{h}"),
            AuditActor::System => "system".to_owned(),
            AuditActor::Anonymous => "anonymous".to_owned(),
        }
    }
}

impl AuditTarget {
    /// A stable text form: `user:<id>`, `role:<id>`, …, or empty for none.
    #[must_use]
    pub fn label(&self) -> String {
        match self {
            AuditTarget::None => String::new(),
            AuditTarget::Tenant(t) => format!("tenant:{t}"),
            AuditTarget::User(u) => format!("user:{u}"),
            AuditTarget::Role(r) => format!("role:{r}"),
            AuditTarget::Employee(e) => format!("employee:{e}"),
            AuditTarget::Reference(r) => format!("reference:{r}"),
            AuditTarget::Handover(h) => format!("handover:{h}"),
            AuditTarget::Message(m) => format!("message:{m}"),
            AuditTarget::Settings => "settings".to_owned(),
        }
    }
}

/// One CSV line (RFC 4180, ending in CRLF): every cell neutralised with
/// [`csv_cell`], and quoted when it holds a comma, quote or line break.
///
/// ```
/// use zeugnis_core::audit::csv_row;
/// assert_eq!(csv_row(&["a", "=1+1", "x,\"y\""]), "a,'=1+1,\"x,\"\"y\"\"\"\r\n");
/// ```
#[must_use]
pub fn csv_row(cells: &[&str]) -> String {
    let mut line = String::new();
    for (i, cell) in cells.iter().enumerate() {
        if i > 0 {
            line.push(',');
        }
        let safe = csv_cell(cell);
        if safe.contains([',', '"', '\n', '\r']) {
            line.push('"');
            line.push_str(&safe.replace('"', "\"\""));
            line.push('"');
        } else {
            line.push_str(&safe);
        }
    }
    line.push_str("\r\n");
    line
}

/// Neutralises a CSV cell that a spreadsheet would run as a formula (starting
/// with `=`, `+`, `-`, `@`, tab or carriage return) by prefixing an apostrophe.
#[must_use]
pub fn csv_cell(value: &str) -> String {
    if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> ChainKey {
        ChainKey::from_bytes([0x42; 32])
    }

    #[test]
    fn without_the_key_a_rewritten_chain_does_not_verify() {
        let a = AuditEntry::chain(&key(), None, event(AuditAction::LoginFailed));
        let mut forged = a.clone();
        forged.event.action = AuditAction::LoginSucceeded;
        let rehashed = AuditEntry::chain(&ChainKey::from_bytes([0; 32]), None, forged.event);
        assert_eq!(
            verify_chain(&key(), &[rehashed]),
            Err(ChainError::Altered { seq: 1 })
        );
    }

    #[test]
    fn the_chain_mac_is_standard_hmac_sha256() {
        let e = event(AuditAction::LoginFailed);
        let entry = AuditEntry::chain(&key(), None, e.clone());
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(&[0x42; 32]).unwrap();
        mac.update(b"zeugnis-audit-v1");
        mac.update(&1u64.to_be_bytes());
        mac.update(&[0; 32]);
        mac.update(&e.canonical_bytes());
        let expected: [u8; 32] = mac.finalize().into_bytes().into();
        assert_eq!(entry.hash.0, expected);
    }

    #[test]
    fn direction_overrides_are_escaped_too() {
        assert_eq!(AuditText::new("a\u{202e}b").as_str(), "a\\u{202e}b");
    }

    fn event(action: AuditAction) -> AuditEvent {
        AuditEvent::new(
            Some(TenantId::from_bytes([1; 16])),
            Timestamp::from_unix_timestamp(1_700_000_000).unwrap(),
            AuditActor::Anonymous,
            action,
            AuditTarget::None,
        )
    }

    #[test]
    fn user_text_cannot_forge_a_new_line() {
        let t = AuditText::new("Eve\n2026-01-01 login_succeeded admin\u{7}");
        assert!(!t.as_str().contains('\n'));
        assert_eq!(t.as_str(), "Eve\\n2026-01-01 login_succeeded admin\\u{7}");
    }

    #[test]
    fn removing_an_entry_in_the_middle_is_detected() {
        let a = AuditEntry::chain(&key(), None, event(AuditAction::LoginFailed));
        let b = AuditEntry::chain(&key(), Some(&a), event(AuditAction::LoginFailed));
        let c = AuditEntry::chain(&key(), Some(&b), event(AuditAction::AccountLocked));
        assert_eq!(verify_chain(&key(), &[a.clone(), b, c.clone()]), Ok(()));
        assert_eq!(
            verify_chain(&key(), &[a, c]),
            Err(ChainError::Broken { seq: 3 })
        );
    }

    #[test]
    fn verification_may_start_after_retention_removed_the_oldest() {
        let a = AuditEntry::chain(&key(), None, event(AuditAction::LoginFailed));
        let b = AuditEntry::chain(&key(), Some(&a), event(AuditAction::LoginFailed));
        let c = AuditEntry::chain(&key(), Some(&b), event(AuditAction::LoginFailed));
        assert_eq!(verify_chain(&key(), &[b, c]), Ok(()));
    }

    #[test]
    fn altering_a_detail_is_detected() {
        let mut a = AuditEntry::chain(&key(), None, event(AuditAction::LoginFailed));
        a.event.source_ip = Some(IpAddr::from([10, 0, 0, 1]));
        assert_eq!(
            verify_chain(&key(), &[a]),
            Err(ChainError::Altered { seq: 1 })
        );
    }

    #[test]
    fn csv_rows_quote_and_neutralise_every_cell() {
        assert_eq!(csv_row(&["plain", "Müller"]), "plain,Müller\r\n");
        assert_eq!(csv_row(&["@SUM(A1)", "-2"]), "'@SUM(A1),'-2\r\n");
        assert_eq!(csv_row(&["a\nb"]), "\"a\nb\"\r\n");
        assert_eq!(csv_row(&["=\"x\""]), "\"'=\"\"x\"\"\"\r\n");
    }

    #[test]
    fn formula_cells_are_neutralised() {
        for f in ["=1+1", "+1", "-1", "@SUM(A1)", "\tx"] {
            assert!(csv_cell(f).starts_with('\''), "{f}");
        }
        assert_eq!(csv_cell("Anna"), "Anna");
    }

    #[test]
    fn action_keys_are_unique() {
        let keys: std::collections::BTreeSet<_> =
            AuditAction::ALL.iter().map(|a| a.key()).collect();
        assert_eq!(keys.len(), AuditAction::ALL.len());
    }
}
