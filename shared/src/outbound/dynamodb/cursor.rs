//! The one pagination cursor format: DynamoDB's `LastEvaluatedKey`, base64url JSON.
//!
//! The cursor needs no secret to be safe: on the way back in, it must name exactly
//! the key attributes of the index being read and the very partition the caller's
//! (authorised) filter selects, so a crafted cursor can only move within a listing
//! the caller may read anyway.

use crate::app::store::StoreError;
use aws_sdk_dynamodb::types::AttributeValue;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use std::collections::{BTreeMap, HashMap};

pub(super) fn encode(last_key: &HashMap<String, AttributeValue>) -> Option<String> {
    let strings: BTreeMap<&str, &str> =
        last_key.iter().map(|(k, v)| v.as_s().ok().map(|s| (k.as_str(), s.as_str()))).collect::<Option<_>>()?;
    Some(URL_SAFE_NO_PAD.encode(serde_json::to_vec(&strings).ok()?))
}

/// `key_names` are the table and index key attributes; `partition` is the index
/// partition attribute and the value it must have.
pub(super) fn decode(
    cursor: &str,
    key_names: &[&str],
    partition: (&str, &str),
) -> Result<HashMap<String, AttributeValue>, StoreError> {
    decode_within(cursor, key_names, partition.0, |value| value == partition.1)
}

/// [`decode`] for a listing that reads several partitions in turn (the audit
/// trail's days): the cursor's `partition_name` must be one `allowed` accepts.
pub(super) fn decode_within(
    cursor: &str,
    key_names: &[&str],
    partition_name: &str,
    allowed: impl Fn(&str) -> bool,
) -> Result<HashMap<String, AttributeValue>, StoreError> {
    let bytes = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| StoreError::BadCursor)?;
    let strings: BTreeMap<String, String> = serde_json::from_slice(&bytes).map_err(|_| StoreError::BadCursor)?;
    let same_shape = strings.len() == key_names.len() && key_names.iter().all(|k| strings.contains_key(*k));
    if !same_shape || !strings.get(partition_name).is_some_and(|p| allowed(p)) {
        return Err(StoreError::BadCursor);
    }
    Ok(strings.into_iter().map(|(k, v)| (k, AttributeValue::S(v))).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> HashMap<String, AttributeValue> {
        [("PK", "PRODUCT#1"), ("SK", "PRODUCT"), ("GSI1PK", "PRODUCTS#active"), ("GSI1SK", "2026#1")]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), AttributeValue::S(v.to_owned())))
            .collect()
    }

    const NAMES: [&str; 4] = ["PK", "SK", "GSI1PK", "GSI1SK"];

    #[test]
    fn round_trips() {
        let cursor = encode(&key()).unwrap();
        assert_eq!(decode(&cursor, &NAMES, ("GSI1PK", "PRODUCTS#active")).unwrap(), key());
    }

    #[test]
    fn a_cursor_cannot_jump_to_another_partition_or_shape() {
        let cursor = encode(&key()).unwrap();
        assert!(matches!(decode(&cursor, &NAMES, ("GSI1PK", "PRODUCTS#draft")), Err(StoreError::BadCursor)));
        assert!(matches!(decode(&cursor, &["PK", "SK"], ("PK", "PRODUCT#1")), Err(StoreError::BadCursor)));
        assert!(matches!(decode("not base64!", &NAMES, ("GSI1PK", "x")), Err(StoreError::BadCursor)));
        assert!(matches!(decode(&URL_SAFE_NO_PAD.encode("[1]"), &NAMES, ("GSI1PK", "x")), Err(StoreError::BadCursor)));
    }
}
