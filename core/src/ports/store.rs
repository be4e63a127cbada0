use std::collections::{BTreeMap, BTreeSet};

use async_trait::async_trait;

use crate::access::Role;
use crate::action::PendingAction;
use crate::audit::{AuditAction, AuditEntry};
use crate::authz::VisibilityFilter;
use crate::document::LetterFormatting;
use crate::employee::{Employee, OrgAttributes, OrgValue};
use crate::handover::Handover;
use crate::id::{ChallengeId, EmployeeId, ReferenceId, RoleId, TenantId, UserId};
use crate::otp::CodeChallenge;
use crate::phrases::PhraseLibrary;
use crate::reference::{ChangeLogEntry, Reference, ReferenceKind, ReferenceStatus, StatusChange};
use crate::retention::{EmployeeFacts, ReferenceFacts};
use crate::scope::{Criterion, ReferenceScope};
use crate::second_factor::SecondFactors;
use crate::session::Session;
use crate::settings::TenantSettings;
use crate::tenant::Tenant;
use crate::token::{HandoverId, TokenHash};
use crate::user::{SsoIdentity, User};
use crate::values::{Email, Slug, Timestamp};

use super::PasswordHash;

/// A storage failure, in business terms. Adapters translate driver errors into
/// these; no driver type crosses the port.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// A record the change refers to does not exist (in this tenant).
    #[error("not found")]
    NotFound,
    /// A unique value is taken, or a record changed since it was read (stale
    /// version): reload and retry or report.
    #[error("conflict: {what}")]
    Conflict {
        /// What conflicted, in words (no personal data).
        what: String,
    },
    /// A change set holds an entity of another tenant; nothing was written.
    #[error("a change touched another tenant's data; nothing was written")]
    TenantMismatch,
    /// A precondition of the change set does not hold after its writes; nothing
    /// was written.
    #[error("refused: {0}")]
    PreconditionFailed(super::Precondition),
    /// The data can no longer be read because its tenant's key was destroyed
    /// (crypto-shredding): the record is gone for good.
    #[error("the data is no longer available (its key was destroyed)")]
    Gone,
    /// A list position (`after`) that this list did not hand out: malformed, or
    /// made for another list, viewer or filter.
    #[error("not a position of this list")]
    InvalidCursor,
    /// The database cannot be reached or failed; the message is for the log only.
    #[error("storage unavailable: {0}")]
    Unavailable(String),
}

/// A record's version, for optimistic concurrency: an update names the version it
/// read, and fails with [`StoreError::Conflict`] when someone else wrote first.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Default,
    serde::Serialize,
    serde::Deserialize,
)]
pub struct Version(pub u64);

/// A record with the version it was read at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Versioned<T> {
    /// The record.
    pub value: T,
    /// Its version.
    pub version: Version,
}

/// An opaque position in a key-ordered list.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct Cursor(pub String);

/// Which page of a list (key-based, not by offset).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageRequest {
    /// Continue after this position (`None`: first page).
    pub after: Option<Cursor>,
    /// At most this many items (1 to [`PageRequest::MAX_LIMIT`]).
    limit: u16,
}

impl PageRequest {
    /// The largest page.
    pub const MAX_LIMIT: u16 = 500;

    /// A page request, the limit clamped to 1 to 500.
    #[must_use]
    pub fn new(after: Option<Cursor>, limit: u16) -> Self {
        Self {
            after,
            limit: limit.clamp(1, Self::MAX_LIMIT),
        }
    }

    /// The first page of `limit` items.
    #[must_use]
    pub fn first(limit: u16) -> Self {
        Self::new(None, limit)
    }

    /// The limit.
    #[must_use]
    pub const fn limit(&self) -> u16 {
        self.limit
    }
}

/// One page of a list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T> {
    /// The items.
    pub items: Vec<T>,
    /// Where the next page starts (`None`: this was the last page).
    pub next: Option<Cursor>,
}

/// Filters and order of the reference overview.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ReferenceQuery {
    /// Only this status.
    pub status: Option<ReferenceStatus>,
    /// Only this kind.
    pub kind: Option<ReferenceKind>,
    /// Only this employee.
    pub employee: Option<EmployeeId>,
    /// Only this company.
    pub company: Option<OrgValue>,
    /// Only this location.
    pub location: Option<OrgValue>,
    /// Only this department.
    pub department: Option<OrgValue>,
    /// The order of the lines.
    pub order: ReferenceOrder,
}

