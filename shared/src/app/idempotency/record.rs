//! The records and their rules: when a key is live, and how a new request meets
//! the record holding its key (replay, wait, or refuse).

use crate::domain::Timestamp;
use crate::domain::secret::token_hash;
use serde_json::Value;
use time::Duration;

/// How long a completed request is replayed for (Stripe keeps keys 24 hours too).
pub const RETENTION: Duration = Duration::hours(24);

/// The client's `Idempotency-Key`: 1-255 visible ASCII characters (a UUID is typical).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyKey(String);

impl IdempotencyKey {
    pub fn parse(value: &str) -> Result<Self, String> {
        if (1..=255).contains(&value.len()) && value.bytes().all(|b| b.is_ascii_graphic()) {
            Ok(Self(value.to_owned()))
        } else {
            Err("must be 1-255 visible ASCII characters, e.g. a UUID".into())
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// SHA-256 of the method, the path and the JSON body with object keys sorted, so
/// `{"a":1,"b":2}` and `{"b":2,"a":1}` are the same request while the same key sent
/// to another endpoint, or with another body, is not.
pub fn request_hash(method: &str, path: &str, body: &Value) -> String {
    fn canonical(value: &Value, out: &mut String) {
        match value {
            Value::Object(map) => {
                let mut entries: Vec<_> = map.iter().collect();
                entries.sort_by(|a, b| a.0.cmp(b.0));
                out.push('{');
                for (i, (k, v)) in entries.into_iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push_str(&Value::String(k.clone()).to_string());
                    out.push(':');
                    canonical(v, out);
                }
                out.push('}');
            }
            Value::Array(items) => {
                out.push('[');
                for (i, v) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    canonical(v, out);
                }
                out.push(']');
            }
            other => out.push_str(&other.to_string()),
        }
    }
    let mut text = format!("{method} {path}\n");
    canonical(body, &mut text);
    token_hash(&text)
}

/// The response a completed request gave, replayed for its retries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecordStatus {
    InProgress,
    Completed(StoredResponse),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyRecord {
    /// Whose key it is: keys are per caller, so two customers cannot collide.
    pub caller: String,
    pub key: IdempotencyKey,
    pub request_hash: String,
    pub status: RecordStatus,
    pub expires_at: Timestamp,
    /// When an INPROGRESS record stops blocking: the deadline of the invocation that
    /// holds it, so a function that died mid-request does not lock the key for a day.
    pub in_progress_until: Timestamp,
}

/// What to do with a request whose key already has a live record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Existing {
    Replay(StoredResponse),
    /// The first attempt is still running: retry after it finished.
    InProgress,
    /// The key was used for a different request.
    Mismatch,
}

impl IdempotencyRecord {
    pub fn start(caller: &str, key: IdempotencyKey, request_hash: String, deadline: Timestamp, now: Timestamp) -> Self {
        Self {
            caller: caller.to_owned(),
            key,
            request_hash,
            status: RecordStatus::InProgress,
            expires_at: now + RETENTION,
            in_progress_until: deadline,
        }
    }

    /// Whether this record still holds its key at `now` (Powertools' EXPIRED is this
    /// computed, never stored; the table's TTL deletes lazily).
    pub fn is_live(&self, now: Timestamp) -> bool {
        now < self.expires_at && (matches!(self.status, RecordStatus::Completed(_)) || now < self.in_progress_until)
    }

    /// How a new request with `request_hash` meets this live record.
    pub fn meet(&self, request_hash: &str) -> Existing {
        if self.request_hash != request_hash {
            return Existing::Mismatch;
        }
        match &self.status {
            RecordStatus::InProgress => Existing::InProgress,
            RecordStatus::Completed(response) => Existing::Replay(response.clone()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use time::macros::datetime;

    const NOW: Timestamp = datetime!(2026-11-21 10:00 UTC);

    #[test]
    fn the_hash_ignores_key_order_but_not_values_or_endpoints() {
        let a = request_hash("POST", "/orders", &json!({"a": 1, "b": {"y": [1, 2], "x": null}}));
        let b = request_hash("POST", "/orders", &json!({"b": {"x": null, "y": [1, 2]}, "a": 1}));
        assert_eq!(a, b);
        assert_ne!(a, request_hash("POST", "/orders", &json!({"a": 2, "b": {"y": [1, 2], "x": null}})));
        assert_ne!(a, request_hash("POST", "/discounts", &json!({"a": 1, "b": {"y": [1, 2], "x": null}})));
        assert_ne!(a, request_hash("POST", "/orders", &json!({"a": 1, "b": {"y": [2, 1], "x": null}})));
    }

    #[test]
    fn keys_are_bounded_visible_ascii() {
        assert!(IdempotencyKey::parse("0b8e3f0c-5a7d-4f55-9b8e-1f2a3b4c5d6e").is_ok());
        assert!(IdempotencyKey::parse("").is_err());
        assert!(IdempotencyKey::parse("has space").is_err());
        assert!(IdempotencyKey::parse(&"k".repeat(256)).is_err());
    }

    #[test]
    fn records_replay_block_or_refuse() {
        let key = IdempotencyKey::parse("k").unwrap();
        let deadline = NOW + Duration::seconds(10);
        let mut record = IdempotencyRecord::start("c", key, "h".into(), deadline, NOW);
        assert!(record.is_live(NOW));
        assert_eq!(record.meet("h"), Existing::InProgress);
        assert_eq!(record.meet("other"), Existing::Mismatch);
        assert!(!record.is_live(deadline), "a dead attempt stops blocking at its deadline");
        let response = StoredResponse { status: 201, headers: vec![], body: "{}".into() };
        record.status = RecordStatus::Completed(response.clone());
        assert!(record.is_live(deadline));
        assert_eq!(record.meet("h"), Existing::Replay(response));
        assert!(!record.is_live(NOW + RETENTION));
    }
}
