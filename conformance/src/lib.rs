#![doc = include_str!("../README.md")]
//!
//! ## Where the cases are
//!
//! [`cases`] holds every case as a generic `async fn` (run one alone with
//! `cases::name(&subject).await`), [`fixtures`] the records they store. Checks
//! that need more than the ports run where the subject answers
//! [`StoreUnderTest::records`]; the SQL store answers it by counting rows, the
//! [`MemoryStore`] does not.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a conformance case fails loudly, by panicking with what broke"
)]

pub mod cases;
pub mod fixtures;

use std::fmt;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::task::{Context, Poll};

use async_trait::async_trait;
use zeugnis_core::id::TenantId;
use zeugnis_core::memory::MemoryStore;
use zeugnis_core::ports::{
    ActionStore, AuditLog, ChallengeStore, CredentialStore, EmployeeStore, HandoverStore,
    LibraryStore, OutboxQueue, ReferenceStore, RoleStore, SecondFactorStore, SessionStore,
    SettingsStore, TenantStore, UnitOfWork, UserStore,
};

/// Declares [`Ports`] as the sum of the port traits, implemented for every
/// type that implements them all.
macro_rules! ports {
    ($(#[$doc:meta])* $($port:ident),+ $(,)?) => {
        $(#[$doc])*
        pub trait Ports: $($port +)+ {}

        impl<T: $($port +)+> Ports for T {}
    };
}

ports!(
    /// Every port the suite speaks through: the store traits, the unit of work
    /// and the outbox. Implemented for every type that implements them all.
    TenantStore,
    UserStore,
    CredentialStore,
    ActionStore,
    SecondFactorStore,
    RoleStore,
    EmployeeStore,
    ReferenceStore,
    HandoverStore,
    ChallengeStore,
    SessionStore,
    AuditLog,
    LibraryStore,
    SettingsStore,
    UnitOfWork,
    OutboxQueue,
);

/// Kinds of stored records, for the checks that look behind the ports (what a
/// delete or purge must leave behind). They follow the SQL store's tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Records {
    /// The tenant itself.
    Tenants,
    /// User accounts.
    Users,
    /// Roles.
    Roles,
    /// Password hashes.
    Credentials,
    /// Employee records.
    Employees,
    /// References.
    References,
    /// Reference sections (content).
    Sections,
    /// Signatories of references.
    Signatories,
    /// Status history entries.
    StatusHistory,
    /// Change log entries.
    ChangeLog,
    /// Stored documents of references.
    Documents,
    /// Handovers.
    Handovers,
    /// One-time-code challenges.
    Challenges,
    /// Sessions.
    Sessions,
    /// Pending registration and reset links.
    ActionTokens,
    /// Second factors.
    SecondFactors,
    /// Audit entries.
    AuditEntries,
    /// The audit chain's head.
    AuditHeads,
    /// Outbox messages, waiting or failed.
    OutboxMessages,
    /// Saved settings.
    Settings,
}

/// One fresh, empty store for one case, and what it can tell beyond the ports.
#[async_trait]
pub trait StoreUnderTest: Send + Sync {
    /// The store the cases speak to.
    type Store: Ports;

    /// The store.
    fn store(&self) -> &Self::Store;

    /// How many records of `kind` the store holds for `tenant`, looked up
    /// behind the ports; `None` (the default) when it cannot tell — the cases
    /// then check only what the ports show.
    async fn records(&self, kind: Records, tenant: TenantId) -> Option<u64> {
        let _ = (kind, tenant);
        None
    }
}

/// The core's in-memory store under test: the ports only (it answers no
/// [`StoreUnderTest::records`]).
impl StoreUnderTest for MemoryStore {
    type Store = Self;

    fn store(&self) -> &Self {
        self
    }
}

/// Asserts that `tenant` holds `expected` records of `kind`, where the subject
/// can tell.
pub async fn expect_records<H: StoreUnderTest>(
    h: &H,
    kind: Records,
    tenant: TenantId,
    expected: u64,
) {
    if let Some(n) = h.records(kind, tenant).await {
        assert_eq!(n, expected, "records of kind {kind:?}");
    }
}

/// What [`run_all`] found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Report {
    /// The cases that passed.
    pub passed: Vec<&'static str>,
    /// The cases that failed, with their panic message.
    pub failed: Vec<(&'static str, String)>,
    /// The cases skipped because the factory made no store.
    pub skipped: Vec<&'static str>,
}

impl Report {
    /// Whether no case failed.
    #[must_use]
    pub fn is_success(&self) -> bool {
        self.failed.is_empty()
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} passed, {} failed, {} skipped",
            self.passed.len(),
            self.failed.len(),
            self.skipped.len()
        )?;
        for (case, why) in &self.failed {
            write!(f, "\n  FAILED {case}: {why}")?;
        }
        Ok(())
    }
}