/// The order of the reference overview; each is total (ties broken by id),
/// so key pagination never skips or repeats a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ReferenceOrder {
    /// The newest first (by creation).
    #[default]
    Newest,
    /// The oldest first (by creation).
    Oldest,
    /// The longest in its status first (by the time of the last status
    /// change, earliest first).
    LongestWaiting,
}

impl ReferenceOrder {
    /// Every order.
    pub const ALL: [Self; 3] = [Self::Newest, Self::Oldest, Self::LongestWaiting];

    /// The stable key (`newest`, `oldest`, `waiting`).
    #[must_use]
    pub const fn key(self) -> &'static str {
        match self {
            Self::Newest => "newest",
            Self::Oldest => "oldest",
            Self::LongestWaiting => "waiting",
        }
    }

    /// Whether lines go from the earliest time to the latest.
    #[must_use]
    pub const fn ascending(self) -> bool {
        !matches!(self, Self::Newest)
    }
}

/// The values an organisation uses for each scope criterion, as far as the
/// viewer's scope shows them (what a filter or a scope editor offers).
pub type OrgValues = BTreeMap<Criterion, BTreeSet<OrgValue>>;

/// A line of the reference overview: status, since when, nothing personal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReferenceSummary {
    /// The reference.
    pub id: ReferenceId,
    /// Its employee.
    pub employee: EmployeeId,
    /// Kind.
    pub kind: ReferenceKind,
    /// Status.
    pub status: ReferenceStatus,
    /// Since when.
    pub status_since: Timestamp,
    /// Private flag.
    pub private: bool,
    /// Creator.
    pub created_by: UserId,
    /// Created.
    pub created_at: Timestamp,
    /// Last changed ([`Reference::changed_at`](crate::reference::Reference::changed_at)).
    pub changed_at: Timestamp,
    /// The employee's place in the organisation (as the reference's scope
    /// columns hold it).
    pub org: OrgAttributes,
}

/// Where the reference overview continues: the last reference of a page, by
/// the time its order sorts on (creation, or the last status change) and
/// then id. Its [`Cursor`] is bound to the list it was made for — tenant,
/// viewer, scope, filters and order — so that it continues no other list
/// (see [`ReferenceStore::references`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ReferencePosition {
    /// The time the order sorts on.
    pub at: Timestamp,
    /// The reference.
    pub id: ReferenceId,
}

impl ReferencePosition {
    /// The position of a line of the overview in `order`.
    #[must_use]
    pub const fn of(line: &ReferenceSummary, order: ReferenceOrder) -> Self {
        Self {
            at: match order {
                ReferenceOrder::Newest | ReferenceOrder::Oldest => line.created_at,
                ReferenceOrder::LongestWaiting => line.status_since,
            },
            id: line.id,
        }
    }

    /// The cursor that continues this list after this position.
    #[must_use]
    pub fn cursor(&self, filter: &VisibilityFilter, query: &ReferenceQuery) -> Cursor {
        Cursor(format!(
            "{}.{}.{}",
            list_binding(filter, query),
            self.at.unix_timestamp_nanos(),
            self.id
        ))
    }

    /// The position a cursor of this list names.
    ///
    /// # Errors
    /// [`StoreError::InvalidCursor`] when the cursor is malformed or was made for
    /// another list (tenant, viewer, scope or filters).
    pub fn parse(
        cursor: &Cursor,
        filter: &VisibilityFilter,
        query: &ReferenceQuery,
    ) -> Result<Self, StoreError> {
        let mut parts = cursor.0.split('.');
        let (Some(binding), Some(at), Some(id), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(StoreError::InvalidCursor);
        };
        if binding != list_binding(filter, query) {
            return Err(StoreError::InvalidCursor);
        }
        let at: i128 = at.parse().map_err(|_| StoreError::InvalidCursor)?;
        Ok(Self {
            at: Timestamp::from_unix_timestamp_nanos(at).map_err(|_| StoreError::InvalidCursor)?,
            id: id.parse().map_err(|_| StoreError::InvalidCursor)?,
        })
    }
}

