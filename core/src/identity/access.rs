//! Roles and the areas of the application they open.
//!
//! A [`Role`] grants each of the fourteen [`Area`]s at an [`AccessLevel`] of none,
//! read, or read+write. The built-in Administrator role holds every area at
//! read+write; it is a separate [`RoleKind`] without a permission table, so it cannot
//! be restricted.
//!
//! ```
//! use zeugnis_core::access::{AccessLevel, Area, Permissions};
//! let hr = Permissions::none()
//!     .with(Area::Employees, AccessLevel::ReadWrite)
//!     .with(Area::Users, AccessLevel::Read);
//! assert!(hr.allows(Area::Employees, AccessLevel::Read));
//! assert!(!hr.allows(Area::Users, AccessLevel::ReadWrite));
//! assert_eq!(hr.exceeding(&Permissions::none()), vec![Area::Employees, Area::Users]);
//! ```

use std::fmt;

use crate::id::{RoleId, TenantId};
use crate::values::Name;

/// An area of the application that a role can open.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Area {
    /// Employee master data (Mitarbeiter).
    Employees,
    /// Companies (Unternehmen).
    Companies,
    /// User accounts (Benutzer).
    Users,
    /// Roles (Rollen).
    Roles,
    /// Job profiles (Berufsbilder).
    JobProfiles,
    /// Reference formatting (Zeugnisformatierung).
    ReferenceFormatting,
    /// Letter texts (Brieftexte).
    LetterTexts,
    /// E-mail templates (E-Mail-Vorlagen).
    EmailTemplates,
    /// Qualifications (Qualifikationen).
    Qualifications,
    /// Self-service (Self-Service).
    SelfService,
    /// Customisation (Individualisierung).
    Customisation,
    /// Privacy settings (Datenschutz).
    Privacy,
    /// Interfaces, API tokens (Schnittstellen).
    Interfaces,
    /// The tenant's account (Account).
    Account,
}

impl Area {
    /// Every area, in the order the application lists them.
    pub const ALL: [Area; 14] = [
        Area::Employees,
        Area::Companies,
        Area::Users,
        Area::Roles,
        Area::JobProfiles,
        Area::ReferenceFormatting,
        Area::LetterTexts,
        Area::EmailTemplates,
        Area::Qualifications,
        Area::SelfService,
        Area::Customisation,
        Area::Privacy,
        Area::Interfaces,
        Area::Account,
    ];

    /// Stable machine key, e.g. `job_profiles`.
    #[must_use]
    pub const fn key(self) -> &'static str {
        match self {
            Area::Employees => "employees",
            Area::Companies => "companies",
            Area::Users => "users",
            Area::Roles => "roles",
            Area::JobProfiles => "job_profiles",
            Area::ReferenceFormatting => "reference_formatting",
            Area::LetterTexts => "letter_texts",
            Area::EmailTemplates => "email_templates",
            Area::Qualifications => "qualifications",
            Area::SelfService => "self_service",
            Area::Customisation => "customisation",
            Area::Privacy => "privacy",
            Area::Interfaces => "interfaces",
            Area::Account => "account",
        }
    }

    /// The German label shown in the application.
    #[must_use]
    pub const fn label_de(self) -> &'static str {
        match self {
            Area::Employees => "Mitarbeiter",
            Area::Companies => "Unternehmen",
            Area::Users => "Benutzer",
            Area::Roles => "Rollen",
            Area::JobProfiles => "Berufsbilder",
            Area::ReferenceFormatting => "Zeugnisformatierung",
            Area::LetterTexts => "Brieftexte",
            Area::EmailTemplates => "E-Mail-Vorlagen",
            Area::Qualifications => "Qualifikationen",
            Area::SelfService => "Self-Service",
            Area::Customisation => "Individualisierung",
            Area::Privacy => "Datenschutz",
            Area::Interfaces => "Schnittstellen",
            Area::Account => "Account",
        }
    }

    /// The area with the given machine key.
    #[must_use]
    pub fn from_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.key() == key)
    }

    const fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for Area {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

/// How far a role opens an area. Ordered: `None < Read < ReadWrite`.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Default,
    serde::Serialize,
    serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum AccessLevel {
    /// The area is closed.
    #[default]
    None,
    /// The area can be viewed.
    Read,
    /// The area can be viewed and changed.
    ReadWrite,
}

/// The level of every area, as a role grants them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Permissions {
    levels: [AccessLevel; 14],
}

impl Permissions {
    /// No area at all.
    #[must_use]
    pub const fn none() -> Self {
        Self {
            levels: [AccessLevel::None; 14],
        }
    }

    /// Every area at read+write (what the Administrator role holds).
    #[must_use]
    pub const fn all() -> Self {
        Self {
            levels: [AccessLevel::ReadWrite; 14],
        }
    }

    /// The same permissions with `area` set to `level`.
    #[must_use]
    pub fn with(mut self, area: Area, level: AccessLevel) -> Self {
        self.set(area, level);
        self
    }

    /// Sets one area's level.
    pub fn set(&mut self, area: Area, level: AccessLevel) {
        if let Some(slot) = self.levels.get_mut(area.index()) {
            *slot = level;
        }
    }

    /// The level granted for `area`.
    #[must_use]
    pub fn level(&self, area: Area) -> AccessLevel {
        self.levels.get(area.index()).copied().unwrap_or_default()
    }

    /// Whether `area` is granted at least at `needed`.
    #[must_use]
    pub fn allows(&self, area: Area, needed: AccessLevel) -> bool {
        self.level(area) >= needed
    }

