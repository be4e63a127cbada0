//! Reference access scope (Zugriffsberechtigung Zeugnisse).
//!
//! A user's scope says which references they may see and edit: either every
//! reference of the tenant ([`ReferenceScope::Administrator`]) or those whose
//! employee matches a [`Restriction`]. A restriction lists allowed values for any of
//! the five [`Criterion`]s; a reference is in scope when, for **every** restricted
//! criterion, its employee's value is one of the allowed ones. An employee without a
//! value for a restricted criterion is out of scope. Criteria that are not restricted
//! do not filter.
//!
//! ```
//! use zeugnis_core::employee::OrgAttributes;
//! use zeugnis_core::scope::{Criterion, ReferenceScope, Restriction};
//! use zeugnis_core::values::Name;
//!
//! let scope = ReferenceScope::Restricted(
//!     Restriction::unrestricted().allow(Criterion::Location, ["Berlin", "Hamburg"])?,
//! );
//! let berlin = OrgAttributes { location: Some(Name::new("Berlin")?), ..Default::default() };
//! let munich = OrgAttributes { location: Some(Name::new("München")?), ..Default::default() };
//! assert!(scope.covers(&berlin));
//! assert!(!scope.covers(&munich));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::{BTreeMap, BTreeSet};

use crate::employee::{OrgAttributes, OrgValue};
use crate::values::{Name, ValueError};

/// One organisational criterion a scope can restrict.
///
/// Deliberately exhaustive: a storage adapter turns each criterion into its
/// query, so a new one must not compile there until it is handled (a wildcard
/// arm would silently filter the wrong column).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Criterion {
    /// Company (Unternehmen).
    Company,
    /// Location (Standort).
    Location,
    /// Department (Abteilung).
    Department,
    /// Organisational unit (Organisationseinheit).
    OrganisationalUnit,
    /// Employee type (Arbeitnehmertyp).
    EmployeeType,
}

impl Criterion {
    /// All criteria.
    pub const ALL: [Criterion; 5] = [
        Criterion::Company,
        Criterion::Location,
        Criterion::Department,
        Criterion::OrganisationalUnit,
        Criterion::EmployeeType,
    ];

    /// The employee's value for this criterion.
    #[must_use]
    pub fn value_of(self, attrs: &OrgAttributes) -> Option<&OrgValue> {
        match self {
            Criterion::Company => attrs.company.as_ref(),
            Criterion::Location => attrs.location.as_ref(),
            Criterion::Department => attrs.department.as_ref(),
            Criterion::OrganisationalUnit => attrs.unit.as_ref(),
            Criterion::EmployeeType => attrs.employee_type.as_ref(),
        }
    }

    /// The key that names the criterion in stored and exchanged data
    /// (`company`, `location`, `department`, `organisational_unit`,
    /// `employee_type`).
    #[must_use]
    pub const fn key(self) -> &'static str {
        match self {
            Criterion::Company => "company",
            Criterion::Location => "location",
            Criterion::Department => "department",
            Criterion::OrganisationalUnit => "organisational_unit",
            Criterion::EmployeeType => "employee_type",
        }
    }

    /// The criterion a key names, exactly as [`Criterion::key`] spells it
    /// (no case folding, no near matches).
    #[must_use]
    pub fn from_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.key() == key)
    }

    /// The German label.
    #[must_use]
    pub const fn label_de(self) -> &'static str {
        match self {
            Criterion::Company => "Unternehmen",
            Criterion::Location => "Standort",
            Criterion::Department => "Abteilung",
            Criterion::OrganisationalUnit => "Organisationseinheit",
            Criterion::EmployeeType => "Arbeitnehmertyp",
        }
    }
}

