//! Conversions between domain values and column values.

use serde::Serialize;
use serde::de::DeserializeOwned;
use time::{Date, UtcDateTime};
use zeugnis_core::ports::StoreError;
use zeugnis_core::values::Timestamp;

/// A stored value that cannot be read back (a bug or a hand-edited database);
/// reported as unavailable with the place, never with the value.
pub(crate) fn corrupt(what: &str) -> StoreError {
    StoreError::Unavailable(format!("a stored {what} cannot be read"))
}

/// An instant as nanoseconds since the Unix epoch (exact, sortable).
pub(crate) fn instant(t: Timestamp) -> Result<i64, StoreError> {
    i64::try_from(t.unix_timestamp_nanos()).map_err(|_| StoreError::Conflict {
        what: "an instant outside 1677–2262 cannot be stored".into(),
    })
}

/// Back from [`instant`].
pub(crate) fn from_instant(nanos: i64) -> Result<Timestamp, StoreError> {
    UtcDateTime::from_unix_timestamp_nanos(i128::from(nanos)).map_err(|_| corrupt("instant"))
}

/// A date as its Julian day number.
pub(crate) fn day(d: Date) -> i32 {
    d.to_julian_day()
}

/// Back from [`day`].
pub(crate) fn from_day(n: i32) -> Result<Date, StoreError> {
    Date::from_julian_day(n).map_err(|_| corrupt("date"))
}

/// A 16-byte id from a blob.
pub(crate) fn id16(bytes: &[u8]) -> Result<[u8; 16], StoreError> {
    bytes.try_into().map_err(|_| corrupt("id"))
}

/// A 32-byte value from a blob.
pub(crate) fn bytes32(bytes: &[u8]) -> Result<[u8; 32], StoreError> {
    bytes.try_into().map_err(|_| corrupt("hash"))
}

/// A version as stored.
pub(crate) fn version(v: zeugnis_core::ports::Version) -> Result<i64, StoreError> {
    i64::try_from(v.0).map_err(|_| StoreError::Conflict {
        what: "version out of range".into(),
    })
}

/// Back from [`version`].
pub(crate) fn from_version(v: i64) -> Result<zeugnis_core::ports::Version, StoreError> {
    u64::try_from(v)
        .map(zeugnis_core::ports::Version)
        .map_err(|_| corrupt("version"))
}

/// A plain enum (status, kind…) as its serde name, e.g. `"in_review"`.
pub(crate) fn name_of<T: Serialize>(value: &T) -> Result<String, StoreError> {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => Ok(s),
        _ => Err(StoreError::Unavailable("a status has no plain name".into())),
    }
}

/// A record as JSON text.
pub(crate) fn to_json<T: Serialize>(value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value)
        .map_err(|_| StoreError::Unavailable("a record cannot be serialised".into()))
}

/// A record as JSON bytes (to be sealed).
pub(crate) fn to_json_bytes<T: Serialize>(value: &T) -> Result<Vec<u8>, StoreError> {
    serde_json::to_vec(value)
        .map_err(|_| StoreError::Unavailable("a record cannot be serialised".into()))
}

/// Back from JSON; deserialising runs the core's checks.
pub(crate) fn from_json<T: DeserializeOwned>(what: &str, text: &[u8]) -> Result<T, StoreError> {
    serde_json::from_slice(text).map_err(|_| corrupt(what))
}

/// Back from [`name_of`].
pub(crate) fn from_name<T: DeserializeOwned>(name: &str) -> Result<T, StoreError> {
    serde_json::from_value(serde_json::Value::String(name.to_owned()))
        .map_err(|_| corrupt("status"))
}
