//! Reading orders and moving them through their states: `GET /orders`,
//! `GET /orders/{id}`, cancel, mark-paid, fulfil, and the expiry job.

use super::error::OrdersError;
use super::ports::{OrderChange, OrderQuery, OrderScope, OrderStore};
use crate::app::error::CommonError;
use crate::app::store::{Page, StoreError};
use crate::domain::{
    AuditRecord, CancelReason, Event, EventKind, Order, OrderId, OrderStatus, Principal, Role, Timestamp, Transition,
};
use serde_json::json;

/// Customers see their own orders; to anyone else an order does not exist.
fn visible_to(order: &Order, principal: &Principal) -> bool {
    principal.is_staff() || order.customer == principal.subject
}

pub async fn get(store: &impl OrderStore, principal: &Principal, id: OrderId) -> Result<Order, OrdersError> {
    store.get(id).await?.filter(|o| visible_to(o, principal)).ok_or(CommonError::NotFound.into())
}

/// Customers list their own orders. Staff list one status (every order in it) or
/// one customer's orders; `query.scope` says which.
pub async fn list(
    store: &impl OrderStore,
    principal: &Principal,
    mut query: OrderQuery,
) -> Result<Page<Order>, OrdersError> {
    if !principal.is_staff() {
        let status = match query.scope {
            OrderScope::Status(status) | OrderScope::Customer { status: Some(status), .. } => Some(status),
            OrderScope::Customer { status: None, .. } => None,
        };
        query.scope = OrderScope::Customer { customer: principal.subject.clone(), status };
    }
    Ok(store.list(&query).await?)
}

/// Who moved an order, for the audit trail and the cancel reason.
enum Actor<'a> {
    User(&'a Principal),
    /// A job, e.g. `system:expire-orders`.
    System(&'static str),
}

fn event_for(order: &Order, now: Timestamp) -> Event {
    let order_id = order.id;
    let kind = match order.status {
        OrderStatus::Paid => EventKind::OrderPaid { order_id },
        OrderStatus::Fulfilled => EventKind::OrderFulfilled { order_id },
        _ => EventKind::OrderCancelled { order_id },
    };
    Event::new(kind, now)
}

fn audited(order: &Order) -> serde_json::Value {
    let shipment = order.shipment.as_ref().map(|s| json!({"carrier": s.carrier, "tracking_number": s.tracking_number}));
    json!({"status": order.status.as_str(), "version": order.version, "shipment": shipment,
           "cancel_reason": order.cancel_reason})
}

/// Applies `transition` to the stored order and writes it with its event (and an
/// audit record when staff or a job did it), releasing stock on a cancel.
async fn write(
    store: &impl OrderStore,
    order: &Order,
    transition: &Transition,
    actor: &Actor<'_>,
    now: Timestamp,
) -> Result<Order, OrdersError> {
    let next = order.apply(transition, now)?;
    let event = event_for(&next, now);
    let audit = match actor {
        Actor::User(p) if !p.is_staff() => None,
        Actor::User(p) => Some(p.subject.as_str()),
        Actor::System(name) => Some(*name),
    }
    .map(|who| {
        let action = match transition {
            Transition::MarkPaid => "order.marked_paid",
            Transition::Settle { .. } => "order.paid",
            Transition::Fulfil(_) => "order.fulfilled",
            Transition::Cancel(_) => "order.cancelled",
        };
        AuditRecord::new(who, action, format!("order:{}", order.id), audited(order), audited(&next), now)
    });
    let release = matches!(transition, Transition::Cancel(_));
    store.change(OrderChange { previous: order, next: &next, release, event: &event, audit: audit.as_ref() }).await?;
    Ok(next)
}

/// Staff mark paid and fulfil; the owner or staff cancel. A transition the order's
/// state does not allow is refused whoever asks.
pub async fn change(
    store: &impl OrderStore,
    principal: &Principal,
    id: OrderId,
    transition: Transition,
    now: Timestamp,
) -> Result<Order, OrdersError> {
    let transition = match transition {
        Transition::Cancel(_) if principal.is_staff() => Transition::Cancel(CancelReason::Staff),
        Transition::Cancel(_) => Transition::Cancel(CancelReason::Customer),
        staff_only if principal.is_staff() => staff_only,
        _ => {
            // Customers learn nothing about orders that are not theirs.
            get(store, principal, id).await?;
            return Err(CommonError::forbidden(Role::Staff).into());
        }
    };
    // A lost race re-reads: the winner's state decides whether this move is still legal.
    for _ in 0..3 {
        let order = get(store, principal, id).await?;
        match write(store, &order, &transition, &Actor::User(principal), now).await {
            Err(OrdersError::Common(CommonError::Store(StoreError::VersionMismatch { .. }))) => continue,
            result => return result,
        }
    }
    Err(StoreError::Unavailable("the order kept changing; retry".into()).into())
}

/// What one run of the expiry job did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Expired {
    pub cancelled: usize,
    /// Listed as unpaid, but paid or cancelled by someone else meanwhile.
    pub skipped: usize,
}