/// A scope could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ScopeError {
    /// A restricted criterion was given no allowed value. It would silently hide
    /// every reference, so it is refused; leave the criterion unrestricted instead.
    #[error(
        "the restriction by {criterion:?} lists no allowed value; name at least one or remove the restriction"
    )]
    NoAllowedValue {
        /// Which criterion.
        criterion: Criterion,
    },
    /// The input names a criterion that does not exist (a misspelling, say). It is
    /// refused: dropping it would widen the scope beyond what was meant.
    #[error(
        "there is no scope criterion \"{key}\"; use company, location, department, organisational_unit or employee_type"
    )]
    UnknownCriterion {
        /// The key as given.
        key: String,
    },
    /// The same criterion is named twice.
    #[error("the restriction by {criterion:?} is given twice")]
    DuplicateCriterion {
        /// Which criterion.
        criterion: Criterion,
    },
    /// The input asks for the Administrator scope and names restrictions too;
    /// which was meant is unclear, so neither is taken.
    #[error(
        "a scope is either administrator (every reference) or restricted by criteria, not both"
    )]
    AdministratorWithRestriction,
    /// An allowed value is not a valid organisational value.
    #[error("invalid value for {criterion:?}: {error}")]
    InvalidValue {
        /// Which criterion.
        criterion: Criterion,
        /// What is wrong.
        error: ValueError,
    },
}

/// Allowed values per restricted criterion. Every restricted criterion has at
/// least one allowed value (checked on construction).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize)]
#[serde(
    try_from = "BTreeMap<Criterion, Vec<String>>",
    into = "BTreeMap<Criterion, Vec<String>>"
)]
pub struct Restriction {
    allowed: BTreeMap<Criterion, BTreeSet<OrgValue>>,
}

impl TryFrom<BTreeMap<Criterion, Vec<String>>> for Restriction {
    type Error = ScopeError;
    fn try_from(map: BTreeMap<Criterion, Vec<String>>) -> Result<Self, Self::Error> {
        map.into_iter()
            .try_fold(Self::unrestricted(), |r, (c, values)| r.allow(c, values))
    }
}

impl From<Restriction> for BTreeMap<Criterion, Vec<String>> {
    fn from(r: Restriction) -> Self {
        r.allowed
            .into_iter()
            .map(|(c, values)| (c, values.into_iter().map(String::from).collect()))
            .collect()
    }
}

impl Restriction {
    /// A restriction that restricts nothing (every non-private reference).
    #[must_use]
    pub fn unrestricted() -> Self {
        Self::default()
    }

    /// Restricts `criterion` to `values` (replacing an earlier restriction of it).
    ///
    /// # Errors
    /// [`ScopeError::NoAllowedValue`] when `values` is empty,
    /// [`ScopeError::InvalidValue`] when one is blank or has control characters.
    pub fn allow<I, S>(mut self, criterion: Criterion, values: I) -> Result<Self, ScopeError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let set = values
            .into_iter()
            .map(|v| {
                Name::for_field("organisational value", v.as_ref())
                    .map_err(|error| ScopeError::InvalidValue { criterion, error })
            })
            .collect::<Result<BTreeSet<_>, _>>()?;
        if set.is_empty() {
            return Err(ScopeError::NoAllowedValue { criterion });
        }
        self.allowed.insert(criterion, set);
        Ok(self)
    }

    /// Removes the restriction of `criterion`.
    #[must_use]
    pub fn lift(mut self, criterion: Criterion) -> Self {
        self.allowed.remove(&criterion);
        self
    }

    /// The allowed values of `criterion`, or `None` when it is not restricted.
    #[must_use]
    pub fn allowed(&self, criterion: Criterion) -> Option<&BTreeSet<OrgValue>> {
        self.allowed.get(&criterion)
    }

    /// The restricted criteria with their allowed values.
    pub fn iter(&self) -> impl Iterator<Item = (Criterion, &BTreeSet<OrgValue>)> {
        self.allowed.iter().map(|(c, v)| (*c, v))
    }

    /// Whether an employee with these attributes is within the restriction.
    #[must_use]
    pub fn matches(&self, attrs: &OrgAttributes) -> bool {
        self.allowed
            .iter()
            .all(|(c, allowed)| c.value_of(attrs).is_some_and(|v| allowed.contains(v)))
    }

    /// Whether everything `self` lets through, `wider` lets through too.
    #[must_use]
    pub fn is_within(&self, wider: &Restriction) -> bool {
        wider.allowed.iter().all(|(c, wide_values)| {
            self.allowed
                .get(c)
                .is_some_and(|mine| mine.is_subset(wide_values))
        })
    }
}

