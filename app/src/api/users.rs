//! Users and roles as administrators see them: listing, inviting, deactivating,
//! reactivating, unlocking.

use std::str::FromStr as _;

use poem::Request;
use poem::http::StatusCode;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi, Tags};
use zeugnis_core::access::{Area, Permissions, Role};
use zeugnis_core::id::{RoleId, UserId};
use zeugnis_core::ports::{Cursor, PageRequest};
use zeugnis_core::scope::{Criterion, ReferenceScope};
use zeugnis_core::services::accounts::{NewUser, UserChanges, status_key};
use zeugnis_core::services::roles::{level_from_key, level_key};
use zeugnis_core::user::User;
use zeugnis_core::values::{Email, Name, Phone};

use super::Done;
use super::auth::Caller;
use super::error::ApiError;
use super::timestamp;

#[derive(Tags)]
enum Tag {
    /// User accounts and roles (area Users / Roles).
    Users,
}

/// A reference access scope: everything (`administrator: true`), or only the
/// references whose employee matches every listed criterion.
#[derive(Debug, Clone, Default, Object)]
#[oai(deny_unknown_fields)]
pub(crate) struct ScopeView {
    /// All references of the organisation.
    administrator: bool,
    /// Allowed companies (absent: any).
    #[oai(skip_serializing_if_is_none)]
    company: Option<Vec<String>>,
    /// Allowed locations.
    #[oai(skip_serializing_if_is_none)]
    location: Option<Vec<String>>,
    /// Allowed departments.
    #[oai(skip_serializing_if_is_none)]
    department: Option<Vec<String>>,
    /// Allowed organisational units.
    #[oai(skip_serializing_if_is_none)]
    organisational_unit: Option<Vec<String>>,
    /// Allowed employee types.
    #[oai(skip_serializing_if_is_none)]
    employee_type: Option<Vec<String>>,
}

impl ScopeView {
    fn slot(&mut self, c: Criterion) -> &mut Option<Vec<String>> {
        match c {
            Criterion::Company => &mut self.company,
            Criterion::Location => &mut self.location,
            Criterion::Department => &mut self.department,
            Criterion::OrganisationalUnit => &mut self.organisational_unit,
            Criterion::EmployeeType => &mut self.employee_type,
        }
    }

    pub(crate) fn of(scope: &ReferenceScope) -> Self {
        let mut v = ScopeView::default();
        match scope {
            ReferenceScope::Restricted(r) => {
                for (c, values) in r.iter() {
                    *v.slot(c) = Some(values.iter().map(|n| n.as_str().to_owned()).collect());
                }
            }
            _ => v.administrator = true,
        }
        v
    }

    fn to_scope(&self) -> Result<ReferenceScope, ApiError> {
        let mut copy = self.clone();
        let named: Vec<(&'static str, Vec<String>)> = Criterion::ALL
            .into_iter()
            .filter_map(|c| {
                let values = copy.slot(c).take()?;
                Some((c.key(), values))
            })
            .collect();
        ReferenceScope::from_named(self.administrator, named).map_err(|e| {
            use zeugnis_core::scope::ScopeError as S;
            let field = match &e {
                S::AdministratorWithRestriction => "scope.administrator".to_owned(),
                S::NoAllowedValue { criterion }
                | S::InvalidValue { criterion, .. }
                | S::DuplicateCriterion { criterion } => format!("scope.{}", criterion.key()),
                S::UnknownCriterion { key } => format!("scope.{key}"),
                _ => "scope".to_owned(),
            };
            ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_scope",
                e.to_string(),
            )
            .field(&field)
        })
    }
}

/// A user account.
#[derive(Debug, Object)]
pub(crate) struct UserView {
    /// Id.
    id: String,
    /// First name.
    first_name: String,
    /// Last name.
    last_name: String,
    /// E-mail address.
    email: String,
    /// Phone number for SMS codes.
    #[oai(skip_serializing_if_is_none)]
    phone: Option<String>,
    /// The role's id.
    role_id: String,
    /// `invited`, `active`, `locked` or `deactivated`.
    status: String,
    /// The reference access scope.
    scope: ScopeView,
    /// An authenticator app is enrolled.
    totp: bool,
    /// SMS codes are enrolled.
    sms: bool,
    /// When the account was created.
    created_at: String,
}

