//! Reference access scopes and the visibility of references.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::LazyLock;

use proptest::prelude::*;
use proptest::sample::{select, subsequence};
use zeugnis_core::access::Permissions;
use zeugnis_core::authz::{Actor, VisibilityFacts};
use zeugnis_core::employee::OrgAttributes;
use zeugnis_core::id::{TenantId, UserId};
use zeugnis_core::scope::{Criterion, ReferenceScope, Restriction, ScopeError};
use zeugnis_core::values::{Name, ValueError};

/// The values a restriction may allow, per criterion.
fn pool(criterion: Criterion) -> [&'static str; 3] {
    match criterion {
        Criterion::Company => ["ACME GmbH", "Beta AG", "Gamma KG"],
        Criterion::Location => ["Köln", "Bonn", "Berlin"],
        Criterion::Department => ["Vertrieb", "Personal", "IT"],
        Criterion::OrganisationalUnit => ["Nord", "Süd", "West"],
        _ => ["Angestellte", "Auszubildende", "Werkstudent"],
    }
}

/// A value no restriction allows (so "some value, but not an allowed one" occurs).
const ELSEWHERE: &str = "Sonstige";

/// The test's model of a restriction: allowed values per restricted criterion,
/// never an empty set.
type RestrictionModel = BTreeMap<Criterion, BTreeSet<&'static str>>;

/// The test's model of an employee's attributes: a missing criterion has no value.
type AttrsModel = BTreeMap<Criterion, &'static str>;

#[derive(Debug, Clone, PartialEq, Eq)]
enum ScopeModel {
    Administrator,
    Restricted(RestrictionModel),
}

fn allowed_values(criterion: Criterion) -> impl Strategy<Value = BTreeSet<&'static str>> {
    subsequence(pool(criterion).to_vec(), 1..=3).prop_map(|v| v.into_iter().collect())
}

fn restriction_model() -> impl Strategy<Value = RestrictionModel> {
    Criterion::ALL
        .into_iter()
        .map(|c| proptest::option::of(allowed_values(c).prop_map(move |v| (c, v))))
        .collect::<Vec<_>>()
        .prop_map(|entries| entries.into_iter().flatten().collect())
}

/// A restriction no wider than `wide`: every criterion `wide` restricts is
/// restricted to a subset; the others are restricted or not at random.
fn narrowing(wide: &RestrictionModel) -> impl Strategy<Value = RestrictionModel> + use<> {
    Criterion::ALL
        .into_iter()
        .map(|c| match wide.get(&c) {
            Some(values) => {
                let values: Vec<&'static str> = values.iter().copied().collect();
                let len = values.len();
                subsequence(values, 1..=len)
                    .prop_map(move |v| Some((c, v.into_iter().collect())))
                    .boxed()
            }
            None => proptest::option::of(allowed_values(c).prop_map(move |v| (c, v))).boxed(),
        })
        .collect::<Vec<_>>()
        .prop_map(|entries| entries.into_iter().flatten().collect())
}

/// Two restrictions, half of the time the first one within the second by
/// construction.
fn restriction_pair() -> impl Strategy<Value = (RestrictionModel, RestrictionModel)> {
    prop_oneof![
        (restriction_model(), restriction_model()),
        restriction_model().prop_flat_map(|wide| (narrowing(&wide), Just(wide))),
    ]
}

/// A scope: Administrator, a restriction that restricts nothing (it covers every
/// employee, but unlike Administrator not the private references of others), or
/// any restriction.
fn scope_model() -> impl Strategy<Value = ScopeModel> {
    prop_oneof![
        1 => Just(ScopeModel::Administrator),
        1 => Just(ScopeModel::Restricted(RestrictionModel::new())),
        3 => restriction_model().prop_map(ScopeModel::Restricted),
    ]
}

fn scope_pair() -> impl Strategy<Value = (ScopeModel, ScopeModel)> {
    prop_oneof![
        (scope_model(), scope_model()),
        (Just(ScopeModel::Administrator), scope_model()),
        restriction_pair()
            .prop_map(|(n, w)| (ScopeModel::Restricted(n), ScopeModel::Restricted(w))),
    ]
}

fn attrs_model() -> impl Strategy<Value = AttrsModel> {
    Criterion::ALL
        .into_iter()
        .map(|c| {
            let mut values = pool(c).to_vec();
            values.push(ELSEWHERE);
            proptest::option::of(select(values).prop_map(move |v| (c, v)))
        })
        .collect::<Vec<_>>()
        .prop_map(|entries| entries.into_iter().flatten().collect())
}

