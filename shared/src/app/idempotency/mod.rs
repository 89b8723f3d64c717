//! The one idempotency mechanism, with the semantics of AWS Lambda Powertools'
//! idempotency utility (`docs/data-model.md` #15): a record per caller and
//! `Idempotency-Key`, INPROGRESS while the first attempt runs, COMPLETED with its
//! response afterwards, a hash of the request to catch a key reused for something
//! else, and an expiry.
//!
//! [`record`] holds the rules, [`ports`] what they need from storage. The HTTP edge
//! runs requests through it (`inbound::http::idempotency::idempotent`) and
//! [`crate::outbound::dynamodb`] stores the records.

mod ports;
mod record;

pub use ports::IdempotencyStore;
pub use record::{Existing, IdempotencyKey, IdempotencyRecord, RETENTION, RecordStatus, StoredResponse, request_hash};