impl UserView {
    pub(crate) fn of(u: &User) -> Self {
        Self {
            id: u.id.to_string(),
            first_name: u.first_name.as_str().to_owned(),
            last_name: u.last_name.as_str().to_owned(),
            email: u.email.as_str().to_owned(),
            phone: u.phone.as_ref().map(|p| p.as_str().to_owned()),
            role_id: u.role.to_string(),
            status: status_key(u.status).to_owned(),
            scope: ScopeView::of(&u.scope),
            totp: u.auth.totp,
            sms: u.auth.sms,
            created_at: timestamp(u.created_at),
        }
    }
}

/// A page of users.
#[derive(Debug, Object)]
pub(crate) struct UserPage {
    /// The users, ordered by id.
    items: Vec<UserView>,
    /// Pass as `after` for the next page; absent on the last page.
    #[oai(skip_serializing_if_is_none)]
    next: Option<String>,
}

/// A user to invite.
#[derive(Debug, Object)]
pub(crate) struct InviteInput {
    /// First name.
    first_name: String,
    /// Last name.
    last_name: String,
    /// E-mail address (receives the registration link).
    email: String,
    /// Phone number in international format, for SMS codes.
    phone: Option<String>,
    /// The role's id.
    role_id: String,
    /// The reference access scope.
    scope: ScopeView,
}

/// The id of something created.
#[derive(Debug, Object)]
pub(crate) struct Created {
    /// Its id.
    id: String,
}

#[derive(ApiResponse)]
enum InviteResponse {
    /// Invited: the account exists as `invited` and the registration link is on
    /// its way.
    #[oai(status = 201)]
    Created(Json<Created>),
}

#[derive(ApiResponse)]
enum CreatedRole {
    /// Created.
    #[oai(status = 201)]
    Created(Json<RoleView>),
}

/// A role.
#[derive(Debug, Object)]
pub(crate) struct RoleView {
    /// Id.
    id: String,
    /// Name.
    name: String,
    /// The built-in Administrator role (every area; cannot be changed).
    administrator: bool,
    /// Level per area: `none`, `read` or `read_write`, by area key.
    permissions: std::collections::BTreeMap<String, String>,
}

/// A role to create or save.
#[derive(Debug, Object)]
pub(crate) struct RoleInput {
    /// Name.
    name: String,
    /// Level per area key (`none`, `read`, `read_write`); areas left out are
    /// `none`.
    permissions: std::collections::BTreeMap<String, String>,
}

impl RoleInput {
    fn parts(&self) -> Result<(Name, Permissions), ApiError> {
        let name = name("name", &self.name)?;
        let mut p = Permissions::none();
        for (key, level) in &self.permissions {
            let area = Area::from_key(key).ok_or_else(|| {
                ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "unknown_area",
                    format!("there is no area \"{key}\""),
                )
                .field("permissions")
            })?;
            let level = level_from_key(level).ok_or_else(|| {
                ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "invalid_level",
                    format!("\"{level}\" is not a level: use none, read or read_write"),
                )
                .field("permissions")
            })?;
            p.set(area, level);
        }
        Ok((name, p))
    }
}

/// Changes to a user; fields left out stay as they are.
#[derive(Debug, Object)]
pub(crate) struct UserUpdate {
    /// First name.
    first_name: Option<String>,
    /// Last name.
    last_name: Option<String>,
    /// E-mail address.
    email: Option<String>,
    /// Phone number; an empty string removes it.
    phone: Option<String>,
    /// The role's id.
    role_id: Option<String>,
    /// The reference access scope.
    scope: Option<ScopeView>,
}

fn role_id(raw: &str) -> Result<RoleId, ApiError> {
    RoleId::from_str(raw).map_err(|_| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown_role",
            "the role does not exist",
        )
        .field("role_id")
    })
}

impl RoleView {
    pub(crate) fn of(r: &Role) -> Self {
        Self {
            id: r.id.to_string(),
            name: r.name.as_str().to_owned(),
            administrator: r.is_administrator(),
            permissions: Area::ALL
                .iter()
                .map(|a| {
                    (
                        a.key().to_owned(),
                        level_key(r.permissions().level(*a)).to_owned(),
                    )
                })
                .collect(),
        }
    }
}

