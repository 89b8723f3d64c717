//! The idempotency port: one record per caller and key, taken over only when it
//! is no longer live, completed or released only by the request that holds it.

use super::MemoryShop;
use tillbox::app::idempotency::{IdempotencyRecord, IdempotencyStore, RecordStatus, StoredResponse};
use tillbox::app::store::StoreError;
use tillbox::domain::Timestamp;

fn slot(record: &IdempotencyRecord) -> (String, String) {
    (record.caller.clone(), record.key.as_str().to_owned())
}

fn held_by(stored: &IdempotencyRecord, record: &IdempotencyRecord) -> bool {
    stored.status == RecordStatus::InProgress && stored.request_hash == record.request_hash
}

impl IdempotencyStore for MemoryShop {
    async fn acquire(
        &self,
        record: &IdempotencyRecord,
        now: Timestamp,
    ) -> Result<Option<IdempotencyRecord>, StoreError> {
        let mut records = self.idempotency.borrow_mut();
        if let Some(held) = records.get(&slot(record)).filter(|held| held.is_live(now)) {
            return Ok(Some(held.clone()));
        }
        records.insert(slot(record), record.clone());
        Ok(None)
    }

    async fn complete(&self, record: &IdempotencyRecord, response: &StoredResponse) -> Result<(), StoreError> {
        let mut records = self.idempotency.borrow_mut();
        match records.get_mut(&slot(record)) {
            Some(stored) if held_by(stored, record) => {
                stored.status = RecordStatus::Completed(response.clone());
                Ok(())
            }
            _ => Err(StoreError::Unavailable("the idempotency record is no longer ours".into())),
        }
    }

    async fn release(&self, record: &IdempotencyRecord) -> Result<(), StoreError> {
        let mut records = self.idempotency.borrow_mut();
        if records.get(&slot(record)).is_some_and(|stored| held_by(stored, record)) {
            records.remove(&slot(record));
        }
        Ok(())
    }
}
