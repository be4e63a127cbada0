//! The deterministic data set: a seeded splitmix64 generator and the records
//! it makes (tenants, roles, users, employees, references, audit events).
//! The same seed gives the same records on every backend and every run.

use std::net::{IpAddr, Ipv4Addr};

use time::Date;
use zeugnis_core::access::{AccessLevel, Area, Permissions, Role, RoleKind};
use zeugnis_core::audit::{AuditAction, AuditActor, AuditEvent, AuditTarget, FieldChange};
use zeugnis_core::employee::{
    Contact, Employee, Employment, IssueReason, OrgAttributes, PersonalData, PowerOfAttorney,
    Salutation,
};
use zeugnis_core::id::{EmployeeId, ReferenceId, RoleId, TenantId, UserId};
use zeugnis_core::reference::{
    Language, Reference, ReferenceContent, ReferenceKind, ReferenceStatus, Section, SectionContent,
};
use zeugnis_core::scope::{Criterion, ReferenceScope, Restriction};
use zeugnis_core::tenant::{Tenant, TenantStatus};
use zeugnis_core::user::{AuthMethods, User, UserStatus};
use zeugnis_core::values::{Email, Name, Slug, Timestamp};

/// splitmix64: small, fast, good enough for test data, and reproducible.
#[derive(Debug, Clone)]
pub(crate) struct Rng(u64);

impl Rng {
    /// A generator derived from this seed and a stream number (independent of
    /// how much the parent generator was used).
    pub(crate) fn stream(seed: u64, stream: u64) -> Self {
        let mut r = Self(seed ^ stream.wrapping_mul(0xA076_1D64_78BD_642F));
        r.next_u64();
        r
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0).
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// Uniform in `lo..=hi`.
    pub(crate) fn between(&mut self, lo: i64, hi: i64) -> i64 {
        lo + self.below((hi - lo + 1) as u64) as i64
    }

    pub(crate) fn percent(&mut self, p: u64) -> bool {
        self.below(100) < p
    }