/// Which references a user may see and edit.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReferenceScope {
    /// Every reference of the tenant, private ones included.
    Administrator,
    /// References whose employee matches the restriction (private ones only when
    /// the user created them).
    Restricted(Restriction),
}

impl ReferenceScope {
    /// Builds a scope from input that names its criteria by key: the
    /// Administrator scope, or a restriction by exactly the named criteria.
    ///
    /// Input that names a criterion never yields a scope wider than the named
    /// restriction: an unknown or repeated key, an empty list of values, or
    /// `administrator` together with criteria are refused.
    ///
    /// ```
    /// use zeugnis_core::scope::{ReferenceScope, ScopeError};
    /// let ok = ReferenceScope::from_named(false, [("department", vec!["Finanzen"])])?;
    /// assert!(!ok.is_administrator());
    /// let typo = ReferenceScope::from_named(false, [("Department", vec!["Finanzen"])]);
    /// assert!(matches!(typo, Err(ScopeError::UnknownCriterion { .. })));
    /// # Ok::<(), ScopeError>(())
    /// ```
    ///
    /// # Errors
    /// [`ScopeError::UnknownCriterion`], [`ScopeError::DuplicateCriterion`],
    /// [`ScopeError::AdministratorWithRestriction`], and those of
    /// [`Restriction::allow`].
    pub fn from_named<K, V, I>(administrator: bool, criteria: I) -> Result<Self, ScopeError>
    where
        K: AsRef<str>,
        V: AsRef<str>,
        I: IntoIterator<Item = (K, Vec<V>)>,
    {
        let mut restriction = Restriction::unrestricted();
        let mut named = false;
        for (key, values) in criteria {
            let key = key.as_ref();
            let criterion =
                Criterion::from_key(key).ok_or_else(|| ScopeError::UnknownCriterion {
                    key: key.chars().take(64).collect(),
                })?;
            if restriction.allowed(criterion).is_some() {
                return Err(ScopeError::DuplicateCriterion { criterion });
            }
            restriction = restriction.allow(criterion, values)?;
            named = true;
        }
        match (administrator, named) {
            (true, true) => Err(ScopeError::AdministratorWithRestriction),
            (true, false) => Ok(ReferenceScope::Administrator),
            (false, _) => Ok(ReferenceScope::Restricted(restriction)),
        }
    }

    /// This scope narrowed to the employees whose `criterion` is `value` (a
    /// filter on top of the scope); `None` when the scope shuts that value
    /// out, so that nothing can match. Never wider than `self`.
    #[must_use]
    pub fn narrowed(&self, criterion: Criterion, value: &OrgValue) -> Option<ReferenceScope> {
        let restriction = match self {
            ReferenceScope::Administrator => Restriction::unrestricted(),
            ReferenceScope::Restricted(r) => {
                if r.allowed(criterion)
                    .is_some_and(|allowed| !allowed.contains(value))
                {
                    return None;
                }
                r.clone()
            }
        };
        restriction
            .allow(criterion, [value.as_str()])
            .ok()
            .map(ReferenceScope::Restricted)
    }

    /// Whether this is the Administrator scope.
    #[must_use]
    pub fn is_administrator(&self) -> bool {
        matches!(self, ReferenceScope::Administrator)
    }

    /// Whether a reference of an employee with these attributes is in scope
    /// (before the private flag is considered; see [`crate::authz`]).
    #[must_use]
    pub fn covers(&self, attrs: &OrgAttributes) -> bool {
        match self {
            ReferenceScope::Administrator => true,
            ReferenceScope::Restricted(r) => r.matches(attrs),
        }
    }