/// Ways of widening a restriction.
#[derive(Debug, Clone)]
enum Widening {
    /// Allow more values for a criterion (only if it is restricted: allowing
    /// values for an unrestricted criterion would narrow it).
    Allow(Criterion, Vec<&'static str>),
    /// Stop restricting a criterion.
    Lift(Criterion),
}

fn widening() -> impl Strategy<Value = Widening> {
    select(Criterion::ALL.to_vec()).prop_flat_map(|c| {
        prop_oneof![
            subsequence(pool(c).to_vec(), 1..=3).prop_map(move |v| Widening::Allow(c, v)),
            Just(Widening::Lift(c)),
        ]
    })
}

fn build_restriction(model: &RestrictionModel) -> Result<Restriction, ScopeError> {
    model
        .iter()
        .try_fold(Restriction::unrestricted(), |r, (c, values)| {
            r.allow(*c, values.iter().copied())
        })
}

fn build_scope(model: &ScopeModel) -> Result<ReferenceScope, ScopeError> {
    Ok(match model {
        ScopeModel::Administrator => ReferenceScope::Administrator,
        ScopeModel::Restricted(r) => ReferenceScope::Restricted(build_restriction(r)?),
    })
}

fn build_attrs(model: &AttrsModel) -> Result<OrgAttributes, ValueError> {
    let value = |c: Criterion| model.get(&c).map(|v| Name::new(v)).transpose();
    Ok(OrgAttributes {
        company: value(Criterion::Company)?,
        location: value(Criterion::Location)?,
        department: value(Criterion::Department)?,
        unit: value(Criterion::OrganisationalUnit)?,
        employee_type: value(Criterion::EmployeeType)?,
    })
}

/// An employee is within a restriction when no restricted criterion rules them
/// out; a missing value rules out.
fn model_matches(restriction: &RestrictionModel, attrs: &AttrsModel) -> bool {
    !restriction.iter().any(|(c, allowed)| match attrs.get(c) {
        None => true,
        Some(value) => !allowed.contains(value),
    })
}

fn model_covers(scope: &ScopeModel, attrs: &AttrsModel) -> bool {
    match scope {
        ScopeModel::Administrator => true,
        ScopeModel::Restricted(r) => model_matches(r, attrs),
    }
}

/// Every combination of attributes over the pools, the outside value and no value
/// (5^5 = 3125 employees); enough to tell any two restrictions of the pools apart.
static UNIVERSE: LazyLock<Vec<OrgAttributes>> = LazyLock::new(|| {
    let mut all = vec![AttrsModel::new()];
    for c in Criterion::ALL {
        let mut options: Vec<Option<&'static str>> = pool(c).into_iter().map(Some).collect();
        options.extend([Some(ELSEWHERE), None]);
        all = all
            .into_iter()
            .flat_map(|partial| {
                options.iter().map(move |option| {
                    let mut next = partial.clone();
                    if let Some(value) = option {
                        next.insert(c, *value);
                    }
                    next
                })
            })
            .collect();
    }
    all.iter().filter_map(|m| build_attrs(m).ok()).collect()
});

const UNIVERSE_SIZE: usize = 3125;

fn tenant(n: u8) -> TenantId {
    TenantId::from_bytes([n; 16])
}

fn user(n: u8) -> UserId {
    UserId::from_bytes([n; 16])
}

fn actor(tenant_no: u8, viewer: u8, administrator_role: bool, scope: ReferenceScope) -> Actor {
    Actor::new(
        tenant(tenant_no),
        user(viewer),
        Permissions::none(),
        administrator_role,
        scope,
    )
}

proptest! {
    #[test]
    fn the_administrator_scope_covers_every_employee(attrs in attrs_model()) {
        prop_assert!(ReferenceScope::Administrator.covers(&build_attrs(&attrs)?));
    }

    #[test]
    fn a_restriction_matches_iff_every_restricted_criterion_has_an_allowed_value(
        restriction in restriction_model(),
        attrs in attrs_model(),
    ) {
        let built = build_restriction(&restriction)?;
        for c in Criterion::ALL {
            let allowed = built
                .allowed(c)
                .map(|values| values.iter().map(Name::as_str).collect::<BTreeSet<_>>());
            let expected = restriction.get(&c).map(|values| values.iter().copied().collect());
            prop_assert_eq!(allowed, expected, "{:?}", c);
        }
        let employee = build_attrs(&attrs)?;
        let expected = model_matches(&restriction, &attrs);
        prop_assert_eq!(built.matches(&employee), expected);
        prop_assert_eq!(ReferenceScope::Restricted(built).covers(&employee), expected);
    }

    #[test]
    fn widening_a_restriction_never_hides_a_covered_reference(
        restriction in restriction_model(),
        widenings in proptest::collection::vec(widening(), 1..4),
        attrs in attrs_model(),
    ) {
        let narrow = build_restriction(&restriction)?;
        let mut wide = narrow.clone();
        let mut wide_model = restriction.clone();
        for step in widenings {
            match step {
                Widening::Allow(c, more) => {
                    if let Some(values) = wide_model.get_mut(&c) {
                        values.extend(more);
                        wide = wide.allow(c, values.iter().copied())?;
                    }
                }
                Widening::Lift(c) => {
                    wide_model.remove(&c);
                    wide = wide.lift(c);
                }
            }
        }
        let employee = build_attrs(&attrs)?;
        prop_assert_eq!(wide.matches(&employee), model_matches(&wide_model, &attrs));
        prop_assert!(!narrow.matches(&employee) || wide.matches(&employee));
        prop_assert!(narrow.is_within(&wide));
        let (narrow, wide) = (ReferenceScope::Restricted(narrow), ReferenceScope::Restricted(wide));
        prop_assert!(!narrow.covers(&employee) || wide.covers(&employee));
        prop_assert!(narrow.is_within(&wide));
        prop_assert!(narrow.is_within(&ReferenceScope::Administrator));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn a_scope_within_another_covers_nothing_the_other_does_not(
        (narrow, wide) in scope_pair(),
    ) {
        prop_assert_eq!(UNIVERSE.len(), UNIVERSE_SIZE);
        let narrow = build_scope(&narrow)?;
        let wide = build_scope(&wide)?;
        if narrow.is_within(&wide) {
            for employee in UNIVERSE.iter() {
                prop_assert!(
                    !narrow.covers(employee) || wide.covers(employee),
                    "{:?} is within {:?} but only the first covers {:?}",
                    narrow, wide, employee
                );
            }
        }
    }

    #[test]
    fn a_scope_within_another_admits_nothing_the_other_does_not(
        (narrow, wide) in scope_pair(),
    ) {
        prop_assert_eq!(UNIVERSE.len(), UNIVERSE_SIZE);
        let narrow = build_scope(&narrow)?;
        let wide = build_scope(&wide)?;
        if narrow.is_within(&wide) {
            let narrow_view = actor(1, 1, false, narrow.clone()).visibility();
            let wide_view = actor(1, 1, false, wide.clone()).visibility();
            for employee in UNIVERSE.iter() {
                for (private, creator) in [(false, 1), (false, 2), (true, 1), (true, 2)] {
                    let facts = VisibilityFacts {
                        tenant: tenant(1),
                        org: employee,
                        private,
                        created_by: user(creator),
                    };
                    prop_assert!(
                        !narrow_view.admits(facts) || wide_view.admits(facts),
                        "{:?} is within {:?} but only the first admits {:?} (private: {}, creator: {})",
                        narrow, wide, employee, private, creator
                    );
                }
            }
        }
    }

    #[test]
    fn a_restriction_is_within_another_exactly_when_it_lets_no_one_else_through(
        (narrow, wide) in restriction_pair(),
    ) {
        prop_assert_eq!(UNIVERSE.len(), UNIVERSE_SIZE);
        let narrow = build_restriction(&narrow)?;
        let wide = build_restriction(&wide)?;
        let contained = UNIVERSE
            .iter()
            .all(|employee| !narrow.matches(employee) || wide.matches(employee));
        prop_assert_eq!(narrow.is_within(&wide), contained);
    }
}

proptest! {
    #[test]
    fn visibility_admits_exactly_what_tenant_scope_and_private_flag_allow(
        scope in scope_model(),
        attrs in attrs_model(),
        (actor_tenant, reference_tenant) in (1_u8..=2, 1_u8..=2),
        (viewer, creator) in (1_u8..=3, 1_u8..=3),
        private in any::<bool>(),
        administrator_role in any::<bool>(),
    ) {
        let org = build_attrs(&attrs)?;
        let filter = actor(actor_tenant, viewer, administrator_role, build_scope(&scope)?).visibility();
        let admitted = filter.admits(VisibilityFacts {
            tenant: tenant(reference_tenant),
            org: &org,
            private,
            created_by: user(creator),
        });
        let expected = actor_tenant == reference_tenant
            && model_covers(&scope, &attrs)
            && (!private || scope == ScopeModel::Administrator || viewer == creator);
        prop_assert_eq!(admitted, expected);
    }

    #[test]
    fn a_private_reference_is_admitted_only_to_its_creator_or_an_administrator_scope(
        scope in scope_model(),
        attrs in attrs_model(),
        (viewer, creator) in (1_u8..=3, 1_u8..=3),
        administrator_role in any::<bool>(),
    ) {
        let org = build_attrs(&attrs)?;
        let filter = actor(1, viewer, administrator_role, build_scope(&scope)?).visibility();
        let admitted = filter.admits(VisibilityFacts {
            tenant: tenant(1),
            org: &org,
            private: true,
            created_by: user(creator),
        });
        if admitted {
            prop_assert!(viewer == creator || scope == ScopeModel::Administrator);
        }
    }

    #[test]
    fn an_administrator_scope_admits_every_reference_of_its_own_tenant(
        attrs in attrs_model(),
        (viewer, creator) in (1_u8..=3, 1_u8..=3),
        private in any::<bool>(),
        administrator_role in any::<bool>(),
    ) {
        let org = build_attrs(&attrs)?;
        let filter = actor(1, viewer, administrator_role, ReferenceScope::Administrator).visibility();
        let admitted = filter.admits(VisibilityFacts {
            tenant: tenant(1),
            org: &org,
            private,
            created_by: user(creator),
        });
        prop_assert!(admitted);
    }

    #[test]
    fn no_reference_of_another_tenant_is_ever_admitted(
        scope in scope_model(),
        attrs in attrs_model(),
        actor_tenant in any::<u8>(),
        tenant_offset in 1_u8..=255,
        (viewer, creator) in (1_u8..=3, 1_u8..=3),
        private in any::<bool>(),
        administrator_role in any::<bool>(),
    ) {
        let org = build_attrs(&attrs)?;
        let filter = actor(actor_tenant, viewer, administrator_role, build_scope(&scope)?).visibility();
        let admitted = filter.admits(VisibilityFacts {
            tenant: tenant(actor_tenant.wrapping_add(tenant_offset)),
            org: &org,
            private,
            created_by: user(creator),
        });
        prop_assert!(!admitted);
    }
}

/// A key as a caller might spell a criterion: the right key, or a near miss
/// (other case, a typo, a German label, a plural, white space).
fn spelled_key() -> impl Strategy<Value = String> {
    let near_misses = Criterion::ALL
        .into_iter()
        .flat_map(|c| {
            let key = c.key();
            let mut upper = key.chars();
            let capitalised: String = upper
                .next()
                .map(|f| f.to_uppercase().chain(upper).collect())
                .unwrap_or_default();
            [
                key.to_owned(),
                capitalised,
                key.to_uppercase(),
                format!("{key}s"),
                format!(" {key}"),
                key.replace('_', ""),
                key.replacen('e', "", 1),
                c.label_de().to_owned(),
            ]
        })
        .chain(["departement".to_owned(), "unit".to_owned(), String::new()])
        .collect::<Vec<_>>();
    prop_oneof![select(near_misses), "[a-zA-Z_ ]{0,24}"]
}

/// Named criteria as a caller might send them: keys (right or wrong) with
/// allowed values.
fn named_input() -> impl Strategy<Value = Vec<(String, Vec<&'static str>)>> {
    proptest::collection::vec(
        (
            spelled_key(),
            subsequence(pool(Criterion::Department).to_vec(), 0..=3),
        ),
        1..=4,
    )
}

proptest! {
    #[test]
    fn no_scope_input_that_names_a_criterion_yields_a_scope_wider_than_the_named_one(
        administrator in any::<bool>(),
        named in named_input(),
    ) {
        let result = ReferenceScope::from_named(administrator, named.clone());
        // The restriction the input names, by the criteria that exist.
        let mut meant: RestrictionModel = BTreeMap::new();
        let mut every_key_known = true;
        for (key, values) in &named {
            match Criterion::from_key(key) {
                Some(c) => {
                    meant.entry(c).or_default().extend(values.iter().copied());
                }
                None => every_key_known = false,
            }
        }
        let Ok(scope) = result else {
            return Ok(());
        };
        // Accepted: every key named a criterion, the Administrator scope was
        // not asked for besides, and each criterion is restricted exactly.
        prop_assert!(every_key_known, "an unknown key was accepted: {named:?}");
        prop_assert!(!scope.is_administrator(), "criteria were named, yet the scope is unrestricted");
        let meant = build_restriction(&meant)?;
        let ReferenceScope::Restricted(got) = &scope else {
            return Err(TestCaseError::fail("not restricted"));
        };
        prop_assert!(got.is_within(&meant));
        prop_assert!(UNIVERSE
            .iter()
            .all(|employee| !scope.covers(employee) || meant.matches(employee)));
        prop_assert_eq!(got.iter().count(), named.len());
    }
}
