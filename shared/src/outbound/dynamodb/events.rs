//! The outbox, the audit trail and consumers' delivery log on the table.
//!
//! Outbox and audit items are plain items, put with [`Table::put_new`] inside the
//! transaction of the change they record: both are written or neither.

use super::items::{Item, Reader, epoch, item, s, ts};
use super::keys::{self, EXPIRES_AT, GSI1, GSI1PK, GSI1SK, PK, SK};
use super::{IndexPage, Table, cursor, unavailable};
use crate::app::accounts::ports::EventOutbox;
use crate::app::audit::{AuditQuery, AuditTrail};
use crate::app::notifications::DeliveryLog;
use crate::app::outbox::OutboxReplay;
use crate::app::store::Page;
use crate::app::store::StoreError;
use crate::domain::format_timestamp;
use crate::domain::{AuditRecord, Event, EventId, Timestamp};
use time::Duration;

/// Long enough for the fan-out to have run, and for an operator to re-publish a
/// day's events after an outage.
const OUTBOX_RETENTION: Duration = Duration::days(7);
/// Outlives the longest a message can wait: 14 days in a dead-letter queue.
const DELIVERY_RETENTION: Duration = Duration::days(15);

/// The event as the outbox stores it: stamped with the correlation id of the
/// work writing it, unless it carries one.
pub(super) fn outbox_item(event: &Event) -> Item {
    let mut event = event.clone();
    if event.correlation_id.is_none() {
        event.correlation_id = crate::telemetry::correlation_id();
    }
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
        ("action", s(&record.action)),
        ("target", s(&record.target)),
        ("before", s(record.before.to_string())),
        ("after", s(record.after.to_string())),
        ("at", ts(record.at)),
    ])
}

impl EventOutbox for Table {
    /// An event already in the outbox (a derived id published again) is left as it is.
    async fn publish(&self, event: &Event) -> Result<(), StoreError> {
        let written = self
            .client
            .put_item()
            .table_name(&self.name)
            .set_item(Some(outbox_item(event)))
            .condition_expression("attribute_not_exists(PK)")
            .send()
            .await;
        match written {
            Ok(_) => Ok(()),
            Err(e) if e.as_service_error().is_some_and(|e| e.is_conditional_check_failed_exception()) => Ok(()),
            Err(e) => Err(unavailable(e)),
        }
    }
}

/// The mark that `consumer` handled `event`.
pub(super) fn delivery_item(consumer: &str, event: &Event, now: Timestamp) -> Item {
    item([
        (PK, s(keys::delivery_pk(consumer, event.id))),
        (SK, s(keys::DELIVERY_SK)),
        ("entity", s("delivery")),
        ("event_type", s(event.kind.name())),
        ("done_at", ts(now)),
        (EXPIRES_AT, epoch(now + DELIVERY_RETENTION)),
    ])
}

impl DeliveryLog for Table {
    async fn is_done(&self, consumer: &str, event: &Event) -> Result<bool, StoreError> {
        Ok(self.get_consistent(keys::delivery_pk(consumer, event.id), keys::DELIVERY_SK).await?.is_some())
    }

    async fn mark_done(&self, consumer: &str, event: &Event, now: Timestamp) -> Result<(), StoreError> {
        self.client
            .put_item()
            .table_name(&self.name)
            .set_item(Some(delivery_item(consumer, event, now)))
            .send()
            .await
            .map_err(unavailable)?;
        Ok(())
    }
}

/// The audit record a stream record's image holds (the archive job reads them).
pub fn audit_from_image(image: &serde_dynamo::Item) -> Result<AuditRecord, StoreError> {
    audit_from(&image.clone().into())
}

fn audit_from(item: &Item) -> Result<AuditRecord, StoreError> {
    let r = Reader(item);
    let json = |name: &str| serde_json::from_str(r.s(name)?).map_err(|e| r.corrupt(name, &e.to_string()));
    let sort = r.s(SK)?;
    Ok(AuditRecord {
        id: sort.rsplit('#').next().and_then(|id| id.parse().ok()).ok_or_else(|| r.corrupt(SK, "no record id"))?,
        at: r.ts("at")?,
        actor: r.s("actor")?.to_owned(),
        action: r.s("action")?.to_owned(),
        target: r.s("target")?.to_owned(),
        before: json("before")?,
        after: json("after")?,
    })
}