/// What a reference-list cursor is bound to: a short hash of the tenant, the
/// viewer, the scope's values (not its `Debug` form, which hides them) and the
/// filters.
fn list_binding(filter: &VisibilityFilter, query: &ReferenceQuery) -> String {
    use sha2::Digest as _;
    use std::fmt::Write as _;
    let mut h = sha2::Sha256::new();
    h.update(filter.tenant().as_bytes());
    h.update(filter.viewer().as_bytes());
    h.update(serde_json::to_vec(filter.scope()).unwrap_or_default());
    h.update(format!("{query:?}").as_bytes());
    // Organisational values are names, whose `Debug` hides them.
    for value in [&query.company, &query.location, &query.department] {
        h.update(b"\0");
        h.update(value.as_ref().map_or("", |v| v.as_str()).as_bytes());
    }
    h.finalize()
        .get(..8)
        .unwrap_or_default()
        .iter()
        .fold(String::new(), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

/// Tenants (installation level: the only store not bounded by a tenant).
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait TenantStore: Send + Sync {
    /// The tenant with this id.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] only; a missing tenant is `Ok(None)`.
    async fn tenant(&self, id: TenantId) -> Result<Option<Tenant>, StoreError>;

    /// The tenant with this slug.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] only.
    async fn tenant_by_slug(&self, slug: &Slug) -> Result<Option<Tenant>, StoreError>;

    /// Every tenant that is not deleted, ordered by slug.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] only.
    async fn tenants(&self) -> Result<Vec<Tenant>, StoreError>;
}

/// User accounts of a tenant.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait UserStore: Send + Sync {
    /// The user with this id in this tenant.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`]; [`StoreError::Gone`] when the tenant's key was
    /// destroyed. A user of another tenant is `Ok(None)`.
    async fn user(
        &self,
        tenant: TenantId,
        id: UserId,
    ) -> Result<Option<Versioned<User>>, StoreError>;

    /// The user with this e-mail address in this tenant (adapters look it up by a
    /// keyed hash of the normalised address).
    ///
    /// # Errors
    /// As [`UserStore::user`].
    async fn user_by_email(
        &self,
        tenant: TenantId,
        email: &Email,
    ) -> Result<Option<Versioned<User>>, StoreError>;

    /// The user linked to this SSO identity in this tenant.
    ///
    /// # Errors
    /// As [`UserStore::user`].
    async fn user_by_sso(
        &self,
        tenant: TenantId,
        identity: &SsoIdentity,
    ) -> Result<Option<Versioned<User>>, StoreError>;

    /// The tenant's users, ordered by id.
    ///
    /// # Errors
    /// As [`UserStore::user`].
    async fn users(&self, tenant: TenantId, page: PageRequest) -> Result<Page<User>, StoreError>;

    /// The tenant's users holding the Administrator role whose accounts are
    /// active (see [`is_active_administrator`](crate::authz::is_active_administrator)):
    /// a locked Administrator cannot step in for another.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`].
    async fn active_administrators(&self, tenant: TenantId)
    -> Result<BTreeSet<UserId>, StoreError>;
}

/// Password hashes, kept apart from the user record so that loading a user never
/// carries the hash along.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait CredentialStore: Send + Sync {
    /// The password hash of a user, if one is set.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`].
    async fn password_hash(
        &self,
        tenant: TenantId,
        user: UserId,
    ) -> Result<Option<PasswordHash>, StoreError>;
}

/// Pending registration and password-reset links.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait ActionStore: Send + Sync {
    /// The pending link whose token has this hash, in this tenant (expired ones
    /// included: the caller decides).
    ///
    /// # Errors
    /// [`StoreError::Unavailable`].
    async fn action(
        &self,
        tenant: TenantId,
        token: &TokenHash,
    ) -> Result<Option<PendingAction>, StoreError>;
}

/// Users' second factors (authenticator secrets, recovery codes).
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait SecondFactorStore: Send + Sync {
    /// The second factors of a user, if any were ever set up.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`]; [`StoreError::Gone`] after crypto-shredding.
    async fn second_factors(
        &self,
        tenant: TenantId,
        user: UserId,
    ) -> Result<Option<Versioned<SecondFactors>>, StoreError>;
}

/// Roles of a tenant.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait RoleStore: Send + Sync {
    /// The role with this id in this tenant.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`].
    async fn role(
        &self,
        tenant: TenantId,
        id: RoleId,
    ) -> Result<Option<Versioned<Role>>, StoreError>;

    /// Every role of the tenant (the Administrator role first).
    ///
    /// # Errors
    /// [`StoreError::Unavailable`].
    async fn roles(&self, tenant: TenantId) -> Result<Vec<Role>, StoreError>;
}

