//! `POST /orders/{id}/refunds`: staff give money back, in full or in part, and
//! perhaps put goods back in stock.
//!
//! The refund is recorded first, in one write conditional on the order's version
//! (so concurrent refunds cannot exceed what was paid), then the provider moves
//! the money under a key derived from the refund. A retry of the same request
//! (same idempotency key) finds the recorded refund and only finishes it.

use super::PaymentsError;
use super::ports::{PaymentGateway, PaymentStore, RefundRecord, RefundStore};
use crate::app::error::CommonError;
use crate::app::orders::ports::OrderStore;
use crate::app::store::StoreError;
use crate::domain::{
    AuditRecord, Event, EventKind, Order, OrderId, PaymentStatus, Principal, Refund, RefundRequest, RefundStatus, Role,
    Timestamp,
};
use serde_json::json;

/// Tillbox opens one provider payment per order ([`super::start`]).
const ATTEMPT: u32 = 1;

/// Refunds `request` on the order for staff. Orders paid through the provider
/// are refunded there; orders staff marked paid get a record only (the money goes
/// back the way it came, outside Tillbox).
pub async fn refund(
    store: &(impl OrderStore + PaymentStore + RefundStore),
    gateway: Option<&impl PaymentGateway>,
    principal: &Principal,
    order_id: OrderId,
    request: &RefundRequest,
    idempotency_key: &str,
    now: Timestamp,
) -> Result<(Order, Refund), PaymentsError> {
    if !principal.is_staff() {
        OrderStore::get(store, order_id)
            .await?
            .filter(|o| o.customer == principal.subject)
            .ok_or(CommonError::NotFound)?;
        return Err(CommonError::forbidden(Role::Staff).into());
    }
    let payment = store.payment(order_id, ATTEMPT).await?.filter(|p| p.status == PaymentStatus::Succeeded);
    let id = Refund::id_for(order_id, idempotency_key);
    let mut refund = match store.refund(order_id, &id).await? {
        Some(recorded) => recorded,
        None => record(store, principal, order_id, request, id, payment.is_none(), now).await?,
    };
    if refund.status == RefundStatus::Pending {
        let payment = payment.ok_or(CommonError::NotFound)?;
        let gateway = gateway.ok_or(PaymentsError::ManualPayments)?;
        gateway.refund(&payment.provider_id, refund.amount, &refund.provider_key()).await?;
        let done = refund.succeeded(now);
        store.complete_refund(&done, &Event::new(EventKind::OrderRefunded { order_id }, now)).await?;
        refund = done;
    }
    let order = OrderStore::get(store, order_id).await?.ok_or(CommonError::NotFound)?;
    Ok((order, refund))
}

/// Records the refund against the order as it is now, re-reading after a lost
/// race. A refund of a manual payment is complete as recorded.
async fn record(
    store: &(impl OrderStore + RefundStore),
    principal: &Principal,
    order_id: OrderId,
    request: &RefundRequest,
    id: String,
    manual: bool,
    now: Timestamp,
) -> Result<Refund, PaymentsError> {
    for _ in 0..3 {
        let order = OrderStore::get(store, order_id).await?.ok_or(CommonError::NotFound)?;
        let next = order.refund(request, now)?;
        let mut refund = Refund::pending(id.clone(), &order, request, &principal.subject, now);
        if manual {
            refund = refund.succeeded(now);
        }
        let audit = AuditRecord::new(
            &principal.subject,
            "order.refunded",
            format!("order:{order_id}"),
            json!({"status": order.status.as_str(), "refunded": order.refunded}),
            json!({"status": next.status.as_str(), "refunded": next.refunded, "amount": request.amount(),
                   "reason": request.reason(), "restock": request.restock().iter()
                       .map(|(product, quantity)| json!({"product_id": product.to_string(), "quantity": quantity}))
                       .collect::<Vec<_>>()}),
            now,
        );
        let event = manual.then(|| Event::new(EventKind::OrderRefunded { order_id }, now));
        let write =
            RefundRecord { previous: &order, next: &next, refund: &refund, audit: &audit, event: event.as_ref() };
        match store.record_refund(write).await {
            Ok(()) => return Ok(refund),
            Err(StoreError::VersionMismatch { .. }) => {
                // A concurrent retry of this request may have recorded it.
                if let Some(recorded) = store.refund(order_id, &id).await? {
                    return Ok(recorded);
                }
            }
            Err(other) => return Err(other.into()),
        }
    }
    Err(StoreError::Unavailable("the order kept changing; retry".into()).into())
}
