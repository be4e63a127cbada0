//! Setting up a tenant: the tenant with its built-in Administrator role (and, in
//! the storage adapter, its data key), in one transaction.

use crate::access::Role;
use crate::audit::{AuditAction, AuditActor, AuditEvent, AuditTarget, FieldChange};
use crate::id::{OperatorId, RoleId, TenantId, UserId};
use crate::password::{
    BreachedPasswords, Password, PasswordContext, PasswordPolicy, PasswordRejected,
};
use crate::ports::{
    ChangeSet, Clock, PasswordHash, PasswordHasher, Precondition, RandomSource, StoreError,
    TenantStore, UnitOfWork, Write, random_bytes,
};
use crate::scope::ReferenceScope;
use crate::tenant::{Tenant, TenantStatus};
use crate::user::{AuthMethods, User, UserStatus};
use crate::values::{Email, Name, Slug};

/// Why a tenant could not be created.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TenantSetupError {
    /// Another tenant has this short name.
    #[error("a tenant with the short name \"{0}\" exists already")]
    SlugTaken(String),
    /// The first administrator's password breaks the default policy.
    #[error("the password does not meet the password policy")]
    Password(PasswordRejected),
    /// The installation has an organisation already (first-start setup only).
    #[error("the installation is set up already")]
    AlreadySetUp,
    /// Storage or hashing failed; the message is for the log.
    #[error("tenant setup unavailable: {0}")]
    Unavailable(String),
}

impl crate::classify::Classify for TenantSetupError {
    fn classify(&self) -> crate::classify::Classified {
        use crate::classify::{Classified, ErrorKind};
        let message = self.to_string();
        match self {
            Self::SlugTaken(_) => {
                Classified::new(ErrorKind::Conflict, "slug_taken", message).field("slug")
            }
            Self::Password(rejected) => crate::classify::password_policy(rejected),
            Self::AlreadySetUp => Classified::new(ErrorKind::Conflict, "already_set_up", message),
            Self::Unavailable(cause) => Classified::unavailable(cause),
        }
    }
}

/// The first Administrator of a new tenant, set up with a password right away
/// (the first-start setup page).
#[derive(Debug, Clone)]
pub struct FirstAdministrator {
    /// First name.
    pub first_name: Name,
    /// Last name.
    pub last_name: Name,
    /// E-mail address.
    pub email: Email,
    /// The password (checked against the default policy).
    pub password: Password,
}

impl From<StoreError> for TenantSetupError {
    fn from(e: StoreError) -> Self {
        TenantSetupError::Unavailable(e.to_string())
    }
}

/// A tenant just created.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreatedTenant {
    /// The tenant.
    pub tenant: Tenant,
    /// Its Administrator role.
    pub administrator_role: RoleId,
}

/// Tenant setup by a vendor operator.
#[expect(missing_debug_implementations, reason = "holds trait objects only")]
pub struct TenantService<'a> {
    /// Tenants.
    pub tenants: &'a dyn TenantStore,
    /// Commits.
    pub uow: &'a dyn UnitOfWork,
    /// Time.
    pub clock: &'a dyn Clock,
    /// Randomness (ids).
    pub random: &'a dyn RandomSource,
}