fn user_id(raw: &str) -> Result<UserId, ApiError> {
    UserId::from_str(raw).map_err(|_| ApiError::not_found())
}

fn name(field: &str, raw: &str) -> Result<Name, ApiError> {
    Name::new(raw).map_err(|e| ApiError::invalid(field, &e))
}

/// The user and role endpoints.
pub(crate) struct UserApi;

#[OpenApi(prefix_path = "/", tag = "Tag::Users")]
impl UserApi {
    /// The organisation's users (area Users, read).
    #[oai(path = "/users", method = "get")]
    async fn list(
        &self,
        req: &Request,
        caller: Caller,
        /// Continue after this position (from `next`).
        after: Query<Option<String>>,
        /// Page size, 1 to 500.
        #[oai(validator(minimum(value = "1"), maximum(value = "500")))]
        limit: Query<Option<u16>>,
    ) -> Result<Json<UserPage>, ApiError> {
        let state = super::auth::state(req)?;
        let page = state
            .accounts()
            .users(
                &caller.actor,
                PageRequest::new(after.0.map(Cursor), limit.0.unwrap_or(100)),
            )
            .await?;
        Ok(Json(UserPage {
            items: page.items.iter().map(UserView::of).collect(),
            next: page.next.map(|c| c.0),
        }))
    }

    /// One user (area Users, read).
    #[oai(path = "/users/:id", method = "get")]
    async fn get(
        &self,
        req: &Request,
        caller: Caller,
        id: Path<String>,
    ) -> Result<Json<UserView>, ApiError> {
        let state = super::auth::state(req)?;
        let user = state
            .accounts()
            .user(&caller.actor, user_id(&id.0)?)
            .await?;
        Ok(Json(UserView::of(&user)))
    }

