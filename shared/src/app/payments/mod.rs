//! Payments: opening a payment with the provider for an order, and acting on what
//! the provider reports back (taken, declined) exactly once, in any order.
//!
//! Nothing here knows Stripe: the provider is the [`ports::PaymentGateway`] port,
//! and its webhook events arrive already parsed into [`ProviderEvent`]s by
//! [`crate::inbound::events::stripe`].

mod ended;
mod error;
mod events;
pub mod ports;
mod refund;
mod settle;
mod start;
mod webhook;

pub use ended::order_ended;
pub use error::PaymentsError;
pub use events::{PaymentEvent, ProviderEvent};
pub use refund::{Refunded, refund};
pub use settle::{Outcome, settle};
pub use start::{OpenedPayment, start};
pub use webhook::{Receipt, receive};
