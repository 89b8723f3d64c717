//! Key design of the single table. Every item has `PK` and `SK`; items that must be
//! listed also carry the overloaded `GSI1PK/GSI1SK` or `GSI2PK/GSI2SK`.

use crate::domain::live::ConnectionId;
use crate::domain::{
    CartId, Category, DiscountCode, Email, EventId, ExportId, ImageId, OrderId, OrderStatus, Product, ProductId,
    ProductStatus, ReturnId, SessionId, Sku, Timestamp, UserId, WebhookEndpointId, format_timestamp,
};

pub const PK: &str = "PK";
pub const SK: &str = "SK";
pub const GSI1: &str = "GSI1";
pub const GSI1PK: &str = "GSI1PK";
pub const GSI1SK: &str = "GSI1SK";
pub const GSI2: &str = "GSI2";
pub const GSI2PK: &str = "GSI2PK";
pub const GSI2SK: &str = "GSI2SK";
/// Epoch seconds; the table's TTL attribute. DynamoDB deletes lazily, so readers
/// must still treat expired items as absent.
pub const EXPIRES_AT: &str = "expires_at";

pub const PRODUCT_PREFIX: &str = "PRODUCT#";
pub fn product_pk(id: ProductId) -> String {
    format!("{PRODUCT_PREFIX}{id}")
}
pub const PRODUCT_SK: &str = "PRODUCT";

/// One item per SKU makes uniqueness a conditional put.
pub fn sku_pk(sku: &Sku) -> String {
    format!("SKU#{}", sku.as_str())
}
pub const SKU_SK: &str = "SKU";

/// Uploads live in their product's item collection.
pub fn upload_sk(image: ImageId) -> String {
    format!("UPLOAD#{image}")
}

/// GSI1: all products of a status, newest first.
pub fn products_by_status(status: ProductStatus) -> String {
    format!("PRODUCTS#{}", status.as_str())
}

/// GSI2: products of a status within one category, newest first.
pub fn products_by_category(status: ProductStatus, category: &Category) -> String {
    format!("PRODUCTS#{}#CATEGORY#{}", status.as_str(), category.as_str())
}

/// Sort key for "newest first" listings; the id breaks ties between equal times.
pub fn created_sort_key(created_at: Timestamp, id: impl std::fmt::Display) -> String {
    format!("{}#{id}", format_timestamp(created_at))
}

/// The index keys a product carries in its current state.
pub fn product_index_keys(product: &Product) -> Vec<(&'static str, String)> {
    let sort = created_sort_key(product.created_at, product.id);
    let mut keys = vec![(GSI1PK, products_by_status(product.status)), (GSI1SK, sort.clone())];
    if let Some(category) = &product.category {
        keys.push((GSI2PK, products_by_category(product.status, category)));
        keys.push((GSI2SK, sort));
    }
    keys
}

/// A WebSocket connection's partition: the connection and what it follows.
pub fn live_pk(connection: &ConnectionId) -> String {
    format!("LIVE#{connection}")
}
pub const LIVE_CONNECTION_SK: &str = "CONNECTION";

pub fn live_topic_sk(topic: &str) -> String {
    format!("TOPIC#{topic}")
}

/// GSI1: the connections following one topic (`order:{id}`, `feed`).
pub fn live_followers(topic: &str) -> String {
    format!("LIVE#TOPIC#{topic}")
}

pub fn user_pk(id: UserId) -> String {
    format!("USER#{id}")
}
pub const USER_SK: &str = "PROFILE";
/// GSI1 partition listing every user, oldest first.
pub const USERS: &str = "USERS";

/// One item per address makes uniqueness a conditional put.
pub fn email_pk(email: &Email) -> String {
    format!("EMAIL#{}", email.as_str())
}
pub const EMAIL_SK: &str = "EMAIL";

pub fn session_pk(id: SessionId) -> String {
    format!("SESSION#{id}")
}
pub const SESSION_SK: &str = "SESSION";

pub fn refresh_pk(hash: &str) -> String {
    format!("REFRESH#{hash}")
}
pub const REFRESH_SK: &str = "REFRESH";

pub fn one_time_token_pk(hash: &str) -> String {
    format!("TOKEN#{hash}")
}
pub const ONE_TIME_TOKEN_SK: &str = "TOKEN";

pub fn rate_pk(limit: &str, key: &str, window_start: i64) -> String {
    format!("RATE#{limit}#{key}#{window_start}")
}
pub const RATE_SK: &str = "RATE";

pub fn outbox_pk(id: EventId) -> String {
    format!("OUTBOX#{id}")
}
pub const OUTBOX_PREFIX: &str = "OUTBOX#";
pub const OUTBOX_SK: &str = "OUTBOX";

/// GSI1: the day's events, for re-publishing after an outage.
pub fn outbox_by_day(at: Timestamp) -> String {
    outbox_day_pk(at.to_offset(time::UtcOffset::UTC).date())
}

pub fn outbox_day_pk(day: time::Date) -> String {
    format!("OUTBOX#{day}")
}

/// A re-published copy of an event: a new item, so a new INSERT on the stream;
/// without index keys, so it is never listed (nor re-published) itself.
pub fn outbox_copy_pk(event: EventId, republished_at: Timestamp) -> String {
    format!("OUTBOX#{event}#republished-{}", republished_at.unix_timestamp_nanos() / 1_000)
}

pub fn delivery_pk(consumer: &str, event: EventId) -> String {
    format!("DELIVERY#{consumer}#{event}")
}
pub const DELIVERY_SK: &str = "DELIVERY";

/// Every audit item's partition key starts so (and no other item's does).
pub const AUDIT_PREFIX: &str = "AUDIT#";

