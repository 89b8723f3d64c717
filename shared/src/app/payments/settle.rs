//! The payments job: what a provider event does to the payment and its order.
//!
//! Events come more than once and in any order, and a payment can land on an
//! order the expiry job has just cancelled. Every step reads the current state and
//! writes conditionally on it, so replaying any event, in any order, ends in the
//! same state: an order is never both cancelled and charged.

use super::error::PaymentsError;
use super::events::{PaymentEvent, ProviderEvent};
use super::ports::{PaymentChange, PaymentGateway, PaymentStore, RefundRecord, RefundStore};
use crate::app::error::CommonError;
use crate::app::orders::ports::OrderStore;
use crate::app::orders::{self, Settlement};
use crate::app::store::StoreError;
use crate::domain::{
    AuditRecord, Event, EventKind, Order, OrderId, OrderStatus, Payment, PaymentStatus, Refund, RefundRequest,
    RefundStatus, Timestamp,
};
use serde_json::json;

pub(super) const ACTOR: &str = "system:payments";

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The order is paid (now, or already was).
    Paid,
    /// The money landed on a cancelled or already paid order and went back to
    /// the customer.
    Refunded,
    /// The provider took another amount or currency than the order's total;
    /// staff must look. The order is not paid; if it ends unpaid, the money goes
    /// back ([`Outcome::MismatchRefunded`]).
    Flagged,
    /// A payment of another amount or currency than its order's total went back
    /// to the customer because the order ended unpaid; staff are told.
    MismatchRefunded,
    /// The provider reported a capture that contradicts the one recorded (another
    /// amount or currency). Nothing was applied; staff must look.
    Contradicted,
    /// A decline was recorded; the order is still payable.
    Declined,
    /// The order ended unpaid and its payment was cancelled at the provider.
    Cancelled,
    /// The provider's refunds are recorded (and one made in its dashboard is
    /// now a refund of the order too).
    RefundRecorded,
    /// A refund did not go through at the provider: audited for staff.
    RefundFailed,
    /// A dispute was opened: the payment is flagged, the order held, staff are told.
    Disputed,
    /// A dispute closed: the order is released; if the shop lost, what the bank
    /// kept is no longer refundable.
    DisputeClosed { lost: bool },
    /// Not an event Tillbox acts on, or about no order or payment it knows.
    Ignored,
}

impl Outcome {
    /// Whether staff must be alarmed: money Tillbox could not simply match to
    /// its order, or that the bank holds.
    pub fn needs_staff(&self) -> bool {
        matches!(
            self,
            Self::Flagged
                | Self::MismatchRefunded
                | Self::Contradicted
                | Self::RefundFailed
                | Self::Disputed
                | Self::DisputeClosed { lost: true }
        )
    }
}

