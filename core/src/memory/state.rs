//! The records of a [`MemoryStore`](super::MemoryStore) and how a change set
//! changes them. Every rule here mirrors a constraint of the SQL store's schema
//! (primary keys, unique indexes, foreign keys and their `CASCADE`/`RESTRICT`).

use std::collections::{BTreeMap, BTreeSet};

use crate::access::Role;
use crate::action::PendingAction;
use crate::audit::{AuditEntry, AuditEvent, ChainHash};
use crate::authz::is_active_administrator;
use crate::document::LetterFormatting;
use crate::employee::Employee;
use crate::handover::Handover;
use crate::id::{ChallengeId, EmployeeId, MessageId, ReferenceId, RoleId, TenantId, UserId};
use crate::otp::{CodeChallenge, CodePurpose};
use crate::phrases::PhraseLibrary;
use crate::ports::{
    OutgoingMessage, PasswordHash, Precondition, StoreError, Version, Versioned, Write,
};
use crate::reference::{ChangeLogEntry, Reference, StatusChange};
use crate::second_factor::SecondFactors;
use crate::session::{Principal, Session};
use crate::settings::TenantSettings;
use crate::tenant::Tenant;
use crate::token::{HandoverId, TokenHash};
use crate::user::User;
use crate::values::Timestamp;

/// A record keyed within its tenant.
pub(super) type Key<I> = (TenantId, I);

/// A token hash as a map key (the hash itself has no order).
pub(super) type HashKey = [u8; 32];

/// A record with its version.
#[derive(Debug, Clone)]
pub(super) struct Row<T> {
    pub(super) value: T,
    pub(super) version: Version,
}

impl<T: Clone> Row<T> {
    fn new(value: T) -> Self {
        Self {
            value,
            version: Version(1),
        }
    }

    pub(super) fn versioned(&self) -> Versioned<T> {
        Versioned {
            value: self.value.clone(),
            version: self.version,
        }
    }
}

/// A tenant's audit chain: its entries and its head, which outlives retention
/// purges (numbering continues after them).
#[derive(Debug, Clone, Default)]
pub(super) struct Chain {
    pub(super) entries: BTreeMap<u64, AuditEntry>,
    head: Option<(u64, ChainHash)>,
}

/// A message waiting in the outbox.
#[derive(Debug, Clone)]
pub(super) struct Pending {
    pub(super) message: OutgoingMessage,
    pub(super) attempts: u32,
    pub(super) due_at: Timestamp,
    pub(super) claimed_until: Option<Timestamp>,
}

/// An outbox entry: waiting, or failed for good (then without its body).
#[derive(Debug, Clone)]
pub(super) enum Outboxed {
    Queued(Pending),
    Failed { created_at: Timestamp },
}

/// Everything the store holds.
#[derive(Debug, Clone, Default)]
pub(super) struct State {
    pub(super) tenants: BTreeMap<TenantId, Tenant>,
    pub(super) users: BTreeMap<Key<UserId>, Row<User>>,
    pub(super) credentials: BTreeMap<Key<UserId>, PasswordHash>,
    pub(super) actions: BTreeMap<Key<HashKey>, PendingAction>,
    pub(super) second_factors: BTreeMap<Key<UserId>, Row<SecondFactors>>,
    pub(super) roles: BTreeMap<Key<RoleId>, Row<Role>>,
    pub(super) employees: BTreeMap<Key<EmployeeId>, Row<Employee>>,
    pub(super) references: BTreeMap<Key<ReferenceId>, Row<Reference>>,
    pub(super) status_history: BTreeMap<Key<ReferenceId>, Vec<StatusChange>>,
    pub(super) change_log: BTreeMap<Key<ReferenceId>, Vec<ChangeLogEntry>>,
    pub(super) handovers: BTreeMap<Key<HandoverId>, Row<Handover>>,
    pub(super) challenges: BTreeMap<Key<ChallengeId>, Row<CodeChallenge>>,
    pub(super) sessions: BTreeMap<Key<HashKey>, Session>,
    pub(super) settings: BTreeMap<TenantId, Row<TenantSettings>>,
    pub(super) phrases: BTreeMap<TenantId, Row<PhraseLibrary>>,
    pub(super) formatting: BTreeMap<TenantId, Row<LetterFormatting>>,
    pub(super) audit: BTreeMap<TenantId, Chain>,
    pub(super) outbox: BTreeMap<Key<MessageId>, Outboxed>,
}

