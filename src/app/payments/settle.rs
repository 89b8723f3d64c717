//! The payments job: what a provider event does to the payment and its order.
//!
//! Events come more than once and in any order, and a payment can land on an
//! order the expiry job has just cancelled. Every step reads the current state and
//! writes conditionally on it, so replaying any event, in any order, ends in the
//! same state: an order is never both cancelled and charged.

use super::ports::{PaymentChange, PaymentGateway, PaymentStore};
use super::{PaymentEvent, PaymentsError, ProviderEvent};
use crate::app::error::CommonError;
use crate::app::orders::ports::OrderStore;
use crate::app::orders::{self, Settlement};
use crate::app::store::StoreError;
use crate::domain::{AuditRecord, Event, EventKind, OrderId, Payment, PaymentStatus, Timestamp};
use serde_json::json;

const ACTOR: &str = "system:payments";

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The order is paid (now, or already was).
    Paid,
    /// The money landed on a cancelled order and went back to the customer.
    Refunded,
    /// The provider took another amount or currency than the order's total;
    /// staff must look. The order is not paid.
    Flagged,
    /// A decline was recorded; the order is still payable.
    Declined,
    /// Not an event Tillbox acts on, or about no order or payment it knows.
    Ignored,
}

/// Applies one provider event. Safe to run any number of times for one event.
pub async fn settle(
    store: &(impl OrderStore + PaymentStore),
    gateway: &impl PaymentGateway,
    event: &ProviderEvent,
    now: Timestamp,
) -> Result<Outcome, PaymentsError> {
    match &event.event {
        PaymentEvent::Succeeded { order_id, provider_id, amount, currency } => {
            let Some(payment) = payment_for(store, *order_id, provider_id).await? else {
                return Ok(Outcome::Ignored);
            };
            let payment = record(store, &payment, |p| p.succeeded(*amount, currency, now), now).await?;
            match &payment.status {
                PaymentStatus::AmountMismatch { .. } => Ok(Outcome::Flagged),
                _ => match orders::settle(store, *order_id, ACTOR, now).await? {
                    Settlement::Paid | Settlement::AlreadyPaid => Ok(Outcome::Paid),
                    Settlement::Cancelled => refund_in_full(store, gateway, &payment, now).await,
                },
            }
        }
        PaymentEvent::Failed { order_id, provider_id, reason } => {
            let Some(payment) = payment_for(store, *order_id, provider_id).await? else {
                return Ok(Outcome::Ignored);
            };
            record(store, &payment, |p| p.failed(reason, now), now).await?;
            Ok(Outcome::Declined)
        }
        PaymentEvent::Ignored => Ok(Outcome::Ignored),
    }
}

/// The payment the provider's id belongs to. Tillbox records every payment it
/// opens before the customer can pay it, so an unknown id is not ours.
async fn payment_for(
    store: &impl PaymentStore,
    order_id: OrderId,
    provider_id: &str,
) -> Result<Option<Payment>, PaymentsError> {
    let payment = store.payment(order_id, 1).await?;
    let payment = payment.filter(|p| p.provider_id == provider_id);
    if payment.is_none() {
        tracing::warn!(%order_id, provider_id, "provider event for a payment Tillbox did not open; ignored");
    }
    Ok(payment)
}

/// Writes `change(current)` unless it changes nothing, re-reading after a lost
/// race. Returns the payment as stored afterwards.
async fn record(
    store: &impl PaymentStore,
    payment: &Payment,
    change: impl Fn(&Payment) -> Payment,
    now: Timestamp,
) -> Result<Payment, PaymentsError> {
    let mut current = payment.clone();
    for _ in 0..3 {
        let next = change(&current);
        if next.status == current.status {
            return Ok(current);
        }
        let audit = match &next.status {
            PaymentStatus::AmountMismatch { amount, currency } => Some(AuditRecord::new(
                ACTOR,
                "payment.amount_mismatch",
                format!("order:{}", current.order_id),
                json!({"amount": current.amount, "currency": current.currency.code()}),
                json!({"amount": amount, "currency": currency}),
                now,
            )),
            _ => None,
        };
        let write = PaymentChange { previous: &current, next: &next, audit: audit.as_ref(), event: None };
        match store.change(write).await {
            Ok(()) => return Ok(next),
            Err(StoreError::VersionMismatch { .. }) => {
                current = store.payment(current.order_id, current.attempt).await?.ok_or(CommonError::NotFound)?;
            }
            Err(other) => return Err(other.into()),
        }
    }
    Err(StoreError::Unavailable("the payment kept changing; retry".into()).into())
}

/// Gives back whatever of `payment` is not refunded yet, once: the provider
/// de-duplicates the refund on its key, and the record is written after it.
async fn refund_in_full(
    store: &impl PaymentStore,
    gateway: &impl PaymentGateway,
    payment: &Payment,
    now: Timestamp,
) -> Result<Outcome, PaymentsError> {
    let mut current = payment.clone();
    for _ in 0..3 {
        let owed = current.refundable();
        if owed == 0 {
            return Ok(Outcome::Refunded);
        }
        let key = format!("tillbox-refund-{}-cancelled-order", current.provider_id);
        gateway.refund(&current.provider_id, owed, &key).await?;
        let next = current.refunded_in_full(now);
        let audit = AuditRecord::new(
            ACTOR,
            "payment.refunded",
            format!("order:{}", current.order_id),
            json!({"refunded": current.refunded}),
            json!({"refunded": next.refunded, "reason": "payment arrived after the order was cancelled"}),
            now,
        );
        let event = Event::new(EventKind::OrderRefunded { order_id: current.order_id }, now);
        let write = PaymentChange { previous: &current, next: &next, audit: Some(&audit), event: Some(&event) };
        match store.change(write).await {
            Ok(()) => return Ok(Outcome::Refunded),
            Err(StoreError::VersionMismatch { .. }) => {
                current = store.payment(current.order_id, current.attempt).await?.ok_or(CommonError::NotFound)?;
            }
            Err(other) => return Err(other.into()),
        }
    }
    Err(StoreError::Unavailable("the payment kept changing; retry".into()).into())
}