/// `action` and `target` narrow a listing after the key condition (a filter).
fn audit_filter(
    mut query: aws_sdk_dynamodb::operation::query::builders::QueryFluentBuilder,
    wanted: &AuditQuery,
) -> aws_sdk_dynamodb::operation::query::builders::QueryFluentBuilder {
    let mut conditions = Vec::new();
    if let Some(action) = &wanted.action {
        conditions.push("#action = :action");
        query = query.expression_attribute_names("#action", "action").expression_attribute_values(":action", s(action));
    }
    if let Some(target) = &wanted.target {
        conditions.push("#target = :target");
        query = query.expression_attribute_names("#target", "target").expression_attribute_values(":target", s(target));
    }
    if conditions.is_empty() { query } else { query.filter_expression(conditions.join(" AND ")) }
}

/// Records one query reads when a filter may drop them: a fixed page, so a filter
/// that matches little costs few queries (DynamoDB applies `Limit` before the
/// filter).
const AUDIT_READ_PAGE: i32 = 200;
/// Queries one listing makes at most (each day is one at least); past this the
/// page is handed back with a cursor, so a wide window with a rare filter stays
/// well inside the function's time-out.
const AUDIT_QUERIES_PER_PAGE: usize = 16;

impl AuditTrail for Table {
    /// One actor's records come from their GSI1 partition. Otherwise the day
    /// partitions are read newest first, moving to the day before when one is
    /// exhausted, until the page is full or [`AUDIT_QUERIES_PER_PAGE`] queries
    /// were made; the cursor is the last key read (or, at a day's start, the
    /// window's end in that day). Filters apply after the key condition, so a
    /// page may hold fewer than `limit` records, even none, and still have a
    /// cursor.
    async fn list_audit(
        &self,
        wanted: &AuditQuery,
        page_cursor: Option<&str>,
    ) -> Result<Page<AuditRecord>, StoreError> {
        let (from, to) = (format_timestamp(wanted.from), format_timestamp(wanted.to));
        if let Some(actor) = &wanted.actor {
            let page = IndexPage {
                index: GSI1,
                pk_name: GSI1PK,
                sk_name: GSI1SK,
                partition: keys::audit_by_actor(actor),
                newest_first: true,
                limit: wanted.limit,
                cursor: page_cursor,
            };
            let narrow = |q: aws_sdk_dynamodb::operation::query::builders::QueryFluentBuilder| {
                let q = q
                    .key_condition_expression("#pk = :pk AND #sk BETWEEN :from AND :to")
                    .expression_attribute_names("#sk", GSI1SK)
                    .expression_attribute_values(":from", s(&from))
                    .expression_attribute_values(":to", s(&to));
                audit_filter(q, wanted)
            };
            return self.page(page, narrow, audit_from).await;
        }
        let (first_day, last_day) = (wanted.from.date(), wanted.to.date());
        let (first_pk, last_pk) = (keys::audit_day_pk(first_day), keys::audit_day_pk(last_day));
        let mut start = page_cursor
            .map(|c| {
                cursor::decode_within(c, &[PK, SK], PK, |pk| {
                    pk.starts_with("AUDIT#") && *pk >= *first_pk && *pk <= *last_pk
                })
            })
            .transpose()?;
        let mut day = last_day;
        if let Some(key) = &start {
            let pk = key.get(PK).and_then(|v| v.as_s().ok()).ok_or(StoreError::BadCursor)?;
            while keys::audit_day_pk(day) != *pk {
                day = day.previous_day().ok_or(StoreError::BadCursor)?;
            }
        }
        let limit = usize::from(wanted.limit);
        let filtered = wanted.action.is_some() || wanted.target.is_some();
        let key_of = |found: &Item| -> Item {
            [PK, SK].iter().filter_map(|k| found.get(*k).map(|v| ((*k).to_owned(), v.clone()))).collect()
        };
        let mut items = Vec::new();
        for _ in 0..AUDIT_QUERIES_PER_PAGE {
            let remaining = i32::try_from(limit - items.len()).unwrap_or(i32::MAX);
            let query = self
                .client
                .query()
                .table_name(&self.name)
                .key_condition_expression("PK = :pk AND SK BETWEEN :from AND :to")
                .expression_attribute_values(":pk", s(keys::audit_day_pk(day)))
                .expression_attribute_values(":from", s(&from))
                .expression_attribute_values(":to", s(&to))
                .scan_index_forward(false)
                .limit(if filtered { AUDIT_READ_PAGE } else { remaining })
                .set_exclusive_start_key(start.take());
            let output = audit_filter(query, wanted).send().await.map_err(unavailable)?;
            for found in output.items() {
                items.push(audit_from(found)?);
                if items.len() == limit {
                    // The next page starts after the last record shown, which may
                    // be before the last one this query read.
                    return Ok(Page { items, next_cursor: cursor::encode(&key_of(found)) });
                }
            }
            match output.last_evaluated_key {
                Some(key) => start = Some(key),
                None if day <= first_day => return Ok(Page { items, next_cursor: None }),
                None => day = day.previous_day().ok_or(StoreError::BadCursor)?,
            }
        }
        // Out of queries: the next page goes on where this one stopped, mid-day
        // or at the top of the day it had reached.
        let resume =
            start.unwrap_or_else(|| Item::from([(PK.to_owned(), s(keys::audit_day_pk(day))), (SK.to_owned(), s(&to))]));
        Ok(Page { items, next_cursor: cursor::encode(&resume) })
    }
}

