//! Identifiers of the domain's entities.
//!
//! Every identifier is a 128-bit value wrapped in its own type, so a [`UserId`] can
//! never be passed where a [`ReferenceId`] is expected. The core never generates
//! identifiers from the operating system: new ones are made from bytes of the
//! [`RandomSource`](crate::ports::RandomSource) port, which keeps every service
//! deterministic under test.
//!
//! ```
//! use zeugnis_core::id::ReferenceId;
//! let id = ReferenceId::from_bytes([7; 16]);
//! let parsed: ReferenceId = id.to_string().parse().unwrap();
//! assert_eq!(id, parsed);
//! ```

use std::fmt;
use std::str::FromStr;

use uuid::Uuid;

/// The text given for an identifier was not a valid identifier.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a valid identifier (expected a UUID such as 67e55044-10b1-426f-9247-bb680e5fe0c8)")]
pub struct InvalidId;

macro_rules! id_type {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        #[derive(serde::Serialize, serde::Deserialize)]
        #[serde(transparent)]
        pub struct $name(Uuid);

        impl $name {
            /// Builds the identifier from 16 random bytes (a version-4 UUID is derived
            /// from them, so the text form is a standard UUID).
            #[must_use]
            pub fn from_random(bytes: [u8; 16]) -> Self {
                Self(uuid::Builder::from_random_bytes(bytes).into_uuid())
            }

            /// Wraps 16 bytes exactly as given (for storage adapters reading a column).
            #[must_use]
            pub const fn from_bytes(bytes: [u8; 16]) -> Self {
                Self(Uuid::from_bytes(bytes))
            }

            /// Wraps an existing UUID.
            #[must_use]
            pub const fn from_uuid(uuid: Uuid) -> Self {
                Self(uuid)
            }

            /// The identifier as a UUID.
            #[must_use]
            pub const fn as_uuid(&self) -> &Uuid {
                &self.0
            }

            /// The identifier's 16 bytes.
            #[must_use]
            pub const fn as_bytes(&self) -> &[u8; 16] {
                self.0.as_bytes()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(&self.0.hyphenated(), f)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({})", stringify!($name), self.0.hyphenated())
            }
        }

        impl FromStr for $name {
            type Err = InvalidId;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self).map_err(|_| InvalidId)
            }
        }
    };
}

id_type!(
    /// A tenant: one customer organisation. Every record belongs to exactly one.
    TenantId
);
id_type!(
    /// A user account within a tenant.
    UserId
);
id_type!(
    /// A role within a tenant (the built-in Administrator role has one too).
    RoleId
);
id_type!(
    /// An employee master record.
    EmployeeId
);
id_type!(
    /// A reference (Zeugnis).
    ReferenceId
);
id_type!(
    /// An entry of the security audit log.
    AuditEntryId
);
id_type!(
    /// A message in the outbox.
    MessageId
);
id_type!(
    /// A one-time-code challenge (second factor or handover link check).
    ChallengeId
);
id_type!(
    /// A vendor operator (runs the installation; not a tenant user).
    OperatorId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_ids_are_version_4_uuids() {
        let id = UserId::from_random([0xff; 16]);
        assert_eq!(id.as_uuid().get_version_num(), 4);
    }

    #[test]
    fn parsing_rejects_garbage_with_a_clear_error() {
        let err = "not-an-id".parse::<TenantId>().unwrap_err();
        assert!(err.to_string().contains("UUID"));
    }

    #[test]
    fn display_and_parse_round_trip() {
        let id = EmployeeId::from_random([3; 16]);
        assert_eq!(id, id.to_string().parse().unwrap());
    }
}
