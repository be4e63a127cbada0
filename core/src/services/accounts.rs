//! Accounts: invitation and registration, changing and resetting a password,
//! deactivation, reactivation and unlocking.
//!
//! * **Invitation**: a user with read+write on Users adds a user (never with more
//!   rights than their own); the new account is `invited` and gets a single-use
//!   registration link by mail, valid 72 hours. Accepting it sets a password that
//!   must pass the tenant's policy.
//! * **Forgot password**: the answer is the same whether or not the address
//!   belongs to an account; only an active account with a password gets a link
//!   (30 minutes, single use; a newer link replaces older ones). Resetting ends
//!   every session of the account and never touches its second factor.
//! * **Changing the own password** needs the current one; a wrong current password
//!   counts as a failed login (a stolen session cannot guess it unnoticed).
//! * **Deactivation** ends the account's sessions in the same transaction;
//!   neither it nor a demotion may take away the tenant's last active
//!   Administrator. **Unlocking** is for Administrators (and support).
//!
//! Every change is one [`ChangeSet`] with its audit entry and the mail it causes.

use std::net::IpAddr;

use crate::access::{AccessLevel, Area, Role};
use crate::action::{ActionPurpose, PendingAction};
use crate::audit::{AuditAction, AuditActor, AuditEvent, AuditTarget, FieldChange};
use crate::authz::{AccessError, Actor, ensure_administrator_remains, holds_administrator};
use crate::id::{MessageId, OperatorId, RoleId, TenantId, UserId};
use crate::messages::instant_de;
use crate::password::{BreachedPasswords, Password, PasswordContext, PasswordRejected};
use crate::ports::{
    ActionStore, ChangeSet, Clock, CredentialStore, Destination, LinkBuilder, MessageKind,
    MessageParams, OutgoingMessage, Page, PageRequest, PasswordHasher, Precondition, RandomSource,
    RoleStore, SettingsStore, StoreError, TenantStore, UnitOfWork, UserStore, Versioned, Write,
    random_bytes,
};
use crate::reference::Language;
use crate::scope::ReferenceScope;
use crate::settings::SsoMode;
use crate::tenant::{Tenant, TenantError};
use crate::token::{ActionToken, SecretToken as _, TokenHash};
use crate::user::{AuthMethods, User, UserError, UserStatus};
use crate::values::{Email, Name, Phone, Timestamp};

use super::{MAX_CONFLICT_RETRIES, audit_by, is_conflict};

/// A user to invite.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUser {
    /// First name.
    pub first_name: Name,
    /// Last name.
    pub last_name: Name,
    /// E-mail address (unique in the tenant).
    pub email: Email,
    /// Phone number for SMS codes.
    pub phone: Option<Phone>,
    /// The role.
    pub role: RoleId,
    /// The reference access scope.
    pub scope: ReferenceScope,
}

/// Changes to a user's master data and rights; `None` keeps the value.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserChanges {
    /// First name.
    pub first_name: Option<Name>,
    /// Last name.
    pub last_name: Option<Name>,
    /// E-mail address.
    pub email: Option<Email>,
    /// Phone number (`Some(None)` removes it).
    pub phone: Option<Option<Phone>>,
    /// Role.
    pub role: Option<RoleId>,
    /// Reference access scope.
    pub scope: Option<ReferenceScope>,
    /// The language of the pages (`Some(None)`: the browser's).
    pub language: Option<Option<Language>>,
}

/// Who changes an account: the user themselves (names, language, and with
/// the password their address and number), or someone managing users.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Changer {
    Own,
    Manager,
}

/// A language as the audit log names it.
const fn language_key(language: Option<Language>) -> &'static str {
    match language {
        None => "browser",
        Some(Language::English) => "english",
        Some(_) => "german",
    }
}

