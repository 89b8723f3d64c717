//! What idempotency needs from storage.

use super::record::{IdempotencyRecord, StoredResponse};
use crate::app::store::StoreError;
use crate::domain::Timestamp;
use std::future::Future;

pub trait IdempotencyStore {
    /// Stores `record` (INPROGRESS) unless a live record holds its key, in one
    /// conditional write; returns that live record instead when there is one.
    fn acquire(
        &self,
        record: &IdempotencyRecord,
        now: Timestamp,
    ) -> impl Future<Output = Result<Option<IdempotencyRecord>, StoreError>>;
    /// Marks `record` COMPLETED with the response to replay.
    fn complete(
        &self,
        record: &IdempotencyRecord,
        response: &StoredResponse,
    ) -> impl Future<Output = Result<(), StoreError>>;
    /// Deletes `record` after a failed attempt, so a retry runs again.
    fn release(&self, record: &IdempotencyRecord) -> impl Future<Output = Result<(), StoreError>>;
}
