//! The workflow of a reference.

use proptest::prelude::*;
use proptest::sample::{Index, select};
use time::Duration;
use zeugnis_core::employee::OrgAttributes;
use zeugnis_core::id::{EmployeeId, ReferenceId, TenantId, UserId};
use zeugnis_core::reference::{
    Language, Reference, ReferenceContent, ReferenceKind, ReferenceStatus, StatusActor,
    StatusChange, TransitionError,
};
use zeugnis_core::values::Timestamp;

use ReferenceStatus::{
    Approved, Archived, Completed, Draft, InApproval, Requested, WithSupervisor,
};

/// Every transition the workflow allows; anything else is refused.
const ALLOWED: [(ReferenceStatus, ReferenceStatus); 9] = [
    (Requested, Draft),
    (Draft, WithSupervisor),
    (Draft, InApproval),
    (WithSupervisor, Draft),
    (InApproval, Approved),
    (InApproval, Draft),
    (Approved, Completed),
    (Approved, Draft),
    (Completed, Archived),
];

fn allowed(from: ReferenceStatus, to: ReferenceStatus) -> bool {
    ALLOWED.contains(&(from, to))
}

fn successors(from: ReferenceStatus) -> Vec<ReferenceStatus> {
    ALLOWED
        .iter()
        .filter(|(f, _)| *f == from)
        .map(|(_, t)| *t)
        .collect()
}

fn created_at() -> Timestamp {
    Timestamp::UNIX_EPOCH + Duration::days(20_000)
}

fn reference() -> Reference {
    Reference {
        id: ReferenceId::from_bytes([1; 16]),
        tenant: TenantId::from_bytes([2; 16]),
        employee: EmployeeId::from_bytes([3; 16]),
        org: OrgAttributes::default(),
        kind: ReferenceKind::Final,
        language: Language::German,
        status: Requested,
        status_since: created_at(),
        changed_at: created_at(),
        private: false,
        created_by: UserId::from_bytes([4; 16]),
        created_at: created_at(),
        signatories: vec![EmployeeId::from_bytes([5; 16])],
        generated: None,
        content: ReferenceContent::default(),
    }
}

/// One step of a walk: to one of the statuses the table allows next, or to any
/// status at all.
#[derive(Debug, Clone)]
enum Step {
    Allowed(Index),
    Any(ReferenceStatus),
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        any::<Index>().prop_map(Step::Allowed),
        select(ReferenceStatus::ALL.to_vec()).prop_map(Step::Any),
    ]
}

fn actor() -> impl Strategy<Value = StatusActor> {
    prop_oneof![
        Just(StatusActor::System),
        (1_u8..=3).prop_map(|n| StatusActor::User(UserId::from_bytes([n; 16]))),
    ]
}

#[test]
fn a_transition_is_allowed_iff_it_is_in_the_workflow_table() {
    for from in ReferenceStatus::ALL {
        for to in ReferenceStatus::ALL {
            let expected = if allowed(from, to) {
                Ok(to)
            } else {
                Err(TransitionError { from, to })
            };
            assert_eq!(from.transition_to(to), expected, "{from} -> {to}");
        }
        let mut next = from.next().to_vec();
        let mut expected = successors(from);
        next.sort();
        expected.sort();
        assert_eq!(next, expected, "next of {from}");
    }
}

proptest! {
    #[test]
    fn walking_only_allowed_transitions_from_requested_never_fails(
        choices in proptest::collection::vec(any::<Index>(), 0..30),
        by in actor(),
    ) {
        let mut r = reference();
        for (minute, choice) in (1_i64..).zip(choices) {
            let next = successors(r.status);
            if next.is_empty() {
                prop_assert_eq!(r.status, Archived);
                break;
            }
            let to = *choice.get(&next);
            let at = created_at() + Duration::minutes(minute);
            let change = r.change_status(to, by.clone(), at);
            prop_assert!(change.is_ok(), "{:?}", change);
            prop_assert_eq!(r.status, to);
        }
    }

    #[test]
    fn a_refused_transition_leaves_the_reference_unchanged_and_an_allowed_one_is_recorded(
        steps in proptest::collection::vec(step(), 0..40),
        by in actor(),
    ) {
        let mut r = reference();
        for (minute, step) in (1_i64..).zip(steps) {
            let from = r.status;
            let to = match step {
                Step::Any(to) => to,
                Step::Allowed(choice) => {
                    let next = successors(from);
                    if next.is_empty() {
                        continue;
                    }
                    *choice.get(&next)
                }
            };
            let at = created_at() + Duration::minutes(minute);
            let before = r.clone();
            let result = r.change_status(to, by.clone(), at);
            let mut expected_reference = before.clone();
            let expected = if allowed(from, to) {
                expected_reference.status = to;
                expected_reference.status_since = at;
                expected_reference.changed_at = at;
                Ok(StatusChange {
                    tenant: before.tenant,
                    reference: before.id,
                    from,
                    to,
                    by: by.clone(),
                    at,
                })
            } else {
                Err(TransitionError { from, to })
            };
            prop_assert_eq!(result, expected, "{} -> {}", from, to);
            prop_assert_eq!(&r, &expected_reference);
        }
    }
}
