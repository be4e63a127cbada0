use std::fmt;

use async_trait::async_trait;

use crate::access::Role;
use crate::action::{ActionPurpose, PendingAction};
use crate::audit::AuditEvent;
use crate::authz::WritableReference;
use crate::document::LetterFormatting;
use crate::employee::Employee;
use crate::handover::Handover;
use crate::id::{ChallengeId, EmployeeId, MessageId, ReferenceId, RoleId, TenantId, UserId};
use crate::otp::CodeChallenge;
use crate::phrases::PhraseLibrary;
use crate::reference::{ChangeLogEntry, Reference};
use crate::second_factor::SecondFactors;
use crate::session::Session;
use crate::settings::TenantSettings;
use crate::tenant::Tenant;
use crate::token::{HandoverId, TokenHash};
use crate::user::User;
use crate::values::Timestamp;

use super::{OutgoingMessage, PasswordHash, StoreError, Version};

/// One write of a [`ChangeSet`].
///
/// Inserts fail with [`StoreError::Conflict`] when the record (or a unique value
/// of it, like a user's e-mail) exists; updates name the [`Version`] they read and
/// fail with [`StoreError::Conflict`] when it changed, or [`StoreError::NotFound`]
/// when the record is gone; deletes of a missing record fail with
/// [`StoreError::NotFound`].
///
/// Not `#[non_exhaustive]` on purpose: a storage adapter matches every write
/// without a catch-all, so a new kind of write fails to compile in every
/// adapter instead of failing at run time.
#[derive(Debug, Clone, PartialEq)]
pub enum Write {
    /// Create a tenant (its change set's tenant must be the new tenant).
    InsertTenant(Tenant),
    /// Update a tenant (status, name).
    UpdateTenant(Tenant),
    /// Delete all of a tenant's data — users, roles, employees, references and
    /// everything that hangs off them, sessions, challenges, settings, queued
    /// messages, the audit log and the tenant's key material (real deletion; the
    /// tenant row stays as a tombstone with status deleted).
    PurgeTenantData,
    /// Create a user.
    InsertUser(User),
    /// Update a user read at `Version`.
    UpdateUser(User, Version),
    /// Delete a user (and their sessions and credentials).
    DeleteUser(UserId),
    /// Set or replace a user's password hash.
    SetPasswordHash(UserId, PasswordHash),
    /// Store a pending registration or reset link.
    InsertAction(PendingAction),
    /// Redeem a pending link: delete it; [`StoreError::NotFound`] when it is
    /// gone (already used), so of two parallel redemptions only one commits.
    ConsumeAction(TokenHash),
    /// Delete a user's pending links of one purpose (no error if none).
    DeleteActionsOfUser(UserId, ActionPurpose),
    /// Save a user's second factors: `None` when none were saved before (an
    /// insert), else the version read.
    SaveSecondFactors(SecondFactors, Option<Version>),
    /// Remove a user's second factors (no error if none).
    DeleteSecondFactors(UserId),
    /// Create a role.
    InsertRole(Role),
    /// Update a role read at `Version`.
    UpdateRole(Role, Version),
    /// Delete a role (fails with [`StoreError::Conflict`] while users hold it).
    DeleteRole(RoleId),
    /// Create an employee record.
    InsertEmployee(Employee),
    /// Update an employee record read at `Version`. The adapter MUST copy the
    /// new organisational attributes to the employee's references in the same
    /// transaction (scopes filter references by them).
    UpdateEmployee(Employee, Version),
    /// Delete an employee record. [`ChangeSet::push`] adds the precondition
    /// [`Precondition::EmployeeUnreferenced`] for it, so while a reference names
    /// the employee (as subject or signatory) the whole change set fails with
    /// [`StoreError::PreconditionFailed`]`(`[`Precondition::EmployeeUnreferenced`]`)`.
    DeleteEmployee(EmployeeId),
    /// Create a reference.
    InsertReference(Reference),
    /// Update a reference read at `Version`; only a checked reference can be
    /// written (see [`WritableReference`]).
    UpdateReference(WritableReference, Version),
    /// Delete a reference with its change log, status history, stored documents
    /// and handovers, and with those handovers' challenges and sessions. Audit
    /// entries stay (they hold no content).
    DeleteReference(ReferenceId),
    /// Append to a reference's status history.
    AppendStatusChange(crate::authz::StatusTransition),
    /// Append to a reference's change log.
    AppendChangeLog(ChangeLogEntry),
    /// Create a handover.
    InsertHandover(Handover),
    /// Update a handover read at `Version`.
    UpdateHandover(Handover, Version),
    /// Create a code challenge.
    InsertChallenge(CodeChallenge),
    /// Update a code challenge read at `Version` (attempt counted, used).
    UpdateChallenge(CodeChallenge, Version),
    /// Delete a code challenge.
    DeleteChallenge(ChallengeId),
    /// Start a session.
    InsertSession(Session),
    /// Record use of a session.
    TouchSession(TokenHash, Timestamp),
    /// End one session (no error if already gone).
    DeleteSession(TokenHash),
    /// End one session that must still exist: [`StoreError::NotFound`] when it
    /// is gone, so of two requests that replace the same session only one
    /// commits.
    ConsumeSession(TokenHash),
    /// End every session of a user (no error if none).
    DeleteSessionsOfUser(UserId),
    /// End every session of a user but the one with this token hash (no error if
    /// none).
    DeleteOtherSessionsOfUser(UserId, TokenHash),
    /// End every session bound to a handover (no error if none).
    DeleteSessionsOfHandover(HandoverId),
    /// Save the tenant's settings; `None` when none were saved before.
    SaveSettings(TenantSettings, Option<Version>),
    /// Saves the tenant's phrase library (`None`: the first save, from the
    /// default at version 0).
    SavePhraseLibrary(Box<PhraseLibrary>, Option<Version>),
    /// Saves the tenant's reference formatting (`None`: the first save).
    SaveLetterFormatting(Box<LetterFormatting>, Option<Version>),
    /// Append to the tenant's audit chain: the adapter links it to the chain's
    /// head with [`AuditEntry::at`](crate::audit::AuditEntry::at) under the
    /// tenant's [`ChainKey`](crate::audit::ChainKey), serialising appends per
    /// tenant. Sequence numbers continue after retention purges old entries.
    /// The event's tenant must be the change set's (installation-level operator
    /// events need their own log).
    AppendAudit(AuditEvent),
    /// Delete the tenant's audit entries older than this instant, and the
    /// outbox's failure records queued before it.
    PurgeAuditBefore(Timestamp),
    /// Delete what can no longer be used: registration and reset links and
    /// code challenges expired at `now`, and sessions last seen at or before
    /// `idle_since` (the core passes `now` less
    /// [`SessionTimeouts::MAX_IDLE`](crate::settings::SessionTimeouts::MAX_IDLE)).
    PurgeExpired {
        /// Links and challenges expiring at or before this instant go.
        now: Timestamp,
        /// Sessions last used at or before this instant go.
        idle_since: Timestamp,
    },
    /// Queue a message for delivery (delivered only if the change set commits).
    Enqueue(OutgoingMessage),
    /// A queued message failed for good: delete its body (recipient,
    /// parameters) and keep only a record of the failure (kind and times).
    /// Names the claim's end ([`ClaimedMessage::lease_until`](super::ClaimedMessage::lease_until));
    /// fails with [`StoreError::NotFound`] when the message is gone or claimed
    /// by someone else since.
    FailMessage(MessageId, Timestamp),
}