/// Why an account operation was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AccountError {
    /// The actor may not do this (or the account is not theirs to see).
    #[error(transparent)]
    Access(#[from] AccessError),
    /// The role named does not exist in the tenant.
    #[error("the role does not exist")]
    UnknownRole,
    /// Another account of the tenant has this e-mail address.
    #[error("a user with this e-mail address exists already")]
    EmailTaken,
    /// The new password breaks the policy.
    #[error("the password does not meet the password policy")]
    Password(PasswordRejected),
    /// Changing the own e-mail address or phone number needs the current
    /// password.
    #[error("confirm changes of your own e-mail address or phone number with your password")]
    ReauthenticationRequired,
    /// The link is unknown, used, expired, or its account cannot use it.
    #[error("this link is not valid or has expired; ask for a new one")]
    InvalidLink,
    /// The current password given to change it is wrong.
    #[error("the current password is not correct")]
    WrongCurrentPassword,
    /// The account's status does not allow the change.
    #[error(transparent)]
    State(#[from] UserError),
    /// The tenant cannot be changed (read-only after its contract, or deleted).
    #[error(transparent)]
    Tenant(#[from] TenantError),
    /// The tenant signs in by single sign-on only: there are no passwords.
    #[error("this organisation signs in with single sign-on only")]
    PasswordLoginDisabled,
    /// `after` is not a position of this list.
    #[error("after is not a position of this list; pass the next value of the previous page")]
    InvalidCursor,
    /// Storage or hashing failed; the message is for the log.
    #[error("accounts unavailable: {0}")]
    Unavailable(String),
}

impl crate::classify::Classify for AccountError {
    fn classify(&self) -> crate::classify::Classified {
        use crate::classify::{Classified, ErrorKind};
        let message = self.to_string();
        match self {
            Self::Access(a) => a.classify(),
            Self::UnknownRole => {
                Classified::new(ErrorKind::Invalid, "unknown_role", message).field("role_id")
            }
            Self::EmailTaken => {
                Classified::new(ErrorKind::Conflict, "email_taken", message).field("email")
            }
            Self::Password(rejected) => crate::classify::password_policy(rejected),
            Self::InvalidLink => {
                Classified::new(ErrorKind::Gone, "invalid_link", message).field("token")
            }
            Self::WrongCurrentPassword => {
                Classified::new(ErrorKind::Forbidden, "wrong_current_password", message)
                    .field("current_password")
            }
            Self::State(_) => Classified::new(ErrorKind::Conflict, "invalid_state", message),
            Self::Tenant(t) => crate::classify::read_only(t),
            Self::ReauthenticationRequired => {
                Classified::new(ErrorKind::Forbidden, "reauthentication_required", message)
            }
            Self::PasswordLoginDisabled => {
                Classified::new(ErrorKind::Forbidden, "password_login_disabled", message)
            }
            Self::InvalidCursor => crate::classify::invalid_cursor(),
            Self::Unavailable(cause) => Classified::unavailable(cause),
        }
    }
}

impl From<StoreError> for AccountError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::PreconditionFailed(Precondition::AdministratorRemains) => {
                AccountError::Access(AccessError::LastAdministrator)
            }
            StoreError::InvalidCursor => AccountError::InvalidCursor,
            other => AccountError::Unavailable(other.to_string()),
        }
    }
}

/// Account use cases.
#[expect(missing_debug_implementations, reason = "holds trait objects only")]
pub struct AccountService<'a> {
    /// Tenants.
    pub tenants: &'a dyn TenantStore,
    /// Users.
    pub users: &'a dyn UserStore,
    /// Roles.
    pub roles: &'a dyn RoleStore,
    /// Password hashes.
    pub credentials: &'a dyn CredentialStore,
    /// Pending links.
    pub actions: &'a dyn ActionStore,
    /// Settings (password policy).
    pub settings: &'a dyn SettingsStore,
    /// Hasher.
    pub hasher: &'a dyn PasswordHasher,
    /// The breached/common-password list.
    pub breached: &'a dyn BreachedPasswords,
    /// Commits.
    pub uow: &'a dyn UnitOfWork,
    /// Time.
    pub clock: &'a dyn Clock,
    /// Randomness (ids, tokens).
    pub random: &'a dyn RandomSource,
    /// Absolute links for mails.
    pub links: &'a dyn LinkBuilder,
}

/// Who issued an invitation.
#[derive(Debug, Clone, Copy)]
enum Inviter<'a> {
    User(&'a Actor),
    Operator(Option<OperatorId>),
}