/// Cancels every order still awaiting payment that was placed more than `max_age`
/// ago, releasing its stock. Each cancel is conditional on the version listed, so
/// two overlapping runs (or a payment arriving meanwhile) release stock once.
pub async fn expire_unpaid(
    store: &impl OrderStore,
    max_age: time::Duration,
    now: Timestamp,
) -> Result<Expired, OrdersError> {
    let mut done = Expired::default();
    let mut query = OrderQuery {
        scope: OrderScope::Status(OrderStatus::PendingPayment),
        from: None,
        to: Some(now - max_age),
        limit: 100,
        cursor: None,
    };
    let transition = Transition::Cancel(CancelReason::Expired);
    loop {
        let page = store.list(&query).await?;
        for order in &page.items {
            match write(store, order, &transition, &Actor::System("system:expire-orders"), now).await {
                Ok(_) => done.cancelled += 1,
                // The index is eventually consistent and another run may be ahead.
                Err(
                    OrdersError::Common(CommonError::Store(StoreError::VersionMismatch { .. }))
                    | OrdersError::IllegalTransition(_),
                ) => done.skipped += 1,
                Err(other) => return Err(other),
            }
        }
        match page.next_cursor {
            Some(cursor) => query.cursor = Some(cursor),
            None => return Ok(done),
        }
    }
}

/// What a payment the provider took did to its order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Settlement {
    Paid,
    /// Paid by this payment (or further along) before this report arrived.
    AlreadyPaid,
    /// Paid some other way (staff marked it paid): this payment is one too many.
    PaidOtherwise,
    /// Cancelled before the payment landed: the money must go back.
    Cancelled,
}

/// Marks an order paid for a payment a provider took, as `actor`. The write is
/// conditional on the version read, so it and the expiry job cannot both win:
/// whichever writes first decides, and the other sees the outcome.
pub async fn settle(
    store: &impl OrderStore,
    id: OrderId,
    payment: &str,
    actor: &'static str,
    now: Timestamp,
) -> Result<Settlement, OrdersError> {
    let transition = Transition::Settle { payment: payment.to_owned() };
    for _ in 0..3 {
        let order = store.get(id).await?.ok_or(CommonError::NotFound)?;
        match order.status {
            OrderStatus::PendingPayment => match write(store, &order, &transition, &Actor::System(actor), now).await {
                Ok(_) => return Ok(Settlement::Paid),
                Err(OrdersError::Common(CommonError::Store(StoreError::VersionMismatch { .. }))) => continue,
                Err(other) => return Err(other),
            },
            OrderStatus::Cancelled => return Ok(Settlement::Cancelled),
            // Orders paid before `paid_by` was recorded count as paid by this payment.
            _ if order.paid_by.as_deref().is_none_or(|by| by == payment) => return Ok(Settlement::AlreadyPaid),
            _ => return Ok(Settlement::PaidOtherwise),
        }
    }
    Err(StoreError::Unavailable("the order kept changing; retry".into()).into())
}

/// Gives `user` the orders they placed as a guest with their address, once it
/// is proven theirs (verified): from then on they find them under their
/// account. Returns how many moved; an order changed meanwhile is read again.
pub async fn attach_guest_orders(
    store: &impl OrderStore,
    user: &crate::domain::User,
    now: Timestamp,
) -> Result<usize, StoreError> {
    if !user.email_verified {
        return Ok(0);
    }
    let guest = crate::domain::order::guest_customer(&user.email);
    let mut moved = 0;
    // The index may still list an order moved a moment ago: a few rounds settle it.
    for _ in 0..10 {
        let query = OrderQuery {
            scope: OrderScope::Customer { customer: guest.clone(), status: None },
            from: None,
            to: None,
            limit: 100,
            cursor: None,
        };
        let page = store.list(&query).await?;
        if page.items.is_empty() {
            return Ok(moved);
        }
        for order in &page.items {
            let next =
                Order { customer: user.id.to_string(), version: order.version + 1, updated_at: now, ..order.clone() };
            match store.reassign(order, &next).await {
                Ok(()) => moved += 1,
                // Changed meanwhile (paid, say): the next page reads it again.
                Err(StoreError::VersionMismatch { .. }) => {}
                Err(other) => return Err(other),
            }
        }
    }
    Ok(moved)
}