/// Employee master data of a tenant.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait EmployeeStore: Send + Sync {
    /// The employee with this id in this tenant.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`]; [`StoreError::Gone`] after crypto-shredding.
    async fn employee(
        &self,
        tenant: TenantId,
        id: EmployeeId,
    ) -> Result<Option<Versioned<Employee>>, StoreError>;

    /// The tenant's employees that `scope` covers, ordered by id. The query MUST
    /// admit exactly what [`ReferenceScope::covers`] admits (organisational
    /// values compared exactly, case-sensitive).
    ///
    /// # Errors
    /// As [`EmployeeStore::employee`]; a malformed cursor is
    /// [`StoreError::NotFound`].
    async fn employees(
        &self,
        tenant: TenantId,
        scope: &ReferenceScope,
        page: PageRequest,
    ) -> Result<Page<Employee>, StoreError>;

    /// The values of each scope criterion among the tenant's employees that
    /// `scope` covers (the same rule as [`EmployeeStore::employees`]); a
    /// criterion no such employee has a value for is absent.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`].
    async fn org_values(
        &self,
        tenant: TenantId,
        scope: &ReferenceScope,
    ) -> Result<OrgValues, StoreError>;

    /// Id and exit date of every employee of the tenant that has an exit date.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`].
    async fn retention_facts(&self, tenant: TenantId) -> Result<Vec<EmployeeFacts>, StoreError>;
}

/// References of a tenant.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait ReferenceStore: Send + Sync {
    /// The reference with this id in this tenant, **unchecked**: pass it through
    /// [`VisibilityFilter::admit`] before showing it to anyone.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`]; [`StoreError::Gone`] after crypto-shredding.
    async fn reference(
        &self,
        tenant: TenantId,
        id: ReferenceId,
    ) -> Result<Option<Versioned<Reference>>, StoreError>;

    /// The overview: references the filter admits (scope and private flag applied
    /// in the query) and the query's filters, in the query's order,
    /// key-paginated. The query MUST admit exactly
    /// what [`VisibilityFilter::admits`] admits — organisational values compared
    /// exactly, case-sensitive, no collation or normalisation. A cursor is
    /// untrusted input: it only continues the list it came from, and a cursor that
    /// is malformed or made for another tenant or filter is
    /// [`StoreError::NotFound`].
    ///
    /// # Errors
    /// [`StoreError::Unavailable`].
    async fn references(
        &self,
        filter: &VisibilityFilter,
        query: &ReferenceQuery,
        page: PageRequest,
    ) -> Result<Page<ReferenceSummary>, StoreError>;

    /// How many references the filter admits (the same rule as
    /// [`ReferenceStore::references`]).
    ///
    /// # Errors
    /// [`StoreError::Unavailable`].
    async fn count(
        &self,
        filter: &VisibilityFilter,
        query: &ReferenceQuery,
    ) -> Result<u64, StoreError>;

    /// Id, kind and creation time of every reference of the tenant.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`].
    async fn retention_facts(&self, tenant: TenantId) -> Result<Vec<ReferenceFacts>, StoreError>;

    /// Every employee named by a reference of the tenant (subject or signatory),
    /// except by the references listed in `ignoring`.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`].
    async fn named_employees(
        &self,
        tenant: TenantId,
        ignoring: &BTreeSet<ReferenceId>,
    ) -> Result<BTreeSet<EmployeeId>, StoreError>;

    /// The status history of a reference, oldest first.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`].
    async fn status_history(
        &self,
        tenant: TenantId,
        id: ReferenceId,
    ) -> Result<Vec<StatusChange>, StoreError>;

    /// The change log of a reference, oldest first.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`]; [`StoreError::Gone`] after crypto-shredding.
    async fn change_log(
        &self,
        tenant: TenantId,
        id: ReferenceId,
    ) -> Result<Vec<ChangeLogEntry>, StoreError>;
}

/// Handovers of a tenant.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait HandoverStore: Send + Sync {
    /// The handover with this public id in this tenant.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`].
    async fn handover(
        &self,
        tenant: TenantId,
        id: HandoverId,
    ) -> Result<Option<Versioned<Handover>>, StoreError>;

    /// The handovers of a reference, newest first.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`].
    async fn handovers_of(
        &self,
        tenant: TenantId,
        reference: ReferenceId,
    ) -> Result<Vec<Handover>, StoreError>;
}

/// One-time-code challenges.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait ChallengeStore: Send + Sync {
    /// The challenge with this id in this tenant.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`].
    async fn challenge(
        &self,
        tenant: TenantId,
        id: ChallengeId,
    ) -> Result<Option<Versioned<CodeChallenge>>, StoreError>;
}

/// Sessions.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait SessionStore: Send + Sync {
    /// The session with this token hash in this tenant.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`].
    async fn session(
        &self,
        tenant: TenantId,
        token: &TokenHash,
    ) -> Result<Option<Session>, StoreError>;

    /// The sessions of a user, newest first.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`].
    async fn sessions_of(&self, tenant: TenantId, user: UserId)
    -> Result<Vec<Session>, StoreError>;
}

