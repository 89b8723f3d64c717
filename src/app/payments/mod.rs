//! Payments: opening a payment with the provider for an order, and acting on what
//! the provider reports back (taken, declined) exactly once, in any order.
//!
//! Nothing here knows Stripe: the provider is the [`ports::PaymentGateway`] port,
//! and its webhook events arrive already parsed into [`ProviderEvent`]s by
//! [`crate::inbound::events::stripe`].

mod error;
pub mod ports;
mod refund;
mod settle;
mod start;
mod webhook;

pub use error::PaymentsError;
pub use refund::refund;
pub use settle::{Outcome, settle};
pub use start::{OpenedPayment, start};
pub use webhook::{Receipt, receive};

use crate::domain::OrderId;

/// One event from the provider, identified by the provider's event id (the key
/// duplicates are recognised by).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderEvent {
    pub id: String,
    pub event: PaymentEvent,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PaymentEvent {
    /// The provider took `amount` minor units of `currency` (upper case).
    Succeeded { order_id: OrderId, provider_id: String, amount: i64, currency: String },
    /// An attempt was declined; the customer may try again.
    Failed { order_id: OrderId, provider_id: String, reason: String },
    /// Not an event Tillbox acts on, or not about an order of this shop.
    Ignored,
}
