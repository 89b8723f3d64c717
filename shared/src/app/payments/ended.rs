//! What ending an order unpaid (cancelled by the customer or staff, or expired)
//! does to its payment, when the order's `order.cancelled` reaches the payments
//! job: the customer must no longer be able to pay it, and money the provider
//! took without paying the order must go back.

use super::error::PaymentsError;
use super::ports::{PaymentGateway, PaymentStore};
use super::settle::{ACTOR, Outcome, record_with, refund_in_full};
use crate::app::orders::ports::OrderStore;
use crate::domain::{AuditRecord, OrderId, OrderStatus, Payment, PaymentStatus, Timestamp};
use serde_json::json;

/// Ends the payment of an order that ended unpaid: one the customer could still
/// pay is cancelled at the provider, and money the provider took without paying
/// the order (another amount or currency) goes back. Safe to run any number of
/// times.
pub async fn order_ended(
    store: &(impl OrderStore + PaymentStore),
    gateway: &impl PaymentGateway,
    order_id: OrderId,
    now: Timestamp,
) -> Result<Outcome, PaymentsError> {
    let ended = OrderStore::get(store, order_id).await?.is_some_and(|o| o.status == OrderStatus::Cancelled);
    let Some(payment) = store.payment(order_id, 1).await?.filter(|_| ended) else {
        return Ok(Outcome::Ignored);
    };
    if payment.payable() {
        if !gateway.cancel_intent(&payment.provider_id).await? {
            // Paid meanwhile: its success report finds the order cancelled and refunds it.
            tracing::warn!(%order_id, provider_id = payment.provider_id, "the ended order's payment could not be cancelled: it is paid or being paid");
            return Ok(Outcome::Ignored);
        }
        let audit = |current: &Payment, _: &Payment| {
            let audit = AuditRecord::new(
                ACTOR,
                "payment.cancelled",
                format!("order:{order_id}"),
                json!({"status": current.status.name()}),
                json!({"status": "cancelled", "reason": "the order ended unpaid"}),
                now,
            );
            (Some(audit), None)
        };
        record_with(store, &payment, |p| p.payable().then(|| p.cancelled(now)), audit, None).await?;
        return Ok(Outcome::Cancelled);
    }
    if payment.refundable() == 0 {
        return Ok(Outcome::Ignored);
    }
    let mismatched = matches!(payment.status, PaymentStatus::AmountMismatch { .. });
    let outcome = refund_in_full(store, gateway, &payment, "the order ended unpaid", now).await?;
    if outcome == Outcome::Disputed {
        return Ok(outcome);
    }
    if mismatched {
        tracing::error!(%order_id, "a payment of another amount than its order went back when the order ended unpaid");
        return Ok(Outcome::MismatchRefunded);
    }
    Ok(Outcome::Refunded)
}
