//! Roles: creating, changing and deleting the tenant's own roles.
//!
//! Needs read+write on Roles, and nobody can create or save a role that grants
//! more than they hold themselves. The built-in Administrator role cannot be
//! changed or deleted; a role still held by users cannot be deleted.

use std::net::IpAddr;

use crate::access::{AccessLevel, Area, Permissions, Role, RoleError};
use crate::audit::{AuditAction, AuditTarget, FieldChange};
use crate::authz::{AccessError, Actor};
use crate::id::{RoleId, TenantId};
use crate::ports::{
    ChangeSet, Clock, RandomSource, RoleStore, StoreError, TenantStore, UnitOfWork, Write,
    random_bytes,
};
use crate::tenant::TenantError;
use crate::values::Name;

use super::audit_by;

/// Why a role change was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RoleChangeError {
    /// The actor may not do this, or the role would grant more than they hold.
    #[error(transparent)]
    Access(#[from] AccessError),
    /// The built-in role cannot be changed.
    #[error(transparent)]
    Role(#[from] RoleError),
    /// The role is still held by users.
    #[error("the role is still assigned to users; give them another role first")]
    InUse,
    /// Another role has this name, or the role changed meanwhile.
    #[error("{0}")]
    Conflict(String),
    /// The tenant is read-only or deleted.
    #[error(transparent)]
    Tenant(#[from] TenantError),
    /// Storage failed; the message is for the log.
    #[error("roles unavailable: {0}")]
    Unavailable(String),
}

impl crate::classify::Classify for RoleChangeError {
    fn classify(&self) -> crate::classify::Classified {
        use crate::classify::{Classified, ErrorKind};
        let message = self.to_string();
        match self {
            Self::Access(a) => a.classify(),
            Self::Role(_) => Classified::new(ErrorKind::Conflict, "built_in_role", message),
            Self::InUse => Classified::new(ErrorKind::Conflict, "role_in_use", message),
            Self::Conflict(_) => Classified::new(ErrorKind::Conflict, "conflict", message),
            Self::Tenant(t) => crate::classify::read_only(t),
            Self::Unavailable(cause) => Classified::unavailable(cause),
        }
    }
}

impl From<StoreError> for RoleChangeError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => RoleChangeError::Access(AccessError::NotFound),
            StoreError::Conflict { what } => RoleChangeError::Conflict(what),
            other => RoleChangeError::Unavailable(other.to_string()),
        }
    }
}

/// The key of an access level, as audit entries and the API write it.
#[must_use]
pub const fn level_key(level: AccessLevel) -> &'static str {
    match level {
        AccessLevel::None => "none",
        AccessLevel::Read => "read",
        AccessLevel::ReadWrite => "read_write",
    }
}

/// The access level with this key.
#[must_use]
pub fn level_from_key(key: &str) -> Option<AccessLevel> {
    match key {
        "none" => Some(AccessLevel::None),
        "read" => Some(AccessLevel::Read),
        "read_write" => Some(AccessLevel::ReadWrite),
        _ => None,
    }
}

fn permission_changes(before: &Permissions, after: &Permissions) -> Vec<FieldChange> {
    Area::ALL
        .iter()
        .filter(|a| before.level(**a) != after.level(**a))
        .map(|a| {
            FieldChange::new(
                a.key(),
                Some(level_key(before.level(*a))),
                Some(level_key(after.level(*a))),
            )
        })
        .collect()
}

/// Role use cases.
#[expect(missing_debug_implementations, reason = "holds trait objects only")]
pub struct RoleService<'a> {
    /// Tenants.
    pub tenants: &'a dyn TenantStore,
    /// Roles.
    pub roles: &'a dyn RoleStore,
    /// Commits.
    pub uow: &'a dyn UnitOfWork,
    /// Time.
    pub clock: &'a dyn Clock,
    /// Randomness (ids).
    pub random: &'a dyn RandomSource,
}

