//! [`ReturnStore`] on the table: each return beside its order
//! (`ORDER#<id>` / `RETURN#<return id>`), so one query reads an order's
//! returns; `ORDER#<id>` / `RETURNS` counts them, and a new return is written
//! only if the count is what the request saw.

use super::events::{audit_item, outbox_item};
use super::items::{Item, Reader, b, item, n, s, ts};
use super::keys::{self, PK, SK};
use super::{Table, built, cancellation_reasons, failed_condition, unavailable};
use crate::app::returns::ports::ReturnStore;
use crate::app::store::StoreError;
use crate::domain::returns::{Return, ReturnLine, ReturnStatus};
use crate::domain::{AuditRecord, Event, OrderId, ReturnId};
use aws_sdk_dynamodb::types::{AttributeValue, TransactWriteItem, Update};

fn return_item(r: &Return) -> Item {
    let lines = r
        .lines
        .iter()
        .map(|l| {
            AttributeValue::M(item([
                ("product_id", s(l.product_id.to_string())),
                ("variant_id", s(l.variant_id.to_string())),
                ("quantity", n(l.quantity)),
                ("received", n(l.received)),
            ]))
        })
        .collect();
    let mut stored = item([
        (PK, s(keys::order_pk(r.order_id))),
        (SK, s(keys::return_sk(r.id))),
        ("entity", s("return")),
        ("id", s(r.id.to_string())),
        ("order_id", s(r.order_id.to_string())),
        ("customer", s(&r.customer)),
        ("status", s(r.status.as_str())),
        ("lines", AttributeValue::L(lines)),
        ("reason", s(&r.reason)),
        ("shipping_refunded", b(r.shipping_refunded)),
        ("version", n(r.version)),
        ("created_at", ts(r.created_at)),
        ("updated_at", ts(r.updated_at)),
    ]);
    for (name, value) in [
        ("note", r.note.as_deref().map(s)),
        ("refund_amount", r.refund_amount.map(n)),
        ("refund_id", r.refund_id.as_deref().map(s)),
    ] {
        if let Some(value) = value {
            stored.insert(name.to_owned(), value);
        }
    }
    stored
}

fn return_from(found: &Item) -> Result<Return, StoreError> {
    let r = Reader(found);
    let lines = r.maps("lines", |line| {
        Ok(ReturnLine {
            product_id: line.parsed("product_id", |v| v.parse().ok())?,
            variant_id: line.parsed("variant_id", |v| v.parse().ok())?,
            quantity: line.n("quantity")?,
            received: line.n("received")?,
        })
    })?;
    Ok(Return {
        id: r.parsed("id", |v| v.parse().ok())?,
        order_id: r.parsed("order_id", |v| v.parse().ok())?,
        customer: r.s("customer")?.to_owned(),
        status: r.parsed("status", ReturnStatus::parse)?,
        lines,
        reason: r.s("reason")?.to_owned(),
        note: r.opt_s("note")?.map(str::to_owned),
        refund_amount: r.opt_n("refund_amount")?,
        refund_id: r.opt_s("refund_id")?.map(str::to_owned),
        shipping_refunded: r.b("shipping_refunded")?,
        version: r.n("version")?,
        created_at: r.ts("created_at")?,
        updated_at: r.ts("updated_at")?,
    })
}

impl ReturnStore for Table {
    async fn returns_of(&self, order: OrderId) -> Result<Vec<Return>, StoreError> {
        let found = self.partition(keys::order_pk(order), Some(keys::RETURN_PREFIX)).await?;
        let mut returns = found.iter().map(return_from).collect::<Result<Vec<_>, _>>()?;
        returns.sort_by_key(|r| r.created_at);
        Ok(returns)
    }

    async fn return_of(&self, order: OrderId, id: ReturnId) -> Result<Option<Return>, StoreError> {
        let found = self.get_consistent(keys::order_pk(order), &keys::return_sk(id)).await?;
        found.as_ref().map(return_from).transpose()
    }

    async fn create_return(
        &self,
        ret: &Return,
        seen: usize,
        event: &Event,
        audit: &AuditRecord,
    ) -> Result<bool, StoreError> {
        let condition = if seen == 0 { "attribute_not_exists(#count)" } else { "#count = :seen" };
        let mut count = Update::builder()
            .table_name(&self.name)
            .key(PK, s(keys::order_pk(ret.order_id)))
            .key(SK, s(keys::RETURNS_SK))
            .update_expression("SET #count = :next")
            .condition_expression(condition)
            .expression_attribute_names("#count", "returns")
            .expression_attribute_values(":next", n(seen + 1));
        if seen > 0 {
            count = count.expression_attribute_values(":seen", n(seen));
        }
        let actions = vec![
            TransactWriteItem::builder().update(built(count.build())?).build(),
            self.put_new(return_item(ret))?,
            self.put_new(outbox_item(event))?,
            self.put_new(audit_item(audit))?,
        ];
        match self.transact(actions).await {
            Ok(()) => Ok(true),
            Err(e) => match cancellation_reasons(&e) {
                Some(reasons) if failed_condition(reasons, 0) => Ok(false),
                _ => Err(unavailable(e)),
            },
        }
    }

    async fn save_return(
        &self,
        previous: &Return,
        next: &Return,
        event: &Event,
        audit: &AuditRecord,
    ) -> Result<(), StoreError> {
        self.transact_versioned(vec![
            self.put_at_version(return_item(next), previous.version)?,
            self.put_new(outbox_item(event))?,
            self.put_new(audit_item(audit))?,
        ])
        .await
    }
}
