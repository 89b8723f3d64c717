//! [`PaymentStore`], [`RefundStore`] and [`WebhookInbox`] on the table. Payments
//! and refunds sit in their order's partition (`ORDER#<id>` / `PAYMENT#<attempt>`,
//! `REFUND#<id>`), so one query reads an order with its money; a provider event
//! id is a conditional put that expires.

use super::events::{audit_item, outbox_item};
use super::items::{Item, Reader, epoch, item, n, s, ts};
use super::keys::{self, EXPIRES_AT, PK, SK};
use super::orders::order_item;
use super::{Table, built, cancellation_reasons, condition_held, failed_condition, unavailable, version_conflict};
use crate::app::payments::ports::{PaymentChange, PaymentStore, RefundRecord, RefundStore, WebhookInbox};
use crate::app::store::StoreError;
use crate::domain::refund::Restock;
use crate::domain::{Currency, Event, OrderId, Payment, PaymentStatus, Provider, Refund, RefundStatus, Timestamp};
use aws_sdk_dynamodb::types::{AttributeValue, TransactWriteItem, Update};
use time::Duration;

/// Longer than Stripe retries a webhook (3 days), so a late retry is still known.
const WEBHOOK_RETENTION: Duration = Duration::days(7);

fn payment_item(p: &Payment) -> Item {
    let mut payment = item([
        (PK, s(keys::order_pk(p.order_id))),
        (SK, s(keys::payment_sk(p.attempt))),
        ("entity", s("payment")),
        ("order_id", s(p.order_id.to_string())),
        ("attempt", n(p.attempt)),
        ("provider", s(p.provider.as_str())),
        ("provider_id", s(&p.provider_id)),
        ("amount", n(p.amount)),
        ("currency", s(p.currency.code())),
        ("status", s(p.status.name())),
        ("refunded", n(p.refunded)),
        ("disputed", AttributeValue::Bool(p.disputed)),
        ("dispute_closed", AttributeValue::Bool(p.dispute_closed)),
        ("charged_back", n(p.charged_back)),
        ("version", n(p.version)),
        ("created_at", ts(p.created_at)),
        ("updated_at", ts(p.updated_at)),
    ]);
    match &p.status {
        PaymentStatus::Failed { reason } => {
            payment.insert("failure".into(), s(reason));
        }
        PaymentStatus::AmountMismatch { amount, currency } => {
            payment.insert("reported_amount".into(), n(amount));
            payment.insert("reported_currency".into(), s(currency));
        }
        PaymentStatus::Open | PaymentStatus::Succeeded | PaymentStatus::Cancelled => {}
    }
    payment
}

fn payment_from(item: &Item) -> Result<Payment, StoreError> {
    let r = Reader(item);
    let status = match r.s("status")? {
        "open" => PaymentStatus::Open,
        "succeeded" => PaymentStatus::Succeeded,
        "cancelled" => PaymentStatus::Cancelled,
        "failed" => PaymentStatus::Failed { reason: r.s("failure")?.to_owned() },
        "amount_mismatch" => PaymentStatus::AmountMismatch {
            amount: r.n("reported_amount")?,
            currency: r.s("reported_currency")?.to_owned(),
        },
        other => return Err(r.corrupt("status", &format!("unknown status {other:?}"))),
    };
    Ok(Payment {
        order_id: r.parsed("order_id", |v| v.parse().ok())?,
        attempt: r.n("attempt")?,
        provider: r.parsed("provider", Provider::parse)?,
        provider_id: r.s("provider_id")?.to_owned(),
        amount: r.n("amount")?,
        currency: r.parsed("currency", |v| Currency::parse(v).ok())?,
        status,
        refunded: r.n("refunded")?,
        disputed: r.opt_b("disputed")?.unwrap_or(false),
        dispute_closed: r.opt_b("dispute_closed")?.unwrap_or(false),
        charged_back: r.opt_n("charged_back")?.unwrap_or(0),
        version: r.n("version")?,
        created_at: r.ts("created_at")?,
        updated_at: r.ts("updated_at")?,
    })
}

