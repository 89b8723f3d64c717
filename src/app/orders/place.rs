//! `POST /orders`: price the request from the catalog, then reserve stock, record
//! the order, count the discount and publish the event in one transaction.

use super::OrdersError;
use super::ports::{DiscountStore, OrderStore, Placement};
use crate::app::accounts::ports::RateLimiter;
use crate::app::catalog::ports::ProductStore;
use crate::domain::order::{PricingError, UNUSABLE_CODE};
use crate::domain::rate_limit::DISCOUNT_TRIES_PER_CUSTOMER;
use crate::domain::{Event, EventKind, FieldError, Invalid, Order, OrderRequest, Principal, Timestamp};

pub async fn place(
    store: &(impl OrderStore + ProductStore + DiscountStore + RateLimiter),
    principal: &Principal,
    request: OrderRequest,
    now: Timestamp,
) -> Result<Order, OrdersError> {
    if request.discount_code().is_some() {
        let limit = DISCOUNT_TRIES_PER_CUSTOMER;
        if !limit.allows(store.hit(limit, &principal.subject, now).await?) {
            return Err(OrdersError::RateLimited { retry_after: limit.retry_after(now) });
        }
    }
    let ids: Vec<_> = request.lines().iter().map(|(id, _)| *id).collect();
    let products = store.get_many(&ids).await?;
    let discount = match request.discount_code() {
        Some(code) => DiscountStore::get(store, code).await?,
        None => None,
    };
    let order = Order::price(&request, &products, discount.as_ref(), &principal.subject, now).map_err(|e| match e {
        PricingError::Invalid(invalid) => invalid.into(),
        PricingError::OutOfStock { product_id, available } => OrdersError::OutOfStock { product_id, available },
    })?;
    let event = Event::new(EventKind::OrderPlaced { order_id: order.id }, now);
    let discount_refused = |message: &str| Invalid(vec![FieldError::new("discount_code", message)]).into();
    match store.place(&order, &event).await? {
        Placement::Placed => Ok(order),
        Placement::OutOfStock { product_id, available } => Err(OrdersError::OutOfStock { product_id, available }),
        Placement::ProductChanged { product_id } => Err(OrdersError::ProductChanged { product_id }),
        Placement::DiscountUsedUp | Placement::DiscountAlreadyUsed => Err(discount_refused(UNUSABLE_CODE)),
    }
}
