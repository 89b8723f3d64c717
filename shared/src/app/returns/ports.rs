//! What returns need from storage: an order's returns, kept beside it.

use crate::app::store::StoreError;
use crate::domain::returns::Return;
use crate::domain::{AuditRecord, Event, OrderId, ReturnId};

pub trait ReturnStore {
    /// Every return of the order, oldest first.
    fn returns_of(&self, order: OrderId) -> impl Future<Output = Result<Vec<Return>, StoreError>>;
    fn return_of(&self, order: OrderId, id: ReturnId) -> impl Future<Output = Result<Option<Return>, StoreError>>;
    /// Records a new return if the order still has exactly `seen` returns (so
    /// two requests never claim the same units), with its event and audit
    /// record; `false` when another return was recorded meanwhile.
    fn create_return(
        &self,
        ret: &Return,
        seen: usize,
        event: &Event,
        audit: &AuditRecord,
    ) -> impl Future<Output = Result<bool, StoreError>>;
    /// Stores `next` if the return is still at `previous.version`
    /// ([`StoreError::VersionMismatch`] otherwise), with its event and audit record.
    fn save_return(
        &self,
        previous: &Return,
        next: &Return,
        event: &Event,
        audit: &AuditRecord,
    ) -> impl Future<Output = Result<(), StoreError>>;
}