/// Applies one provider event. Safe to run any number of times for one event.
pub async fn settle(
    store: &(impl OrderStore + PaymentStore + RefundStore),
    gateway: &impl PaymentGateway,
    event: &ProviderEvent,
    now: Timestamp,
) -> Result<Outcome, PaymentsError> {
    match &event.event {
        PaymentEvent::Succeeded { order_id, provider_id, amount, currency } => {
            let Some(payment) = payment_for(store, *order_id, provider_id).await? else {
                return Ok(Outcome::Ignored);
            };
            if payment.contradicted_by(*amount, currency) {
                let reported = json!({"event": event.id, "amount": amount, "currency": currency});
                contradicted(store, &payment, reported, now).await?;
                return Ok(Outcome::Contradicted);
            }
            let payment = record(store, &payment, |p| p.succeeded(*amount, currency, now), now).await?;
            if let PaymentStatus::AmountMismatch { .. } = payment.status {
                tracing::error!(%order_id, provider_id, amount, currency, "a payment took another amount or currency than its order's total; staff must look");
                // It never pays the order: it waits for staff only while the order
                // awaits payment, and goes back once the order ended or was paid otherwise.
                let awaiting =
                    OrderStore::get(store, *order_id).await?.is_some_and(|o| o.status == OrderStatus::PendingPayment);
                if awaiting {
                    return Ok(Outcome::Flagged);
                }
                let reason = "a payment of another amount than its order, which ended unpaid or was paid otherwise";
                return Ok(match refund_in_full(store, gateway, &payment, reason, now).await? {
                    Outcome::Disputed => Outcome::Disputed,
                    _ => Outcome::MismatchRefunded,
                });
            }
            match orders::settle(store, *order_id, provider_id, ACTOR, now).await? {
                Settlement::Paid | Settlement::AlreadyPaid => {
                    // A refund report that arrived before this one had no paid order to land on.
                    refund_order_to(store, &payment, payment.refunded, now).await?;
                    Ok(Outcome::Paid)
                }
                Settlement::Cancelled => {
                    refund_in_full(store, gateway, &payment, "payment arrived after the order was cancelled", now).await
                }
                Settlement::PaidOtherwise => {
                    refund_in_full(store, gateway, &payment, "the order was already paid another way", now).await
                }
            }
        }
        PaymentEvent::Failed { order_id, provider_id, reason } => {
            let Some(payment) = payment_for(store, *order_id, provider_id).await? else {
                return Ok(Outcome::Ignored);
            };
            record(store, &payment, |p| p.failed(reason, now), now).await?;
            Ok(Outcome::Declined)
        }
        PaymentEvent::RefundedAtProvider { order_id, provider_id, refunded_total } => {
            let Some(payment) = resolve(store, gateway, *order_id, provider_id).await? else {
                return Ok(Outcome::Ignored);
            };
            record(store, &payment, |p| p.refunded_at_provider(*refunded_total, now), now).await?;
            refund_order_to(store, &payment, *refunded_total, now).await?;
            Ok(Outcome::RefundRecorded)
        }
        PaymentEvent::RefundFailed { order_id, provider_id, refund, amount, status } => {
            let Some(payment) = resolve(store, gateway, *order_id, provider_id).await? else {
                return Ok(Outcome::Ignored);
            };
            tracing::error!(order_id = %payment.order_id, refund, amount, status, "a refund failed at the provider; staff must act");
            let audit = AuditRecord::new(
                ACTOR,
                "payment.refund_failed",
                format!("order:{}", payment.order_id),
                json!({"refunded": payment.refunded}),
                json!({"provider_refund": refund, "amount": amount, "status": status}),
                now,
            );
            note(store, &payment, &audit, now).await?;
            Ok(Outcome::RefundFailed)
        }
        PaymentEvent::Disputed { order_id, provider_id, amount, reason } => {
            let Some(payment) = resolve(store, gateway, *order_id, provider_id).await? else {
                return Ok(Outcome::Ignored);
            };
            if !payment.disputed {
                tracing::error!(order_id = %payment.order_id, amount, reason, "the payment is disputed; staff must answer it");
            }
            let effects = |current: &Payment, _: &Payment| {
                let audit = AuditRecord::new(
                    ACTOR,
                    "order.disputed",
                    format!("order:{}", current.order_id),
                    json!({"disputed": false}),
                    json!({"disputed": true, "amount": amount, "reason": reason}),
                    now,
                );
                (Some(audit), Some(Event::new(EventKind::OrderDisputed { order_id: current.order_id }, now)))
            };
            let hold = |order: &Order| (!order.disputed).then(|| order.held_for_dispute(true, now));
            let change = |p: &Payment| (!p.disputed && !p.dispute_closed).then(|| p.disputed(now));
            record_with(store, &payment, change, effects, Some(&hold)).await?;
            Ok(Outcome::Disputed)
        }
        PaymentEvent::DisputeClosed { order_id, provider_id, status, amount } => {
            let Some(payment) = resolve(store, gateway, *order_id, provider_id).await? else {
                return Ok(Outcome::Ignored);
            };
            // Stripe's `lost` is the only closure in which the bank keeps the money.
            let lost = status == "lost";
            let charged_back = if lost { *amount } else { 0 };
            let effects = |current: &Payment, next: &Payment| {
                let audit = AuditRecord::new(
                    ACTOR,
                    if lost { "order.dispute_lost" } else { "order.dispute_closed" },
                    format!("order:{}", current.order_id),
                    json!({"disputed": true, "charged_back": current.charged_back}),
                    json!({"disputed": false, "status": status, "charged_back": next.charged_back}),
                    now,
                );
                (Some(audit), None)
            };
            let release = |order: &Order| order.disputed.then(|| order.held_for_dispute(false, now));
            let change = |p: &Payment| (!p.dispute_closed).then(|| p.dispute_closed(charged_back, now));
            let closed = record_with(store, &payment, change, effects, Some(&release)).await?;
            if lost {
                tracing::error!(order_id = %payment.order_id, amount, "a dispute was lost: the bank kept the money");
            }
            // A refund owed while the dispute held it (the order ended unpaid, or was
            // paid otherwise) is made now.
            let pays_its_order = OrderStore::get(store, closed.order_id).await?.is_some_and(|o| closed.paid(&o));
            if !pays_its_order && closed.refundable() > 0 {
                refund_in_full(store, gateway, &closed, "the dispute closed; the payment did not pay its order", now)
                    .await?;
            }
            Ok(Outcome::DisputeClosed { lost })
        }
        PaymentEvent::Ignored => Ok(Outcome::Ignored),
    }
}

