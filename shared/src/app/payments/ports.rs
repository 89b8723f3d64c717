//! What payments need: the provider, and storage for payments and for the
//! provider's event ids.

use crate::app::store::StoreError;
use crate::domain::{AuditRecord, Currency, Event, Order, OrderId, Payment, Provider, Refund};
use std::future::Future;

/// What the provider is asked to collect for one attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IntentRequest {
    pub order_id: OrderId,
    pub attempt: u32,
    pub amount: i64,
    pub currency: Currency,
    /// The same for every retry of this attempt ([`Payment::idempotency_key`]).
    pub idempotency_key: String,
}

/// A payment open at the provider, as a storefront needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Intent {
    pub provider_id: String,
    /// Lets the storefront confirm this payment (Stripe.js); not a credential
    /// for anything else.
    pub client_secret: String,
    /// The order it pays, as Tillbox told the provider (`None`: not Tillbox's).
    pub order_id: Option<OrderId>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProviderError {
    /// Network, timeouts, 429 and 5xx: the outcome is unknown; retry, and let the
    /// provider's events decide.
    #[error("the payment provider is unavailable: {0}")]
    Unavailable(String),
    /// The provider refused the request (4xx) and will refuse it again.
    #[error("the payment provider refused the request: {0}")]
    Refused(String),
}

/// The payment provider (Stripe).
pub trait PaymentGateway {
    fn provider(&self) -> Provider;
    /// The key a storefront loads the provider's client library with.
    fn publishable_key(&self) -> &str;
    /// Creates the payment, or returns the one created with the same idempotency key.
    fn create_intent(&self, request: &IntentRequest) -> impl Future<Output = Result<Intent, ProviderError>>;
    fn intent(&self, provider_id: &str) -> impl Future<Output = Result<Intent, ProviderError>>;
    /// Cancels a payment the customer has not paid, so it can no longer be paid.
    /// `Ok(false)`: the provider refuses because it is paid or being paid (its
    /// own report of that follows); `Ok(true)` also when it was cancelled before.
    fn cancel_intent(&self, provider_id: &str) -> impl Future<Output = Result<bool, ProviderError>>;
    /// Gives `amount` minor units of the payment back. Repeating it with the same
    /// `idempotency_key` refunds once.
    fn refund(
        &self,
        provider_id: &str,
        amount: i64,
        idempotency_key: &str,
    ) -> impl Future<Output = Result<(), ProviderError>>;
}

/// One atomic change to a payment, with its audit record and event, or nothing.
#[derive(Debug, Clone, Copy)]
pub struct PaymentChange<'a> {
    /// Fails with [`StoreError::VersionMismatch`] if the stored payment moved on.
    pub previous: &'a Payment,
    pub next: &'a Payment,
    /// The order moved with it (previous, next): e.g. held while its payment is
    /// disputed. Fails with [`StoreError::VersionMismatch`] if the order moved on.
    pub order: Option<(&'a Order, &'a Order)>,
    pub audit: Option<&'a AuditRecord>,
    pub event: Option<&'a Event>,
}

pub trait PaymentStore {
    fn payment(&self, order_id: OrderId, attempt: u32) -> impl Future<Output = Result<Option<Payment>, StoreError>>;
    /// Stores a new payment; `Ok(false)` when the attempt has one already.
    fn open(&self, payment: &Payment) -> impl Future<Output = Result<bool, StoreError>>;
    fn change(&self, change: PaymentChange<'_>) -> impl Future<Output = Result<(), StoreError>>;
}

/// The provider's event ids already queued, so a redelivered webhook is
/// acknowledged without being queued again. Ids are forgotten after a retention
/// period longer than the provider's retries (Stripe: 3 days).
pub trait WebhookInbox {
    /// Whether `event_id` was queued (and is still remembered at `now`).
    fn seen(
        &self,
        provider: Provider,
        event_id: &str,
        now: crate::domain::Timestamp,
    ) -> impl Future<Output = Result<bool, StoreError>>;
    /// Remembers `event_id` as queued.
    fn remember(
        &self,
        provider: Provider,
        event_id: &str,
        now: crate::domain::Timestamp,
    ) -> impl Future<Output = Result<(), StoreError>>;
}

/// The `payments` queue: verified provider events, in the provider's own format,
/// waiting for the payments job.
pub trait PaymentQueue {
    fn enqueue(&self, body: &str) -> impl Future<Output = Result<(), StoreError>>;
}

/// A refund recorded together with what it does to the order, or nothing.
#[derive(Debug, Clone, Copy)]
pub struct RefundRecord<'a> {
    /// Fails with [`StoreError::VersionMismatch`] if the stored order moved on:
    /// the refundable balance it was checked against is no longer current.
    pub previous: &'a Order,
    pub next: &'a Order,
    /// Put only if no refund with its id exists.
    pub refund: &'a Refund,
    pub audit: &'a AuditRecord,
    /// `order.refunded`, when the refund is complete as recorded (manual payments).
    pub event: Option<&'a Event>,
}

pub trait RefundStore {
    fn refund(&self, order_id: OrderId, refund_id: &str) -> impl Future<Output = Result<Option<Refund>, StoreError>>;
    /// In one transaction: the order at its version, the new refund, and each
    /// restocked product's stock increased.
    fn record_refund(&self, record: RefundRecord<'_>) -> impl Future<Output = Result<(), StoreError>>;
    /// Undoes a pending refund the provider refused, in one transaction: the
    /// order at its version (`record.next` gives the balance back), the refund
    /// marked failed (only while pending), and the audit record.
    fn fail_refund(&self, record: RefundRecord<'_>) -> impl Future<Output = Result<(), StoreError>>;
    /// Marks a pending refund done, with its `order.refunded` event; `Ok(false)`
    /// if it was done already.
    fn complete_refund(&self, refund: &Refund, event: &Event) -> impl Future<Output = Result<bool, StoreError>>;
}