    /// Whether `self` is no wider than `other` (used to stop a user from granting a
    /// scope they do not hold themselves).
    #[must_use]
    pub fn is_within(&self, other: &ReferenceScope) -> bool {
        match (self, other) {
            (_, ReferenceScope::Administrator) => true,
            (ReferenceScope::Administrator, ReferenceScope::Restricted(_)) => false,
            (ReferenceScope::Restricted(mine), ReferenceScope::Restricted(theirs)) => {
                mine.is_within(theirs)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attrs(company: Option<&str>, location: Option<&str>) -> OrgAttributes {
        OrgAttributes {
            company: company.map(|c| Name::new(c).unwrap()),
            location: location.map(|l| Name::new(l).unwrap()),
            ..OrgAttributes::default()
        }
    }

    #[test]
    fn an_empty_list_of_allowed_values_is_refused_with_a_reason() {
        let err = Restriction::unrestricted()
            .allow(Criterion::Department, Vec::<&str>::new())
            .unwrap_err();
        assert_eq!(
            err,
            ScopeError::NoAllowedValue {
                criterion: Criterion::Department
            }
        );
        assert!(err.to_string().contains("no allowed value"));
    }

    #[test]
    fn every_restricted_criterion_must_match() {
        let r = Restriction::unrestricted()
            .allow(Criterion::Company, ["ACME GmbH"])
            .unwrap()
            .allow(Criterion::Location, ["Köln", "Bonn"])
            .unwrap();
        assert!(r.matches(&attrs(Some("ACME GmbH"), Some("Bonn"))));
        assert!(!r.matches(&attrs(Some("ACME GmbH"), Some("Essen"))));
        assert!(!r.matches(&attrs(Some("Other AG"), Some("Bonn"))));
    }

    #[test]
    fn a_missing_value_is_out_of_a_restricted_criterion() {
        let r = Restriction::unrestricted()
            .allow(Criterion::Location, ["Köln"])
            .unwrap();
        assert!(!r.matches(&attrs(Some("ACME GmbH"), None)));
    }

    #[test]
    fn an_unrestricted_restriction_covers_everyone() {
        assert!(Restriction::unrestricted().matches(&OrgAttributes::default()));
    }

    #[test]
    fn administrator_scope_is_only_within_administrator() {
        let restricted = ReferenceScope::Restricted(Restriction::unrestricted());
        assert!(restricted.is_within(&ReferenceScope::Administrator));
        assert!(!ReferenceScope::Administrator.is_within(&restricted));
    }

    #[test]
    fn narrower_restriction_is_within_wider_one() {
        let wide = Restriction::unrestricted()
            .allow(Criterion::Location, ["Köln", "Bonn"])
            .unwrap();
        let narrow = Restriction::unrestricted()
            .allow(Criterion::Location, ["Köln"])
            .unwrap()
            .allow(Criterion::Company, ["ACME GmbH"])
            .unwrap();
        assert!(narrow.is_within(&wide));
        assert!(!wide.is_within(&narrow));
        assert!(!Restriction::unrestricted().is_within(&wide));
    }

    #[test]
    fn a_narrowed_scope_is_never_wider_and_shuts_out_what_the_scope_does() {
        let koeln = Name::new("Köln").unwrap();
        let bonn = Name::new("Bonn").unwrap();
        let at = |location: &Name| OrgAttributes {
            location: Some(location.clone()),
            ..OrgAttributes::default()
        };
        let admin = ReferenceScope::Administrator
            .narrowed(Criterion::Location, &koeln)
            .unwrap();
        assert!(admin.covers(&at(&koeln)));
        assert!(!admin.covers(&at(&bonn)));
        assert!(admin.is_within(&ReferenceScope::Administrator));
        let rhine = ReferenceScope::Restricted(
            Restriction::unrestricted()
                .allow(Criterion::Location, ["Köln", "Bonn"])
                .unwrap(),
        );
        let only_koeln = rhine.narrowed(Criterion::Location, &koeln).unwrap();
        assert!(only_koeln.covers(&at(&koeln)) && !only_koeln.covers(&at(&bonn)));
        assert!(only_koeln.is_within(&rhine));
        let hamburg = Name::new("Hamburg").unwrap();
        assert_eq!(rhine.narrowed(Criterion::Location, &hamburg), None);
        let sales = Name::new("Vertrieb").unwrap();
        let narrower = rhine.narrowed(Criterion::Department, &sales).unwrap();
        assert!(narrower.is_within(&rhine));
        assert!(
            !narrower.covers(&at(&koeln)),
            "no department, not in the filter"
        );
    }
}