impl TenantService<'_> {
    /// The organisation a login names by short name, or the only one there is
    /// when it names none. `None` for an unknown, malformed, ended or deleted
    /// one, and when several exist and none is named (callers answer as for an
    /// unknown account).
    ///
    /// # Errors
    /// Storage failures.
    pub async fn for_login(&self, slug: Option<&str>) -> Result<Option<Tenant>, StoreError> {
        match slug.map(str::trim).filter(|s| !s.is_empty()) {
            Some(raw) => match Slug::parse(raw) {
                Ok(slug) => self.by_slug(&slug).await,
                Err(_) => Ok(None),
            },
            None => {
                let mut all = self.tenants.tenants().await?;
                Ok(if all.len() == 1 { all.pop() } else { None })
            }
        }
    }

    /// The readable organisation with this short name.
    ///
    /// # Errors
    /// Storage failures.
    pub async fn by_slug(&self, slug: &Slug) -> Result<Option<Tenant>, StoreError> {
        Ok(self
            .tenants
            .tenant_by_slug(slug)
            .await?
            .filter(|t| t.ensure_readable().is_ok()))
    }

    /// The organisation with this id.
    ///
    /// # Errors
    /// Storage failures.
    pub async fn tenant(&self, id: TenantId) -> Result<Option<Tenant>, StoreError> {
        self.tenants.tenant(id).await
    }

    /// Every organisation of the installation.
    ///
    /// # Errors
    /// Storage failures.
    pub async fn all(&self) -> Result<Vec<Tenant>, StoreError> {
        self.tenants.tenants().await
    }

    /// Sets up the installation on its first start: its first organisation
    /// with the Administrator role and a first, active Administrator with a
    /// password, in one transaction that commits only while no other
    /// organisation exists (so two instances cannot both set up one).
    ///
    /// # Errors
    /// [`TenantSetupError::AlreadySetUp`]; as
    /// [`TenantService::create_with_administrator`].
    pub async fn set_up_installation(
        &self,
        slug: Slug,
        name: Name,
        admin: FirstAdministrator,
        hasher: &dyn PasswordHasher,
        breached: &dyn BreachedPasswords,
    ) -> Result<(CreatedTenant, UserId), TenantSetupError> {
        if !self.tenants.tenants().await?.is_empty() {
            return Err(TenantSetupError::AlreadySetUp);
        }
        self.with_administrator(slug, name, admin, hasher, breached, true)
            .await
    }

    /// Creates an active tenant with its Administrator role.
    ///
    /// # Errors
    /// [`TenantSetupError::SlugTaken`]; [`TenantSetupError::Unavailable`].
    pub async fn create(
        &self,
        slug: Slug,
        name: Name,
        operator: Option<OperatorId>,
    ) -> Result<CreatedTenant, TenantSetupError> {
        self.create_inner(slug, name, operator, None, false)
            .await
            .map(|(t, _)| t)
    }

    /// Creates an active tenant with its Administrator role and a first,
    /// active Administrator with a password — all in one transaction. The
    /// password must meet the default policy.
    ///
    /// # Errors
    /// [`TenantSetupError::Password`]; as [`TenantService::create`].
    pub async fn create_with_administrator(
        &self,
        slug: Slug,
        name: Name,
        admin: FirstAdministrator,
        hasher: &dyn PasswordHasher,
        breached: &dyn BreachedPasswords,
    ) -> Result<(CreatedTenant, UserId), TenantSetupError> {
        self.with_administrator(slug, name, admin, hasher, breached, false)
            .await
    }

    async fn with_administrator(
        &self,
        slug: Slug,
        name: Name,
        admin: FirstAdministrator,
        hasher: &dyn PasswordHasher,
        breached: &dyn BreachedPasswords,
        only: bool,
    ) -> Result<(CreatedTenant, UserId), TenantSetupError> {
        let context = PasswordContext::new(
            [admin.first_name.as_str(), admin.last_name.as_str()],
            Some(admin.email.as_str()),
            name.as_str(),
        );
        PasswordPolicy::default()
            .check(&admin.password, &context, breached)
            .map_err(TenantSetupError::Password)?;
        let hash = hasher
            .hash(&admin.password)
            .await
            .map_err(|e| TenantSetupError::Unavailable(e.to_string()))?;
        let (tenant, user) = self
            .create_inner(slug, name, None, Some((admin, hash)), only)
            .await?;
        let user = user.ok_or_else(|| TenantSetupError::Unavailable("no user created".into()))?;
        Ok((tenant, user))
    }

    async fn create_inner(
        &self,
        slug: Slug,
        name: Name,
        operator: Option<OperatorId>,
        admin: Option<(FirstAdministrator, PasswordHash)>,
        only: bool,
    ) -> Result<(CreatedTenant, Option<UserId>), TenantSetupError> {
        if self.tenants.tenant_by_slug(&slug).await?.is_some() {
            return Err(TenantSetupError::SlugTaken(slug.as_str().to_owned()));
        }
        let now = self.clock.now();
        let tenant = Tenant {
            id: TenantId::from_random(random_bytes(self.random)),
            slug,
            name,
            status: TenantStatus::Active,
            created_at: now,
        };
        let role = Role::administrator(RoleId::from_random(random_bytes(self.random)), tenant.id);
        let actor = operator.map_or(AuditActor::System, AuditActor::Operator);
        let mut changes = ChangeSet::new(tenant.id);
        changes
            .push(Write::InsertTenant(tenant.clone()))
            .push(Write::InsertRole(role.clone()))
            .push(Write::AppendAudit(
                AuditEvent::new(
                    Some(tenant.id),
                    now,
                    actor,
                    AuditAction::TenantCreated,
                    AuditTarget::Tenant(tenant.id),
                )
                .with_changes(vec![
                    FieldChange::new("slug", None, Some(tenant.slug.as_str())),
                    FieldChange::new("name", None, Some(tenant.name.as_str())),
                ]),
            ));
        let mut user_id = None;
        if let Some((admin, hash)) = admin {
            let user = User {
                id: UserId::from_random(random_bytes(self.random)),
                tenant: tenant.id,
                first_name: admin.first_name,
                last_name: admin.last_name,
                email: admin.email,
                phone: None,
                role: role.id,
                scope: ReferenceScope::Administrator,
                status: UserStatus::Active,
                failed_logins: 0,
                language: None,
                auth: AuthMethods {
                    password: true,
                    ..AuthMethods::default()
                },
                created_at: now,
            };
            user_id = Some(user.id);
            changes
                .push(Write::InsertUser(user.clone()))
                .push(Write::SetPasswordHash(user.id, hash))
                .push(Write::AppendAudit(
                    AuditEvent::new(
                        Some(tenant.id),
                        now,
                        AuditActor::System,
                        AuditAction::UserCreated,
                        AuditTarget::User(user.id),
                    )
                    .with_detail("first_administrator")
                    .with_changes(vec![
                        FieldChange::new("status", None, Some("active")),
                        FieldChange::new("role", None, Some("administrator")),
                    ]),
                ));
        }
        if only {
            changes.require(Precondition::OnlyTenant);
        }
        match self.uow.commit(changes).await {
            Ok(()) => Ok((
                CreatedTenant {
                    tenant,
                    administrator_role: role.id,
                },
                user_id,
            )),
            Err(StoreError::Conflict { .. }) => {
                Err(TenantSetupError::SlugTaken(tenant.slug.as_str().to_owned()))
            }
            Err(StoreError::PreconditionFailed(Precondition::OnlyTenant)) => {
                Err(TenantSetupError::AlreadySetUp)
            }
            Err(e) => Err(e.into()),
        }
    }
}