fn event_from(item: &Item) -> Result<Event, StoreError> {
    let r = Reader(item);
    serde_json::from_str(r.s("payload")?).map_err(|e| r.corrupt("payload", &e.to_string()))
}

impl OutboxReplay for Table {
    async fn published(&self, id: EventId) -> Result<Option<Event>, StoreError> {
        self.get_consistent(keys::outbox_pk(id), keys::OUTBOX_SK).await?.as_ref().map(event_from).transpose()
    }

    async fn published_on(
        &self,
        day: time::Date,
        at: Timestamp,
        id: Option<EventId>,
        cursor: Option<&str>,
    ) -> Result<Page<Event>, StoreError> {
        // Sort keys are `<occurred_at>#<id>`: from the start event's own key, or
        // from the bare time (which sorts before every event at that time).
        let from = match id {
            Some(id) => keys::created_sort_key(at, id),
            None => format_timestamp(at),
        };
        let page = IndexPage {
            index: GSI1,
            pk_name: GSI1PK,
            sk_name: GSI1SK,
            partition: keys::outbox_day_pk(day),
            newest_first: false,
            limit: 100,
            cursor,
        };
        let narrow = |q: aws_sdk_dynamodb::operation::query::builders::QueryFluentBuilder| {
            q.key_condition_expression("#pk = :pk AND #sk >= :from")
                .expression_attribute_names("#sk", GSI1SK)
                .expression_attribute_values(":from", s(&from))
        };
        self.page(page, narrow, event_from).await
    }

    async fn republish(&self, event: &Event, now: Timestamp) -> Result<(), StoreError> {
        let copy = item([
            (PK, s(keys::outbox_copy_pk(event.id, now))),
            (SK, s(keys::OUTBOX_SK)),
            ("entity", s("event")),
            ("event_type", s(event.kind.name())),
            ("payload", s(event.to_json())),
            ("occurred_at", ts(event.occurred_at)),
            ("republished_at", ts(now)),
            (EXPIRES_AT, epoch(now + OUTBOX_RETENTION)),
        ]);
        self.client
            .put_item()
            .table_name(&self.name)
            .set_item(Some(copy))
            .condition_expression("attribute_not_exists(PK)")
            .send()
            .await
            .map_err(unavailable)?;
        Ok(())
    }
}