impl Write {
    /// The tenant the written record belongs to, where it carries one.
    fn tenant(&self) -> Option<TenantId> {
        match self {
            Write::InsertTenant(t) | Write::UpdateTenant(t) => Some(t.id),
            Write::InsertUser(u) | Write::UpdateUser(u, _) => Some(u.tenant),
            Write::InsertRole(r) | Write::UpdateRole(r, _) => Some(r.tenant),
            Write::InsertEmployee(e) | Write::UpdateEmployee(e, _) => Some(e.tenant),
            Write::InsertReference(r) => Some(r.tenant),
            Write::UpdateReference(r, _) => Some(r.tenant()),
            Write::AppendStatusChange(s) => Some(s.tenant),
            Write::AppendChangeLog(c) => Some(c.tenant),
            Write::InsertHandover(h) | Write::UpdateHandover(h, _) => Some(h.tenant),
            Write::InsertChallenge(c) | Write::UpdateChallenge(c, _) => Some(c.tenant),
            Write::InsertSession(s) => Some(s.tenant),
            Write::InsertAction(a) => Some(a.tenant),
            Write::AppendAudit(e) => e.tenant,
            Write::Enqueue(m) => Some(m.tenant),
            Write::PurgeTenantData
            | Write::DeleteUser(_)
            | Write::SetPasswordHash(..)
            | Write::ConsumeAction(_)
            | Write::SaveSecondFactors(..)
            | Write::DeleteSecondFactors(_)
            | Write::DeleteActionsOfUser(..)
            | Write::DeleteRole(_)
            | Write::DeleteEmployee(_)
            | Write::DeleteReference(_)
            | Write::DeleteChallenge(_)
            | Write::TouchSession(..)
            | Write::DeleteSession(_)
            | Write::ConsumeSession(_)
            | Write::DeleteSessionsOfUser(_)
            | Write::DeleteOtherSessionsOfUser(..)
            | Write::DeleteSessionsOfHandover(_)
            | Write::SaveSettings(..)
            | Write::SavePhraseLibrary(..)
            | Write::SaveLetterFormatting(..)
            | Write::PurgeAuditBefore(_)
            | Write::PurgeExpired { .. }
            | Write::FailMessage(..) => None,
        }
    }

    fn carries_tenant(&self) -> bool {
        !matches!(self, Write::AppendAudit(e) if e.tenant.is_none())
    }
}

