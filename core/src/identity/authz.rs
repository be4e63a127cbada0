//! Authorisation, decided in one place.
//!
//! * **Areas**: [`Actor::require`] checks the role's level for an area and returns
//!   an [`AreaGrant`] — a value only this module makes, which services take as proof.
//! * **References**: [`Actor::visibility`] yields the [`VisibilityFilter`] that
//!   decides which references exist for this actor (scope and private flag).
//!   Storage adapters translate it into their query; [`VisibilityFilter::admit`]
//!   wraps a loaded reference into [`Visible`] only if the filter admits it, so a
//!   handler cannot return an unchecked reference by mistake.
//! * **No escalation**: [`Actor::check_role_permissions`] and
//!   [`Actor::check_assignment`] refuse to grant anything the actor does not hold.
//! * **Last Administrator**: [`ensure_administrator_remains`] refuses a change that
//!   would leave the tenant without an active Administrator.
//!
//! ```
//! use zeugnis_core::access::{AccessLevel, Area, Permissions};
//! use zeugnis_core::authz::{Actor, AccessError};
//! use zeugnis_core::id::{TenantId, UserId};
//! use zeugnis_core::scope::{ReferenceScope, Restriction};
//!
//! let hr = Actor::new(
//!     TenantId::from_bytes([1; 16]), UserId::from_bytes([2; 16]),
//!     Permissions::none().with(Area::Roles, AccessLevel::ReadWrite).with(Area::Employees, AccessLevel::Read),
//!     false, ReferenceScope::Restricted(Restriction::unrestricted()),
//! );
//! let too_much = Permissions::none().with(Area::Employees, AccessLevel::ReadWrite);
//! assert_eq!(
//!     hr.check_role_permissions(&too_much).unwrap_err(),
//!     AccessError::Escalation { areas: vec![Area::Employees] },
//! );
//! ```

use std::collections::BTreeSet;
use std::ops::Deref;

use crate::access::{AccessLevel, Area, Permissions, Role};
use crate::employee::{Employee, OrgAttributes};
use crate::id::{OperatorId, ReferenceId, TenantId, UserId};
use crate::matrix::AuthorizedUpdate;
use crate::reference::{
    Reference, ReferenceStatus, Section, SectionContent, StatusActor, StatusChange, TransitionError,
};
use crate::scope::ReferenceScope;
use crate::user::{User, UserStatus};
use crate::values::Timestamp;

/// An access the rules refuse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AccessError {
    /// The role does not open this area at the needed level.
    #[error("your role does not allow {needed:?} access to {area}")]
    Forbidden {
        /// The area.
        area: Area,
        /// The level that was needed.
        needed: AccessLevel,
    },
    /// The thing does not exist for this actor (also when it exists but is outside
    /// their scope or private: the two cases are indistinguishable).
    #[error("not found")]
    NotFound,
    /// A role or assignment would grant areas the actor does not hold.
    #[error("you cannot grant more than you hold yourself: {}", areas.iter().map(|a| a.key()).collect::<Vec<_>>().join(", "))]
    Escalation {
        /// The areas above the actor's own level.
        areas: Vec<Area>,
    },
    /// A reference scope wider than the actor's own.
    #[error("you cannot grant a reference access scope wider than your own")]
    ScopeEscalation,
    /// The change would leave the tenant without an active Administrator.
    #[error("the last active Administrator cannot be removed, demoted or deactivated")]
    LastAdministrator,
    /// The account is not active.
    #[error("the account is not active")]
    Inactive,
}

/// How the actor came in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Via {
    /// The user themselves.
    Direct,
    /// Vendor support during a granted support period (audited as support).
    Support(OperatorId),
}

/// Someone acting within a tenant, with what their role and scope allow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    tenant: TenantId,
    user: UserId,
    permissions: Permissions,
    administrator_role: bool,
    scope: ReferenceScope,
    via: Via,
}

impl Actor {
    /// An actor with the given rights, for callers that already checked the
    /// account (prefer [`Actor::for_user`]). This is the trust boundary of the
    /// proof values: build actors only from an authenticated session, never from
    /// request input.
    #[must_use]
    pub fn new(
        tenant: TenantId,
        user: UserId,
        permissions: Permissions,
        administrator_role: bool,
        scope: ReferenceScope,
    ) -> Self {
        let permissions = if administrator_role {
            Permissions::all()
        } else {
            permissions
        };
        Self {
            tenant,
            user,
            permissions,
            administrator_role,
            scope,
            via: Via::Direct,
        }
    }