fn conflict(what: &str) -> StoreError {
    StoreError::Conflict { what: what.into() }
}

fn stale(what: &str) -> StoreError {
    StoreError::Conflict {
        what: format!("the {what} was changed by someone else; reload it"),
    }
}

fn found<T>(value: Option<T>) -> Result<T, StoreError> {
    value.ok_or(StoreError::NotFound)
}

fn next(v: Version) -> Version {
    Version(v.0.saturating_add(1))
}

/// Inserts a new record at version 1: [`StoreError::Conflict`] when its key exists.
fn insert_row<K: Ord, T: Clone>(
    map: &mut BTreeMap<K, Row<T>>,
    key: K,
    value: T,
    what: &str,
) -> Result<(), StoreError> {
    if map.contains_key(&key) {
        return Err(conflict(what));
    }
    map.insert(key, Row::new(value));
    Ok(())
}

/// Replaces a record read at `v`: [`StoreError::NotFound`] when it is gone,
/// [`StoreError::Conflict`] when it changed since.
fn update_row<K: Ord, T>(
    map: &mut BTreeMap<K, Row<T>>,
    key: &K,
    value: T,
    v: Version,
    what: &str,
) -> Result<(), StoreError> {
    let row = found(map.get_mut(key))?;
    if row.version != v {
        return Err(stale(what));
    }
    row.value = value;
    row.version = next(v);
    Ok(())
}

/// Saves a per-tenant document: `None` is the first save (a conflict when one
/// exists), else the version read (a conflict when it differs or none exists).
fn save_document<T: Clone>(
    map: &mut BTreeMap<TenantId, Row<T>>,
    t: TenantId,
    value: T,
    v: Option<Version>,
    what: &str,
) -> Result<(), StoreError> {
    match (v, map.get_mut(&t)) {
        (None, None) => {
            map.insert(t, Row::new(value));
            Ok(())
        }
        (Some(v), Some(row)) if row.version == v => {
            row.value = value;
            row.version = next(v);
            Ok(())
        }
        _ => Err(stale(what)),
    }
}

/// Removes a record: [`StoreError::NotFound`] when there is none.
fn remove<K: Ord, T>(map: &mut BTreeMap<K, T>, key: &K) -> Result<T, StoreError> {
    found(map.remove(key))
}

impl State {
    /// Applies every write in order and checks the preconditions; the caller
    /// keeps the result only when this succeeds.
    pub(super) fn apply(
        &mut self,
        t: TenantId,
        writes: Vec<Write>,
        preconditions: Vec<Precondition>,
    ) -> Result<(), StoreError> {
        let mut required = preconditions;
        for w in writes {
            if let Write::DeleteEmployee(e) = &w {
                let p = Precondition::EmployeeUnreferenced(*e);
                if !required.contains(&p) {
                    required.push(p);
                }
            }
            self.write(t, w)?;
        }
        for p in required {
            if !self.holds(t, p) {
                return Err(StoreError::PreconditionFailed(p));
            }
        }
        Ok(())
    }

    fn holds(&self, t: TenantId, p: Precondition) -> bool {
        match p {
            Precondition::AdministratorRemains => !self.active_administrators(t).is_empty(),
            Precondition::EmployeeUnreferenced(e) => !self.names(t, e),
            Precondition::OnlyTenant => self.tenants.keys().all(|k| *k == t),
        }
    }

    /// Users of the tenant with the Administrator role on an active account.
    pub(super) fn active_administrators(&self, t: TenantId) -> BTreeSet<UserId> {
        self.users
            .iter()
            .filter(|((tenant, _), _)| *tenant == t)
            .filter(|(_, u)| {
                self.roles
                    .get(&(t, u.value.role))
                    .is_some_and(|r| is_active_administrator(u.value.status, &r.value))
            })
            .map(|((_, id), _)| *id)
            .collect()
    }

