//! Returns: customers ask to send units back within the return window; staff
//! approve or reject, then receive them, which restocks and refunds them
//! through the order's one refund mechanism ([`crate::app::payments::refund`]).

pub mod ports;

use crate::app::error::CommonError;
use crate::app::orders::ports::OrderStore;
use crate::app::payments::ports::{PaymentGateway, PaymentStore, RefundStore};
use crate::app::payments::{PaymentsError, refund};
use crate::app::store::StoreError;
use crate::domain::returns::{LineAsked, Return, ReturnRefused, ReturnStatus};
use crate::domain::{
    AuditRecord, Event, EventKind, Order, OrderId, Principal, RefundRequest, RefundStatus, ReturnId, Role, Timestamp,
    VariantId,
};
use ports::ReturnStore;
use serde_json::json;

/// Every way a return use case fails; the HTTP edge maps each to one status.
#[derive(Debug, thiserror::Error)]
pub enum ReturnsError {
    #[error(transparent)]
    Refused(#[from] ReturnRefused),
    /// Receiving it refunded nothing: the refund failed and can be retried by
    /// receiving again (the refund is keyed to the return, never made twice).
    #[error(transparent)]
    Refund(#[from] PaymentsError),
    /// The provider refused the return's refund: it is recorded as failed, and
    /// the money goes back through `POST /orders/{id}/refunds` instead.
    #[error("the payment provider refused this return's refund; refund it with POST /orders/{{id}}/refunds")]
    RefundFailed,
    #[error(transparent)]
    Common(#[from] CommonError),
}

impl From<StoreError> for ReturnsError {
    fn from(error: StoreError) -> Self {
        Self::Common(error.into())
    }
}

/// How many times a request is tried again after another return of the order
/// was recorded at the same moment.
const ATTEMPTS: usize = 3;

/// The order, if `principal` may see it: its customer, or staff.
async fn readable(store: &impl OrderStore, principal: &Principal, id: OrderId) -> Result<Order, CommonError> {
    let order = OrderStore::get(store, id).await?;
    order.filter(|o| principal.is_staff() || o.customer == principal.subject).ok_or(CommonError::NotFound)
}

fn audited(r: &Return) -> serde_json::Value {
    json!({"status": r.status.as_str(), "lines": r.lines.iter().map(|l| json!({"variant_id": l.variant_id.to_string(),
           "quantity": l.quantity, "received": l.received})).collect::<Vec<_>>(),
           "refund_amount": r.refund_amount, "shipping_refunded": r.shipping_refunded})
}

/// A return of `lines` (product, variant, quantity) of the order, by its
/// customer or by staff for them.
pub async fn request(
    store: &(impl OrderStore + ReturnStore),
    window: time::Duration,
    principal: &Principal,
    order_id: OrderId,
    (lines, reason): (&[LineAsked], &str),
    now: Timestamp,
) -> Result<Return, ReturnsError> {
    let order = readable(store, principal, order_id).await?;
    for _ in 0..ATTEMPTS {
        let others = store.returns_of(order_id).await?;
        let ret = Return::request(&order, &others, lines, reason, window, now)?;
        let event = Event::new(EventKind::ReturnRequested { order_id, return_id: ret.id }, now);
        let audit = AuditRecord::new(
            &principal.subject,
            "return.requested",
            format!("return:{}", ret.id),
            json!(null),
            audited(&ret),
            now,
        );
        if store.create_return(&ret, others.len(), &event, &audit).await? {
            return Ok(ret);
        }
    }
    Err(StoreError::Unavailable("the order's returns kept changing; retry".into()).into())
}

/// The order's returns, for its customer or staff.
pub async fn list(
    store: &(impl OrderStore + ReturnStore),
    principal: &Principal,
    order_id: OrderId,
) -> Result<Vec<Return>, ReturnsError> {
    readable(store, principal, order_id).await?;
    Ok(store.returns_of(order_id).await?)
}

/// What staff decide about a return.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    Approve,
    Reject {
        note: String,
    },
    /// The goods arrived: `lines` received per variant (all when `None`).
    Receive {
        lines: Option<Vec<(VariantId, i64)>>,
        refund_shipping: bool,
    },
}

/// Moves a return (staff). Receiving restocks and refunds the received units;
/// receiving a return already received finishes its refund if it had not gone
/// through (the provider was down), and changes nothing else.
pub async fn decide(
    store: &(impl OrderStore + ReturnStore + PaymentStore + RefundStore),
    gateway: Option<&impl PaymentGateway>,
    principal: &Principal,
    (order_id, return_id): (OrderId, ReturnId),
    decision: Decision,
    expected_version: Option<u64>,
    now: Timestamp,
) -> Result<Return, ReturnsError> {
    let order = readable(store, principal, order_id).await?;
    if !principal.is_staff() {
        return Err(CommonError::forbidden(Role::Staff).into());
    }
    let current = store.return_of(order_id, return_id).await?.ok_or(CommonError::NotFound)?;
    if current.status == ReturnStatus::Received && matches!(decision, Decision::Receive { .. }) {
        // Finishing the refund the first receive recorded, as whoever recorded it.
        let recorded = match &current.refund_id {
            Some(id) => store.refund(order_id, id).await?,
            None => None,
        };
        let actor = match recorded {
            Some(r) if r.status == RefundStatus::Failed => return Err(ReturnsError::RefundFailed),
            Some(r) => Principal { subject: r.actor, role: Role::Staff, session: None },
            None => principal.clone(),
        };
        refund_received(store, gateway, &actor, (&order, &current), now).await?;
        return Ok(current);
    }
    let (next, kind) = match &decision {
        Decision::Approve => (current.approved(now)?, EventKind::ReturnApproved { order_id, return_id }),
        Decision::Reject { note } => (current.rejected(note, now)?, EventKind::ReturnRejected { order_id, return_id }),
        Decision::Receive { lines, refund_shipping } => {
            let others = store.returns_of(order_id).await?;
            let mut next = current.received(&order, &others, lines.as_deref(), *refund_shipping, now)?;
            next.refund_id = Some(crate::domain::Refund::id_for(order_id, &current.refund_key()));
            // What the refund would refuse is refused before the return is received.
            if let Some(request) = refund_request(&order, &next)? {
                if order.disputed {
                    return Err(PaymentsError::Disputed.into());
                }
                request.apply(&order, now).map_err(PaymentsError::from)?;
            }
            (next, EventKind::ReturnReceived { order_id, return_id })
        }
    };
    if let Some(expected) = expected_version.filter(|v| *v != current.version) {
        return Err(CommonError::StaleVersion { resource: "return", expected, current: current.version }.into());
    }
    let action = match next.status {
        ReturnStatus::Approved => "return.approved",
        ReturnStatus::Rejected => "return.rejected",
        _ => "return.received",
    };
    let audit = AuditRecord::new(
        &principal.subject,
        action,
        format!("return:{return_id}"),
        audited(&current),
        audited(&next),
        now,
    );
    match store.save_return(&current, &next, &Event::new(kind, now), &audit).await {
        Ok(()) => {}
        Err(StoreError::VersionMismatch { current: stored }) => {
            return Err(
                CommonError::StaleVersion { resource: "return", expected: current.version, current: stored }.into()
            );
        }
        Err(other) => return Err(other.into()),
    }
    if next.status == ReturnStatus::Received {
        refund_received(store, gateway, principal, (&order, &next), now).await?;
    }
    Ok(next)
}

/// The refund a received return asks for (`None`: nothing to give back).
fn refund_request(order: &Order, ret: &Return) -> Result<Option<RefundRequest>, CommonError> {
    let Some(amount) = ret.refund_amount.filter(|a| *a > 0) else { return Ok(None) };
    // What the credit note and the refund list say: the units that came back.
    let units: Vec<String> = ret
        .lines
        .iter()
        .filter(|l| l.received > 0)
        .filter_map(|l| order.lines.iter().find(|o| o.variant_id == l.variant_id).map(|o| (l.received, &o.name)))
        .map(|(quantity, name)| format!("{quantity} × {name}"))
        .collect();
    let shipping = if ret.shipping_refunded { " and shipping" } else { "" };
    let reason = format!("Returned {}{shipping}", units.join(", "));
    let reason: String = match reason.char_indices().nth(crate::domain::refund::MAX_REASON_CHARS - 1) {
        Some((cut, _)) => format!("{}…", &reason[..cut]),
        None => reason,
    };
    Ok(Some(RefundRequest::parse(amount, &reason, &ret.restock())?))
}

/// Gives the received return's money back and its units to stock, through the
/// order's refund, keyed to the return so it happens once.
async fn refund_received(
    store: &(impl OrderStore + PaymentStore + RefundStore),
    gateway: Option<&impl PaymentGateway>,
    principal: &Principal,
    (order, ret): (&Order, &Return),
    now: Timestamp,
) -> Result<(), ReturnsError> {
    let Some(request) = refund_request(order, ret)? else { return Ok(()) };
    refund(store, gateway, principal, ret.order_id, &request, &ret.refund_key(), now).await?;
    Ok(())
}