impl AccountService<'_> {
    /// One page of the organisation's users (area Users, read).
    ///
    /// # Errors
    /// [`AccountError::Access`]; [`AccountError::InvalidCursor`].
    pub async fn users(
        &self,
        actor: &Actor,
        page: PageRequest,
    ) -> Result<Page<User>, AccountError> {
        actor.require(Area::Users, AccessLevel::Read)?;
        Ok(self.users.users(actor.tenant(), page).await?)
    }

    /// One user of the organisation (area Users, read); an unknown id is
    /// [`AccessError::NotFound`].
    ///
    /// # Errors
    /// [`AccountError::Access`].
    pub async fn user(&self, actor: &Actor, id: UserId) -> Result<User, AccountError> {
        actor.require(Area::Users, AccessLevel::Read)?;
        self.users
            .user(actor.tenant(), id)
            .await?
            .map(|u| u.value)
            .ok_or(AccountError::Access(AccessError::NotFound))
    }

    /// The account a session that was just started belongs to (one's own; no
    /// area needed). `None` when it is gone meanwhile.
    ///
    /// # Errors
    /// Storage failures.
    pub async fn own_account(
        &self,
        tenant: TenantId,
        id: UserId,
    ) -> Result<Option<User>, StoreError> {
        Ok(self.users.user(tenant, id).await?.map(|u| u.value))
    }

    async fn writable_tenant(&self, id: TenantId) -> Result<Tenant, AccountError> {
        let tenant = self
            .tenants
            .tenant(id)
            .await?
            .ok_or(AccountError::Tenant(TenantError::Deleted))?;
        tenant.ensure_writable()?;
        Ok(tenant)
    }

    fn message(
        &self,
        tenant: TenantId,
        kind: MessageKind,
        to: &Email,
        params: MessageParams,
        now: Timestamp,
    ) -> Write {
        Write::Enqueue(OutgoingMessage {
            id: MessageId::from_random(random_bytes(self.random)),
            tenant,
            kind,
            to: Destination::Email(to.clone()),
            params,
            created_at: now,
            expires_at: None,
        })
    }

    /// The organisation's time zone, for the times its mails show.
    async fn zone(&self, tenant: TenantId) -> Result<crate::settings::TimeZoneName, AccountError> {
        Ok(self
            .settings
            .settings(tenant)
            .await?
            .value
            .working
            .time_zone)
    }

    /// Adds a pending link for `user` and the mail that carries it.
    fn issue_link(
        &self,
        changes: &mut ChangeSet,
        tenant: &Tenant,
        user: &User,
        purpose: ActionPurpose,
        (now, zone): (Timestamp, &crate::settings::TimeZoneName),
    ) -> ActionToken {
        let token = ActionToken::from_bytes(random_bytes(self.random));
        let action = PendingAction::issue(&token, tenant.id, user.id, purpose, now);
        let link = self.links.action_link(tenant, purpose, &token);
        let name = format!("{} {}", user.first_name.as_str(), user.last_name.as_str());
        let (kind, params) = match purpose {
            ActionPurpose::Invitation => (
                MessageKind::Invitation,
                MessageParams::new()
                    .with("name", name)
                    .with("link", link)
                    .with("valid_until", instant_de(action.expires_at, zone)),
            ),
            ActionPurpose::PasswordReset => (
                MessageKind::PasswordReset,
                MessageParams::new()
                    .with("name", name)
                    .with("link", link)
                    .with(
                        "valid_minutes",
                        purpose.validity().whole_minutes().to_string(),
                    ),
            ),
        };
        if purpose == ActionPurpose::PasswordReset {
            changes.push(Write::DeleteActionsOfUser(user.id, purpose));
        }
        changes.push(Write::InsertAction(action));
        changes.push(self.message(tenant.id, kind, &user.email, params, now));
        token
    }

    /// Invites a user: the account is created as `invited` and a registration link
    /// goes out by mail.
    ///
    /// # Errors
    /// [`AccountError::Access`] when the actor lacks read+write on Users or would
    /// grant more than they hold; [`AccountError::UnknownRole`];
    /// [`AccountError::EmailTaken`]; [`AccountError::Tenant`].
    pub async fn invite(
        &self,
        actor: &Actor,
        new: NewUser,
        source_ip: Option<IpAddr>,
    ) -> Result<UserId, AccountError> {
        let role = self.role(actor.tenant(), new.role).await?;
        actor.check_assignment(&role, &new.scope)?;
        let (id, _) = self
            .create_invited(actor.tenant(), Inviter::User(actor), new, source_ip)
            .await?;
        Ok(id)
    }

    /// Invites a user on behalf of a vendor operator (`zeugnis admin invite`, the
    /// first Administrator of a new tenant): no actor in the tenant is needed.
    /// Returns the registration token as well, for the operator to pass on when
    /// no mail server is set up yet.
    ///
    /// # Errors
    /// As [`AccountService::invite`], without the access checks.
    pub async fn invite_as_operator(
        &self,
        tenant: TenantId,
        operator: Option<OperatorId>,
        new: NewUser,
    ) -> Result<(UserId, ActionToken), AccountError> {
        self.role(tenant, new.role).await?;
        self.create_invited(tenant, Inviter::Operator(operator), new, None)
            .await
    }

    async fn role(&self, tenant: TenantId, id: RoleId) -> Result<Role, AccountError> {
        Ok(self
            .roles
            .role(tenant, id)
            .await?
            .ok_or(AccountError::UnknownRole)?
            .value)
    }

    async fn create_invited(
        &self,
        tenant: TenantId,
        inviter: Inviter<'_>,
        new: NewUser,
        source_ip: Option<IpAddr>,
    ) -> Result<(UserId, ActionToken), AccountError> {
        let tenant = self.writable_tenant(tenant).await?;
        let now = self.clock.now();
        if self
            .users
            .user_by_email(tenant.id, &new.email)
            .await?
            .is_some()
        {
            return Err(AccountError::EmailTaken);
        }
        let user = User {
            id: UserId::from_random(random_bytes(self.random)),
            tenant: tenant.id,
            first_name: new.first_name,
            last_name: new.last_name,
            email: new.email,
            phone: new.phone,
            role: new.role,
            scope: new.scope,
            status: UserStatus::Invited,
            failed_logins: 0,
            language: None,
            auth: AuthMethods::default(),
            created_at: now,
        };
        let mut changes = ChangeSet::new(tenant.id);
        changes.push(Write::InsertUser(user.clone()));
        let zone = self.zone(tenant.id).await?;
        let token = self.issue_link(
            &mut changes,
            &tenant,
            &user,
            ActionPurpose::Invitation,
            (now, &zone),
        );
        let event = match inviter {
            Inviter::User(actor) => audit_by(actor, now, AuditAction::UserCreated),
            Inviter::Operator(Some(op)) => AuditEvent::new(
                Some(tenant.id),
                now,
                AuditActor::Operator(op),
                AuditAction::UserCreated,
                AuditTarget::None,
            ),
            Inviter::Operator(None) => AuditEvent::new(
                Some(tenant.id),
                now,
                AuditActor::System,
                AuditAction::UserCreated,
                AuditTarget::None,
            ),
        };
        let mut event = event.from_ip(source_ip);
        event.target = AuditTarget::User(user.id);
        changes.push(Write::AppendAudit(event.with_changes(vec![
            FieldChange::new("status", None, Some("invited")),
            FieldChange::new("role", None, Some(&user.role.to_string())),
            FieldChange::new("scope", None, Some(&scope_detail(&user.scope))),
        ])));
        match self.uow.commit(changes).await {
            Ok(()) => Ok((user.id, token)),
            Err(StoreError::Conflict { .. }) => Err(AccountError::EmailTaken),
            Err(e) => Err(e.into()),
        }
    }

    /// Checks a new password against the tenant's policy and hashes it.
    async fn new_hash(
        &self,
        tenant: &Tenant,
        user: &User,
        password: &Password,
    ) -> Result<crate::ports::PasswordHash, AccountError> {
        let settings = self.settings.settings(tenant.id).await?.value;
        if settings.security.sso == SsoMode::Only {
            return Err(AccountError::PasswordLoginDisabled);
        }
        let context = PasswordContext::new(
            [user.first_name.as_str(), user.last_name.as_str()],
            Some(user.email.as_str()),
            tenant.name.as_str(),
        );
        settings
            .security
            .password_policy
            .check(password, &context, self.breached)
            .map_err(AccountError::Password)?;
        self.hasher
            .hash(password)
            .await
            .map_err(|e| AccountError::Unavailable(e.to_string()))
    }

    /// The pending link and its account, if the link may be used now.
    async fn redeemable(
        &self,
        tenant: TenantId,
        token: &ActionToken,
        purpose: ActionPurpose,
    ) -> Result<(PendingAction, Versioned<User>), AccountError> {
        let now = self.clock.now();
        let action = self
            .actions
            .action(tenant, &token.hash())
            .await?
            .filter(|a| a.is_usable(purpose, now))
            .ok_or(AccountError::InvalidLink)?;
        let user = self
            .users
            .user(tenant, action.user)
            .await?
            .ok_or(AccountError::InvalidLink)?;
        Ok((action, user))
    }

    /// Completes a registration: checks the link, sets the password, activates
    /// the account. The link works once.
    ///
    /// # Errors
    /// [`AccountError::InvalidLink`]; [`AccountError::Password`];
    /// [`AccountError::Tenant`].
    pub async fn accept_invitation(
        &self,
        tenant: TenantId,
        token: &ActionToken,
        password: &Password,
        source_ip: Option<IpAddr>,
    ) -> Result<UserId, AccountError> {
        let tenant = self.writable_tenant(tenant).await?;
        let (action, user) = self
            .redeemable(tenant.id, token, ActionPurpose::Invitation)
            .await?;
        if user.value.status != UserStatus::Invited {
            return Err(AccountError::InvalidLink);
        }
        let hash = self.new_hash(&tenant, &user.value, password).await?;
        let now = self.clock.now();
        let mut u = user.value;
        u.accept_invitation()
            .map_err(|_| AccountError::InvalidLink)?;
        let mut changes = ChangeSet::new(tenant.id);
        changes
            .push(Write::ConsumeAction(action.token_hash))
            .push(Write::UpdateUser(u.clone(), user.version))
            .push(Write::SetPasswordHash(u.id, hash))
            .push(Write::AppendAudit(
                AuditEvent::new(
                    Some(tenant.id),
                    now,
                    AuditActor::User(u.id),
                    AuditAction::InvitationAccepted,
                    AuditTarget::User(u.id),
                )
                .from_ip(source_ip)
                .with_changes(vec![FieldChange::new(
                    "status",
                    Some("invited"),
                    Some("active"),
                )]),
            ));
        self.commit_link(changes).await?;
        Ok(u.id)
    }

    /// Commits a change set that redeems a link: losing a race for the link (or
    /// for the account) means the link was used.
    async fn commit_link(&self, changes: ChangeSet) -> Result<(), AccountError> {
        match self.uow.commit(changes).await {
            Ok(()) => Ok(()),
            Err(StoreError::NotFound | StoreError::Conflict { .. }) => {
                Err(AccountError::InvalidLink)
            }
            Err(e) => Err(e.into()),
        }
    }

    /// "Forgot password": sends a reset link if `email` belongs to an active
    /// account with a password, and answers the same either way.
    ///
    /// # Errors
    /// [`AccountError::Unavailable`] only.
    pub async fn request_password_reset(
        &self,
        tenant: TenantId,
        email: &str,
        source_ip: Option<IpAddr>,
    ) -> Result<(), AccountError> {
        let Some(tenant) = self
            .tenants
            .tenant(tenant)
            .await?
            .filter(|t| t.ensure_writable().is_ok())
        else {
            return Ok(());
        };
        let now = self.clock.now();
        let settings = self.settings.settings(tenant.id).await?.value;
        let user = match Email::parse(email) {
            Ok(e) => self.users.user_by_email(tenant.id, &e).await?,
            Err(_) => None,
        };
        let mut changes = ChangeSet::new(tenant.id);
        let eligible = user.as_ref().filter(|u| {
            u.value.status == UserStatus::Active
                && u.value.auth.password
                && settings.security.sso != SsoMode::Only
        });
        let (target, detail) = match (&user, eligible) {
            (_, Some(u)) => {
                self.issue_link(
                    &mut changes,
                    &tenant,
                    &u.value,
                    ActionPurpose::PasswordReset,
                    (now, &settings.working.time_zone),
                );
                (AuditTarget::User(u.value.id), "link_sent")
            }
            (Some(u), None) => (AuditTarget::User(u.value.id), "account_cannot_reset"),
            (None, None) => (AuditTarget::None, "unknown_account"),
        };
        changes.push(Write::AppendAudit(
            AuditEvent::new(
                Some(tenant.id),
                now,
                AuditActor::Anonymous,
                AuditAction::PasswordResetRequested,
                target,
            )
            .from_ip(source_ip)
            .with_detail(detail),
        ));
        self.uow.commit(changes).await?;
        Ok(())
    }

    /// Sets a new password through a reset link. Ends every session of the
    /// account; an enrolled second factor stays required.
    ///
    /// # Errors
    /// [`AccountError::InvalidLink`] (also when the account was locked or
    /// deactivated since); [`AccountError::Password`].
    pub async fn reset_password(
        &self,
        tenant: TenantId,
        token: &ActionToken,
        password: &Password,
        source_ip: Option<IpAddr>,
    ) -> Result<UserId, AccountError> {
        let tenant = self.writable_tenant(tenant).await?;
        let (action, user) = self
            .redeemable(tenant.id, token, ActionPurpose::PasswordReset)
            .await?;
        let zone = self.zone(tenant.id).await?;
        if user.value.status != UserStatus::Active || !user.value.auth.password {
            return Err(AccountError::InvalidLink);
        }
        let hash = self.new_hash(&tenant, &user.value, password).await?;
        let now = self.clock.now();
        let u = user.value;
        let mut changes = ChangeSet::new(tenant.id);
        changes
            .push(Write::ConsumeAction(action.token_hash))
            // Names the version read: an account locked or deactivated meanwhile
            // makes the reset fail rather than slip past that change.
            .push(Write::UpdateUser(u.clone(), user.version))
            .push(Write::SetPasswordHash(u.id, hash))
            .push(Write::DeleteSessionsOfUser(u.id))
            .push(Write::AppendAudit(
                AuditEvent::new(
                    Some(tenant.id),
                    now,
                    AuditActor::User(u.id),
                    AuditAction::PasswordReset,
                    AuditTarget::User(u.id),
                )
                .from_ip(source_ip),
            ))
            .push(
                self.message(
                    tenant.id,
                    MessageKind::SecurityAlert,
                    &u.email,
                    MessageParams::new()
                        .with("event", "Ihr Passwort wurde zurückgesetzt.")
                        .with("time", instant_de(now, &zone)),
                    now,
                ),
            );
        self.commit_link(changes).await?;
        Ok(u.id)
    }

    /// Changes the actor's own password. Needs the current one: a wrong one
    /// counts as a failed login (and can lock the account). Other sessions of
    /// the account end; `keep` (the session making the change) stays.
    ///
    /// # Errors
    /// [`AccountError::WrongCurrentPassword`]; [`AccountError::Password`].
    pub async fn change_password(
        &self,
        actor: &Actor,
        current: &Password,
        new: &Password,
        keep: Option<TokenHash>,
        source_ip: Option<IpAddr>,
    ) -> Result<(), AccountError> {
        let tenant = self.writable_tenant(actor.tenant()).await?;
        let uid = actor.user();
        let zone = self.zone(tenant.id).await?;
        let stored = self.credentials.password_hash(tenant.id, uid).await?;
        let check = self
            .hasher
            .verify(current, stored.clone())
            .await
            .map_err(|e| AccountError::Unavailable(e.to_string()))?;
        let now = self.clock.now();
        if !(check.matches && stored.is_some()) {
            self.record_failed_reauthentication(&tenant, uid, now, source_ip)
                .await?;
            return Err(AccountError::WrongCurrentPassword);
        }
        let user = self
            .users
            .user(tenant.id, uid)
            .await?
            .ok_or(AccessError::NotFound)?;
        let hash = self.new_hash(&tenant, &user.value, new).await?;
        let u = user.value;
        let mut changes = ChangeSet::new(tenant.id);
        changes
            .push(Write::SetPasswordHash(uid, hash))
            .push(Write::DeleteActionsOfUser(
                uid,
                ActionPurpose::PasswordReset,
            ));
        changes.push(match keep {
            Some(keep) => Write::DeleteOtherSessionsOfUser(uid, keep),
            None => Write::DeleteSessionsOfUser(uid),
        });
        changes
            .push(Write::AppendAudit(
                audit_by(actor, now, AuditAction::PasswordChanged).from_ip(source_ip),
            ))
            .push(
                self.message(
                    tenant.id,
                    MessageKind::SecurityAlert,
                    &u.email,
                    MessageParams::new()
                        .with("event", "Ihr Passwort wurde geändert.")
                        .with("time", instant_de(now, &zone)),
                    now,
                ),
            );
        self.uow.commit(changes).await?;
        Ok(())
    }

    /// Counts a wrong password given to confirm a sensitive change like a failed
    /// login (with the same lockout).
    async fn record_failed_reauthentication(
        &self,
        tenant: &Tenant,
        uid: UserId,
        now: Timestamp,
        source_ip: Option<IpAddr>,
    ) -> Result<(), AccountError> {
        super::FailedLogin {
            users: self.users,
            settings: self.settings,
            uow: self.uow,
            random: self.random,
        }
        .record(
            tenant.id,
            uid,
            now,
            source_ip,
            "wrong_current_password",
            Vec::new(),
        )
        .await?;
        Ok(())
    }

    /// Changes a user's names, address, phone, role or scope (read+write on
    /// Users). The actor must be allowed to manage the user as they are now and
    /// to grant the new role and scope; the last active Administrator cannot be
    /// demoted.
    ///
    /// # Errors
    /// [`AccountError::Access`]; [`AccountError::UnknownRole`];
    /// [`AccountError::EmailTaken`].
    pub async fn update_user(
        &self,
        actor: &Actor,
        uid: UserId,
        change: UserChanges,
        source_ip: Option<IpAddr>,
    ) -> Result<User, AccountError> {
        if uid == actor.user() && (change.email.is_some() || change.phone.is_some()) {
            return Err(AccountError::ReauthenticationRequired);
        }
        self.apply_user_change(actor, uid, change, Changer::Manager, source_ip)
            .await
    }

    /// Changes the actor's own names and the language of their pages
    /// (`None`: the browser's). Anyone may, whatever their role; the change
    /// is audited like any change of an account.
    ///
    /// # Errors
    /// [`AccountError::Access`] when the organisation is read-only.
    pub async fn change_own_profile(
        &self,
        actor: &Actor,
        first_name: Name,
        last_name: Name,
        language: Option<Language>,
        source_ip: Option<IpAddr>,
    ) -> Result<User, AccountError> {
        let change = UserChanges {
            first_name: Some(first_name),
            last_name: Some(last_name),
            language: Some(language),
            ..UserChanges::default()
        };
        self.apply_user_change(actor, actor.user(), change, Changer::Own, source_ip)
            .await
    }

    /// Changes the actor's own e-mail address or phone number, confirmed with
    /// the current password (a wrong one counts as a failed login). A new phone
    /// number turns SMS codes off until it is confirmed.
    ///
    /// # Errors
    /// [`AccountError::WrongCurrentPassword`]; [`AccountError::EmailTaken`].
    pub async fn change_own_contact(
        &self,
        actor: &Actor,
        email: Option<Email>,
        phone: Option<Option<Phone>>,
        password: &Password,
        source_ip: Option<IpAddr>,
    ) -> Result<User, AccountError> {
        let tenant = self.writable_tenant(actor.tenant()).await?;
        let uid = actor.user();
        let stored = self.credentials.password_hash(tenant.id, uid).await?;
        let check = self
            .hasher
            .verify(password, stored.clone())
            .await
            .map_err(|e| AccountError::Unavailable(e.to_string()))?;
        if !(check.matches && stored.is_some()) {
            self.record_failed_reauthentication(&tenant, uid, self.clock.now(), source_ip)
                .await?;
            return Err(AccountError::WrongCurrentPassword);
        }
        let change = UserChanges {
            email,
            phone,
            ..UserChanges::default()
        };
        self.apply_user_change(actor, uid, change, Changer::Own, source_ip)
            .await
    }

    async fn apply_user_change(
        &self,
        actor: &Actor,
        uid: UserId,
        change: UserChanges,
        changer: Changer,
        source_ip: Option<IpAddr>,
    ) -> Result<User, AccountError> {
        let tenant = self.writable_tenant(actor.tenant()).await?;
        // One's own account needs no right to manage users; its role and
        // scope are never changed that way.
        let own = changer == Changer::Own
            && uid == actor.user()
            && change.role.is_none()
            && change.scope.is_none();
        for _ in 0..MAX_CONFLICT_RETRIES {
            let user = self
                .users
                .user(tenant.id, uid)
                .await?
                .ok_or(AccessError::NotFound)?;
            let before = user.value.clone();
            let old_role = self.role(tenant.id, before.role).await?;
            if !own {
                actor.check_manage_user(&old_role, &before.scope)?;
            }
            let mut after = before.clone();
            if let Some(v) = change.first_name.clone() {
                after.first_name = v;
            }
            if let Some(v) = change.last_name.clone() {
                after.last_name = v;
            }
            if let Some(v) = change.email.clone() {
                after.email = v;
            }
            if let Some(v) = change.phone.clone() {
                after.phone = v;
                if after.phone != before.phone {
                    // Codes go only to a number confirmed with a code.
                    after.auth.sms = false;
                }
            }
            if let Some(v) = change.role {
                after.role = v;
            }
            if let Some(v) = change.scope.clone() {
                after.scope = v;
            }
            if let Some(v) = change.language {
                after.language = v;
            }
            let new_role = if after.role == before.role {
                old_role.clone()
            } else {
                self.role(tenant.id, after.role).await?
            };
            if after.role != before.role || after.scope != before.scope {
                actor.check_assignment(&new_role, &after.scope)?;
            }
            if after.email != before.email
                && let Some(other) = self.users.user_by_email(tenant.id, &after.email).await?
                && other.value.id != uid
            {
                return Err(AccountError::EmailTaken);
            }
            let mut fields = Vec::new();
            let mut diff = |field: &str, a: &str, b: &str| {
                if a != b {
                    fields.push(FieldChange::new(field, Some(a), Some(b)));
                }
            };
            diff(
                "first_name",
                before.first_name.as_str(),
                after.first_name.as_str(),
            );
            diff(
                "last_name",
                before.last_name.as_str(),
                after.last_name.as_str(),
            );
            diff("email", before.email.as_str(), after.email.as_str());
            diff(
                "phone",
                before.phone.as_ref().map_or("", |p| p.as_str()),
                after.phone.as_ref().map_or("", |p| p.as_str()),
            );
            diff("role", &before.role.to_string(), &after.role.to_string());
            diff(
                "scope",
                &scope_detail(&before.scope),
                &scope_detail(&after.scope),
            );
            diff(
                "language",
                language_key(before.language),
                language_key(after.language),
            );
            if fields.is_empty() {
                return Ok(before);
            }
            let now = self.clock.now();
            let mut changes = ChangeSet::new(tenant.id);
            let takes_away = holds_administrator(before.status, &old_role)
                && !holds_administrator(after.status, &new_role);
            if takes_away {
                let admins = self.users.active_administrators(tenant.id).await?;
                ensure_administrator_remains(&admins, uid, true)?;
                changes.require(Precondition::AdministratorRemains);
            }
            let mut event = audit_by(actor, now, AuditAction::UserChanged).from_ip(source_ip);
            event.target = AuditTarget::User(uid);
            changes
                .push(Write::UpdateUser(after.clone(), user.version))
                .push(Write::AppendAudit(event.with_changes(fields)));
            if after.email != before.email {
                // Links mailed to the old address stop working; a pending
                // registration goes to the new one.
                changes
                    .push(Write::DeleteActionsOfUser(uid, ActionPurpose::Invitation))
                    .push(Write::DeleteActionsOfUser(
                        uid,
                        ActionPurpose::PasswordReset,
                    ));
                if after.status == UserStatus::Invited {
                    let zone = self.zone(tenant.id).await?;
                    self.issue_link(
                        &mut changes,
                        &tenant,
                        &after,
                        ActionPurpose::Invitation,
                        (now, &zone),
                    );
                }
            }
            match self.uow.commit(changes).await {
                Ok(()) => return Ok(after),
                Err(e) if is_conflict(&e) => {
                    if after.email != before.email
                        && self
                            .users
                            .user_by_email(tenant.id, &after.email)
                            .await?
                            .is_some()
                    {
                        return Err(AccountError::EmailTaken);
                    }
                }
                Err(e) => return Err(e.into()),
            }
        }
        Err(AccountError::Unavailable(
            "too many concurrent changes to one account".into(),
        ))
    }

    /// Deactivates an account: it cannot log in from now on and its sessions
    /// end in the same transaction.
    ///
    /// # Errors
    /// [`AccountError::Access`] (no right to manage this user, or the last active
    /// Administrator); [`AccountError::State`] when already deactivated.
    pub async fn deactivate(
        &self,
        actor: &Actor,
        user: UserId,
        source_ip: Option<IpAddr>,
    ) -> Result<(), AccountError> {
        self.change_status(actor, user, source_ip, StatusChange::Deactivate)
            .await
    }

    /// Reactivates a deactivated account.
    ///
    /// # Errors
    /// [`AccountError::Access`]; [`AccountError::State`] unless deactivated.
    pub async fn reactivate(
        &self,
        actor: &Actor,
        user: UserId,
        source_ip: Option<IpAddr>,
    ) -> Result<(), AccountError> {
        self.change_status(actor, user, source_ip, StatusChange::Reactivate)
            .await
    }

    /// Unlocks an account locked by failed logins. Only Administrators (and
    /// support acting for the tenant) may.
    ///
    /// # Errors
    /// [`AccountError::Access`]; [`AccountError::State`] unless locked.
    pub async fn unlock(
        &self,
        actor: &Actor,
        user: UserId,
        source_ip: Option<IpAddr>,
    ) -> Result<(), AccountError> {
        if !actor.has_administrator_role() && matches!(actor.via(), crate::authz::Via::Direct) {
            return Err(AccessError::Forbidden {
                area: crate::access::Area::Users,
                needed: crate::access::AccessLevel::ReadWrite,
            }
            .into());
        }
        self.change_status(actor, user, source_ip, StatusChange::Unlock)
            .await
    }

    async fn change_status(
        &self,
        actor: &Actor,
        uid: UserId,
        source_ip: Option<IpAddr>,
        change: StatusChange,
    ) -> Result<(), AccountError> {
        let tenant = self.writable_tenant(actor.tenant()).await?;
        for _ in 0..MAX_CONFLICT_RETRIES {
            let user = self
                .users
                .user(tenant.id, uid)
                .await?
                .ok_or(AccessError::NotFound)?;
            let role = self.role(tenant.id, user.value.role).await?;
            actor.check_manage_user(&role, &user.value.scope)?;
            let before = user.value.status;
            let mut u = user.value.clone();
            let action = match change {
                StatusChange::Deactivate => {
                    u.deactivate()?;
                    AuditAction::UserDeactivated
                }
                StatusChange::Reactivate => {
                    u.reactivate()?;
                    if !actor.has_administrator_role() && before == UserStatus::Deactivated {
                        // Reactivating clears failed logins: for anyone but an
                        // Administrator that would be an unlock by the back door,
                        // so the count (and a lock it reached) stays.
                        let max = self
                            .settings
                            .settings(tenant.id)
                            .await?
                            .value
                            .security
                            .password_policy
                            .max_failed_attempts();
                        let kept = user.value.failed_logins;
                        if u.status == UserStatus::Active {
                            u.set_lockout(crate::lockout::LockoutState::from_parts(
                                kept,
                                kept >= u32::from(max.get()),
                            ));
                        } else {
                            u.failed_logins = kept;
                        }
                    }
                    AuditAction::UserReactivated
                }
                StatusChange::Unlock => {
                    u.unlock()?;
                    AuditAction::AccountUnlocked
                }
            };
            let now = self.clock.now();
            let mut changes = ChangeSet::new(tenant.id);
            let takes_away =
                holds_administrator(before, &role) && !holds_administrator(u.status, &role);
            if takes_away {
                let admins = self.users.active_administrators(tenant.id).await?;
                ensure_administrator_remains(&admins, uid, true)?;
                changes.require(Precondition::AdministratorRemains);
            }
            if change == StatusChange::Deactivate {
                changes.push(Write::DeleteSessionsOfUser(uid));
            }
            let mut event = audit_by(actor, now, action).from_ip(source_ip);
            event.target = AuditTarget::User(uid);
            changes
                .push(Write::UpdateUser(u.clone(), user.version))
                .push(Write::AppendAudit(event.with_changes(vec![
                    FieldChange::new(
                        "status",
                        Some(status_key(before)),
                        Some(status_key(u.status)),
                    ),
                ])));
            match self.uow.commit(changes).await {
                Ok(()) => return Ok(()),
                Err(e) if is_conflict(&e) => {}
                Err(e) => return Err(e.into()),
            }
        }
        Err(AccountError::Unavailable(
            "too many concurrent changes to one account".into(),
        ))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum StatusChange {
    Deactivate,
    Reactivate,
    Unlock,
}

/// The stable key of an account status, for audit entries and the API.
#[must_use]
pub const fn status_key(s: UserStatus) -> &'static str {
    match s {
        UserStatus::Invited => "invited",
        UserStatus::Active => "active",
        UserStatus::Locked => "locked",
        UserStatus::Deactivated => "deactivated",
    }
}

/// A scope in words for audit entries: `administrator`, or the restricted
/// criteria with their values.
fn scope_detail(scope: &ReferenceScope) -> String {
    match scope {
        ReferenceScope::Restricted(r) => {
            let parts: Vec<String> = r
                .iter()
                .map(|(c, values)| {
                    let v: Vec<&str> = values.iter().map(|n| n.as_str()).collect();
                    format!("{c:?}={}", v.join("|"))
                })
                .collect();
            if parts.is_empty() {
                "restricted".to_owned()
            } else {
                parts.join("; ")
            }
        }
        _ => "administrator".to_owned(),
    }
}
