//! User accounts: people with direct access, usually HR staff.

use crate::id::{RoleId, TenantId, UserId};
use crate::lockout::LockoutState;
use crate::scope::ReferenceScope;
use crate::values::{Email, Name, Phone, Timestamp};

/// The status of an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UserStatus {
    /// Invited; has not set a password yet.
    Invited,
    /// Can log in.
    Active,
    /// Locked after failed logins; an administrator or support must unlock.
    Locked,
    /// Deactivated; cannot log in, sessions ended.
    Deactivated,
}

/// A user's single-sign-on identity: matched by issuer and subject, never by
/// e-mail or name. `Debug` shows the issuer only.
#[derive(Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct SsoIdentity {
    /// The issuer (for Entra ID, includes the Azure tenant id).
    pub issuer: String,
    /// The subject / object id.
    pub subject: String,
}

impl std::fmt::Debug for SsoIdentity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SsoIdentity")
            .field("issuer", &self.issuer)
            .finish_non_exhaustive()
    }
}

/// Which ways of authenticating a user has set up.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct AuthMethods {
    /// A local password is set.
    pub password: bool,
    /// A TOTP authenticator is enrolled.
    pub totp: bool,
    /// SMS codes to the stored phone are enabled.
    pub sms: bool,
    /// Linked SSO identity.
    pub sso: Option<SsoIdentity>,
}

impl AuthMethods {
    /// Whether a second factor is enrolled.
    #[must_use]
    pub const fn has_second_factor(&self) -> bool {
        self.totp || self.sms
    }
}

/// A user account.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct User {
    /// The user's id.
    pub id: UserId,
    /// The tenant.
    pub tenant: TenantId,
    /// First name.
    pub first_name: Name,
    /// Last name.
    pub last_name: Name,
    /// E-mail, unique within the tenant.
    pub email: Email,
    /// Phone for SMS codes.
    pub phone: Option<Phone>,
    /// Role.
    pub role: RoleId,
    /// Reference access scope.
    pub scope: ReferenceScope,
    /// Status.
    pub status: UserStatus,
    /// Consecutive failed logins.
    pub failed_logins: u32,
    /// Authentication methods.
    pub auth: AuthMethods,
    /// When the account was created.
    pub created_at: Timestamp,
    /// The language the user chose for the pages; `None` leaves it to the
    /// browser.
    #[serde(default)]
    pub language: Option<crate::reference::Language>,
}

/// A status change the account rules refuse.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum UserError {
    /// The account is not locked.
    #[error("the account is not locked")]
    NotLocked,
    /// The account is not deactivated.
    #[error("the account is not deactivated")]
    NotDeactivated,
    /// The account is already deactivated.
    #[error("the account is already deactivated")]
    AlreadyDeactivated,
    /// The invitation was already accepted.
    #[error("the invitation was already accepted")]
    NotInvited,
}

impl User {
    /// The lockout state derived from status and failure count.
    #[must_use]
    pub fn lockout(&self) -> LockoutState {
        LockoutState::from_parts(self.failed_logins, self.status == UserStatus::Locked)
    }

    /// Stores a new lockout state (only for active or locked accounts).
    pub fn set_lockout(&mut self, state: LockoutState) {
        if matches!(self.status, UserStatus::Active | UserStatus::Locked) {
            self.failed_logins = state.consecutive_failures();
            self.status = if state.is_locked() {
                UserStatus::Locked
            } else {
                UserStatus::Active
            };
        }
    }

    /// Unlocks a locked account.
    ///
    /// # Errors
    /// [`UserError::NotLocked`].
    pub fn unlock(&mut self) -> Result<(), UserError> {
        if self.status != UserStatus::Locked {
            return Err(UserError::NotLocked);
        }
        self.set_lockout(self.lockout().unlock());
        Ok(())
    }

    /// Deactivates the account (sessions must end at once).
    ///
    /// # Errors
    /// [`UserError::AlreadyDeactivated`].
    pub fn deactivate(&mut self) -> Result<(), UserError> {
        if self.status == UserStatus::Deactivated {
            return Err(UserError::AlreadyDeactivated);
        }
        self.status = UserStatus::Deactivated;
        Ok(())
    }

    /// Reactivates a deactivated account (failure count reset). An account that
    /// never set a password or linked SSO goes back to invited, so its
    /// registration can still be completed.
    ///
    /// # Errors
    /// [`UserError::NotDeactivated`].
    pub fn reactivate(&mut self) -> Result<(), UserError> {
        if self.status != UserStatus::Deactivated {
            return Err(UserError::NotDeactivated);
        }
        self.status = if self.auth.password || self.auth.sso.is_some() {
            UserStatus::Active
        } else {
            UserStatus::Invited
        };
        self.failed_logins = 0;
        Ok(())
    }

    /// The invited user set a password.
    ///
    /// # Errors
    /// [`UserError::NotInvited`].
    pub fn accept_invitation(&mut self) -> Result<(), UserError> {
        if self.status != UserStatus::Invited {
            return Err(UserError::NotInvited);
        }
        self.status = UserStatus::Active;
        self.auth.password = true;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn invited() -> User {
        User {
            id: UserId::from_bytes([1; 16]),
            tenant: TenantId::from_bytes([2; 16]),
            first_name: Name::new("Lea").unwrap(),
            last_name: Name::new("Wolf").unwrap(),
            email: Email::parse("lea@firma.de").unwrap(),
            phone: None,
            role: RoleId::from_bytes([3; 16]),
            scope: ReferenceScope::Administrator,
            status: UserStatus::Invited,
            failed_logins: 0,
            language: None,
            auth: AuthMethods::default(),
            created_at: Timestamp::from_unix_timestamp(0).unwrap(),
        }
    }

    #[test]
    fn a_reactivated_invitation_can_still_be_accepted() {
        let mut u = invited();
        u.deactivate().unwrap();
        u.reactivate().unwrap();
        assert_eq!(u.status, UserStatus::Invited);
        assert_eq!(u.accept_invitation(), Ok(()));
        assert_eq!(u.status, UserStatus::Active);
    }

    #[test]
    fn unlocking_resets_the_count_and_only_works_on_locked_accounts() {
        let mut u = invited();
        u.accept_invitation().unwrap();
        assert_eq!(u.unlock(), Err(UserError::NotLocked));
        u.set_lockout(crate::lockout::LockoutState::from_parts(5, true));
        assert_eq!(u.status, UserStatus::Locked);
        u.unlock().unwrap();
        assert_eq!((u.status, u.failed_logins), (UserStatus::Active, 0));
    }

    #[test]
    fn the_sso_subject_never_prints() {
        let id = SsoIdentity {
            issuer: "https://login.example/t1/v2.0".into(),
            subject: "oid-1234".into(),
        };
        assert!(!format!("{id:?}").contains("oid-1234"));
    }
}