/// Filters for reading the audit log.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AuditQuery {
    /// From this time on.
    pub from: Option<Timestamp>,
    /// Before this time.
    pub until: Option<Timestamp>,
    /// Only this action.
    pub action: Option<AuditAction>,
    /// Only entries by or about this user (as actor, as the user support acted
    /// for, or as target).
    pub user: Option<UserId>,
}

/// Reading the audit log (appending goes through [`super::Write::AppendAudit`]).
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait AuditLog: Send + Sync {
    /// Entries of a tenant, newest first.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`].
    async fn entries(
        &self,
        tenant: TenantId,
        query: &AuditQuery,
        page: PageRequest,
    ) -> Result<Page<AuditEntry>, StoreError>;

    /// Up to `limit` entries of the tenant's chain with `seq > after`, oldest first
    /// (for verifying the chain in batches).
    ///
    /// # Errors
    /// [`StoreError::Unavailable`].
    async fn chain_after(
        &self,
        tenant: TenantId,
        after: u64,
        limit: u32,
    ) -> Result<Vec<AuditEntry>, StoreError>;
}

/// A tenant's phrase library and reference formatting (its defaults until first
/// saved, at version 0).
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait LibraryStore: Send + Sync {
    /// The phrase library: [`PhraseLibrary::german_default`] at version 0 until
    /// the tenant saves its own.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`].
    async fn phrase_library(
        &self,
        tenant: TenantId,
    ) -> Result<Versioned<PhraseLibrary>, StoreError>;

    /// The reference formatting: the default at version 0 until saved.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`].
    async fn letter_formatting(
        &self,
        tenant: TenantId,
    ) -> Result<Versioned<LetterFormatting>, StoreError>;
}

/// A tenant's settings.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait SettingsStore: Send + Sync {
    /// The tenant's settings; the defaults at version 0 when none were saved.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`].
    async fn settings(&self, tenant: TenantId) -> Result<Versioned<TenantSettings>, StoreError>;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::Permissions;
    use crate::authz::Actor;

    fn filter(viewer: u8) -> VisibilityFilter {
        Actor::new(
            TenantId::from_bytes([1; 16]),
            UserId::from_bytes([viewer; 16]),
            Permissions::all(),
            true,
            ReferenceScope::Administrator,
        )
        .visibility()
    }

    #[test]
    fn a_reference_cursor_continues_only_the_list_it_was_made_for() {
        let position = ReferencePosition {
            at: Timestamp::UNIX_EPOCH + time::Duration::nanoseconds(1_750_000_000_123),
            id: ReferenceId::from_bytes([7; 16]),
        };
        let all = ReferenceQuery::default();
        let cursor = position.cursor(&filter(1), &all);
        assert_eq!(
            ReferencePosition::parse(&cursor, &filter(1), &all),
            Ok(position)
        );
        let drafts = ReferenceQuery {
            status: Some(ReferenceStatus::Draft),
            ..ReferenceQuery::default()
        };
        let oldest = ReferenceQuery {
            order: ReferenceOrder::Oldest,
            ..ReferenceQuery::default()
        };
        let at = |place: &str| ReferenceQuery {
            location: Some(OrgValue::new(place).unwrap()),
            ..ReferenceQuery::default()
        };
        let bonn = at("Bonn");
        let from_bonn = position.cursor(&filter(1), &bonn);
        assert!(ReferencePosition::parse(&from_bonn, &filter(1), &bonn).is_ok());
        assert_eq!(
            ReferencePosition::parse(&from_bonn, &filter(1), &at("Köln")),
            Err(StoreError::InvalidCursor),
            "the filter's value binds the cursor, though names hide in Debug"
        );
        let koeln = at("Köln");
        for (f, q) in [
            (filter(2), &all),
            (filter(1), &drafts),
            (filter(1), &oldest),
            (filter(1), &koeln),
        ] {
            assert_eq!(
                ReferencePosition::parse(&cursor, &f, q),
                Err(StoreError::InvalidCursor)
            );
        }
        for garbage in ["", "x.1.zz", "a.b.c.d", &format!("{}.", cursor.0)] {
            assert_eq!(
                ReferencePosition::parse(&Cursor(garbage.to_owned()), &filter(1), &all),
                Err(StoreError::InvalidCursor),
                "{garbage}"
            );
        }
    }
}