    /// The actor for an active user with their role.
    ///
    /// # Errors
    /// [`AccessError::Inactive`] unless the account is active;
    /// [`AccessError::NotFound`] if the role belongs to another tenant or is not
    /// the user's.
    pub fn for_user(user: &User, role: &Role) -> Result<Self, AccessError> {
        if user.status != UserStatus::Active {
            return Err(AccessError::Inactive);
        }
        if role.tenant != user.tenant || role.id != user.role {
            return Err(AccessError::NotFound);
        }
        Ok(Self::new(
            user.tenant,
            user.id,
            role.permissions(),
            role.is_administrator(),
            user.scope.clone(),
        ))
    }

    /// The same actor, marked as support acting for the tenant.
    #[must_use]
    pub fn as_support(mut self, operator: OperatorId) -> Self {
        self.via = Via::Support(operator);
        self
    }

    /// The tenant.
    #[must_use]
    pub const fn tenant(&self) -> TenantId {
        self.tenant
    }

    /// The user.
    #[must_use]
    pub const fn user(&self) -> UserId {
        self.user
    }

    /// How the actor came in.
    #[must_use]
    pub const fn via(&self) -> Via {
        self.via
    }

    /// The actor's permissions.
    #[must_use]
    pub const fn permissions(&self) -> &Permissions {
        &self.permissions
    }

    /// The actor's reference scope.
    #[must_use]
    pub const fn scope(&self) -> &ReferenceScope {
        &self.scope
    }

    /// Whether the actor holds the built-in Administrator role.
    #[must_use]
    pub const fn has_administrator_role(&self) -> bool {
        self.administrator_role
    }

    /// Checks an area.
    ///
    /// # Errors
    /// [`AccessError::Forbidden`].
    pub fn require(&self, area: Area, needed: AccessLevel) -> Result<AreaGrant, AccessError> {
        if self.permissions.allows(area, needed) {
            Ok(AreaGrant {
                tenant: self.tenant,
                area,
                level: needed,
            })
        } else {
            Err(AccessError::Forbidden { area, needed })
        }
    }

    /// The filter deciding which references exist for this actor.
    #[must_use]
    pub fn visibility(&self) -> VisibilityFilter {
        VisibilityFilter {
            tenant: self.tenant,
            viewer: self.user,
            scope: self.scope.clone(),
        }
    }

    /// Checks that a role with `proposed` permissions may be created or saved by
    /// this actor: it needs read+write on Roles, and the result must not exceed
    /// the actor's own permissions in any area (whatever the role held before).
    ///
    /// # Errors
    /// [`AccessError::Forbidden`] or [`AccessError::Escalation`].
    pub fn check_role_permissions(&self, proposed: &Permissions) -> Result<(), AccessError> {
        self.require(Area::Roles, AccessLevel::ReadWrite)?;
        let areas = proposed.exceeding(&self.permissions);
        if areas.is_empty() {
            Ok(())
        } else {
            Err(AccessError::Escalation { areas })
        }
    }

    /// Checks that this actor may give a user `role` and `scope`: read+write on
    /// Users, the role within the actor's permissions (so only Administrators
    /// assign the Administrator role), and the scope within the actor's scope.
    ///
    /// # Errors
    /// [`AccessError::Forbidden`], [`AccessError::Escalation`],
    /// [`AccessError::ScopeEscalation`].
    pub fn check_assignment(&self, role: &Role, scope: &ReferenceScope) -> Result<(), AccessError> {
        self.require(Area::Users, AccessLevel::ReadWrite)?;
        if role.tenant != self.tenant {
            return Err(AccessError::NotFound);
        }
        if role.is_administrator() && !self.administrator_role {
            return Err(AccessError::Escalation {
                areas: Permissions::all().exceeding(&self.permissions),
            });
        }
        let areas = role.permissions().exceeding(&self.permissions);
        if !areas.is_empty() {
            return Err(AccessError::Escalation { areas });
        }
        if !scope.is_within(&self.scope) {
            return Err(AccessError::ScopeEscalation);
        }
        Ok(())
    }

