//! Records to store: two tenants with users, roles, employees and references.

use time::macros::date;
use zeugnis_core::access::{AccessLevel, Area, Permissions, Role, RoleKind};
use zeugnis_core::audit::{AuditAction, AuditActor, AuditEvent, AuditTarget};
use zeugnis_core::employee::{
    Contact, Employee, Employment, OrgAttributes, PersonalData, Salutation,
};
use zeugnis_core::handover::Handover;
use zeugnis_core::id::{EmployeeId, MessageId, ReferenceId, RoleId, TenantId, UserId};
use zeugnis_core::otp::CodeChallenge;
use zeugnis_core::ports::{Destination, MessageKind, MessageParams, OutgoingMessage};
use zeugnis_core::reference::{
    Language, Reference, ReferenceContent, ReferenceKind, ReferenceStatus, Section, SectionContent,
};
use zeugnis_core::scope::ReferenceScope;
use zeugnis_core::tenant::{Tenant, TenantStatus};
use zeugnis_core::user::{AuthMethods, User, UserStatus};
use zeugnis_core::values::{Email, Name, Slug, Timestamp};

pub const KNOWN_NAME: &str = "Quirinus";
pub const KNOWN_SURNAME: &str = "Weißgerber-Ötztal";
pub const KNOWN_TEXT: &str =
    "Herr Quirinus erledigte seine Aufgaben stets zu unserer vollsten Zufriedenheit.";

pub fn t0() -> Timestamp {
    Timestamp::from_unix_timestamp(1_750_000_000).unwrap()
}

pub fn at(seconds: i64) -> Timestamp {
    Timestamp::from_unix_timestamp(1_750_000_000 + seconds).unwrap()
}

pub fn id(n: u8, salt: u8) -> [u8; 16] {
    let mut b = [salt; 16];
    b[15] = n;
    b
}

/// An id of kind `tag` inside tenant `t`: differs from every id of another tenant.
fn derived(t: TenantId, tag: u8) -> [u8; 16] {
    let mut b = [0u8; 16];
    b[0] = tag;
    b[1] = t.as_bytes()[15];
    b
}

pub fn tenant(n: u8) -> Tenant {
    Tenant {
        id: TenantId::from_bytes(id(n, 0x10)),
        slug: Slug::parse(&format!("firma{n}")).unwrap(),
        name: Name::new(&format!("Firma {n} GmbH")).unwrap(),
        status: TenantStatus::Active,
        created_at: t0(),
    }
}

pub fn admin_role(t: TenantId) -> Role {
    let b = derived(t, 0xA0);
    Role {
        id: RoleId::from_bytes(b),
        tenant: t,
        name: Name::new("Administrator").unwrap(),
        kind: RoleKind::Administrator,
    }
}

pub fn clerk_role(t: TenantId) -> Role {
    let b = derived(t, 0xA1);
    Role {
        id: RoleId::from_bytes(b),
        tenant: t,
        name: Name::new("Sachbearbeitung").unwrap(),
        kind: RoleKind::Custom(Permissions::none().with(Area::Employees, AccessLevel::ReadWrite)),
    }
}

pub fn user(t: TenantId, n: u8, role: RoleId, email: &str) -> User {
    let mut b = derived(t, 0xB0);
    b[15] = n;
    User {
        id: UserId::from_bytes(b),
        tenant: t,
        first_name: Name::new(KNOWN_NAME).unwrap(),
        last_name: Name::new(KNOWN_SURNAME).unwrap(),
        email: Email::parse(email).unwrap(),
        phone: None,
        role,
        scope: ReferenceScope::Administrator,
        status: UserStatus::Active,
        failed_logins: 0,
        language: None,
        auth: AuthMethods::default(),
        created_at: t0(),
    }
}

pub fn org(company: &str, department: &str) -> OrgAttributes {
    OrgAttributes {
        company: Some(Name::new(company).unwrap()),
        location: Some(Name::new("Berlin").unwrap()),
        department: Some(Name::new(department).unwrap()),
        unit: None,
        employee_type: Some(Name::new("Angestellte").unwrap()),
    }
}

pub fn employee(t: TenantId, n: u16, org: OrgAttributes) -> Employee {
    let mut b = derived(t, 0xC0);
    b[14] = (n >> 8) as u8;
    b[15] = (n & 0xff) as u8;
    Employee {
        id: EmployeeId::from_bytes(b),
        tenant: t,
        personal: PersonalData {
            salutation: Salutation::Herr,
            first_name: Name::new(KNOWN_NAME).unwrap(),
            last_name: Name::new(KNOWN_SURNAME).unwrap(),
            title: None,
            birth_date: Some(date!(1980 - 05 - 17)),
            birth_place: Some(Name::new("Passau").unwrap()),
        },
        contact: Contact::default(),
        employment: Employment {
            entry_date: Some(date!(2010 - 01 - 01)),
            exit_date: Some(date!(2024 - 06 - 30)),
            ..Employment::default()
        },
        org,
    }
}