/// The payment an event without the order's id is about: the provider says
/// which order its payment is for.
async fn resolve(
    store: &impl PaymentStore,
    gateway: &impl PaymentGateway,
    order_id: Option<OrderId>,
    provider_id: &str,
) -> Result<Option<Payment>, PaymentsError> {
    let order_id = match order_id {
        Some(id) => id,
        None => match gateway.intent(provider_id).await?.order_id {
            Some(id) => id,
            None => return Ok(None),
        },
    };
    payment_for(store, order_id, provider_id).await
}

/// Brings the order's refunded amount up to what the provider reports: Tillbox's
/// own refunds are recorded on the order before the provider is asked, so a
/// larger total means someone refunded in the provider's dashboard. That refund
/// becomes a refund of the order (no restock), audited and e-mailed.
async fn refund_order_to(
    store: &(impl OrderStore + RefundStore),
    payment: &Payment,
    refunded_total: i64,
    now: Timestamp,
) -> Result<(), PaymentsError> {
    let order_id = payment.order_id;
    for _ in 0..3 {
        let Some(order) = OrderStore::get(store, order_id).await? else { return Ok(()) };
        // Giving back a payment the order did not take (one too many, or of
        // another amount) is no refund of the order.
        let refundable = payment.paid(&order)
            && matches!(order.status, OrderStatus::Paid | OrderStatus::Fulfilled | OrderStatus::PartiallyRefunded);
        let missing = refunded_total.min(order.total) - order.refunded;
        if !refundable || missing <= 0 {
            return Ok(());
        }
        let request = RefundRequest::parse(missing, "refunded in the payment provider's dashboard", &[])
            .expect("a positive amount and a reason");
        let next = request.apply(&order, now)?;
        // Derived from the total, so a replay finds the refund it recorded.
        let id = Refund::id_for_provider_total(order_id, refunded_total);
        let refund = Refund { status: RefundStatus::Succeeded, ..Refund::pending(id, &order, &request, ACTOR, now) };
        let audit = dashboard_refund_audit(&order, &next, missing, now);
        let event = Event::new(
            EventKind::OrderRefunded { order_id, amount: missing, surplus: false, refund_id: Some(refund.id.clone()) },
            now,
        );
        let write = RefundRecord { previous: &order, next: &next, refund: &refund, audit: &audit, event: Some(&event) };
        match store.record_refund(write).await {
            Ok(()) => return Ok(()),
            Err(StoreError::VersionMismatch { .. }) => continue,
            Err(other) => return Err(other.into()),
        }
    }
    Err(StoreError::Unavailable("the order kept changing; retry".into()).into())
}

fn dashboard_refund_audit(order: &Order, next: &Order, amount: i64, now: Timestamp) -> AuditRecord {
    AuditRecord::new(
        ACTOR,
        "order.refunded",
        format!("order:{}", order.id),
        json!({"status": order.status.as_str(), "refunded": order.refunded}),
        json!({"status": next.status.as_str(), "refunded": next.refunded, "amount": amount,
               "reason": "refunded in the payment provider's dashboard"}),
        now,
    )
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
    store: &(impl OrderStore + PaymentStore),
    payment: &Payment,
    change: impl Fn(&Payment) -> Payment,
    now: Timestamp,
) -> Result<Payment, PaymentsError> {
    let changed = |current: &Payment| Some(change(current)).filter(|next| !next.same_facts(current));
    record_with(store, payment, changed, |current, next| (amount_mismatch_audit(current, next, now), None), None).await
}

/// A capture report that contradicts the recorded capture: audited (once per
/// provider event, on the payment's next version) and logged for the alarm;
/// the payment and its order stay as they are.
async fn contradicted(
    store: &(impl OrderStore + PaymentStore),
    payment: &Payment,
    reported: serde_json::Value,
    now: Timestamp,
) -> Result<(), PaymentsError> {
    tracing::error!(order_id = %payment.order_id, provider_id = payment.provider_id, %reported, "the provider reported a capture that contradicts the recorded one; not applied");
    let audit = AuditRecord::new(
        ACTOR,
        "payment.report_contradicted",
        format!("order:{}", payment.order_id),
        json!({"status": payment.status.name(), "amount": payment.amount, "currency": payment.currency.code()}),
        reported,
        now,
    );
    note(store, payment, &audit, now).await
}