    /// Whether a reference of the tenant names the employee (subject or signatory).
    fn names(&self, t: TenantId, e: EmployeeId) -> bool {
        self.named_employees(t, &BTreeSet::new()).contains(&e)
    }

    /// Every employee named by a reference of the tenant, except by `ignoring`.
    pub(super) fn named_employees(
        &self,
        t: TenantId,
        ignoring: &BTreeSet<ReferenceId>,
    ) -> BTreeSet<EmployeeId> {
        self.references
            .iter()
            .filter(|((tenant, id), _)| *tenant == t && !ignoring.contains(id))
            .flat_map(|(_, r)| {
                std::iter::once(r.value.employee).chain(r.value.signatories.iter().copied())
            })
            .collect()
    }

    /// [`StoreError::NotFound`] unless the tenant exists (every record hangs off it).
    fn tenant_exists(&self, t: TenantId) -> Result<(), StoreError> {
        found(self.tenants.get(&t).map(|_| ()))
    }

    fn employee_exists(&self, t: TenantId, e: EmployeeId) -> Result<(), StoreError> {
        found(self.employees.get(&(t, e)).map(|_| ()))
    }

    fn user_exists(&self, t: TenantId, u: UserId) -> Result<(), StoreError> {
        found(self.users.get(&(t, u)).map(|_| ()))
    }

    fn reference_exists(&self, t: TenantId, r: ReferenceId) -> Result<(), StoreError> {
        found(self.references.get(&(t, r)).map(|_| ()))
    }

