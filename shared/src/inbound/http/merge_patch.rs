//! JSON merge patch (RFC 7396), as PATCH bodies use it: an absent field is left
//! as it is, `null` removes what may be removed.

use serde::{Deserialize, Deserializer};

/// For `#[serde(default, deserialize_with = "present")]` on an `Option<Option<T>>`
/// field of a PATCH body (RFC 7396): absent is `None` (leave it), `null` is
/// `Some(None)` (clear it), a value is `Some(Some(value))`.
pub fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

/// For `#[serde(default, deserialize_with = "not_null")]` on an `Option<T>` field
/// that may be changed but not removed: `null` is refused as a malformed body.
pub fn not_null<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<T>, D::Error> {
    T::deserialize(d).map(Some)
}
