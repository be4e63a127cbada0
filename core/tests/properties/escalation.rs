//! No escalation through role edits, and no tenant without an active Administrator.

use std::collections::BTreeSet;

use proptest::prelude::*;
use proptest::sample::Index;
use zeugnis_core::access::{AccessLevel, Area, Permissions, Role};
use zeugnis_core::authz::{
    AccessError, Actor, ensure_administrator_remains, holds_administrator, is_active_administrator,
};
use zeugnis_core::id::{RoleId, TenantId, UserId};
use zeugnis_core::lockout::{Attempt, MaxFailedAttempts};
use zeugnis_core::scope::ReferenceScope;
use zeugnis_core::user::{AuthMethods, User, UserStatus};
use zeugnis_core::values::{Email, Name, Timestamp, ValueError};

use crate::strategies::{access_level, permissions};

/// An actor's role: the Administrator role, or a custom one that usually opens
/// Roles for editing (otherwise every edit is refused and little is tested).
#[derive(Debug, Clone)]
enum ActorRole {
    Administrator,
    Custom(Permissions),
}

fn actor_role() -> impl Strategy<Value = ActorRole> {
    prop_oneof![
        1 => Just(ActorRole::Administrator),
        3 => permissions().prop_map(|p| ActorRole::Custom(
            p.with(Area::Roles, AccessLevel::ReadWrite)
        )),
        1 => permissions().prop_map(ActorRole::Custom),
    ]
}

/// A proposed role: any levels, or levels capped at what the actor holds (so that
/// allowed edits are frequent).
#[derive(Debug, Clone)]
enum Proposal {
    Any([AccessLevel; 14]),
    CappedByActor([AccessLevel; 14]),
}

fn proposal() -> impl Strategy<Value = Proposal> {
    prop_oneof![
        proptest::array::uniform14(access_level()).prop_map(Proposal::Any),
        proptest::array::uniform14(access_level()).prop_map(Proposal::CappedByActor),
    ]
}

/// What the actor holds, by the test's own reckoning.
fn model_levels(role: &ActorRole) -> [AccessLevel; 14] {
    match role {
        ActorRole::Administrator => [AccessLevel::ReadWrite; 14],
        ActorRole::Custom(p) => Area::ALL.map(|a| p.level(a)),
    }
}

fn rank(level: AccessLevel) -> u8 {
    match level {
        AccessLevel::None => 0,
        AccessLevel::Read => 1,
        AccessLevel::ReadWrite => 2,
    }
}

fn tenant() -> TenantId {
    TenantId::from_bytes([1; 16])
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Status {
    Active,
    Locked,
    Deactivated,
}

/// A user of the generated tenant: status and whether they hold the
/// Administrator role.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Member {
    status: Status,
    administrator: bool,
}

fn member() -> impl Strategy<Value = Member> {
    (
        prop_oneof![
            3 => Just(Status::Active),
            1 => Just(Status::Locked),
            1 => Just(Status::Deactivated),
        ],
        any::<bool>(),
    )
        .prop_map(|(status, administrator)| Member {
            status,
            administrator,
        })
}