pub fn reference(e: &Employee, n: u16, created_by: UserId, created_at: Timestamp) -> Reference {
    let mut b = derived(e.tenant, 0xD0);
    b[14] = (n >> 8) as u8;
    b[15] = (n & 0xff) as u8;
    let content: ReferenceContent = [(
        Section::Performance,
        SectionContent::new(KNOWN_TEXT).unwrap(),
    )]
    .into_iter()
    .collect();
    Reference {
        id: ReferenceId::from_bytes(b),
        tenant: e.tenant,
        employee: e.id,
        org: e.org.clone(),
        kind: ReferenceKind::Final,
        language: Language::German,
        status: ReferenceStatus::Draft,
        status_since: created_at,
        changed_at: created_at,
        private: false,
        created_by,
        created_at,
        signatories: Vec::new(),
        generated: None,
        content,
    }
}

/// `r` as a write may store it: checked as an Administrator of its tenant
/// would be (what a service does before every reference update).
pub fn writable(r: Reference) -> zeugnis_core::authz::WritableReference {
    use zeugnis_core::access::{AccessLevel, Area};
    let admin = zeugnis_core::authz::Actor::new(
        r.tenant,
        UserId::from_bytes([0xad; 16]),
        Permissions::all(),
        true,
        zeugnis_core::scope::ReferenceScope::Administrator,
    );
    let grant = admin
        .require(Area::Employees, AccessLevel::ReadWrite)
        .unwrap();
    admin
        .visibility()
        .admit(r)
        .unwrap()
        .writable(grant)
        .unwrap()
}

/// A one-time code to `empfaenger@firma.de`, message `n` of tenant `t`,
/// queued at the start of the test's time.
pub fn message(t: TenantId, n: u8, expires_at: Option<Timestamp>) -> OutgoingMessage {
    OutgoingMessage {
        id: MessageId::from_bytes([n; 16]),
        tenant: t,
        kind: MessageKind::OneTimeCode,
        to: Destination::Email(Email::parse("empfaenger@firma.de").unwrap()),
        params: MessageParams::new().with("code", "123456"),
        created_at: at(0),
        expires_at,
    }
}

/// What `user` did to their own account at `when` (a login, say).
pub fn own_event(t: TenantId, user: UserId, when: Timestamp, action: AuditAction) -> AuditEvent {
    AuditEvent::new(
        Some(t),
        when,
        AuditActor::User(user),
        action,
        AuditTarget::User(user),
    )
}

/// An employee (1) with a reference (1) by `creator`, signed by another
/// employee (2) of the same company: the records, not yet stored.
pub fn signed_reference(
    t: TenantId,
    creator: UserId,
    created_at: Timestamp,
) -> (Employee, Employee, Reference) {
    let e = employee(t, 1, org("Nord AG", "Vertrieb"));
    let signer = employee(t, 2, org("Nord AG", "Personal"));
    let mut r = reference(&e, 1, creator, created_at);
    r.signatories = vec![signer.id];
    (e, signer, r)
}

/// A handover of `r` to a supervisor, made by `by`.
pub fn handover(r: &Reference, by: UserId) -> Handover {
    Handover {
        id: zeugnis_core::token::HandoverId::from_bytes([0x44; 16]),
        tenant: r.tenant,
        reference: r.id,
        recipient: zeugnis_core::handover::Recipient {
            name: zeugnis_core::values::Name::new("Frau Vorgesetzte").unwrap(),
            email: Email::parse("chefin@firma.de").unwrap(),
            phone: None,
        },
        matrix: zeugnis_core::matrix::PermissionMatrix::none(),
        secret_hash: zeugnis_core::token::TokenHash::of(b"secret"),
        code_channel: None,
        created_by: by,
        created_at: at(3),
        expires_at: at(3600),
        revoked_at: None,
        finished_at: None,
        codes_sent: 0,
        failed_codes: 0,
        reminded_at: None,
    }
}

/// The two-step check's code challenge of a handover.
pub fn handover_challenge(h: &Handover) -> CodeChallenge {
    CodeChallenge {
        id: zeugnis_core::id::ChallengeId::from_bytes([0x55; 16]),
        tenant: h.tenant,
        purpose: zeugnis_core::otp::CodePurpose::HandoverLink(h.id),
        code_hash: zeugnis_core::token::TokenHash::of(b"123456"),
        issued_at: at(4),
        expires_at: at(304),
        failed_attempts: 0,
        max_attempts: 5,
        used: false,
    }
}