impl RoleService<'_> {
    /// The organisation's roles, for whoever manages roles or users (area Roles
    /// or Users, read: inviting a user means choosing a role).
    ///
    /// # Errors
    /// [`RoleChangeError::Access`] without either area.
    pub async fn list(&self, actor: &Actor) -> Result<Vec<Role>, RoleChangeError> {
        if actor.require(Area::Roles, AccessLevel::Read).is_err() {
            actor.require(Area::Users, AccessLevel::Read)?;
        }
        Ok(self.roles.roles(actor.tenant()).await?)
    }

    /// The organisation's built-in Administrator role, for an operator who
    /// invites its first Administrator.
    ///
    /// # Errors
    /// Storage failures.
    pub async fn administrator_role_of(
        &self,
        tenant: TenantId,
    ) -> Result<Option<Role>, StoreError> {
        Ok(self
            .roles
            .roles(tenant)
            .await?
            .into_iter()
            .find(Role::is_administrator))
    }

    async fn writable(&self, actor: &Actor) -> Result<(), RoleChangeError> {
        actor.require(Area::Roles, AccessLevel::ReadWrite)?;
        self.tenants
            .tenant(actor.tenant())
            .await?
            .ok_or(RoleChangeError::Tenant(TenantError::Deleted))?
            .ensure_writable()?;
        Ok(())
    }

    async fn name_free(
        &self,
        actor: &Actor,
        name: &Name,
        except: Option<RoleId>,
    ) -> Result<(), RoleChangeError> {
        let taken = self
            .roles
            .roles(actor.tenant())
            .await?
            .into_iter()
            .any(|r| {
                Some(r.id) != except
                    && r.name.as_str().to_lowercase() == name.as_str().to_lowercase()
            });
        if taken {
            return Err(RoleChangeError::Conflict(format!(
                "a role named \"{}\" exists already",
                name.as_str()
            )));
        }
        Ok(())
    }

    /// Creates a role.
    ///
    /// # Errors
    /// [`RoleChangeError::Access`] (no read+write on Roles, or escalation);
    /// [`RoleChangeError::Conflict`] for a taken name.
    pub async fn create(
        &self,
        actor: &Actor,
        name: Name,
        permissions: Permissions,
        source_ip: Option<IpAddr>,
    ) -> Result<Role, RoleChangeError> {
        self.writable(actor).await?;
        actor.check_role_permissions(&permissions)?;
        self.name_free(actor, &name, None).await?;
        let role = Role::custom(
            RoleId::from_random(random_bytes(self.random)),
            actor.tenant(),
            name,
            permissions,
        );
        let mut event =
            audit_by(actor, self.clock.now(), AuditAction::RoleCreated).from_ip(source_ip);
        event.target = AuditTarget::Role(role.id);
        let mut changes = vec![FieldChange::new("name", None, Some(role.name.as_str()))];
        changes.extend(permission_changes(&Permissions::none(), &permissions));
        let mut cs = ChangeSet::new(actor.tenant());
        cs.push(Write::InsertRole(role.clone()))
            .push(Write::AppendAudit(event.with_changes(changes)));
        self.uow.commit(cs).await?;
        Ok(role)
    }

    /// Renames a role and replaces its permissions. The result must stay within
    /// the actor's own permissions, whatever the role held before.
    ///
    /// # Errors
    /// As [`RoleService::create`]; [`RoleChangeError::Role`] for the
    /// Administrator role; [`RoleChangeError::Conflict`] when the role changed
    /// meanwhile.
    pub async fn update(
        &self,
        actor: &Actor,
        id: RoleId,
        name: Name,
        permissions: Permissions,
        source_ip: Option<IpAddr>,
    ) -> Result<Role, RoleChangeError> {
        self.writable(actor).await?;
        let current = self
            .roles
            .role(actor.tenant(), id)
            .await?
            .ok_or(AccessError::NotFound)?;
        let mut role = current.value.clone();
        role.set_permissions(permissions)?;
        actor.check_role_permissions(&permissions)?;
        // Nobody edits a role that holds more than they do (it could be theirs to
        // give away only if they held it).
        actor.check_role_permissions(&current.value.permissions())?;
        self.name_free(actor, &name, Some(id)).await?;
        role.name = name;
        let mut changes = Vec::new();
        if role.name != current.value.name {
            changes.push(FieldChange::new(
                "name",
                Some(current.value.name.as_str()),
                Some(role.name.as_str()),
            ));
        }
        changes.extend(permission_changes(
            &current.value.permissions(),
            &permissions,
        ));
        let mut event =
            audit_by(actor, self.clock.now(), AuditAction::RoleChanged).from_ip(source_ip);
        event.target = AuditTarget::Role(id);
        let mut cs = ChangeSet::new(actor.tenant());
        cs.push(Write::UpdateRole(role.clone(), current.version))
            .push(Write::AppendAudit(event.with_changes(changes)));
        self.uow.commit(cs).await?;
        Ok(role)
    }

    /// Deletes a role nobody holds.
    ///
    /// # Errors
    /// [`RoleChangeError::InUse`]; [`RoleChangeError::Role`] for the
    /// Administrator role; [`RoleChangeError::Access`].
    pub async fn delete(
        &self,
        actor: &Actor,
        id: RoleId,
        source_ip: Option<IpAddr>,
    ) -> Result<(), RoleChangeError> {
        self.writable(actor).await?;
        let current = self
            .roles
            .role(actor.tenant(), id)
            .await?
            .ok_or(AccessError::NotFound)?;
        current.value.ensure_deletable()?;
        actor.check_role_permissions(&current.value.permissions())?;
        let mut event =
            audit_by(actor, self.clock.now(), AuditAction::RoleDeleted).from_ip(source_ip);
        event.target = AuditTarget::Role(id);
        let mut cs = ChangeSet::new(actor.tenant());
        cs.push(Write::DeleteRole(id))
            .push(Write::AppendAudit(event.with_changes(vec![
                FieldChange::new("name", Some(current.value.name.as_str()), None),
            ])));
        match self.uow.commit(cs).await {
            Ok(()) => Ok(()),
            Err(StoreError::Conflict { .. }) => Err(RoleChangeError::InUse),
            Err(e) => Err(e.into()),
        }
    }
}
