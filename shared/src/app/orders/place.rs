//! `POST /orders`: price the request from the catalog, then reserve stock, record
//! the order, count the discount and publish the event in one transaction.

use super::error::OrdersError;
use super::ports::{DiscountStore, OrderQuery, OrderScope, OrderStore, Placement};
use crate::app::accounts::ports::RateLimiter;
use crate::app::catalog::ports::ProductStore;
use crate::domain::order::{PricingError, UNUSABLE_CODE};
use crate::domain::rate_limit::DISCOUNT_TRIES_PER_CUSTOMER;
use crate::domain::{
    Event, EventKind, FieldError, Invalid, Order, OrderRequest, OrderStatus, Principal, RateLimit, Timestamp,
};

/// What one customer may hold and do, so nobody can tie up the stock in unpaid
/// orders (the line limit is each product's `max_per_order`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OrderPolicy {
    /// Orders awaiting payment one customer may have at once.
    pub max_open_orders: u32,
    /// Orders one customer may place per hour.
    pub orders_per_hour: u32,
}

impl OrderPolicy {
    /// template.yaml's defaults (`MaxOpenOrdersPerCustomer`, `OrdersPerCustomerPerHour`).
    pub const TEMPLATE_DEFAULTS: Self = Self { max_open_orders: 3, orders_per_hour: 30 };
}

pub async fn place(
    store: &(impl OrderStore + ProductStore + DiscountStore + RateLimiter),
    policy: &OrderPolicy,
    principal: &Principal,
    request: OrderRequest,
    now: Timestamp,
) -> Result<Order, OrdersError> {
    let per_hour = RateLimit { name: "orders-customer", max: policy.orders_per_hour, window_seconds: 60 * 60 };
    if let Some(retry_after) = store.over(per_hour, &principal.subject, now).await? {
        return Err(OrdersError::RateLimited { retry_after });
    }
    if open_orders(store, &principal.subject, policy.max_open_orders).await? >= policy.max_open_orders {
        return Err(OrdersError::TooManyOpenOrders { max: policy.max_open_orders });
    }
    if request.discount_code().is_some()
        && let Some(retry_after) = store.over(DISCOUNT_TRIES_PER_CUSTOMER, &principal.subject, now).await?
    {
        return Err(OrdersError::RateLimited { retry_after });
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

/// How many orders `customer` has awaiting payment, counting up to `enough`.
/// Two orders placed at the very same moment can both pass; the per-hour limit
/// bounds what that race can hold.
async fn open_orders(store: &impl OrderStore, customer: &str, enough: u32) -> Result<u32, OrdersError> {
    let mut query = OrderQuery {
        scope: OrderScope::Customer { customer: customer.to_owned(), status: Some(OrderStatus::PendingPayment) },
        from: None,
        to: None,
        limit: 100,
        cursor: None,
    };
    let mut count = 0;
    loop {
        let page = store.list(&query).await?;
        count += u32::try_from(page.items.len()).unwrap_or(u32::MAX);
        match page.next_cursor {
            Some(cursor) if count < enough => query.cursor = Some(cursor),
            _ => return Ok(count),
        }
    }
}