impl PaymentStore for Table {
    async fn payment(&self, order_id: OrderId, attempt: u32) -> Result<Option<Payment>, StoreError> {
        let found = self.get_consistent(keys::order_pk(order_id), &keys::payment_sk(attempt)).await?;
        found.as_ref().map(payment_from).transpose()
    }

    async fn open(&self, payment: &Payment) -> Result<bool, StoreError> {
        let put = self
            .client
            .put_item()
            .table_name(&self.name)
            .set_item(Some(payment_item(payment)))
            .condition_expression("attribute_not_exists(PK)")
            .send()
            .await;
        condition_held(put)
    }

    async fn change(&self, change: PaymentChange<'_>) -> Result<(), StoreError> {
        let mut actions = vec![self.put_at_version(payment_item(change.next), change.previous.version)?];
        if let Some((previous, next)) = change.order {
            actions.push(self.put_at_version(order_item(next), previous.version)?);
        }
        if let Some(audit) = change.audit {
            actions.push(self.put_new(audit_item(audit))?);
        }
        if let Some(event) = change.event {
            actions.push(self.put_new(outbox_item(event))?);
        }
        let versioned = if change.order.is_some() { 2 } else { 1 };
        let error = match self.transact(actions).await {
            Ok(()) => return Ok(()),
            Err(error) => error,
        };
        // The payment or its order moved on: either way the caller re-reads both.
        let conflict = cancellation_reasons(&error)
            .and_then(|reasons| (0..versioned).find_map(|index| version_conflict(reasons, index)));
        Err(conflict.unwrap_or_else(|| unavailable(error)))
    }
}

impl WebhookInbox for Table {
    async fn seen(&self, provider: Provider, event_id: &str, now: Timestamp) -> Result<bool, StoreError> {
        let found = self.get_consistent(keys::webhook_pk(provider.as_str(), event_id), keys::WEBHOOK_SK).await?;
        // TTL deletes lazily: an expired record counts as unseen.
        Ok(match found {
            Some(item) => Reader(&item).epoch(EXPIRES_AT)? > now,
            None => false,
        })
    }

    async fn remember(&self, provider: Provider, event_id: &str, now: Timestamp) -> Result<(), StoreError> {
        self.client
            .put_item()
            .table_name(&self.name)
            .set_item(Some(item([
                (PK, s(keys::webhook_pk(provider.as_str(), event_id))),
                (SK, s(keys::WEBHOOK_SK)),
                ("entity", s("webhook_event")),
                ("received_at", ts(now)),
                (EXPIRES_AT, epoch(now + WEBHOOK_RETENTION)),
            ])))
            .send()
            .await
            .map_err(unavailable)?;
        Ok(())
    }
}

fn refund_item(r: &Refund) -> Item {
    let restock = r
        .restock
        .iter()
        .map(|r| {
            AttributeValue::M(item([
                ("product_id", s(r.product_id.to_string())),
                ("variant_id", s(r.variant_id.to_string())),
                ("quantity", n(r.quantity)),
            ]))
        })
        .collect();
    item([
        (PK, s(keys::order_pk(r.order_id))),
        (SK, s(keys::refund_sk(&r.id))),
        ("entity", s("refund")),
        ("id", s(&r.id)),
        ("order_id", s(r.order_id.to_string())),
        ("amount", n(r.amount)),
        ("currency", s(r.currency.code())),
        ("reason", s(&r.reason)),
        ("restock", AttributeValue::L(restock)),
        ("status", s(r.status.as_str())),
        ("actor", s(&r.actor)),
        ("created_at", ts(r.created_at)),
        ("updated_at", ts(r.updated_at)),
    ])
}

