//! In-memory fakes of every port, with the rules the adapters enforce (conditional
//! writes, versions, single-use tokens, transactions that write all or nothing), so
//! use cases are tested in milliseconds. `tests/store_contracts.rs` holds the
//! DynamoDB adapters and this fake to one contract; the other emulator suites
//! (`tests/accounts.rs`, `tests/orders.rs`, `tests/images.rs`) are the adapters'
//! contract tests for the rest.
//!
//! One struct plays the whole table, the bucket and the mail server, because the
//! use cases take one store that implements several ports (as `Table` does).

#![allow(dead_code)] // each test binary uses a different part

mod accounts;
mod carts;
mod catalog;
mod checkout;
pub mod exports;
mod idempotency;
mod notifications;
mod orders;
pub mod payments;
mod stats;
pub mod webhooks;

use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, HashMap, HashSet};
use tillbox::app::idempotency::IdempotencyRecord;
use tillbox::app::notifications::Mail;
use tillbox::app::webhooks::ports::DeliveryJob;
use tillbox::domain::{
    AuditRecord, Discount, Email, Event, EventId, ImageId, OneTimeToken, Order, OrderId, Payment, Product, ProductId,
    RefreshToken, Refund, Session, SessionId, Upload, User, UserId,
};
use tillbox::domain::{Delivery, WebhookEndpoint, WebhookEndpointId};

#[derive(Default)]
pub struct MemoryShop {
    pub products: RefCell<BTreeMap<ProductId, Product>>,
    pub carts: RefCell<BTreeMap<tillbox::domain::CartId, tillbox::domain::Cart>>,
    /// Each customer's open cart.
    pub open_carts: RefCell<HashMap<String, tillbox::domain::CartId>>,
    pub uploads: RefCell<BTreeMap<(ProductId, ImageId), Upload>>,
    /// The bucket: key → (bytes, content type).
    pub files: RefCell<BTreeMap<String, (Vec<u8>, String)>>,
    pub orders: RefCell<BTreeMap<OrderId, Order>>,
    pub discounts: RefCell<BTreeMap<String, Discount>>,
    /// (code, customer) for once-per-customer codes.
    pub customer_uses: RefCell<HashSet<(String, String)>>,
    pub users: RefCell<BTreeMap<UserId, User>>,
    /// The e-mail claims: one account per address.
    pub emails: RefCell<HashMap<Email, UserId>>,
    pub sessions: RefCell<BTreeMap<SessionId, Session>>,
    /// Refresh tokens by hash.
    pub refresh_tokens: RefCell<HashMap<String, RefreshToken>>,
    /// One-time tokens by hash.
    pub one_time_tokens: RefCell<HashMap<String, OneTimeToken>>,
    /// Rate counters by (limit name, key, window start).
    pub rate_hits: RefCell<HashMap<(&'static str, String, i64), u32>>,
    /// Idempotency records by (caller, key).
    pub idempotency: RefCell<HashMap<(String, String), IdempotencyRecord>>,
    /// Payments by (order, attempt).
    pub payments: RefCell<BTreeMap<(OrderId, u32), Payment>>,
    /// Refunds by (order, refund id).
    pub refunds: RefCell<BTreeMap<(OrderId, String), Refund>>,
    /// (provider, event id) of the webhooks seen.
    pub webhooks_seen: RefCell<HashSet<(&'static str, String)>>,
    /// The payments queue's messages.
    pub payment_queue: RefCell<Vec<String>>,
    /// Makes the payments queue refuse messages.
    pub queue_down: Cell<bool>,
    /// (consumer, event) pairs handled.
    pub deliveries: RefCell<HashSet<(String, EventId)>>,
    /// The outbox: every event written, in order.
    pub events: RefCell<Vec<Event>>,
    pub audits: RefCell<Vec<AuditRecord>>,
    /// Every e-mail sent, in order.
    pub mail: RefCell<Vec<(Email, Mail)>>,
    pub webhook_endpoints: RefCell<BTreeMap<WebhookEndpointId, WebhookEndpoint>>,
    pub webhook_deliveries: RefCell<BTreeMap<(WebhookEndpointId, EventId), Delivery>>,
    /// The webhooks queue: each job and the delay it was sent with.
    pub webhook_queue: RefCell<Vec<(DeliveryJob, time::Duration)>>,
    pub exports: RefCell<BTreeMap<tillbox::domain::ExportId, tillbox::domain::OrderExport>>,
    /// Every save of an export, in order (its progress).
    pub export_saves: RefCell<Vec<tillbox::domain::OrderExport>>,
    /// Multipart uploads in progress, by upload id.
    pub multipart: RefCell<HashMap<String, exports::Upload>>,
    /// Makes writing a part of an upload fail.
    pub parts_fail: Cell<bool>,
    /// The daily sales counters.
    pub sales: RefCell<BTreeMap<time::Date, tillbox::domain::stats::SalesCounts>>,
    pub shipping_zones: RefCell<tillbox::domain::shipping::ShippingZones>,
    pub tax_settings: RefCell<tillbox::domain::tax::TaxSettings>,
    /// The document sequences' last numbers, by name.
    pub counters: RefCell<HashMap<&'static str, u64>>,
    /// Credit-note numbers by (order, refund).
    pub credit_notes: RefCell<HashMap<(OrderId, String), u64>>,
}

impl MemoryShop {
    /// The stock of a product sold one way.
    pub fn stock_of(&self, id: ProductId) -> u32 {
        self.products.borrow()[&id].sole_variant().expect("a product sold one way").stock
    }

    pub fn uses_of(&self, code: &str) -> u32 {
        self.discounts.borrow()[code].uses
    }

    pub fn event_names(&self) -> Vec<&'static str> {
        self.events.borrow().iter().map(|e| e.kind.name()).collect()
    }

    pub fn user_by_email(&self, address: &str) -> Option<User> {
        let email = Email::parse(address).ok()?;
        let id = *self.emails.borrow().get(&email)?;
        self.users.borrow().get(&id).cloned()
    }

    /// Subjects of the mail sent to `address`, oldest first.
    pub fn subjects_to(&self, address: &str) -> Vec<String> {
        self.mail.borrow().iter().filter(|(to, _)| to.as_str() == address).map(|(_, m)| m.subject.clone()).collect()
    }
}