    /// The areas (in [`Area::ALL`] order) where `self` grants more than `other`.
    #[must_use]
    pub fn exceeding(&self, other: &Permissions) -> Vec<Area> {
        Area::ALL
            .into_iter()
            .filter(|&a| self.level(a) > other.level(a))
            .collect()
    }

    /// Whether every area of `self` is at most what `other` grants.
    #[must_use]
    pub fn is_within(&self, other: &Permissions) -> bool {
        self.exceeding(other).is_empty()
    }

    /// Each area with its level, in [`Area::ALL`] order.
    pub fn iter(&self) -> impl Iterator<Item = (Area, AccessLevel)> + '_ {
        Area::ALL.into_iter().map(|a| (a, self.level(a)))
    }
}

impl FromIterator<(Area, AccessLevel)> for Permissions {
    fn from_iter<I: IntoIterator<Item = (Area, AccessLevel)>>(iter: I) -> Self {
        let mut p = Permissions::none();
        for (a, l) in iter {
            p.set(a, l);
        }
        p
    }
}

impl serde::Serialize for Permissions {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = s.serialize_map(Some(14))?;
        for (a, l) in self.iter() {
            map.serialize_entry(&a, &l)?;
        }
        map.end()
    }
}

impl<'de> serde::Deserialize<'de> for Permissions {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let map = std::collections::BTreeMap::<Area, AccessLevel>::deserialize(d)?;
        Ok(map.into_iter().collect())
    }
}

/// Whether a role is the built-in Administrator or a tenant-defined role.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum RoleKind {
    /// The built-in Administrator: every area, cannot be restricted or deleted.
    Administrator,
    /// A role defined by the tenant.
    Custom(Permissions),
}

/// A role of a tenant.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct Role {
    /// The role's id.
    pub id: RoleId,
    /// The tenant it belongs to.
    pub tenant: TenantId,
    /// Its display name.
    pub name: Name,
    /// Administrator or custom with its permissions.
    pub kind: RoleKind,
}

/// A change to a role that the rules refuse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RoleError {
    /// The built-in Administrator role cannot be changed or deleted.
    #[error("the built-in Administrator role cannot be restricted, renamed or deleted")]
    BuiltIn,
}

impl Role {
    /// The built-in Administrator role of a tenant.
    #[must_use]
    pub fn administrator(id: RoleId, tenant: TenantId) -> Self {
        Self {
            id,
            tenant,
            name: Name::trusted("Administrator"),
            kind: RoleKind::Administrator,
        }
    }

    /// A tenant-defined role.
    #[must_use]
    pub fn custom(id: RoleId, tenant: TenantId, name: Name, permissions: Permissions) -> Self {
        Self {
            id,
            tenant,
            name,
            kind: RoleKind::Custom(permissions),
        }
    }

    /// Whether this is the built-in Administrator role.
    #[must_use]
    pub fn is_administrator(&self) -> bool {
        matches!(self.kind, RoleKind::Administrator)
    }

    /// What the role grants.
    #[must_use]
    pub fn permissions(&self) -> Permissions {
        match &self.kind {
            RoleKind::Administrator => Permissions::all(),
            RoleKind::Custom(p) => *p,
        }
    }

    /// Replaces the permissions of a custom role.
    ///
    /// # Errors
    /// [`RoleError::BuiltIn`] for the Administrator role.
    pub fn set_permissions(&mut self, permissions: Permissions) -> Result<(), RoleError> {
        match &mut self.kind {
            RoleKind::Administrator => Err(RoleError::BuiltIn),
            RoleKind::Custom(p) => {
                *p = permissions;
                Ok(())
            }
        }
    }

    /// Checks that the role may be deleted.
    ///
    /// # Errors
    /// [`RoleError::BuiltIn`] for the Administrator role.
    pub fn ensure_deletable(&self) -> Result<(), RoleError> {
        if self.is_administrator() {
            Err(RoleError::BuiltIn)
        } else {
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn there_are_fourteen_areas_with_unique_keys_and_labels() {
        let keys: std::collections::BTreeSet<_> = Area::ALL.iter().map(|a| a.key()).collect();
        let labels: std::collections::BTreeSet<_> =
            Area::ALL.iter().map(|a| a.label_de()).collect();
        assert_eq!(keys.len(), 14);
        assert_eq!(labels.len(), 14);
        for (i, a) in Area::ALL.into_iter().enumerate() {
            assert_eq!(a.index(), i, "ALL is in declaration order");
            assert_eq!(Area::from_key(a.key()), Some(a));
        }
        assert_eq!(Area::EmailTemplates.label_de(), "E-Mail-Vorlagen");
    }

    #[test]
    fn administrator_role_holds_everything_and_cannot_be_restricted_or_deleted() {
        let mut admin =
            Role::administrator(RoleId::from_bytes([1; 16]), TenantId::from_bytes([2; 16]));
        assert_eq!(admin.permissions(), Permissions::all());
        assert_eq!(
            admin.set_permissions(Permissions::none()),
            Err(RoleError::BuiltIn)
        );
        assert_eq!(admin.ensure_deletable(), Err(RoleError::BuiltIn));
        assert_eq!(admin.permissions(), Permissions::all());
    }

    #[test]
    fn levels_are_ordered() {
        assert!(AccessLevel::None < AccessLevel::Read);
        assert!(AccessLevel::Read < AccessLevel::ReadWrite);
        let p = Permissions::none().with(Area::Roles, AccessLevel::ReadWrite);
        assert!(p.allows(Area::Roles, AccessLevel::Read));
        assert!(!p.allows(Area::Users, AccessLevel::Read));
    }
}
