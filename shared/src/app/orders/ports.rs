//! What orders need from storage, one trait per capability.

use crate::app::store::{Page, StoreError};
use crate::domain::{
    AuditRecord, Cart, Discount, DiscountCode, Event, Order, OrderId, OrderStatus, ProductId, Timestamp, VariantId,
};
use std::future::Future;

/// Why [`OrderStore::place`] wrote nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Placement {
    Placed,
    /// The variant has fewer than the line's quantity left (`available` as stored).
    OutOfStock {
        product_id: ProductId,
        variant_id: VariantId,
        available: u32,
    },
    /// The product left sale or changed price since the order was priced.
    ProductChanged {
        product_id: ProductId,
    },
    /// The code reached its usage limit or was deactivated meanwhile.
    DiscountUsedUp,
    /// A once-per-customer code this customer has used already.
    DiscountAlreadyUsed,
    /// The customer holds the most orders awaiting payment they may.
    TooManyOpenOrders,
    /// The cart being checked out changed or closed meanwhile.
    CartChanged,
}

/// The cart an order is placed from, closed in the same transaction: written as
/// `next` only while it is still at `previous.version`.
#[derive(Debug, Clone, Copy)]
pub struct CartClose<'a> {
    pub previous: &'a Cart,
    pub next: &'a Cart,
}

/// One atomic move of an order, with everything it implies, or nothing.
#[derive(Debug, Clone, Copy)]
pub struct OrderChange<'a> {
    /// The version the change was computed from; the write fails with
    /// [`StoreError::VersionMismatch`] if the stored order moved on.
    pub previous: &'a Order,
    pub next: &'a Order,
    /// Put the reserved stock and the discount use back (a cancel).
    pub release: bool,
    pub event: &'a Event,
    pub audit: Option<&'a AuditRecord>,
}

/// Which orders to list: one partition, optionally narrowed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderQuery {
    pub scope: OrderScope,
    /// Created at or after.
    pub from: Option<Timestamp>,
    /// Created before.
    pub to: Option<Timestamp>,
    pub limit: u16,
    pub cursor: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OrderScope {
    /// One customer's orders, optionally of one status.
    Customer { customer: String, status: Option<OrderStatus> },
    /// Every order in a status.
    Status(OrderStatus),
}

pub trait OrderStore {
    /// In one transaction: per line a stock decrement that holds only while the
    /// product is on sale at the price the order used and has the quantity left;
    /// the order, counted among its customer's orders awaiting payment while they
    /// hold fewer than `max_open_orders`; the discount's use, under its limit and
    /// once per customer when the code says so; `event`; and the cart it was
    /// checked out from, closed, if any.
    fn place(
        &self,
        order: &Order,
        event: &Event,
        max_open_orders: u32,
        cart: Option<CartClose<'_>>,
    ) -> impl Future<Output = Result<Placement, StoreError>>;
    fn get(&self, id: OrderId) -> impl Future<Output = Result<Option<Order>, StoreError>>;
    /// An order that stops awaiting payment (paid, cancelled, expired) stops
    /// counting against its customer's open orders in the same write.
    fn change(&self, change: OrderChange<'_>) -> impl Future<Output = Result<(), StoreError>>;
    /// Newest first.
    fn list(&self, query: &OrderQuery) -> impl Future<Output = Result<Page<Order>, StoreError>>;
    /// Stores `next` (the same order with another customer) if the order is
    /// still at `previous.version` ([`StoreError::VersionMismatch`] otherwise).
    fn reassign(&self, previous: &Order, next: &Order) -> impl Future<Output = Result<(), StoreError>>;
}

pub trait DiscountStore {
    /// `Ok(false)` when the code exists already: nothing was written.
    fn create(&self, discount: &Discount, audit: &AuditRecord) -> impl Future<Output = Result<bool, StoreError>>;
    fn get(&self, code: &DiscountCode) -> impl Future<Output = Result<Option<Discount>, StoreError>>;
    /// Writes `next`'s settings if the stored version is still `previous.version`.
    /// Never writes `uses`: orders count those concurrently.
    fn update(
        &self,
        previous: &Discount,
        next: &Discount,
        audit: &AuditRecord,
    ) -> impl Future<Output = Result<(), StoreError>>;
    /// Newest first.
    fn list(&self, limit: u16, cursor: Option<&str>) -> impl Future<Output = Result<Page<Discount>, StoreError>>;
}
