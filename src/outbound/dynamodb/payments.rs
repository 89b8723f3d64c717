//! [`PaymentStore`] and [`WebhookInbox`] on the table. A payment sits in its
//! order's partition (`ORDER#<id>` / `PAYMENT#<attempt>`), so one query reads an
//! order with its payments; a provider event id is a conditional put that expires.

use super::events::{audit_item, outbox_item};
use super::items::{Item, Reader, epoch, item, n, s, ts};
use super::keys::{self, EXPIRES_AT, PK, SK};
use super::{Table, condition_held, unavailable};
use crate::app::payments::ports::{PaymentChange, PaymentStore, WebhookInbox};
use crate::app::store::StoreError;
use crate::domain::{Currency, OrderId, Payment, PaymentStatus, Provider, Timestamp};
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
        PaymentStatus::Open | PaymentStatus::Succeeded => {}
    }
    payment
}

fn payment_from(item: &Item) -> Result<Payment, StoreError> {
    let r = Reader(item);
    let status = match r.s("status")? {
        "open" => PaymentStatus::Open,
        "succeeded" => PaymentStatus::Succeeded,
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
        if let Some(audit) = change.audit {
            actions.push(self.put_new(audit_item(audit))?);
        }
        if let Some(event) = change.event {
            actions.push(self.put_new(outbox_item(event))?);
        }
        self.transact_versioned(actions).await
    }
}

impl WebhookInbox for Table {
    async fn first_sighting(&self, provider: Provider, event_id: &str, now: Timestamp) -> Result<bool, StoreError> {
        let put = self
            .client
            .put_item()
            .table_name(&self.name)
            .set_item(Some(item([
                (PK, s(keys::webhook_pk(provider.as_str(), event_id))),
                (SK, s(keys::WEBHOOK_SK)),
                ("entity", s("webhook_event")),
                ("received_at", ts(now)),
                (EXPIRES_AT, epoch(now + WEBHOOK_RETENTION)),
            ])))
            // TTL deletes lazily: an expired sighting counts as unseen.
            .condition_expression("attribute_not_exists(PK) OR #expires <= :now")
            .expression_attribute_names("#expires", EXPIRES_AT)
            .expression_attribute_values(":now", epoch(now))
            .send()
            .await;
        condition_held(put)
    }

    async fn forget(&self, provider: Provider, event_id: &str) -> Result<(), StoreError> {
        self.client
            .delete_item()
            .table_name(&self.name)
            .key(PK, s(keys::webhook_pk(provider.as_str(), event_id)))
            .key(SK, s(keys::WEBHOOK_SK))
            .send()
            .await
            .map_err(unavailable)?;
        Ok(())
    }
}