/// An audit-only write: what was reported is recorded on the payment's next
/// version, so the audit record commits with a write like every other.
async fn note(
    store: &(impl OrderStore + PaymentStore),
    payment: &Payment,
    audit: &AuditRecord,
    now: Timestamp,
) -> Result<(), PaymentsError> {
    record_with(store, payment, |p| Some(p.touched(now)), |_, _| (Some(audit.clone()), None), None).await?;
    Ok(())
}

/// What a payment change does to its order (`None`: nothing), from the order
/// as stored.
pub(super) type OrderEffect<'a> = &'a (dyn Fn(&Order) -> Option<Order> + Sync);

/// Writes what `change` makes of the stored payment (`None`: nothing to write),
/// with the audit record and event `effects` derives from the payment before and
/// after, and what `order` makes of its order, in one write. All are applied
/// afresh to what is stored after a lost race, so a concurrent report of another
/// kind never swallows this one.
pub(super) async fn record_with(
    store: &(impl OrderStore + PaymentStore),
    payment: &Payment,
    change: impl Fn(&Payment) -> Option<Payment>,
    effects: impl Fn(&Payment, &Payment) -> (Option<AuditRecord>, Option<Event>),
    order: Option<OrderEffect<'_>>,
) -> Result<Payment, PaymentsError> {
    let mut current = payment.clone();
    for _ in 0..3 {
        let Some(next) = change(&current) else {
            return Ok(current);
        };
        let (audit, event) = effects(&current, &next);
        let stored_order = match order {
            Some(_) => OrderStore::get(store, current.order_id).await?,
            None => None,
        };
        let order_change = stored_order.as_ref().and_then(|o| order.and_then(|effect| effect(o)).map(|next| (o, next)));
        let write = PaymentChange {
            previous: &current,
            next: &next,
            order: order_change.as_ref().map(|(previous, next)| (*previous, next)),
            audit: audit.as_ref(),
            event: event.as_ref(),
        };
        match PaymentStore::change(store, write).await {
            Ok(()) => return Ok(next),
            Err(StoreError::VersionMismatch { .. }) => {
                current = store.payment(current.order_id, current.attempt).await?.ok_or(CommonError::NotFound)?;
            }
            Err(other) => return Err(other.into()),
        }
    }
    Err(StoreError::Unavailable("the payment kept changing; retry".into()).into())
}

fn amount_mismatch_audit(current: &Payment, next: &Payment, now: Timestamp) -> Option<AuditRecord> {
    match &next.status {
        PaymentStatus::AmountMismatch { amount, currency } if current.status != next.status => Some(AuditRecord::new(
            ACTOR,
            "payment.amount_mismatch",
            format!("order:{}", current.order_id),
            json!({"amount": current.amount, "currency": current.currency.code()}),
            json!({"amount": amount, "currency": currency}),
            now,
        )),
        _ => None,
    }
}

/// Gives back whatever of `payment` is not refunded yet, once: the provider
/// de-duplicates the refund on its key, and the record is written after it.
pub(super) async fn refund_in_full(
    store: &impl PaymentStore,
    gateway: &impl PaymentGateway,
    payment: &Payment,
    reason: &str,
    now: Timestamp,
) -> Result<Outcome, PaymentsError> {
    let mut current = payment.clone();
    for _ in 0..3 {
        if current.disputed {
            // The provider refuses to refund a disputed payment: the money moves
            // through the dispute, and what is still owed goes back once it closes.
            tracing::error!(order_id = %current.order_id, reason, "a payment to give back is disputed; refunded when the dispute closes");
            return Ok(Outcome::Disputed);
        }
        let owed = current.refundable();
        if owed == 0 {
            return Ok(Outcome::Refunded);
        }
        let key = format!("tillbox-refund-{}-in-full", current.provider_id);
        gateway.refund(&current.provider_id, owed, &key).await?;
        let next = current.refunded_in_full(now);
        let audit = AuditRecord::new(
            ACTOR,
            "payment.refunded",
            format!("order:{}", current.order_id),
            json!({"refunded": current.refunded}),
            json!({"refunded": next.refunded, "reason": reason}),
            now,
        );
        let event = Event::new(
            EventKind::OrderRefunded { order_id: current.order_id, amount: owed, surplus: true, refund_id: None },
            now,
        );
        let write =
            PaymentChange { previous: &current, next: &next, order: None, audit: Some(&audit), event: Some(&event) };
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