/// A tenant of one to six users, at least one an active Administrator.
fn members() -> impl Strategy<Value = Vec<Member>> {
    (proptest::collection::vec(member(), 1..=6), any::<Index>()).prop_map(|(mut all, i)| {
        let first_admin = i.index(all.len());
        if let Some(m) = all.get_mut(first_admin) {
            *m = Member {
                status: Status::Active,
                administrator: true,
            };
        }
        all
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Operation {
    Demote,
    Promote,
    Deactivate,
    Reactivate,
    Delete,
    Rename,
    /// Failed logins (not an admin action).
    Lock,
    /// Support or an administrator unlocks (never removes an Administrator).
    Unlock,
}

fn operations() -> impl Strategy<Value = Vec<(Operation, Index)>> {
    let op = proptest::sample::select(vec![
        Operation::Demote,
        Operation::Promote,
        Operation::Deactivate,
        Operation::Reactivate,
        Operation::Delete,
        Operation::Rename,
        Operation::Lock,
        Operation::Unlock,
    ]);
    proptest::collection::vec((op, any::<Index>()), 0..30)
}

fn admin_role() -> Role {
    Role::administrator(RoleId::from_bytes([1; 16]), tenant())
}

fn custom_role() -> Result<Role, ValueError> {
    Ok(Role::custom(
        RoleId::from_bytes([2; 16]),
        tenant(),
        Name::new("Personal")?,
        Permissions::none().with(Area::Employees, AccessLevel::ReadWrite),
    ))
}

fn build_user(n: u8, m: Member) -> Result<User, ValueError> {
    let status = match m.status {
        Status::Active => UserStatus::Active,
        Status::Locked => UserStatus::Locked,
        Status::Deactivated => UserStatus::Deactivated,
    };
    Ok(User {
        id: UserId::from_bytes([n; 16]),
        tenant: tenant(),
        first_name: Name::new("Anna")?,
        last_name: Name::new("Schmidt")?,
        email: Email::parse(&format!("user{n}@example.org"))?,
        phone: None,
        role: if m.administrator {
            admin_role().id
        } else {
            RoleId::from_bytes([2; 16])
        },
        scope: ReferenceScope::Administrator,
        status,
        failed_logins: if m.status == Status::Locked { 5 } else { 0 },
        language: None,
        auth: AuthMethods {
            password: true,
            ..AuthMethods::default()
        },
        created_at: Timestamp::UNIX_EPOCH,
    })
}

fn role_of<'r>(user: &User, admin: &'r Role, custom: &'r Role) -> &'r Role {
    if user.role == admin.id { admin } else { custom }
}

proptest! {
    #[test]
    fn an_allowed_role_edit_never_grants_more_than_the_actor_holds(
        role in actor_role(),
        proposals in proptest::collection::vec(proposal(), 1..10),
    ) {
        let (given, administrator_role) = match &role {
            ActorRole::Administrator => (Permissions::none(), true),
            ActorRole::Custom(p) => (*p, false),
        };
        let actor = Actor::new(tenant(), UserId::from_bytes([9; 16]), given, administrator_role, ReferenceScope::Administrator);
        let holds = model_levels(&role);
        let may_edit_roles = Area::ALL
            .into_iter()
            .zip(holds)
            .any(|(area, held)| area == Area::Roles && held == AccessLevel::ReadWrite);

        let mut edited = Role::custom(RoleId::from_bytes([3; 16]), tenant(), Name::new("Bearbeitet")?, Permissions::none());
        for proposal in proposals {
            let levels = match proposal {
                Proposal::Any(levels) => levels,
                Proposal::CappedByActor(levels) => {
                    let mut capped = levels;
                    for (level, held) in capped.iter_mut().zip(holds) {
                        if rank(*level) > rank(held) {
                            *level = held;
                        }
                    }
                    capped
                }
            };
            let proposed: Permissions = Area::ALL.into_iter().zip(levels).collect();
            let exceeding: Vec<Area> = Area::ALL
                .into_iter()
                .zip(levels.into_iter().zip(holds))
                .filter(|(_, (wanted, held))| rank(*wanted) > rank(*held))
                .map(|(area, _)| area)
                .collect();
            let expected = if !may_edit_roles {
                Err(AccessError::Forbidden { area: Area::Roles, needed: AccessLevel::ReadWrite })
            } else if exceeding.is_empty() {
                Ok(())
            } else {
                Err(AccessError::Escalation { areas: exceeding.clone() })
            };
            let result = actor.check_role_permissions(&proposed);
            prop_assert_eq!(&result, &expected);
            if result.is_ok() {
                prop_assert!(proposed.is_within(actor.permissions()));
                edited.set_permissions(proposed)?;
            }
            if may_edit_roles {
                prop_assert_eq!(proposed.exceeding(actor.permissions()), exceeding);
            }
            prop_assert!(edited.permissions().is_within(actor.permissions()));
        }
    }

    #[test]
    fn admin_actions_never_remove_the_last_active_administrator(
        start in members(),
        ops in operations(),
    ) {
        let admin = admin_role();
        let custom = custom_role()?;
        let mut users: Vec<User> = Vec::new();
        let mut model: Vec<(UserId, Member)> = Vec::new();
        for (n, m) in (1_u8..).zip(start) {
            let user = build_user(n, m)?;
            model.push((user.id, m));
            users.push(user);
        }

        for (op, index) in ops {
            if users.is_empty() {
                break;
            }
            let i = index.index(users.len());
            let active_admins: BTreeSet<UserId> = users
                .iter()
                .filter(|u| is_active_administrator(u.status, role_of(u, &admin, &custom)))
                .map(|u| u.id)
                .collect();
            let model_admins: BTreeSet<UserId> = model
                .iter()
                .filter(|(_, m)| m.status == Status::Active && m.administrator)
                .map(|(id, _)| *id)
                .collect();
            prop_assert_eq!(&active_admins, &model_admins);

            let (id, before) = model[i];
            let user = &mut users[i];
            // An Administrator in service: active, or locked by failed logins.
            let holds = before.administrator && before.status != Status::Deactivated;
            prop_assert_eq!(holds, holds_administrator(user.status, role_of(user, &admin, &custom)));
            let serving_before = model
                .iter()
                .filter(|(_, m)| m.administrator && m.status != Status::Deactivated)
                .count();
            // The admin actions are checked; whether each takes an Administrator away.
            let takes_away = match op {
                Operation::Demote | Operation::Deactivate | Operation::Delete => Some(holds),
                Operation::Rename => Some(false),
                _ => None,
            };
            if let Some(takes_away) = takes_away {
                let result = ensure_administrator_remains(&active_admins, id, takes_away);
                let others = active_admins.iter().filter(|a| **a != id).count();
                let expected = if takes_away && others == 0 {
                    Err(AccessError::LastAdministrator)
                } else {
                    Ok(())
                };
                prop_assert_eq!(&result, &expected, "{:?} of {:?}", op, before);
                if result.is_err() {
                    continue;
                }
            }
            let after = match op {
                Operation::Demote => {
                    user.role = custom.id;
                    Some(Member { administrator: false, ..before })
                }
                Operation::Promote => {
                    user.role = admin.id;
                    Some(Member { administrator: true, ..before })
                }
                Operation::Deactivate => {
                    let done = user.deactivate();
                    prop_assert_eq!(done.is_ok(), before.status != Status::Deactivated);
                    Some(Member { status: Status::Deactivated, ..before })
                }
                Operation::Reactivate => {
                    let done = user.reactivate();
                    prop_assert_eq!(done.is_ok(), before.status == Status::Deactivated);
                    Some(if done.is_ok() { Member { status: Status::Active, ..before } } else { before })
                }
                Operation::Delete => None,
                Operation::Rename => {
                    user.first_name = Name::new("Anne")?;
                    Some(before)
                }
                Operation::Lock => {
                    let outcome = user
                        .lockout()
                        .record(Attempt::WrongCredentials, MaxFailedAttempts::new(1)?);
                    user.set_lockout(outcome.state);
                    Some(if before.status == Status::Active { Member { status: Status::Locked, ..before } } else { before })
                }
                Operation::Unlock => {
                    let done = user.unlock();
                    prop_assert_eq!(done.is_ok(), before.status == Status::Locked);
                    Some(if done.is_ok() { Member { status: Status::Active, ..before } } else { before })
                }
            };
            match after {
                Some(m) => model[i] = (id, m),
                None => {
                    model.remove(i);
                    users.remove(i);
                }
            }

            let admins_after = users
                .iter()
                .filter(|u| is_active_administrator(u.status, role_of(u, &admin, &custom)))
                .count();
            let model_after = model
                .iter()
                .filter(|(_, m)| m.status == Status::Active && m.administrator)
                .count();
            prop_assert_eq!(admins_after, model_after, "after {:?}", op);
            // An admin action that passed its check leaves an active Administrator
            // if there was one, and never takes away the last Administrator in
            // service (a locked one included). Lockouts by failed logins are not
            // admin actions; they can leave none active until support unlocks.
            if takes_away.is_some() {
                if !active_admins.is_empty() {
                    prop_assert!(admins_after >= 1, "{:?} of {:?} left no active Administrator", op, before);
                }
                let serving_after = model
                    .iter()
                    .filter(|(_, m)| m.administrator && m.status != Status::Deactivated)
                    .count();
                if serving_before >= 1 {
                    prop_assert!(serving_after >= 1, "{:?} of {:?} left no Administrator at all", op, before);
                }
            }
        }
    }
}
