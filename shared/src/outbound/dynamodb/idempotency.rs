//! [`IdempotencyStore`] on the table: one item per caller and key, acquired with
//! one conditional PutItem (absent, expired, or INPROGRESS past its deadline).

use super::items::{Item, Reader, epoch, item, n, s};
use super::keys::{self, EXPIRES_AT, PK, SK};
use super::{Table, condition_held, unavailable};
use crate::app::idempotency::IdempotencyStore;
use crate::app::idempotency::{IdempotencyKey, IdempotencyRecord, RecordStatus, StoredResponse};
use crate::app::store::StoreError;
use crate::domain::Timestamp;

const IN_PROGRESS: &str = "INPROGRESS";
const COMPLETED: &str = "COMPLETED";

fn millis(at: Timestamp) -> i128 {
    at.unix_timestamp_nanos() / 1_000_000
}

fn record_item(r: &IdempotencyRecord) -> Item {
    let mut record = item([
        (PK, s(keys::idempotency_pk(&r.caller, r.key.as_str()))),
        (SK, s(keys::IDEMPOTENCY_SK)),
        ("entity", s("idempotency")),
        ("caller", s(&r.caller)),
        ("key", s(r.key.as_str())),
        ("request_hash", s(&r.request_hash)),
        (EXPIRES_AT, epoch(r.expires_at)),
        ("in_progress_until", n(millis(r.in_progress_until))),
    ]);
    let status = match &r.status {
        RecordStatus::InProgress => IN_PROGRESS,
        RecordStatus::Completed(response) => {
            let headers = serde_json::to_string(&response.headers).expect("string pairs serialise");
            record.insert("response_status".into(), n(response.status));
            record.insert("response_headers".into(), s(headers));
            record.insert("response_body".into(), s(&response.body));
            COMPLETED
        }
    };
    record.insert("status".into(), s(status));
    record
}

fn record_from(item: &Item) -> Result<IdempotencyRecord, StoreError> {
    let r = Reader(item);
    let status = match r.s("status")? {
        IN_PROGRESS => RecordStatus::InProgress,
        COMPLETED => RecordStatus::Completed(StoredResponse {
            status: r.n("response_status")?,
            headers: serde_json::from_str(r.s("response_headers")?)
                .map_err(|_| r.corrupt("response_headers", "not a list of pairs"))?,
            body: r.s("response_body")?.to_owned(),
        }),
        _ => return Err(r.corrupt("status", "not a known value")),
    };
    let until: i128 = r.n("in_progress_until")?;
    Ok(IdempotencyRecord {
        caller: r.s("caller")?.to_owned(),
        key: r.parsed("key", |v| IdempotencyKey::parse(v).ok())?,
        request_hash: r.s("request_hash")?.to_owned(),
        status,
        expires_at: r.epoch(EXPIRES_AT)?,
        in_progress_until: Timestamp::from_unix_timestamp_nanos(until * 1_000_000)
            .map_err(|_| r.corrupt("in_progress_until", "out of range"))?,
    })
}

impl IdempotencyStore for Table {
    async fn acquire(
        &self,
        record: &IdempotencyRecord,
        now: Timestamp,
    ) -> Result<Option<IdempotencyRecord>, StoreError> {
        // The holder can vanish between our failed put and our read (released or
        // expired); then the key is free again and we try once more.
        for _ in 0..3 {
            let put = self
                .client
                .put_item()
                .table_name(&self.name)
                .set_item(Some(record_item(record)))
                .condition_expression(
                    "attribute_not_exists(PK) OR expires_at <= :now \
                     OR (#status = :in_progress AND in_progress_until <= :now_ms)",
                )
                .expression_attribute_names("#status", "status")
                .expression_attribute_values(":now", epoch(now))
                .expression_attribute_values(":now_ms", n(millis(now)))
                .expression_attribute_values(":in_progress", s(IN_PROGRESS))
                .send()
                .await;
            if condition_held(put)? {
                return Ok(None);
            }
            let pk = keys::idempotency_pk(&record.caller, record.key.as_str());
            if let Some(held) = self.get_consistent(pk, keys::IDEMPOTENCY_SK).await? {
                let held = record_from(&held)?;
                if held.is_live(now) {
                    return Ok(Some(held));
                }
            }
        }
        Err(StoreError::Unavailable("the idempotency key is changing hands; retry".into()))
    }

    async fn complete(&self, record: &IdempotencyRecord, response: &StoredResponse) -> Result<(), StoreError> {
        let completed = IdempotencyRecord { status: RecordStatus::Completed(response.clone()), ..record.clone() };
        self.client
            .put_item()
            .table_name(&self.name)
            .set_item(Some(record_item(&completed)))
            .condition_expression("#status = :in_progress AND request_hash = :hash")
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":in_progress", s(IN_PROGRESS))
            .expression_attribute_values(":hash", s(&record.request_hash))
            .send()
            .await
            .map_err(unavailable)?;
        Ok(())
    }

    async fn release(&self, record: &IdempotencyRecord) -> Result<(), StoreError> {
        let deleted = self
            .client
            .delete_item()
            .table_name(&self.name)
            .key(PK, s(keys::idempotency_pk(&record.caller, record.key.as_str())))
            .key(SK, s(keys::IDEMPOTENCY_SK))
            .condition_expression("#status = :in_progress AND request_hash = :hash")
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":in_progress", s(IN_PROGRESS))
            .expression_attribute_values(":hash", s(&record.request_hash))
            .send()
            .await;
        // Not held any more: someone took the key over after our deadline; it is theirs now.
        condition_held(deleted).map(|_| ())
    }
}