/// A condition the adapter checks inside the transaction, after applying the
/// writes and before committing; if it does not hold, nothing is written.
///
/// Exhaustive for the same reason as [`Write`]: an adapter checks every one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Precondition {
    /// The tenant still has at least one user with the Administrator role whose
    /// account is active.
    /// Services add it only to change sets that take an active Administrator away
    /// (demote, deactivate, delete), after
    /// [`ensure_administrator_remains`](crate::authz::ensure_administrator_remains)
    /// passed; the adapter's check closes the race between two such changes.
    AdministratorRemains,
    /// No reference names this employee (as subject or signatory).
    EmployeeUnreferenced(EmployeeId),
    /// The change set's tenant is the only one of the installation (the first
    /// start's setup). The adapter serialises such change sets across
    /// instances, so that two setups cannot both commit.
    OnlyTenant,
}

impl fmt::Display for Precondition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Precondition::AdministratorRemains => f.write_str(
                "the last active Administrator cannot be removed, demoted or deactivated",
            ),
            Precondition::EmployeeUnreferenced(_) => {
                f.write_str("the employee is still named by a reference (as subject or signatory)")
            }
            Precondition::OnlyTenant => f.write_str("the installation has an organisation already"),
        }
    }
}

/// Writes to one tenant's data that must commit together or not at all.
#[derive(Debug, Clone, PartialEq)]
#[must_use = "a change set does nothing until it is committed"]
pub struct ChangeSet {
    tenant: TenantId,
    writes: Vec<Write>,
    preconditions: Vec<Precondition>,
}

impl ChangeSet {
    /// An empty change set for `tenant`.
    pub fn new(tenant: TenantId) -> Self {
        Self {
            tenant,
            writes: Vec::new(),
            preconditions: Vec::new(),
        }
    }

    /// Adds a write (applied in the order added). A
    /// [`Write::DeleteEmployee`] brings its precondition
    /// [`Precondition::EmployeeUnreferenced`] with it.
    pub fn push(&mut self, write: Write) -> &mut Self {
        if let Write::DeleteEmployee(id) = write {
            self.require(Precondition::EmployeeUnreferenced(id));
        }
        self.writes.push(write);
        self
    }

    /// Adds a precondition.
    pub fn require(&mut self, precondition: Precondition) -> &mut Self {
        if !self.preconditions.contains(&precondition) {
            self.preconditions.push(precondition);
        }
        self
    }

    /// The tenant.
    #[must_use]
    pub const fn tenant(&self) -> TenantId {
        self.tenant
    }

    /// The writes, in order.
    #[must_use]
    pub fn writes(&self) -> &[Write] {
        &self.writes
    }

    /// The preconditions.
    #[must_use]
    pub fn preconditions(&self) -> &[Precondition] {
        &self.preconditions
    }

    /// Whether there is nothing to write.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.writes.is_empty()
    }

    /// Takes the writes out for an adapter, after [`ChangeSet::check_tenant`].
    ///
    /// # Errors
    /// [`StoreError::TenantMismatch`].
    pub fn into_parts(self) -> Result<(TenantId, Vec<Write>, Vec<Precondition>), StoreError> {
        self.check_tenant()?;
        Ok((self.tenant, self.writes, self.preconditions))
    }

    /// Checks that every record written belongs to the change set's tenant.
    /// Adapters call this before writing anything.
    ///
    /// # Errors
    /// [`StoreError::TenantMismatch`].
    pub fn check_tenant(&self) -> Result<(), StoreError> {
        let foreign = self
            .writes
            .iter()
            .any(|w| !w.carries_tenant() || w.tenant().is_some_and(|t| t != self.tenant));
        if foreign {
            Err(StoreError::TenantMismatch)
        } else {
            Ok(())
        }
    }
}

/// Commits change sets atomically.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait UnitOfWork: Send + Sync {
    /// Applies every write of `changes` in order in one transaction, checks the
    /// preconditions, and commits durably — or writes nothing at all.
    ///
    /// Every write is bounded by the change set's tenant: a write that names a
    /// record by id alone (a delete, a password hash) touches only that tenant's
    /// record, and an id of another tenant behaves exactly like a missing one.
    ///
    /// # Errors
    /// [`StoreError::TenantMismatch`] (see [`ChangeSet::check_tenant`]);
    /// [`StoreError::Conflict`] for a duplicate or a stale version;
    /// [`StoreError::NotFound`] for an update or delete of a missing record;
    /// [`StoreError::PreconditionFailed`] naming the failed precondition;
    /// [`StoreError::Unavailable`] when the database failed. In every error case
    /// nothing of the change set is visible afterwards.
    async fn commit(&self, changes: ChangeSet) -> Result<(), StoreError>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deleting_an_employee_requires_that_no_reference_names_it() {
        let tenant = TenantId::from_bytes([1; 16]);
        let (a, b) = (
            EmployeeId::from_bytes([2; 16]),
            EmployeeId::from_bytes([3; 16]),
        );
        let mut cs = ChangeSet::new(tenant);
        cs.push(Write::DeleteEmployee(a))
            .require(Precondition::EmployeeUnreferenced(a))
            .push(Write::DeleteEmployee(b));
        assert_eq!(
            cs.preconditions(),
            &[
                Precondition::EmployeeUnreferenced(a),
                Precondition::EmployeeUnreferenced(b)
            ]
        );
    }
}