    /// Checks that this actor may change, deactivate, unlock or delete a user who
    /// now holds `current_role` and `current_scope`: the same rule as for
    /// granting them, so nobody can act on an account with more rights than their
    /// own (a user without the Administrator role cannot demote or deactivate an
    /// Administrator). Changing a user's role or scope needs this check for the
    /// current values and [`Actor::check_assignment`] for the new ones.
    ///
    /// # Errors
    /// As [`Actor::check_assignment`].
    pub fn check_manage_user(
        &self,
        current_role: &Role,
        current_scope: &ReferenceScope,
    ) -> Result<(), AccessError> {
        self.check_assignment(current_role, current_scope)
    }
}

/// Proof that an area check passed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AreaGrant {
    tenant: TenantId,
    area: Area,
    level: AccessLevel,
}

impl AreaGrant {
    /// The tenant the grant is for.
    #[must_use]
    pub const fn tenant(&self) -> TenantId {
        self.tenant
    }

    /// The area.
    #[must_use]
    pub const fn area(&self) -> Area {
        self.area
    }

    /// The level granted.
    #[must_use]
    pub const fn level(&self) -> AccessLevel {
        self.level
    }
}

/// The facts about a reference that visibility depends on.
#[derive(Debug, Clone, Copy)]
pub struct VisibilityFacts<'a> {
    /// The tenant.
    pub tenant: TenantId,
    /// The employee's organisational attributes.
    pub org: &'a OrgAttributes,
    /// The private flag.
    pub private: bool,
    /// The creator.
    pub created_by: UserId,
}

impl<'a> From<&'a Reference> for VisibilityFacts<'a> {
    fn from(r: &'a Reference) -> Self {
        Self {
            tenant: r.tenant,
            org: &r.org,
            private: r.private,
            created_by: r.created_by,
        }
    }
}

/// Which references exist for one viewer. Only [`Actor::visibility`] makes one.
///
/// The rule: same tenant; the scope covers the employee's attributes; and a
/// private reference only for its creator or an Administrator scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VisibilityFilter {
    tenant: TenantId,
    viewer: UserId,
    scope: ReferenceScope,
}

impl VisibilityFilter {
    /// The tenant (storage adapters bound their query by it).
    #[must_use]
    pub const fn tenant(&self) -> TenantId {
        self.tenant
    }

    /// The viewer (private references of this user are visible).
    #[must_use]
    pub const fn viewer(&self) -> UserId {
        self.viewer
    }

    /// The viewer's scope (adapters translate a restriction into conditions).
    #[must_use]
    pub const fn scope(&self) -> &ReferenceScope {
        &self.scope
    }

    /// Whether a reference with these facts is visible.
    #[must_use]
    pub fn admits(&self, facts: VisibilityFacts<'_>) -> bool {
        facts.tenant == self.tenant
            && self.scope.covers(facts.org)
            && (!facts.private || self.scope.is_administrator() || facts.created_by == self.viewer)
    }

    /// Wraps a reference as [`Visible`] if the filter admits it.
    ///
    /// # Errors
    /// [`AccessError::NotFound`] otherwise — the same answer as for a reference
    /// that does not exist.
    pub fn admit(&self, reference: Reference) -> Result<Visible<Reference>, AccessError> {
        if self.admits(VisibilityFacts::from(&reference)) {
            Ok(Visible(reference))
        } else {
            Err(AccessError::NotFound)
        }
    }
}

impl VisibilityFilter {
    /// Whether an employee record is visible: same tenant, and the scope
    /// covers its organisational attributes (employees have no private flag).
    #[must_use]
    pub fn admits_employee(&self, employee: &Employee) -> bool {
        employee.tenant == self.tenant && self.scope.covers(&employee.org)
    }

    /// Wraps an employee record as [`Visible`] if the filter admits it.
    ///
    /// # Errors
    /// [`AccessError::NotFound`] otherwise — the same answer as for an employee
    /// that does not exist.
    pub fn admit_employee(&self, employee: Employee) -> Result<Visible<Employee>, AccessError> {
        if self.admits_employee(&employee) {
            Ok(Visible(employee))
        } else {
            Err(AccessError::NotFound)
        }
    }
}

/// A value that passed the visibility check: [`VisibilityFilter::admit`]
/// and [`VisibilityFilter::admit_employee`] are the only ways to make one.
///
/// Wrapping a value that skipped the filter does not compile:
///
/// ```compile_fail,E0423
/// use zeugnis_core::authz::Visible;
/// use zeugnis_core::employee::Employee;
///
/// fn skip_the_filter(employee: Employee) -> Visible<Employee> {
///     Visible(employee) // the field is private to the core
/// }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Visible<T>(T);