/// One partition per day keeps the trail listable by date.
pub fn audit_pk(at: Timestamp) -> String {
    audit_day_pk(at.date())
}

pub fn audit_day_pk(day: time::Date) -> String {
    format!("{AUDIT_PREFIX}{day}")
}

/// GSI1: everything one actor did.
pub fn audit_by_actor(actor: &str) -> String {
    format!("AUDIT#ACTOR#{actor}")
}

pub fn order_pk(id: OrderId) -> String {
    format!("ORDER#{id}")
}
pub const ORDER_SK: &str = "ORDER";

/// GSI1: one customer's orders, newest first.
pub fn orders_of_customer(customer: &str) -> String {
    format!("CUSTOMER#{customer}")
}

/// The ids of one customer's orders awaiting payment: placing an order adds to
/// it under the limit, in the order's own transaction, so the limit holds however
/// many orders race, and no request reads the customer's order list for it.
pub fn open_orders_pk(customer: &str) -> String {
    format!("CUSTOMER#{customer}")
}
pub const OPEN_ORDERS_SK: &str = "OPEN_ORDERS";

pub fn cart_pk(id: CartId) -> String {
    format!("CART#{id}")
}
pub const CART_SK: &str = "CART";
/// A customer's open cart: the id of the cart `POST /carts` returns them.
pub const OPEN_CART_SK: &str = "CART";
/// GSI2: carts that may become abandoned (open, with lines and an address, never
/// reported), by when they last changed.
pub const IDLE_CARTS: &str = "CARTS#IDLE";

/// GSI2: every order in a status, by date (staff listings, the expiry job).
pub fn orders_by_status(status: OrderStatus) -> String {
    format!("ORDERS#{}", status.as_str())
}

/// Payments live in their order's partition, one item per attempt.
pub fn payment_sk(attempt: u32) -> String {
    format!("PAYMENT#{attempt:03}")
}

/// Refunds live in their order's partition too, one item per refund.
pub fn refund_sk(refund_id: &str) -> String {
    format!("REFUND#{refund_id}")
}

pub fn webhook_pk(provider: &str, event_id: &str) -> String {
    format!("WEBHOOK#{provider}#{event_id}")
}
pub const WEBHOOK_SK: &str = "WEBHOOK";

pub fn discount_pk(code: &DiscountCode) -> String {
    format!("DISCOUNT#{}", code.as_str())
}
pub const DISCOUNT_SK: &str = "DISCOUNT";
/// GSI1 partition listing every discount code, newest first.
pub const DISCOUNTS: &str = "DISCOUNTS";

/// A customer's use of a once-per-customer code, in the code's item collection.
pub fn discount_use_sk(customer: &str) -> String {
    format!("USE#{customer}")
}

/// Keys are per caller, so two customers' keys never collide.
pub fn idempotency_pk(caller: &str, key: &str) -> String {
    format!("IDEMPOTENCY#{caller}#{key}")
}
pub const IDEMPOTENCY_SK: &str = "IDEMPOTENCY";

pub fn export_pk(id: ExportId) -> String {
    format!("EXPORT#{id}")
}
pub const EXPORT_SK: &str = "EXPORT";

/// One partition per day: the day's counters and one item per product sold.
pub fn stats_pk(day: time::Date) -> String {
    format!("STATS#{day}")
}
pub const STATS_DAY_SK: &str = "DAY";
pub const STATS_PRODUCT_PREFIX: &str = "PRODUCT#";

pub fn stats_product_sk(currency: &str, product: ProductId) -> String {
    format!("{STATS_PRODUCT_PREFIX}{currency}#{product}")
}

/// An outgoing-webhook endpoint and its deliveries share a partition.
pub fn hook_pk(id: WebhookEndpointId) -> String {
    format!("HOOK#{id}")
}
pub const HOOK_SK: &str = "ENDPOINT";
/// GSI1 partition listing every endpoint, oldest first.
pub const HOOKS: &str = "HOOKS";

pub fn hook_delivery_sk(event: EventId) -> String {
    format!("DELIVERY#{event}")
}

/// GSI1: one endpoint's deliveries, newest first.
pub fn hook_deliveries(id: WebhookEndpointId) -> String {
    format!("HOOK#{id}#DELIVERIES")
}

/// The shop's shipping zones: one item, replaced whole at its version.
pub const SHIPPING_ZONES_PK: &str = "SETTINGS#SHIPPING";
/// The shop's tax settings: one item, replaced whole at its version.
pub const TAX_SETTINGS_PK: &str = "SETTINGS#TAX";
pub const SETTINGS_SK: &str = "SETTINGS";

/// A return of an order, beside it: `ORDER#<id>` / `RETURN#<return id>`.
pub const RETURN_PREFIX: &str = "RETURN#";
pub fn return_sk(id: ReturnId) -> String {
    format!("{RETURN_PREFIX}{id}")
}
/// How many returns an order has, beside it: the condition that keeps two
/// return requests from claiming the same units.
pub const RETURNS_SK: &str = "RETURNS";

/// The shop's gapless document sequences: `COUNTER#INVOICE` and
/// `COUNTER#CREDIT_NOTE`, each holding the last number given.
pub const INVOICE_COUNTER_PK: &str = "COUNTER#INVOICE";
pub const CREDIT_NOTE_COUNTER_PK: &str = "COUNTER#CREDIT_NOTE";
pub const COUNTER_SK: &str = "COUNTER";

/// A customer's address book, beside their account: `USER#<subject>` / `ADDRESSES`.
pub fn address_book_pk(owner: &str) -> String {
    format!("USER#{owner}")
}
pub const ADDRESS_BOOK_SK: &str = "ADDRESSES";
