//! The outbox, the audit trail and consumers' delivery log on the table.
//!
//! Outbox and audit items are plain items, put with [`Table::put_new`] inside the
//! transaction of the change they record: both are written or neither.

use super::items::{Item, epoch, item, s, ts};
use super::keys::{self, EXPIRES_AT, GSI1PK, GSI1SK, PK, SK};
use super::{Table, unavailable};
use crate::app::accounts::ports::EventOutbox;
use crate::app::notifications::DeliveryLog;
use crate::app::store::StoreError;
use crate::domain::{AuditRecord, Event, Timestamp};
use time::Duration;

/// Long enough for the fan-out to have run, and for an operator to re-publish a
/// day's events after an outage.
const OUTBOX_RETENTION: Duration = Duration::days(7);
/// Outlives the longest a message can wait: 14 days in a dead-letter queue.
const DELIVERY_RETENTION: Duration = Duration::days(15);

pub(super) fn outbox_item(event: &Event) -> Item {
    item([
        (PK, s(keys::outbox_pk(event.id))),
        (SK, s(keys::OUTBOX_SK)),
        (GSI1PK, s(keys::outbox_by_day(event.occurred_at))),
        (GSI1SK, s(keys::created_sort_key(event.occurred_at, event.id))),
        ("entity", s("event")),
        ("event_type", s(event.kind.name())),
        ("payload", s(event.to_json())),
        ("occurred_at", ts(event.occurred_at)),
        (EXPIRES_AT, epoch(event.occurred_at + OUTBOX_RETENTION)),
    ])
}

pub(super) fn audit_item(record: &AuditRecord) -> Item {
    let sort = keys::created_sort_key(record.at, record.id);
    item([
        (PK, s(keys::audit_pk(record.at))),
        (SK, s(sort.clone())),
        (GSI1PK, s(keys::audit_by_actor(&record.actor))),
        (GSI1SK, s(sort)),
        ("entity", s("audit")),
        ("actor", s(&record.actor)),
        ("action", s(record.action)),
        ("target", s(&record.target)),
        ("before", s(record.before.to_string())),
        ("after", s(record.after.to_string())),
        ("at", ts(record.at)),
    ])
}

impl EventOutbox for Table {
    async fn publish(&self, event: &Event) -> Result<(), StoreError> {
        self.client
            .put_item()
            .table_name(&self.name)
            .set_item(Some(outbox_item(event)))
            .condition_expression("attribute_not_exists(PK)")
            .send()
            .await
            .map_err(unavailable)?;
        Ok(())
    }
}

impl DeliveryLog for Table {
    async fn is_done(&self, consumer: &str, event: &Event) -> Result<bool, StoreError> {
        Ok(self.get_consistent(keys::delivery_pk(consumer, event.id), keys::DELIVERY_SK).await?.is_some())
    }

    async fn mark_done(&self, consumer: &str, event: &Event, now: Timestamp) -> Result<(), StoreError> {
        self.client
            .put_item()
            .table_name(&self.name)
            .set_item(Some(item([
                (PK, s(keys::delivery_pk(consumer, event.id))),
                (SK, s(keys::DELIVERY_SK)),
                ("entity", s("delivery")),
                ("event_type", s(event.kind.name())),
                ("done_at", ts(now)),
                (EXPIRES_AT, epoch(now + DELIVERY_RETENTION)),
            ])))
            .send()
            .await
            .map_err(unavailable)?;
        Ok(())
    }
}