/// Runs every case, each on a fresh store from `make` (`None`: the case is
/// skipped), and reports which passed and which failed. A failing case does
/// not stop the others.
pub async fn run_all<H, F, Fut>(make: F) -> Report
where
    H: StoreUnderTest,
    F: Fn() -> Fut,
    Fut: Future<Output = Option<H>>,
{
    let mut report = Report::default();
    crate::__with_cases!(__run_each { make, report });
    report
}

/// The names of every case, in the order [`run_all`] runs them.
pub const CASES: &[&str] = crate::__with_cases!(__names {});

/// Generates one `#[tokio::test]` per case, each on a fresh store from the
/// async expression `$make` (of type `Option<impl StoreUnderTest>`; `None`
/// skips the case). Use it at most once per module; the crate using it needs
/// `tokio` with the `macros` and `rt-multi-thread` features.
#[macro_export]
macro_rules! conformance_tests {
    ($make:expr) => {
        $crate::__with_cases!(__tests { $make });
    };
}

/// Calls `$callback` with the list of every case.
#[doc(hidden)]
#[macro_export]
macro_rules! __with_cases {
    ($callback:ident { $($arg:tt)* }) => {
        $crate::$callback! { { $($arg)* }
            tenant_user_role_and_credential_round_trip,
            employee_and_reference_round_trip,
            a_failing_write_leaves_nothing_behind,
            foreign_tenant_ids_find_nothing_and_change_nothing,
            unique_values_and_stale_versions_are_conflicts,
            deleting_a_reference_leaves_no_orphan,
            a_referenced_employee_cannot_be_deleted,
            the_last_administrator_cannot_be_demoted,
            records_that_point_at_nothing_are_refused,
            scope_and_private_flag_are_applied_in_the_query,
            the_overview_filters_by_place_and_sorts_three_ways,
            audit_entries_form_a_verifiable_chain,
            purging_a_tenant_leaves_no_row,
            outbox_messages_commit_with_their_change_and_are_claimed_once,
            action_links_work_once_and_sessions_end_per_user,
            phrase_library_formatting_and_generated_fingerprint_round_trip,
            only_one_first_start_setup_commits_even_at_once,
            every_versioned_record_refuses_a_stale_version,
        }
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __tests {
    ({ $make:expr } $($case:ident),* $(,)?) => {
        $(
            #[::tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $case() {
                let Some(subject) = ($make).await else { return };
                $crate::cases::$case(&subject).await;
            }
        )*
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __run_each {
    ({ $make:ident, $report:ident } $($case:ident),* $(,)?) => {
        $(
            match ($make)().await {
                None => $report.skipped.push(stringify!($case)),
                Some(subject) => {
                    match $crate::catch_unwind($crate::cases::$case(&subject)).await {
                        Ok(()) => $report.passed.push(stringify!($case)),
                        Err(why) => $report.failed.push((stringify!($case), why)),
                    }
                }
            }
        )*
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __names {
    ({} $($case:ident),* $(,)?) => {
        &[$(stringify!($case)),*]
    };
}

/// Runs a future, turning a panic into its message.
#[doc(hidden)]
pub async fn catch_unwind<F: Future<Output = ()>>(future: F) -> Result<(), String> {
    CatchUnwind(Box::pin(future)).await
}

struct CatchUnwind<F>(Pin<Box<F>>);

impl<F: Future<Output = ()>> Future for CatchUnwind<F> {
    type Output = Result<(), String>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let inner = self.get_mut().0.as_mut();
        match std::panic::catch_unwind(AssertUnwindSafe(|| inner.poll(cx))) {
            Ok(Poll::Pending) => Poll::Pending,
            Ok(Poll::Ready(())) => Poll::Ready(Ok(())),
            Err(panic) => Poll::Ready(Err(panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                .unwrap_or_else(|| "the case panicked".to_owned()))),
        }
    }
}
