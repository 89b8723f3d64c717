//! [`ExportStore`] on the table: one item per export, `EXPORT#<id>` / `EXPORT`.

use super::events::{audit_item, outbox_item};
use super::items::{Item, Reader, item, n, s, ts};
use super::keys::{self, PK, SK};
use super::{Table, unavailable};
use crate::app::exports::ports::ExportStore;
use crate::app::store::StoreError;
use crate::domain::export::{ExportFilter, ExportState};
use crate::domain::{AuditRecord, Event, ExportId, OrderExport, OrderStatus};
use aws_sdk_dynamodb::operation::put_item::PutItemError;
use aws_sdk_dynamodb::types::ReturnValuesOnConditionCheckFailure;

fn export_item(e: &OrderExport) -> Item {
    let mut stored = item([
        (PK, s(keys::export_pk(e.id))),
        (SK, s(keys::EXPORT_SK)),
        ("entity", s("export")),
        ("requested_by", s(&e.requested_by)),
        ("from", ts(e.filter.from)),
        ("to", ts(e.filter.to)),
        ("state", s(e.state.as_str())),
        ("orders", n(e.orders)),
        ("rows", n(e.rows)),
        ("attempts", n(e.attempts)),
        ("created_at", ts(e.created_at)),
        ("updated_at", ts(e.updated_at)),
    ]);
    if let Some(status) = e.filter.status {
        stored.insert("status".into(), s(status.as_str()));
    }
    if let Some(failure) = &e.failure {
        stored.insert("failure".into(), s(failure));
    }
    if let Some(at) = e.completed_at {
        stored.insert("completed_at".into(), ts(at));
    }
    stored
}

fn export_from(item: &Item) -> Result<OrderExport, StoreError> {
    let r = Reader(item);
    let pk = r.s(PK)?;
    Ok(OrderExport {
        id: pk.strip_prefix("EXPORT#").and_then(|id| id.parse().ok()).ok_or_else(|| r.corrupt(PK, "no export id"))?,
        requested_by: r.s("requested_by")?.to_owned(),
        filter: ExportFilter {
            from: r.ts("from")?,
            to: r.ts("to")?,
            status: r
                .opt_s("status")?
                .map(|v| OrderStatus::parse(v).ok_or_else(|| r.corrupt("status", v)))
                .transpose()?,
        },
        state: r.parsed("state", ExportState::parse)?,
        orders: r.n("orders")?,
        rows: r.n("rows")?,
        attempts: r.n("attempts")?,
        failure: r.opt_s("failure")?.map(str::to_owned),
        created_at: r.ts("created_at")?,
        updated_at: r.ts("updated_at")?,
        completed_at: r.opt_s("completed_at")?.map(|_| r.ts("completed_at")).transpose()?,
    })
}

impl ExportStore for Table {
    async fn create(&self, export: &OrderExport, event: &Event, audit: &AuditRecord) -> Result<(), StoreError> {
        let actions = vec![
            self.put_new(export_item(export))?,
            self.put_new(outbox_item(event))?,
            self.put_new(audit_item(audit))?,
        ];
        self.transact(actions).await.map_err(unavailable)
    }

    async fn get(&self, id: ExportId) -> Result<Option<OrderExport>, StoreError> {
        self.get_consistent(keys::export_pk(id), keys::EXPORT_SK).await?.as_ref().map(export_from).transpose()
    }

    async fn save(&self, export: &OrderExport, run: u32) -> Result<(), StoreError> {
        let result = self
            .client
            .put_item()
            .table_name(&self.name)
            .set_item(Some(export_item(export)))
            .condition_expression("attempts = :run")
            .expression_attribute_values(":run", n(run))
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
            Err(error) => match error.as_service_error() {
                Some(PutItemError::ConditionalCheckFailedException(failed)) => Err(match failed.item() {
                    Some(stored) => StoreError::VersionMismatch { current: Reader(stored).n("attempts")? },
                    None => StoreError::NotFound,
                }),
                _ => Err(unavailable(error)),
            },
        }
    }
}