    /// Invite a user (area Users, read+write): the account is created and a
    /// registration link is mailed. Nobody can grant a role or scope beyond their
    /// own.
    #[oai(path = "/users", method = "post")]
    async fn invite(
        &self,
        req: &Request,
        caller: Caller,
        input: Json<InviteInput>,
    ) -> Result<InviteResponse, ApiError> {
        let state = super::auth::state(req)?;
        let i = input.0;
        let new = NewUser {
            first_name: name("first_name", &i.first_name)?,
            last_name: name("last_name", &i.last_name)?,
            email: Email::parse(&i.email).map_err(|e| ApiError::invalid("email", &e))?,
            phone: i
                .phone
                .filter(|p| !p.trim().is_empty())
                .map(|p| Phone::parse(&p))
                .transpose()
                .map_err(|e| ApiError::invalid("phone", &e))?,
            role: RoleId::from_str(&i.role_id).map_err(|_| {
                ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "unknown_role",
                    "the role does not exist",
                )
                .field("role_id")
            })?,
            scope: i.scope.to_scope()?,
        };
        let id = state
            .accounts()
            .invite(&caller.actor, new, caller.ip)
            .await?;
        Ok(InviteResponse::Created(Json(Created {
            id: id.to_string(),
        })))
    }

    /// Change a user's names, address, phone, role or scope (area Users,
    /// read+write; never beyond the caller's own rights).
    #[oai(path = "/users/:id", method = "patch")]
    async fn update(
        &self,
        req: &Request,
        caller: Caller,
        id: Path<String>,
        input: Json<UserUpdate>,
    ) -> Result<Json<UserView>, ApiError> {
        let state = super::auth::state(req)?;
        let i = input.0;
        let change = UserChanges {
            first_name: i
                .first_name
                .as_deref()
                .map(|v| name("first_name", v))
                .transpose()?,
            last_name: i
                .last_name
                .as_deref()
                .map(|v| name("last_name", v))
                .transpose()?,
            email: i
                .email
                .as_deref()
                .map(Email::parse)
                .transpose()
                .map_err(|e| ApiError::invalid("email", &e))?,
            phone: i
                .phone
                .as_deref()
                .map(|p| {
                    if p.trim().is_empty() {
                        Ok(None)
                    } else {
                        Phone::parse(p).map(Some)
                    }
                })
                .transpose()
                .map_err(|e| ApiError::invalid("phone", &e))?,
            role: i.role_id.as_deref().map(role_id).transpose()?,
            scope: i.scope.as_ref().map(ScopeView::to_scope).transpose()?,
            language: None,
        };
        let result = state
            .accounts()
            .update_user(&caller.actor, user_id(&id.0)?, change, caller.ip)
            .await;
        let user = result?;
        Ok(Json(UserView::of(&user)))
    }

    /// Deactivate a user: they cannot log in from now on and their sessions end
    /// at once. The last active Administrator cannot be deactivated.
    #[oai(path = "/users/:id/deactivate", method = "post")]
    async fn deactivate(
        &self,
        req: &Request,
        caller: Caller,
        id: Path<String>,
    ) -> Result<Done, ApiError> {
        let state = super::auth::state(req)?;
        state
            .accounts()
            .deactivate(&caller.actor, user_id(&id.0)?, caller.ip)
            .await?;
        Ok(Done::Done)
    }

    /// Reactivate a deactivated user.
    #[oai(path = "/users/:id/reactivate", method = "post")]
    async fn reactivate(
        &self,
        req: &Request,
        caller: Caller,
        id: Path<String>,
    ) -> Result<Done, ApiError> {
        let state = super::auth::state(req)?;
        state
            .accounts()
            .reactivate(&caller.actor, user_id(&id.0)?, caller.ip)
            .await?;
        Ok(Done::Done)
    }

    /// Unlock a user locked after failed logins (Administrators only).
    #[oai(path = "/users/:id/unlock", method = "post")]
    async fn unlock(
        &self,
        req: &Request,
        caller: Caller,
        id: Path<String>,
    ) -> Result<Done, ApiError> {
        let state = super::auth::state(req)?;
        state
            .accounts()
            .unlock(&caller.actor, user_id(&id.0)?, caller.ip)
            .await?;
        Ok(Done::Done)
    }

    /// The organisation's roles (area Users or Roles, read), the Administrator
    /// role first.
    #[oai(path = "/roles", method = "get")]
    async fn roles(&self, req: &Request, caller: Caller) -> Result<Json<Vec<RoleView>>, ApiError> {
        let state = super::auth::state(req)?;
        let roles = state.roles().list(&caller.actor).await?;
        Ok(Json(roles.iter().map(RoleView::of).collect()))
    }

    /// Create a role (area Roles, read+write). It cannot grant more than the
    /// caller holds.
    #[oai(path = "/roles", method = "post")]
    async fn create_role(
        &self,
        req: &Request,
        caller: Caller,
        input: Json<RoleInput>,
    ) -> Result<CreatedRole, ApiError> {
        let state = super::auth::state(req)?;
        let (name, permissions) = input.parts()?;
        let role = state
            .roles()
            .create(&caller.actor, name, permissions, caller.ip)
            .await?;
        Ok(CreatedRole::Created(Json(RoleView::of(&role))))
    }

    /// Rename a role and replace its permissions (area Roles, read+write). The
    /// Administrator role cannot be changed.
    #[oai(path = "/roles/:id", method = "put")]
    async fn update_role(
        &self,
        req: &Request,
        caller: Caller,
        id: Path<String>,
        input: Json<RoleInput>,
    ) -> Result<Json<RoleView>, ApiError> {
        let state = super::auth::state(req)?;
        let (name, permissions) = input.parts()?;
        let id = RoleId::from_str(&id.0).map_err(|_| ApiError::not_found())?;
        let role = state
            .roles()
            .update(&caller.actor, id, name, permissions, caller.ip)
            .await?;
        Ok(Json(RoleView::of(&role)))
    }

    /// Delete a role nobody holds (area Roles, read+write).
    #[oai(path = "/roles/:id", method = "delete")]
    async fn delete_role(
        &self,
        req: &Request,
        caller: Caller,
        id: Path<String>,
    ) -> Result<Done, ApiError> {
        let state = super::auth::state(req)?;
        let id = RoleId::from_str(&id.0).map_err(|_| ApiError::not_found())?;
        state.roles().delete(&caller.actor, id, caller.ip).await?;
        Ok(Done::Done)
    }
}