fn refund_from(found: &Item) -> Result<Refund, StoreError> {
    let r = Reader(found);
    let restock = r.maps("restock", |line| {
        let product_id = line.parsed("product_id", |v| v.parse().ok())?;
        Ok(Restock { product_id, variant_id: line.variant_or_sole(product_id)?, quantity: line.n("quantity")? })
    })?;
    Ok(Refund {
        id: r.s("id")?.to_owned(),
        order_id: r.parsed("order_id", |v| v.parse().ok())?,
        amount: r.n("amount")?,
        currency: r.parsed("currency", |v| Currency::parse(v).ok())?,
        reason: r.s("reason")?.to_owned(),
        restock,
        status: r.parsed("status", RefundStatus::parse)?,
        actor: r.s("actor")?.to_owned(),
        created_at: r.ts("created_at")?,
        updated_at: r.ts("updated_at")?,
    })
}

impl RefundStore for Table {
    async fn refund(&self, order_id: OrderId, refund_id: &str) -> Result<Option<Refund>, StoreError> {
        let found = self.get_consistent(keys::order_pk(order_id), &keys::refund_sk(refund_id)).await?;
        found.as_ref().map(refund_from).transpose()
    }

    async fn record_refund(&self, record: RefundRecord<'_>) -> Result<(), StoreError> {
        let mut actions = vec![
            self.put_at_version(order_item(record.next), record.previous.version)?,
            self.put_new(refund_item(record.refund))?,
            self.put_new(audit_item(record.audit))?,
        ];
        actions
            .extend(self.release_all(record.refund.restock.iter().map(|r| (r.product_id, r.variant_id, r.quantity)))?);
        if let Some(event) = record.event {
            actions.push(self.put_new(outbox_item(event))?);
        }
        let error = match self.transact(actions).await {
            Ok(()) => return Ok(()),
            Err(error) => error,
        };
        let reasons = cancellation_reasons(&error);
        if let Some(conflict) = reasons.and_then(|reasons| version_conflict(reasons, 0)) {
            return Err(conflict);
        }
        // The refund exists: a concurrent retry of the same request recorded it.
        if reasons.is_some_and(|reasons| failed_condition(reasons, 1)) {
            return Err(StoreError::VersionMismatch { current: record.previous.version });
        }
        Err(unavailable(error))
    }

    async fn fail_refund(&self, record: RefundRecord<'_>) -> Result<(), StoreError> {
        let update = built(
            Update::builder()
                .table_name(&self.name)
                .key(PK, s(keys::order_pk(record.refund.order_id)))
                .key(SK, s(keys::refund_sk(&record.refund.id)))
                .update_expression("SET #status = :failed, updated_at = :at")
                .condition_expression("#status = :pending")
                .expression_attribute_names("#status", "status")
                .expression_attribute_values(":failed", s(RefundStatus::Failed.as_str()))
                .expression_attribute_values(":pending", s(RefundStatus::Pending.as_str()))
                .expression_attribute_values(":at", ts(record.refund.updated_at))
                .build(),
        )?;
        let actions = vec![
            self.put_at_version(order_item(record.next), record.previous.version)?,
            TransactWriteItem::builder().update(update).build(),
            self.put_new(audit_item(record.audit))?,
        ];
        self.transact_versioned(actions).await
    }

    async fn complete_refund(&self, refund: &Refund, event: &Event) -> Result<bool, StoreError> {
        let update = built(
            Update::builder()
                .table_name(&self.name)
                .key(PK, s(keys::order_pk(refund.order_id)))
                .key(SK, s(keys::refund_sk(&refund.id)))
                .update_expression("SET #status = :done, updated_at = :at")
                .condition_expression("#status = :pending")
                .expression_attribute_names("#status", "status")
                .expression_attribute_values(":done", s(RefundStatus::Succeeded.as_str()))
                .expression_attribute_values(":pending", s(RefundStatus::Pending.as_str()))
                .expression_attribute_values(":at", ts(refund.updated_at))
                .build(),
        )?;
        let actions = vec![TransactWriteItem::builder().update(update).build(), self.put_new(outbox_item(event))?];
        match self.transact(actions).await {
            Ok(()) => Ok(true),
            Err(error) if cancellation_reasons(&error).is_some_and(|reasons| failed_condition(reasons, 0)) => Ok(false),
            Err(error) => Err(unavailable(error)),
        }
    }
}
