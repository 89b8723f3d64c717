//! `POST /orders`: price the request from the catalog, then reserve stock, record
//! the order, count it among the customer's unpaid orders, count the discount and
//! publish the event in one transaction.

use super::error::OrdersError;
use super::ports::{CartClose, DiscountStore, OrderStore, Placement};
use crate::app::accounts::ports::RateLimiter;
use crate::app::catalog::ports::ProductStore;
use crate::app::checkout::{CheckoutPricing, charge};
use crate::domain::order::{PricingError, UNUSABLE_CODE, is_guest_customer};
use crate::domain::rate_limit::DISCOUNT_TRIES_PER_CUSTOMER;
use crate::domain::{
    Cart, Event, EventKind, FieldError, Invalid, Order, OrderRequest, Principal, RateLimit, Timestamp,
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
    /// The largest `max_open_orders` (the template's `MaxValue`): the store keeps a
    /// customer's open order ids in one item, which this keeps far below
    /// DynamoDB's 400 KB.
    pub const MOST_OPEN_ORDERS: u32 = 1000;
}

/// Every port placing an order reads or writes.
pub trait PlacingStore: OrderStore + ProductStore + DiscountStore + RateLimiter + CheckoutPricing {}

impl<T: OrderStore + ProductStore + DiscountStore + RateLimiter + CheckoutPricing> PlacingStore for T {}

pub async fn place(
    store: &impl PlacingStore,
    policy: &OrderPolicy,
    principal: &Principal,
    request: OrderRequest,
    now: Timestamp,
) -> Result<Order, OrdersError> {
    place_from(store, policy, principal, request, None, now).await
}

/// [`place`], closing `cart` (checked out as the order) in the same transaction.
pub(crate) async fn place_from(
    store: &impl PlacingStore,
    policy: &OrderPolicy,
    principal: &Principal,
    request: OrderRequest,
    cart: Option<&Cart>,
    now: Timestamp,
) -> Result<Order, OrdersError> {
    let per_hour = RateLimit { name: "orders-customer", max: policy.orders_per_hour, window_seconds: 60 * 60 };
    if let Some(retry_after) = store.over(per_hour, &principal.subject, now).await? {
        return Err(OrdersError::RateLimited { retry_after });
    }
    if request.discount_code().is_some()
        && let Some(retry_after) = store.over(DISCOUNT_TRIES_PER_CUSTOMER, &principal.subject, now).await?
    {
        return Err(OrdersError::RateLimited { retry_after });
    }
    let products = store.get_many(&request.product_ids()).await?;
    let discount = match request.discount_code() {
        Some(code) => DiscountStore::get(store, code).await?,
        None => None,
    };
    // A guest's identity is an address they typed: a code once per customer
    // needs an account, or new addresses would use it again and again.
    if discount.as_ref().is_some_and(|d| d.once_per_customer) && is_guest_customer(&principal.subject) {
        let message = "is once per customer: sign in to use it";
        return Err(Invalid(vec![FieldError::new("discount_code", message)]).into());
    }
    let order = Order::price(&request, &products, discount.as_ref(), &principal.subject, now).map_err(|e| match e {
        PricingError::Invalid(invalid) => invalid.into(),
        PricingError::OutOfStock { product_id, variant_id, available } => {
            OrdersError::OutOfStock { product_id, variant_id, available }
        }
    })?;
    let order = charge(store, order, request.delivery()).await?;
    let event = Event::new(EventKind::OrderPlaced { order_id: order.id }, now);
    let discount_refused = |message: &str| Invalid(vec![FieldError::new("discount_code", message)]).into();
    let closed = cart.map(|cart| cart.checked_out(order.id, now));
    let close = cart.zip(closed.as_ref()).map(|(previous, next)| CartClose { previous, next });
    match store.place(&order, &event, policy.max_open_orders, close).await? {
        Placement::Placed => Ok(order),
        Placement::OutOfStock { product_id, variant_id, available } => {
            Err(OrdersError::OutOfStock { product_id, variant_id, available })
        }
        Placement::ProductChanged { product_id } => Err(OrdersError::ProductChanged { product_id }),
        Placement::DiscountUsedUp | Placement::DiscountAlreadyUsed => Err(discount_refused(UNUSABLE_CODE)),
        Placement::TooManyOpenOrders => Err(OrdersError::TooManyOpenOrders { max: policy.max_open_orders }),
        Placement::CartChanged => Err(OrdersError::CartChanged),
    }
}