impl<T> Visible<T> {
    /// The checked value.
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> Deref for Visible<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

/// A reference a change set may store ([`Write::UpdateReference`]).
///
/// Only two ways make one, both in this module: a reference the writer may see
/// together with the Employees area granted for writing
/// ([`Visible::writable`]), or a link holder's save that the handover's matrix
/// accepted ([`holder_write`]). A write of a reference that skipped its check
/// therefore does not compile. The reference's id and tenant are fixed when it
/// is checked; the store writes that row, whatever the content says.
///
/// A change set that stores a reference nobody checked is refused by the
/// compiler:
///
/// ```compile_fail,E0308
/// use zeugnis_core::ports::{ChangeSet, Version, Write};
/// use zeugnis_core::reference::Reference;
///
/// fn store_unchecked(cs: &mut ChangeSet, reference: Reference, version: Version) {
///     cs.push(Write::UpdateReference(reference, version)); // wants a WritableReference
/// }
/// ```
///
/// and so is making the proof by hand:
///
/// ```compile_fail,E0451
/// use zeugnis_core::authz::WritableReference;
/// use zeugnis_core::reference::Reference;
///
/// fn forge(reference: Reference) -> WritableReference {
///     WritableReference { id: reference.id, tenant: reference.tenant, reference }
/// }
/// ```
///
/// [`Write::UpdateReference`]: crate::ports::Write::UpdateReference
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WritableReference {
    reference: Reference,
    id: ReferenceId,
    tenant: TenantId,
}

impl WritableReference {
    fn new(reference: Reference) -> Self {
        Self {
            id: reference.id,
            tenant: reference.tenant,
            reference,
        }
    }

    /// The reference as it will be stored.
    #[must_use]
    pub const fn reference(&self) -> &Reference {
        &self.reference
    }

    /// The reference, to change before it is stored.
    pub fn reference_mut(&mut self) -> &mut Reference {
        &mut self.reference
    }

    /// The id the check was made for.
    #[must_use]
    pub const fn id(&self) -> ReferenceId {
        self.id
    }

    /// The tenant the check was made for.
    #[must_use]
    pub const fn tenant(&self) -> TenantId {
        self.tenant
    }

    /// The reference, leaving the proof behind.
    #[must_use]
    pub fn into_inner(self) -> Reference {
        self.reference
    }