    #[expect(
        clippy::too_many_lines,
        reason = "one arm per write, matched without a catch-all"
    )]
    fn write(&mut self, t: TenantId, w: Write) -> Result<(), StoreError> {
        match w {
            Write::InsertTenant(x) => {
                if self.tenants.contains_key(&x.id) || self.slug_taken(&x, None) {
                    return Err(conflict("a tenant with this id or slug exists"));
                }
                self.tenants.insert(x.id, x);
                Ok(())
            }
            Write::UpdateTenant(x) => {
                found(self.tenants.get(&x.id))?;
                if self.slug_taken(&x, Some(x.id)) {
                    return Err(conflict("another tenant has this slug"));
                }
                self.tenants.insert(x.id, x);
                Ok(())
            }
            Write::PurgeTenantData => {
                self.purge_tenant(t);
                Ok(())
            }
            Write::InsertUser(u) => self.insert_user(u),
            Write::UpdateUser(u, v) => self.update_user(u, v),
            Write::DeleteUser(id) => {
                remove(&mut self.users, &(t, id))?;
                self.credentials.remove(&(t, id));
                self.second_factors.remove(&(t, id));
                self.actions
                    .retain(|(tenant, _), a| *tenant != t || a.user != id);
                self.sessions
                    .retain(|(tenant, _), s| *tenant != t || s.principal.user() != Some(id));
                Ok(())
            }
            Write::SetPasswordHash(id, hash) => {
                self.user_exists(t, id)?;
                self.credentials.insert((t, id), hash);
                Ok(())
            }
            Write::InsertAction(a) => {
                let key = (t, hash_key(&a.token_hash));
                if self.actions.contains_key(&key) {
                    return Err(conflict("a link with this token exists"));
                }
                self.user_exists(t, a.user)?;
                self.actions.insert(key, a);
                Ok(())
            }
            Write::ConsumeAction(hash) => {
                remove(&mut self.actions, &(t, hash_key(&hash)))?;
                Ok(())
            }
            Write::DeleteActionsOfUser(user, purpose) => {
                self.actions.retain(|(tenant, _), a| {
                    *tenant != t || a.user != user || a.purpose != purpose
                });
                Ok(())
            }
            Write::SaveSecondFactors(f, v) => {
                let key = (t, f.user);
                match v {
                    None => {
                        if self.second_factors.contains_key(&key) {
                            return Err(stale("second factor"));
                        }
                        self.user_exists(t, f.user)?;
                        self.second_factors.insert(key, Row::new(f));
                        Ok(())
                    }
                    Some(v) => update_row(&mut self.second_factors, &key, f, v, "second factor"),
                }
            }
            Write::DeleteSecondFactors(user) => {
                self.second_factors.remove(&(t, user));
                Ok(())
            }
            Write::InsertRole(r) => {
                self.tenant_exists(t)?;
                insert_row(&mut self.roles, (t, r.id), r, "a role with this id exists")
            }
            Write::UpdateRole(r, v) => update_row(&mut self.roles, &(t, r.id), r, v, "role"),
            Write::DeleteRole(id) => {
                found(self.roles.get(&(t, id)))?;
                if self
                    .users
                    .iter()
                    .any(|((tenant, _), u)| *tenant == t && u.value.role == id)
                {
                    return Err(conflict("the role is still assigned to users"));
                }
                self.roles.remove(&(t, id));
                Ok(())
            }
            Write::InsertEmployee(e) => {
                self.tenant_exists(t)?;
                insert_row(
                    &mut self.employees,
                    (t, e.id),
                    e,
                    "an employee with this id exists",
                )
            }
            Write::UpdateEmployee(e, v) => {
                let (id, org) = (e.id, e.org.clone());
                update_row(&mut self.employees, &(t, id), e, v, "employee")?;
                // Scopes filter references by their employee's attributes.
                for ((tenant, _), r) in &mut self.references {
                    if *tenant == t && r.value.employee == id {
                        r.value.org = org.clone();
                    }
                }
                Ok(())
            }
            Write::DeleteEmployee(id) => {
                if self.names(t, id) {
                    return Err(StoreError::PreconditionFailed(
                        Precondition::EmployeeUnreferenced(id),
                    ));
                }
                remove(&mut self.employees, &(t, id))?;
                Ok(())
            }
            Write::InsertReference(r) => {
                if self.references.contains_key(&(t, r.id)) {
                    return Err(conflict("a reference with this id exists"));
                }
                self.employee_exists(t, r.employee)?;
                self.signatories_exist(t, &r)?;
                self.references.insert((t, r.id), Row::new(r));
                Ok(())
            }
            Write::UpdateReference(checked, v) => {
                // The row the check was made for, whatever the content says.
                let key = (checked.tenant(), checked.id());
                let mut r = checked.into_inner();
                let old = found(self.references.get(&key))?;
                // Subject, creator and organisational attributes stay as stored:
                // the attributes follow the employee, and a reference read before
                // the employee moved must not write the old place back.
                r.id = key.1;
                r.tenant = key.0;
                r.employee = old.value.employee;
                r.org = old.value.org.clone();
                r.created_by = old.value.created_by;
                r.created_at = old.value.created_at;
                if old.version != v {
                    return Err(stale("reference"));
                }
                self.signatories_exist(t, &r)?;
                update_row(&mut self.references, &key, r, v, "reference")
            }
            Write::DeleteReference(id) => {
                remove(&mut self.references, &(t, id))?;
                self.status_history.remove(&(t, id));
                self.change_log.remove(&(t, id));
                let handovers: BTreeSet<HandoverId> = self
                    .handovers
                    .iter()
                    .filter(|((tenant, _), h)| *tenant == t && h.value.reference == id)
                    .map(|((_, h), _)| *h)
                    .collect();
                self.handovers
                    .retain(|(tenant, h), _| *tenant != t || !handovers.contains(h));
                self.challenges.retain(|(tenant, _), c| {
                    *tenant != t
                        || !matches!(c.value.purpose, CodePurpose::HandoverLink(h) if handovers.contains(&h))
                });
                self.sessions.retain(|(tenant, _), s| {
                    *tenant != t
                        || !matches!(s.principal, Principal::Handover(h) if handovers.contains(&h))
                });
                Ok(())
            }
            Write::AppendStatusChange(s) => {
                self.reference_exists(t, s.reference)?;
                self.status_history
                    .entry((t, s.reference))
                    .or_default()
                    .push(s.into_change());
                Ok(())
            }
            Write::AppendChangeLog(c) => {
                self.reference_exists(t, c.reference)?;
                self.change_log.entry((t, c.reference)).or_default().push(c);
                Ok(())
            }
            Write::InsertHandover(h) => {
                if self.handovers.contains_key(&(t, h.id)) {
                    return Err(conflict("a handover with this id exists"));
                }
                self.reference_exists(t, h.reference)?;
                self.handovers.insert((t, h.id), Row::new(h));
                Ok(())
            }
            Write::UpdateHandover(h, v) => {
                update_row(&mut self.handovers, &(t, h.id), h, v, "handover")
            }
            Write::InsertChallenge(c) => {
                if self.challenges.contains_key(&(t, c.id)) {
                    return Err(conflict("a challenge with this id exists"));
                }
                self.tenant_exists(t)?;
                if let CodePurpose::HandoverLink(h) = c.purpose {
                    found(self.handovers.get(&(t, h)))?;
                }
                self.challenges.insert((t, c.id), Row::new(c));
                Ok(())
            }
            Write::UpdateChallenge(c, v) => {
                update_row(&mut self.challenges, &(t, c.id), c, v, "code challenge")
            }
            Write::DeleteChallenge(id) => {
                remove(&mut self.challenges, &(t, id))?;
                Ok(())
            }
            Write::InsertSession(s) => {
                let key = (t, hash_key(&s.token_hash));
                if self.sessions.contains_key(&key) {
                    return Err(conflict("a session with this token exists"));
                }
                self.tenant_exists(t)?;
                if let Some(u) = s.principal.user() {
                    self.user_exists(t, u)?;
                }
                if let Principal::Handover(h) = s.principal {
                    found(self.handovers.get(&(t, h)))?;
                }
                self.sessions.insert(key, s);
                Ok(())
            }
            Write::TouchSession(hash, at) => {
                if let Some(s) = self.sessions.get_mut(&(t, hash_key(&hash))) {
                    s.last_seen_at = at;
                }
                Ok(())
            }
            Write::DeleteSession(hash) => {
                self.sessions.remove(&(t, hash_key(&hash)));
                Ok(())
            }
            Write::ConsumeSession(hash) => {
                remove(&mut self.sessions, &(t, hash_key(&hash)))?;
                Ok(())
            }
            Write::DeleteSessionsOfUser(user) => {
                self.end_sessions(t, |s| s.principal.user() == Some(user));
                Ok(())
            }
            Write::DeleteOtherSessionsOfUser(user, keep) => {
                self.end_sessions(t, |s| {
                    s.principal.user() == Some(user) && s.token_hash != keep
                });
                Ok(())
            }
            Write::DeleteSessionsOfHandover(id) => {
                self.end_sessions(t, |s| s.principal == Principal::Handover(id));
                Ok(())
            }
            Write::SaveSettings(s, v) => {
                self.tenant_exists(t)?;
                save_document(&mut self.settings, t, s, v, "settings")
            }
            Write::SavePhraseLibrary(l, v) => {
                self.tenant_exists(t)?;
                save_document(&mut self.phrases, t, *l, v, "phrase library")
            }
            Write::SaveLetterFormatting(f, v) => {
                self.tenant_exists(t)?;
                save_document(&mut self.formatting, t, *f, v, "letter formatting")
            }
            Write::AppendAudit(e) => self.append_audit(t, e),
            Write::PurgeAuditBefore(at) => {
                if let Some(chain) = self.audit.get_mut(&t) {
                    chain.entries.retain(|_, e| e.event.at >= at);
                }
                self.outbox.retain(|(tenant, _), m| {
                    *tenant != t
                        || !matches!(m, Outboxed::Failed { created_at } if *created_at < at)
                });
                Ok(())
            }
            Write::PurgeExpired { now, idle_since } => {
                self.actions
                    .retain(|(tenant, _), a| *tenant != t || a.expires_at > now);
                self.challenges
                    .retain(|(tenant, _), c| *tenant != t || c.value.expires_at > now);
                self.end_sessions(t, |s| s.last_seen_at <= idle_since);
                Ok(())
            }
            Write::Enqueue(m) => {
                let key = (t, m.id);
                if self.outbox.contains_key(&key) {
                    return Err(conflict("a message with this id exists"));
                }
                self.tenant_exists(t)?;
                let due_at = m.created_at;
                self.outbox.insert(
                    key,
                    Outboxed::Queued(Pending {
                        message: m,
                        attempts: 0,
                        due_at,
                        claimed_until: None,
                    }),
                );
                Ok(())
            }
            Write::FailMessage(id, lease_until) => {
                let entry = found(self.outbox.get_mut(&(t, id)))?;
                let created_at = match entry {
                    Outboxed::Queued(p) if p.claimed_until == Some(lease_until) => {
                        p.message.created_at
                    }
                    Outboxed::Queued(_) | Outboxed::Failed { .. } => {
                        return Err(StoreError::NotFound);
                    }
                };
                *entry = Outboxed::Failed { created_at };
                Ok(())
            }
        }
    }

    /// Whether another tenant (than `except`) has the tenant's slug.
    fn slug_taken(&self, x: &Tenant, except: Option<TenantId>) -> bool {
        self.tenants
            .values()
            .any(|o| o.slug == x.slug && Some(o.id) != except)
    }

    fn signatories_exist(&self, t: TenantId, r: &Reference) -> Result<(), StoreError> {
        r.signatories
            .iter()
            .try_for_each(|e| self.employee_exists(t, *e))
    }

    /// Ends the tenant's sessions that `ends` picks (none is fine).
    fn end_sessions(&mut self, t: TenantId, ends: impl Fn(&Session) -> bool) {
        self.sessions
            .retain(|(tenant, _), s| *tenant != t || !ends(s));
    }

    /// Whether another user of the tenant has the user's e-mail address or SSO
    /// identity.
    fn identity_taken(&self, u: &User) -> bool {
        self.users.iter().any(|((tenant, id), o)| {
            *tenant == u.tenant
                && *id != u.id
                && (o.value.email == u.email
                    || (u.auth.sso.is_some() && o.value.auth.sso == u.auth.sso))
        })
    }

    fn insert_user(&mut self, u: User) -> Result<(), StoreError> {
        let key = (u.tenant, u.id);
        if self.users.contains_key(&key) || self.identity_taken(&u) {
            return Err(conflict(
                "a user with this id, e-mail address or SSO identity exists",
            ));
        }
        found(self.roles.get(&(u.tenant, u.role)))?;
        self.users.insert(key, Row::new(u));
        Ok(())
    }

    fn update_user(&mut self, u: User, v: Version) -> Result<(), StoreError> {
        let key = (u.tenant, u.id);
        let row = found(self.users.get(&key))?;
        if row.version != v {
            return Err(stale("user"));
        }
        if self.identity_taken(&u) {
            return Err(conflict(
                "another user has this e-mail address or SSO identity",
            ));
        }
        found(self.roles.get(&(u.tenant, u.role)))?;
        update_row(&mut self.users, &key, u, v, "user")
    }

    fn append_audit(&mut self, t: TenantId, e: AuditEvent) -> Result<(), StoreError> {
        self.tenant_exists(t)?;
        let chain = self.audit.entry(t).or_default();
        let (last, prev) = chain.head.unwrap_or_default();
        let seq = last.saturating_add(1);
        let entry = AuditEntry::at(&super::chain_key(t), seq, prev, e);
        chain.head = Some((seq, entry.hash));
        chain.entries.insert(seq, entry);
        Ok(())
    }

    fn purge_tenant(&mut self, t: TenantId) {
        fn keep<I: Ord, T>(map: &mut BTreeMap<Key<I>, T>, t: TenantId) {
            map.retain(|(tenant, _), _| *tenant != t);
        }
        keep(&mut self.users, t);
        keep(&mut self.credentials, t);
        keep(&mut self.actions, t);
        keep(&mut self.second_factors, t);
        keep(&mut self.roles, t);
        keep(&mut self.employees, t);
        keep(&mut self.references, t);
        keep(&mut self.status_history, t);
        keep(&mut self.change_log, t);
        keep(&mut self.handovers, t);
        keep(&mut self.challenges, t);
        keep(&mut self.sessions, t);
        keep(&mut self.outbox, t);
        self.settings.remove(&t);
        self.phrases.remove(&t);
        self.formatting.remove(&t);
        self.audit.remove(&t);
    }
}

/// The key of a token hash.
pub(super) fn hash_key(h: &TokenHash) -> HashKey {
    *h.as_bytes()
}