    pub(crate) fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }

    /// One of `words`.
    pub(crate) fn word(&mut self, words: &[&'static str]) -> &'static str {
        words[self.below(words.len() as u64) as usize]
    }

    /// An index drawn with the given weights.
    pub(crate) fn weighted(&mut self, weights: &[u32]) -> usize {
        let total: u64 = weights.iter().map(|w| u64::from(*w)).sum();
        let mut x = self.below(total);
        for (i, w) in weights.iter().enumerate() {
            let w = u64::from(*w);
            if x < w {
                return i;
            }
            x -= w;
        }
        weights.len() - 1
    }

    pub(crate) fn id(&mut self) -> [u8; 16] {
        let mut b = [0u8; 16];
        b[..8].copy_from_slice(&self.next_u64().to_le_bytes());
        b[8..].copy_from_slice(&self.next_u64().to_le_bytes());
        // Shaped like a random (v4) UUID.
        b[6] = (b[6] & 0x0f) | 0x40;
        b[8] = (b[8] & 0x3f) | 0x80;
        b
    }
}

pub(crate) const COMPANIES: [&str; 5] = [
    "Nordwerk AG",
    "Südhaus Holding GmbH",
    "Rheinland Logistik GmbH",
    "Elbtal Energie AG",
    "Alpen Software GmbH",
];
const COMPANY_WEIGHTS: [u32; 5] = [32, 24, 20, 14, 10];

const LOCATIONS: [&str; 8] = [
    "Berlin",
    "Hamburg",
    "München",
    "Köln",
    "Frankfurt am Main",
    "Stuttgart",
    "Leipzig",
    "Düsseldorf",
];
const LOCATION_WEIGHTS: [u32; 8] = [20, 16, 16, 12, 12, 10, 8, 6];

pub(crate) const DEPARTMENTS: [&str; 12] = [
    "Vertrieb",
    "Personal",
    "Einkauf",
    "Finanzen",
    "Controlling",
    "IT",
    "Produktion",
    "Logistik",
    "Marketing",
    "Recht",
    "Qualitätssicherung",
    "Forschung und Entwicklung",
];
const DEPARTMENT_WEIGHTS: [u32; 12] = [16, 5, 6, 6, 4, 10, 18, 12, 6, 2, 6, 9];

const UNITS: [&str; 20] = [
    "Innendienst",
    "Außendienst",
    "Lohnbuchhaltung",
    "Recruiting",
    "Zentraleinkauf",
    "Debitorenbuchhaltung",
    "Kreditorenbuchhaltung",
    "Konzerncontrolling",
    "IT-Betrieb",
    "Anwendungsentwicklung",
    "Werk 1",
    "Werk 2",
    "Lager Ost",
    "Versand",
    "Online-Marketing",
    "Unternehmenskommunikation",
    "Vertragsrecht",
    "Labor",
    "Prüffeld",
    "Innovationsmanagement",
];

const EMPLOYEE_TYPES: [&str; 3] = ["Angestellte", "Gewerbliche Mitarbeitende", "Auszubildende"];
const EMPLOYEE_TYPE_WEIGHTS: [u32; 3] = [70, 22, 8];

const FIRST_MALE: [&str; 24] = [
    "Lukas",
    "Jonas",
    "Felix",
    "Maximilian",
    "Paul",
    "Leon",
    "Tobias",
    "Florian",
    "Stefan",
    "Michael",
    "Thomas",
    "Andreas",
    "Christian",
    "Matthias",
    "Sebastian",
    "Jürgen",
    "Klaus",
    "Uwe",
    "Dieter",
    "Björn",
    "Jörg",
    "Sören",
    "Timo",
    "Niklas",
];
const FIRST_FEMALE: [&str; 24] = [
    "Anna",
    "Lena",
    "Marie",
    "Sophie",
    "Laura",
    "Julia",
    "Katharina",
    "Sabine",
    "Claudia",
    "Andrea",
    "Petra",
    "Monika",
    "Birgit",
    "Sandra",
    "Nicole",
    "Jana",
    "Franziska",
    "Jülide",
    "Mareike",
    "Hannah",
    "Lea",
    "Özlem",
    "Charlotte",
    "Ursula",
];
const LAST_NAMES: [&str; 40] = [
    "Müller",
    "Schmidt",
    "Schneider",
    "Fischer",
    "Weber",
    "Meyer",
    "Wagner",
    "Becker",
    "Schulz",
    "Hoffmann",
    "Schäfer",
    "Koch",
    "Bauer",
    "Richter",
    "Klein",
    "Wolf",
    "Schröder",
    "Neumann",
    "Schwarz",
    "Zimmermann",
    "Braun",
    "Krüger",
    "Hofmann",
    "Hartmann",
    "Lange",
    "Schmitt",
    "Werner",
    "Schmitz",
    "Krause",
    "Meier",
    "Lehmann",
    "Schmid",
    "Schulze",
    "Maier",
    "Köhler",
    "Herrmann",
    "König",
    "Walter",
    "Yılmaz",
    "Weißgerber-Öztürk",
];
const CITIES: [&str; 12] = [
    "Berlin",
    "Hamburg",
    "München",
    "Köln",
    "Frankfurt am Main",
    "Stuttgart",
    "Leipzig",
    "Düsseldorf",
    "Dortmund",
    "Essen",
    "Bremen",
    "Passau",
];
const STREETS: [&str; 10] = [
    "Hauptstraße",
    "Schulstraße",
    "Gartenstraße",
    "Bahnhofstraße",
    "Dorfstraße",
    "Bergstraße",
    "Lindenstraße",
    "Birkenweg",
    "Am Mühlbach",
    "Goethestraße",
];
const JOBS: [&str; 14] = [
    "Sachbearbeiter/in",
    "Referent/in",
    "Teamleiter/in",
    "Abteilungsleiter/in",
    "Softwareentwickler/in",
    "Industriemechaniker/in",
    "Kaufmann/-frau für Büromanagement",
    "Lagerist/in",
    "Controller/in",
    "Einkäufer/in",
    "Vertriebsmitarbeiter/in",
    "Personalreferent/in",
    "Juristin/Jurist",
    "Laborant/in",
];
const SENTENCES: [&str; 8] = [
    "stets zu unserer vollsten Zufriedenheit erledigt",
    "zeichnete sich durch ein hohes Maß an Eigeninitiative und Zuverlässigkeit aus",
    "verfügt über ein umfassendes und fundiertes Fachwissen, das sie/er stets sicher einsetzte",
    "war bei Vorgesetzten, Kolleginnen und Kollegen sowie Kunden gleichermaßen geschätzt",
    "arbeitete sich schnell in neue Aufgabengebiete ein und fand stets sehr gute Lösungen",
    "hat die ihr/ihm übertragenen Aufgaben mit großer Sorgfalt und Genauigkeit ausgeführt",
    "war jederzeit hoch motiviert und zeigte großes persönliches Engagement",
    "verhielt sich stets vorbildlich und trug zu einer guten Zusammenarbeit bei",
];

/// 2021-01-01T00:00:00Z: the start of the five years the records spread over.
pub(crate) const EPOCH: i64 = 1_609_459_200;
/// Five years in seconds (1826 days).
pub(crate) const SPAN: i64 = 1826 * 86_400;

/// Users per tenant: one administrator and the rest clerks.
pub(crate) const USERS_PER_TENANT: u8 = 20;

fn name(s: &str) -> Name {
    Name::new(s).unwrap()
}

pub(crate) fn instant(seconds: i64, nanos: i64) -> Timestamp {
    Timestamp::from_unix_timestamp_nanos(i128::from(seconds) * 1_000_000_000 + i128::from(nanos))
        .unwrap()
}

fn day(julian: i64) -> Date {
    Date::from_julian_day(julian as i32).unwrap()
}

fn julian(year: i32, month: time::Month, d: u8) -> i64 {
    i64::from(
        Date::from_calendar_date(year, month, d)
            .unwrap()
            .to_julian_day(),
    )
}

/// One tenant's fixed records.
#[derive(Debug, Clone)]
pub(crate) struct TenantSeed {
    pub(crate) tenant: Tenant,
    pub(crate) roles: Vec<Role>,
    pub(crate) users: Vec<User>,
}

impl TenantSeed {
    pub(crate) fn id(&self) -> TenantId {
        self.tenant.id
    }

    pub(crate) fn user_ids(&self) -> Vec<UserId> {
        self.users.iter().map(|u| u.id).collect()
    }
}

pub(crate) fn tenant_seed(seed: u64, n: usize) -> TenantSeed {
    let mut rng = Rng::stream(seed, 1_000 + n as u64);
    let id = TenantId::from_bytes(rng.id());
    let tenant = Tenant {
        id,
        slug: Slug::parse(&format!("bench-{n}")).unwrap(),
        name: name(&format!("Bench {n} Unternehmensgruppe")),
        status: TenantStatus::Active,
        created_at: instant(EPOCH - 86_400, 0),
    };
    let admin = Role {
        id: RoleId::from_bytes(rng.id()),
        tenant: id,
        name: name("Administrator"),
        kind: RoleKind::Administrator,
    };
    let clerk = Role {
        id: RoleId::from_bytes(rng.id()),
        tenant: id,
        name: name("Personalsachbearbeitung"),
        kind: RoleKind::Custom(
            Permissions::none()
                .with(Area::Employees, AccessLevel::ReadWrite)
                .with(Area::Companies, AccessLevel::Read),
        ),
    };
    let mut users = Vec::new();
    for u in 0..USERS_PER_TENANT {
        let female = rng.percent(50);
        let first = if female {
            rng.word(&FIRST_FEMALE)
        } else {
            rng.word(&FIRST_MALE)
        };
        let last = rng.word(&LAST_NAMES);
        let (role, scope) = if u == 0 {
            (admin.id, ReferenceScope::Administrator)
        } else {
            let company = COMPANIES[usize::from(u) % COMPANIES.len()];
            (
                clerk.id,
                ReferenceScope::Restricted(
                    Restriction::unrestricted()
                        .allow(Criterion::Company, [company])
                        .unwrap(),
                ),
            )
        };
        users.push(User {
            id: UserId::from_bytes(rng.id()),
            tenant: id,
            first_name: name(first),
            last_name: name(last),
            email: Email::parse(&format!("user{u}@bench-{n}.example.de")).unwrap(),
            phone: None,
            role,
            scope,
            status: UserStatus::Active,
            failed_logins: 0,
            language: None,
            auth: AuthMethods {
                password: true,
                ..AuthMethods::default()
            },
            created_at: instant(EPOCH - 86_400, 0),
        });
    }
    TenantSeed {
        tenant,
        roles: vec![admin, clerk],
        users,
    }
}

pub(crate) fn org(rng: &mut Rng) -> OrgAttributes {
    OrgAttributes {
        company: Some(name(COMPANIES[rng.weighted(&COMPANY_WEIGHTS)])),
        location: Some(name(LOCATIONS[rng.weighted(&LOCATION_WEIGHTS)])),
        department: Some(name(DEPARTMENTS[rng.weighted(&DEPARTMENT_WEIGHTS)])),
        unit: Some(name(rng.word(&UNITS))),
        employee_type: Some(name(EMPLOYEE_TYPES[rng.weighted(&EMPLOYEE_TYPE_WEIGHTS)])),
    }
}

pub(crate) fn employee(rng: &mut Rng, tenant: TenantId) -> Employee {
    let salutation = match rng.below(100) {
        0..=47 => Salutation::Herr,
        48..=96 => Salutation::Frau,
        _ => Salutation::None,
    };
    let first = match salutation {
        Salutation::Frau => rng.word(&FIRST_FEMALE),
        _ => rng.word(&FIRST_MALE),
    };
    let last = rng.word(&LAST_NAMES);
    let entry = rng.between(
        julian(1990, time::Month::January, 1),
        julian(2025, time::Month::June, 30),
    );
    let birth = entry - rng.between(18 * 365, 45 * 365);
    let today = julian(2026, time::Month::January, 1);
    let exit = (rng.percent(45) && entry + 365 < today).then(|| rng.between(entry + 365, today));
    let exit_reason = exit.map(|_| match rng.below(6) {
        0 => IssueReason::EmployeeResignation,
        1 => IssueReason::EmployerTermination,
        2 => IssueReason::MutualAgreement,
        3 => IssueReason::FixedTermEnd,
        4 => IssueReason::Retirement,
        _ => IssueReason::Other,
    });
    let city = rng.word(&CITIES);
    let mut jobs = vec![name(rng.word(&JOBS))];
    if rng.percent(40) {
        jobs.push(name(rng.word(&JOBS)));
    }
    let powers = if rng.percent(8) {
        vec![PowerOfAttorney {
            kind: name("Handlungsvollmacht"),
            since: Some(day(entry + rng.between(180, 3_000))),
        }]
    } else {
        Vec::new()
    };
    Employee {
        id: EmployeeId::from_bytes(rng.id()),
        tenant,
        personal: PersonalData {
            salutation,
            first_name: name(first),
            last_name: name(last),
            title: rng.percent(6).then(|| name("Dr.")),
            birth_date: Some(day(birth)),
            birth_place: Some(name(rng.word(&CITIES))),
        },
        contact: Contact {
            street: Some(name(&format!(
                "{} {}",
                rng.word(&STREETS),
                rng.between(1, 180)
            ))),
            postcode: Some(name(&format!("{:05}", rng.between(1_067, 99_998)))),
            city: Some(name(city)),
            email: rng.percent(70).then(|| {
                Email::parse(&format!(
                    "{}.{}{}@privat.example.de",
                    ascii(first),
                    ascii(last),
                    rng.below(1000)
                ))
                .unwrap()
            }),
        },
        employment: Employment {
            entry_date: Some(day(entry)),
            exit_date: exit.map(day),
            exit_reason,
            job_descriptions: jobs,
            interruptions: Vec::new(),
            powers_of_attorney: powers,
        },
        org: org(rng),
    }
}

fn ascii(s: &str) -> String {
    s.chars()
        .filter_map(|c| match c {
            'ä' => Some('a'),
            'ö' => Some('o'),
            'ü' => Some('u'),
            'ß' => Some('s'),
            'Ö' => Some('o'),
            'ı' => Some('i'),
            c if c.is_ascii_alphanumeric() => Some(c.to_ascii_lowercase()),
            _ => None,
        })
        .collect()
}

const STATUSES: [ReferenceStatus; 7] = [
    ReferenceStatus::Requested,
    ReferenceStatus::Draft,
    ReferenceStatus::WithSupervisor,
    ReferenceStatus::InApproval,
    ReferenceStatus::Approved,
    ReferenceStatus::Completed,
    ReferenceStatus::Archived,
];
const STATUS_WEIGHTS: [u32; 7] = [5, 15, 8, 7, 10, 40, 15];

/// A reference about `e`, signed by up to two of `signers` (employees already
/// written), created by one of `users`.
pub(crate) fn reference(
    rng: &mut Rng,
    e: &Employee,
    users: &[UserId],
    signers: &[EmployeeId],
) -> Reference {
    let created = EPOCH + rng.below(SPAN as u64) as i64;
    let created_at = instant(created, rng.below(1_000_000_000) as i64);
    let status = STATUSES[rng.weighted(&STATUS_WEIGHTS)];
    let since = (created + rng.between(0, 60 * 86_400)).min(EPOCH + SPAN);
    let mut signatories = Vec::new();
    if !signers.is_empty() {
        for _ in 0..rng.below(3) {
            let s = *rng.pick(signers);
            if !signatories.contains(&s) {
                signatories.push(s);
            }
        }
    }
    let mut content = ReferenceContent::default();
    let sections = [Section::Tasks, Section::Performance, Section::Conduct];
    for s in sections.iter().take(1 + rng.below(2) as usize) {
        let mut text = format!(
            "{} {} ",
            e.personal.first_name.as_str(),
            e.personal.last_name.as_str()
        );
        for _ in 0..rng.between(2, 4) {
            text.push_str(rng.word(&SENTENCES));
            text.push_str(". ");
        }
        content.set(*s, SectionContent::new(text).unwrap());
    }
    Reference {
        id: ReferenceId::from_bytes(rng.id()),
        tenant: e.tenant,
        employee: e.id,
        org: e.org.clone(),
        kind: if e.employment.exit_date.is_some() {
            ReferenceKind::Final
        } else {
            ReferenceKind::Interim
        },
        language: if rng.percent(88) {
            Language::German
        } else {
            Language::English
        },
        status,
        status_since: instant(since, 0),
        changed_at: instant(since, 0),
        private: rng.percent(10),
        created_by: *rng.pick(users),
        created_at,
        signatories,
        content,
        generated: None,
    }
}

const ACTIONS: [AuditAction; 14] = [
    AuditAction::LoginSucceeded,
    AuditAction::LoggedOut,
    AuditAction::LoginFailed,
    AuditAction::ReferenceDownloaded,
    AuditAction::HandoverCreated,
    AuditAction::HandoverOpened,
    AuditAction::UserChanged,
    AuditAction::SettingsChanged,
    AuditAction::DataExported,
    AuditAction::EmployeeDeleted,
    AuditAction::ReferenceDeleted,
    AuditAction::PasswordChanged,
    AuditAction::SecondFactorFailed,
    AuditAction::RetentionSweep,
];
const ACTION_WEIGHTS: [u32; 14] = [380, 200, 80, 100, 40, 60, 30, 5, 10, 10, 10, 30, 20, 5];

/// An audit event at `at` in `tenant`.
pub(crate) fn audit_event(
    rng: &mut Rng,
    tenant: TenantId,
    at: Timestamp,
    users: &[UserId],
    employees: &[EmployeeId],
    references: &[ReferenceId],
) -> AuditEvent {
    let action = ACTIONS[rng.weighted(&ACTION_WEIGHTS)];
    let user = *rng.pick(users);
    let ip = IpAddr::V4(Ipv4Addr::new(
        10,
        rng.below(256) as u8,
        rng.below(256) as u8,
        rng.below(254) as u8 + 1,
    ));
    let (actor, target) = match action {
        AuditAction::LoginFailed => (AuditActor::Anonymous, AuditTarget::None),
        AuditAction::RetentionSweep => (AuditActor::System, AuditTarget::Tenant(tenant)),
        AuditAction::ReferenceDownloaded
        | AuditAction::HandoverCreated
        | AuditAction::ReferenceDeleted
            if !references.is_empty() =>
        {
            (
                AuditActor::User(user),
                AuditTarget::Reference(*rng.pick(references)),
            )
        }
        AuditAction::EmployeeDeleted | AuditAction::DataExported if !employees.is_empty() => (
            AuditActor::User(user),
            AuditTarget::Employee(*rng.pick(employees)),
        ),
        AuditAction::UserChanged => (AuditActor::User(user), AuditTarget::User(*rng.pick(users))),
        AuditAction::SettingsChanged => (AuditActor::User(user), AuditTarget::Settings),
        _ => (AuditActor::User(user), AuditTarget::User(user)),
    };
    let mut event = AuditEvent::new(Some(tenant), at, actor, action, target);
    if !matches!(event.actor, AuditActor::System) {
        event = event.from_ip(Some(ip));
    }
    match action {
        AuditAction::LoginFailed => {
            event = event.with_detail(if rng.percent(70) {
                "wrong_password"
            } else {
                "unknown_account"
            });
        }
        AuditAction::UserChanged => {
            event = event.with_changes(vec![FieldChange::new(
                "role",
                Some("Personalsachbearbeitung"),
                Some("Administrator"),
            )]);
        }
        AuditAction::SettingsChanged => {
            event = event.with_changes(vec![FieldChange::new(
                "privacy.audit_retention",
                Some("365"),
                Some("730"),
            )]);
        }
        _ => {}
    }
    event
}