    /// Moves the reference to another status as the workflow allows, returning
    /// the proof for its history entry.
    ///
    /// # Errors
    /// [`TransitionError`] when the workflow does not allow it.
    pub fn change_status(
        &mut self,
        to: ReferenceStatus,
        by: StatusActor,
        at: Timestamp,
    ) -> Result<StatusTransition, TransitionError> {
        self.reference
            .change_status(to, by, at)
            .map(StatusTransition)
    }
}

/// A status change the workflow allowed on a reference that passed its check:
/// made only by [`WritableReference::change_status`], so a status history entry
/// ([`Write::AppendStatusChange`]) always names a transition that was checked.
/// It reads as the [`StatusChange`] it records (from, to, who, when).
///
/// A history entry for a transition nobody checked does not compile:
///
/// ```compile_fail,E0423
/// use zeugnis_core::authz::StatusTransition;
/// use zeugnis_core::reference::StatusChange;
///
/// fn forge(change: StatusChange) -> StatusTransition {
///     StatusTransition(change) // the field is private to the core
/// }
/// ```
///
/// [`Write::AppendStatusChange`]: crate::ports::Write::AppendStatusChange
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusTransition(StatusChange);

impl StatusTransition {
    /// The history entry.
    #[must_use]
    pub fn into_change(self) -> StatusChange {
        self.0
    }
}

impl Deref for StatusTransition {
    type Target = StatusChange;
    fn deref(&self) -> &StatusChange {
        &self.0
    }
}

impl Visible<Reference> {
    /// A visible reference made writable by a grant of the Employees area for
    /// writing in the reference's tenant.
    ///
    /// # Errors
    /// [`AccessError::Forbidden`] for any other grant.
    pub fn writable(self, grant: AreaGrant) -> Result<WritableReference, AccessError> {
        if grant.area == Area::Employees
            && grant.level == AccessLevel::ReadWrite
            && grant.tenant == self.0.tenant
        {
            Ok(WritableReference::new(self.0))
        } else {
            Err(AccessError::Forbidden {
                area: Area::Employees,
                needed: AccessLevel::ReadWrite,
            })
        }
    }
}

/// A link holder's save: applies the update the handover's matrix accepted to
/// `reference` and makes it writable. Returns `(section, before, after)` for
/// every section that changed.
#[must_use]
pub fn holder_write(
    mut reference: Reference,
    update: AuthorizedUpdate,
) -> (
    WritableReference,
    Vec<(Section, Option<SectionContent>, SectionContent)>,
) {
    let changed = update.apply_to(&mut reference.content);
    (WritableReference::new(reference), changed)
}

/// The reference a finished handover gives back to HR (its status returns to
/// draft): the handover itself is the proof.
///
/// # Errors
/// [`AccessError::NotFound`] when the handover is not one of this reference.
pub fn returned_by_handover(
    reference: Reference,
    handover: &crate::handover::Handover,
) -> Result<WritableReference, AccessError> {
    if handover.reference == reference.id && handover.tenant == reference.tenant {
        Ok(WritableReference::new(reference))
    } else {
        Err(AccessError::NotFound)
    }
}

/// Whether a user is an active Administrator: the Administrator role on an
/// account with status active. Locked, invited and deactivated accounts cannot
/// act, so they do not count.
#[must_use]
pub fn is_active_administrator(status: UserStatus, role: &Role) -> bool {
    status == UserStatus::Active && role.is_administrator()
}

/// Whether a user holds the Administrator role on an account in service (active,
/// or locked by failed logins — a lock is lifted again). Taking such an account
/// away (demote, deactivate, delete) is what [`ensure_administrator_remains`]
/// guards.
#[must_use]
pub fn holds_administrator(status: UserStatus, role: &Role) -> bool {
    matches!(status, UserStatus::Active | UserStatus::Locked) && role.is_administrator()
}

/// Checks that a change to `user` does not leave the tenant without an active
/// Administrator. `active_administrators` are the tenant's active Administrators
/// before the change; `takes_away_administrator` says whether the change takes an
/// Administrator away: `user` [holds the Administrator role](holds_administrator)
/// before and not after it (demoted, deactivated or deleted).
///
/// Such a change needs another *active* Administrator: a locked one cannot step
/// in. Changes that take no Administrator away always pass, even in a tenant whose
/// only Administrator is locked, so the rest of the tenant can still be managed.
///
/// # Errors
/// [`AccessError::LastAdministrator`].
pub fn ensure_administrator_remains(
    active_administrators: &BTreeSet<UserId>,
    user: UserId,
    takes_away_administrator: bool,
) -> Result<(), AccessError> {
    let others = active_administrators
        .iter()
        .filter(|&&id| id != user)
        .count();
    if takes_away_administrator && others == 0 {
        Err(AccessError::LastAdministrator)
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::id::{EmployeeId, ReferenceId, RoleId};
    use crate::reference::{Language, ReferenceContent, ReferenceKind, ReferenceStatus};
    use crate::scope::{Criterion, Restriction};
    use crate::values::{Name, Timestamp};

    fn tenant() -> TenantId {
        TenantId::from_bytes([1; 16])
    }

    fn reference(private: bool, creator: UserId, location: &str) -> Reference {
        let now = Timestamp::from_unix_timestamp(0).unwrap();
        Reference {
            id: ReferenceId::from_bytes([9; 16]),
            tenant: tenant(),
            employee: EmployeeId::from_bytes([8; 16]),
            org: OrgAttributes {
                location: Some(Name::new(location).unwrap()),
                ..Default::default()
            },
            kind: ReferenceKind::Final,
            language: Language::German,
            status: ReferenceStatus::Draft,
            status_since: now,
            changed_at: now,
            private,
            created_by: creator,
            created_at: now,
            signatories: vec![],
            generated: None,
            content: ReferenceContent::default(),
        }
    }

    fn restricted(location: &str) -> ReferenceScope {
        ReferenceScope::Restricted(
            Restriction::unrestricted()
                .allow(Criterion::Location, [location])
                .unwrap(),
        )
    }

    #[test]
    fn only_write_access_to_employees_in_the_references_tenant_makes_it_writable() {
        let user = UserId::from_bytes([2; 16]);
        let actor = |permissions: Permissions, tenant_id: TenantId| {
            Actor::new(
                tenant_id,
                user,
                permissions,
                false,
                ReferenceScope::Administrator,
            )
        };
        let writer = actor(
            Permissions::none().with(Area::Employees, AccessLevel::ReadWrite),
            tenant(),
        );
        let visible = || {
            writer
                .visibility()
                .admit(reference(false, user, "Köln"))
                .unwrap()
        };
        let grant = writer
            .require(Area::Employees, AccessLevel::ReadWrite)
            .unwrap();
        let w = visible().writable(grant).unwrap();
        assert_eq!(
            (w.id(), w.tenant()),
            (ReferenceId::from_bytes([9; 16]), tenant())
        );
        // A read grant, another area, or another tenant's grant is no proof.
        let read = writer.require(Area::Employees, AccessLevel::Read).unwrap();
        assert!(visible().writable(read).is_err());
        let other_area = actor(Permissions::all(), tenant())
            .require(Area::Qualifications, AccessLevel::ReadWrite)
            .unwrap();
        assert!(visible().writable(other_area).is_err());
        let elsewhere = actor(
            Permissions::none().with(Area::Employees, AccessLevel::ReadWrite),
            TenantId::from_bytes([7; 16]),
        )
        .require(Area::Employees, AccessLevel::ReadWrite)
        .unwrap();
        assert!(visible().writable(elsewhere).is_err());
    }

    #[test]
    fn a_checked_reference_keeps_the_row_it_was_checked_for() {
        let user = UserId::from_bytes([2; 16]);
        let writer = Actor::new(
            tenant(),
            user,
            Permissions::all(),
            true,
            ReferenceScope::Administrator,
        );
        let grant = writer
            .require(Area::Employees, AccessLevel::ReadWrite)
            .unwrap();
        let mut w = writer
            .visibility()
            .admit(reference(false, user, "Köln"))
            .unwrap()
            .writable(grant)
            .unwrap();
        w.reference_mut().id = ReferenceId::from_bytes([0x55; 16]);
        w.reference_mut().tenant = TenantId::from_bytes([0x66; 16]);
        assert_eq!(
            (w.id(), w.tenant()),
            (ReferenceId::from_bytes([9; 16]), tenant())
        );
    }

    #[test]
    fn a_reference_outside_the_scope_is_not_found() {
        let viewer = Actor::new(
            tenant(),
            UserId::from_bytes([2; 16]),
            Permissions::none(),
            false,
            restricted("Köln"),
        );
        let r = reference(false, UserId::from_bytes([3; 16]), "Bonn");
        assert_eq!(
            viewer.visibility().admit(r).unwrap_err(),
            AccessError::NotFound
        );
    }

    #[test]
    fn a_private_reference_is_hidden_from_colleagues_with_the_same_scope() {
        let creator = UserId::from_bytes([3; 16]);
        let colleague = Actor::new(
            tenant(),
            UserId::from_bytes([2; 16]),
            Permissions::all(),
            false,
            restricted("Köln"),
        );
        let author = Actor::new(
            tenant(),
            creator,
            Permissions::none(),
            false,
            restricted("Köln"),
        );
        let admin = Actor::new(
            tenant(),
            UserId::from_bytes([4; 16]),
            Permissions::none(),
            false,
            ReferenceScope::Administrator,
        );
        let r = reference(true, creator, "Köln");
        assert!(colleague.visibility().admit(r.clone()).is_err());
        assert!(author.visibility().admit(r.clone()).is_ok());
        assert!(admin.visibility().admit(r).is_ok());
    }

    #[test]
    fn a_reference_of_another_tenant_is_never_visible() {
        let other = Actor::new(
            TenantId::from_bytes([7; 16]),
            UserId::from_bytes([2; 16]),
            Permissions::all(),
            true,
            ReferenceScope::Administrator,
        );
        assert!(
            other
                .visibility()
                .admit(reference(false, UserId::from_bytes([3; 16]), "Köln"))
                .is_err()
        );
    }

    #[test]
    fn only_administrators_assign_the_administrator_role() {
        let admin_role = Role::administrator(RoleId::from_bytes([5; 16]), tenant());
        let almost = Actor::new(
            tenant(),
            UserId::from_bytes([2; 16]),
            Permissions::all(),
            false,
            ReferenceScope::Administrator,
        );
        assert!(matches!(
            almost.check_assignment(&admin_role, &ReferenceScope::Administrator),
            Err(AccessError::Escalation { .. })
        ));
        let admin = Actor::new(
            tenant(),
            UserId::from_bytes([3; 16]),
            Permissions::none(),
            true,
            ReferenceScope::Administrator,
        );
        assert_eq!(
            admin.check_assignment(&admin_role, &ReferenceScope::Administrator),
            Ok(())
        );
    }

    #[test]
    fn a_user_manager_without_the_administrator_role_cannot_touch_an_administrator() {
        let admin_role = Role::administrator(RoleId::from_bytes([5; 16]), tenant());
        let manager = Actor::new(
            tenant(),
            UserId::from_bytes([2; 16]),
            Permissions::none().with(Area::Users, AccessLevel::ReadWrite),
            false,
            ReferenceScope::Administrator,
        );
        assert!(matches!(
            manager.check_manage_user(&admin_role, &ReferenceScope::Administrator),
            Err(AccessError::Escalation { .. })
        ));
    }

    #[test]
    fn a_wider_scope_cannot_be_granted() {
        let role = Role::custom(
            RoleId::from_bytes([5; 16]),
            tenant(),
            Name::new("Leser").unwrap(),
            Permissions::none(),
        );
        let hr = Actor::new(
            tenant(),
            UserId::from_bytes([2; 16]),
            Permissions::none().with(Area::Users, AccessLevel::ReadWrite),
            false,
            restricted("Köln"),
        );
        assert_eq!(
            hr.check_assignment(&role, &ReferenceScope::Administrator),
            Err(AccessError::ScopeEscalation)
        );
        assert_eq!(
            hr.check_assignment(&role, &restricted("Bonn")),
            Err(AccessError::ScopeEscalation)
        );
        assert_eq!(hr.check_assignment(&role, &restricted("Köln")), Ok(()));
    }

    #[test]
    fn role_edits_need_the_roles_area() {
        let a = Actor::new(
            tenant(),
            UserId::from_bytes([2; 16]),
            Permissions::none(),
            false,
            ReferenceScope::Administrator,
        );
        assert_eq!(
            a.check_role_permissions(&Permissions::none()),
            Err(AccessError::Forbidden {
                area: Area::Roles,
                needed: AccessLevel::ReadWrite
            })
        );
    }

    #[test]
    fn the_last_active_administrator_stays() {
        let a = UserId::from_bytes([1; 16]);
        let b = UserId::from_bytes([2; 16]);
        let only_a: BTreeSet<_> = [a].into_iter().collect();
        assert_eq!(
            ensure_administrator_remains(&only_a, a, true),
            Err(AccessError::LastAdministrator)
        );
        assert_eq!(ensure_administrator_remains(&only_a, b, false), Ok(()));
        assert_eq!(
            ensure_administrator_remains(&only_a, a, false),
            Ok(()),
            "a rename keeps A"
        );
        let both: BTreeSet<_> = [a, b].into_iter().collect();
        assert_eq!(ensure_administrator_remains(&both, a, true), Ok(()));
    }

    #[test]
    fn with_the_only_administrator_locked_other_users_can_still_be_managed() {
        let locked_admin = UserId::from_bytes([1; 16]);
        let admin_role = Role::administrator(RoleId::from_bytes([5; 16]), tenant());
        assert!(!is_active_administrator(UserStatus::Locked, &admin_role));
        assert!(holds_administrator(UserStatus::Locked, &admin_role));
        let census = BTreeSet::new();
        assert_eq!(
            ensure_administrator_remains(&census, UserId::from_bytes([2; 16]), false),
            Ok(())
        );
        assert_eq!(
            ensure_administrator_remains(&census, locked_admin, true),
            Err(AccessError::LastAdministrator),
            "the locked Administrator is all that is left"
        );
    }

    #[test]
    fn an_administrator_cannot_leave_while_the_only_other_one_is_locked() {
        let a = UserId::from_bytes([1; 16]);
        let census: BTreeSet<_> = [a].into_iter().collect();
        assert_eq!(
            ensure_administrator_remains(&census, a, true),
            Err(AccessError::LastAdministrator)
        );
    }
}
