//! `POST /orders/{id}/refunds`: staff give money back, in full or in part, and
//! perhaps put goods back in stock.
//!
//! The refund is recorded first, in one write conditional on the order's version
//! (so concurrent refunds cannot exceed what was paid), then the provider moves
//! the money under a key derived from the refund. A retry of the same request
//! (same caller, idempotency key and body) finds the recorded refund and only
//! finishes it; the same key with another caller or body is refused, so one
//! staff member's key can never stand in for another refund.

use super::error::PaymentsError;
use super::ports::{PaymentGateway, PaymentStore, ProviderError, RefundRecord, RefundStore};
use crate::app::error::CommonError;
use crate::app::orders::ports::OrderStore;
use crate::app::store::StoreError;
use crate::domain::{
    AuditRecord, Event, EventKind, Order, OrderId, Principal, Refund, RefundRefused, RefundRequest, RefundStatus, Role,
    Timestamp,
};
use serde_json::json;

/// Tillbox opens one provider payment per order ([`super::start`]).
const ATTEMPT: u32 = 1;

/// A refund as `POST /orders/{id}/refunds` answers it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refunded {
    /// The order as it is afterwards.
    pub order: Order,
    pub refund: Refund,
    /// The request was made before: this is the refund it recorded.
    pub replayed: bool,
}

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
) -> Result<Refunded, PaymentsError> {
    let order = OrderStore::get(store, order_id).await?;
    if !principal.is_staff() {
        order.filter(|o| o.customer == principal.subject).ok_or(CommonError::NotFound)?;
        return Err(CommonError::forbidden(Role::Staff).into());
    }
    let order = order.ok_or(CommonError::NotFound)?;
    // The provider holds the order's money only if the order was paid through it.
    // An order staff marked paid
    // is refunded outside Tillbox, even if a duplicate provider payment landed on
    // it: that one went back whole when it landed.
    let payment = store.payment(order_id, ATTEMPT).await?.filter(|p| p.paid(&order));
    let id = Refund::id_for(order_id, idempotency_key);
    let (mut refund, replayed) = match store.refund(order_id, &id).await? {
        Some(recorded) if recorded.answers(&principal.subject, request) => (recorded, true),
        Some(_) => return Err(PaymentsError::KeyReused),
        None => {
            if let Some(payment) = &payment {
                if payment.disputed {
                    return Err(PaymentsError::Disputed);
                }
                // Refunds made in the provider's dashboard may not have reached the order yet.
                if request.amount() > payment.refundable() {
                    let refundable = payment.refundable();
                    return Err(RefundRefused::ExceedsRefundable { refundable }.into());
                }
            }
            record(store, principal, order, request, id, payment.is_none(), now).await?
        }
    };
    if refund.status == RefundStatus::Pending {
        let payment = payment.ok_or(CommonError::NotFound)?;
        let gateway = gateway.ok_or(PaymentsError::ManualPayments)?;
        match gateway.refund(&payment.provider_id, refund.amount, &refund.provider_key()).await {
            Ok(()) => {
                let done = refund.succeeded(now);
                store
                    .complete_refund(
                        &done,
                        &Event::new(
                            EventKind::OrderRefunded {
                                order_id,
                                amount: done.amount,
                                surplus: false,
                                refund_id: Some(done.id.clone()),
                            },
                            now,
                        ),
                    )
                    .await?;
                refund = done;
            }
            Err(ProviderError::Refused(reason)) => {
                give_back(store, principal, &refund, &reason, now).await?;
                return Err(ProviderError::Refused(reason).into());
            }
            Err(unavailable) => return Err(unavailable.into()),
        }
    }
    let order = OrderStore::get(store, order_id).await?.ok_or(CommonError::NotFound)?;
    Ok(Refunded { order, refund, replayed })
}

/// Records the refund against `order` as read, re-reading after a lost race, and
/// says whether a concurrent retry recorded it first. A refund of a manual
/// payment is complete as recorded.
async fn record(
    store: &(impl OrderStore + RefundStore),
    principal: &Principal,
    mut order: Order,
    request: &RefundRequest,
    id: String,
    manual: bool,
    now: Timestamp,
) -> Result<(Refund, bool), PaymentsError> {
    let order_id = order.id;
    for _ in 0..3 {
        let next = request.apply(&order, now)?;
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
                   "reason": request.reason(), "restock": refund.restock.iter()
                       .map(|r| json!({"product_id": r.product_id.to_string(), "variant_id": r.variant_id.to_string(),
                                       "quantity": r.quantity}))
                       .collect::<Vec<_>>()}),
            now,
        );
        let event = manual.then(|| {
            let kind = EventKind::OrderRefunded {
                order_id,
                amount: request.amount(),
                surplus: false,
                refund_id: Some(refund.id.clone()),
            };
            Event::new(kind, now)
        });
        let write =
            RefundRecord { previous: &order, next: &next, refund: &refund, audit: &audit, event: event.as_ref() };
        match store.record_refund(write).await {
            Ok(()) => return Ok((refund, false)),
            Err(StoreError::VersionMismatch { .. }) => {
                // A concurrent retry of this request may have recorded it.
                match store.refund(order_id, &id).await? {
                    Some(recorded) if recorded.answers(&principal.subject, request) => return Ok((recorded, true)),
                    Some(_) => return Err(PaymentsError::KeyReused),
                    None => order = OrderStore::get(store, order_id).await?.ok_or(CommonError::NotFound)?,
                }
            }
            Err(other) => return Err(other.into()),
        }
    }
    Err(StoreError::Unavailable("the order kept changing; retry".into()).into())
}

/// The provider refused a recorded refund (e.g. more than it still holds): the
/// order's balance is given back and the refund marked failed, so staff can
/// refund again once the cause is fixed.
async fn give_back(
    store: &(impl OrderStore + RefundStore),
    principal: &Principal,
    refund: &Refund,
    reason: &str,
    now: Timestamp,
) -> Result<(), PaymentsError> {
    tracing::error!(order_id = %refund.order_id, refund = %refund.id, reason, "the provider refused a refund");
    for _ in 0..3 {
        let order = OrderStore::get(store, refund.order_id).await?.ok_or(CommonError::NotFound)?;
        let next = order.refund_refused(refund.amount, now);
        let failed = refund.failed(now);
        let audit = AuditRecord::new(
            &principal.subject,
            "order.refund_refused",
            format!("order:{}", order.id),
            json!({"status": order.status.as_str(), "refunded": order.refunded}),
            json!({"status": next.status.as_str(), "refunded": next.refunded, "refund": refund.id, "reason": reason}),
            now,
        );
        let write = RefundRecord { previous: &order, next: &next, refund: &failed, audit: &audit, event: None };
        match store.fail_refund(write).await {
            Ok(()) => return Ok(()),
            Err(StoreError::VersionMismatch { .. }) => continue,
            Err(other) => return Err(other.into()),
        }
    }
    Err(StoreError::Unavailable("the order kept changing; retry".into()).into())
}
