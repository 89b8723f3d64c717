//! What the payment provider reports, already parsed by the inbound adapter.

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
    /// The provider has given back `refunded_total` minor units of the payment so
    /// far (Tillbox's refunds, and any made in the provider's dashboard).
    /// `order_id` is `None` when the event does not name it: the provider is asked.
    RefundedAtProvider { order_id: Option<OrderId>, provider_id: String, refunded_total: i64 },
    /// A refund failed or was cancelled at the provider: the money did not go back.
    RefundFailed { order_id: Option<OrderId>, provider_id: String, refund: String, amount: i64, status: String },
    /// The customer's bank disputes the payment (a chargeback).
    Disputed { order_id: Option<OrderId>, provider_id: String, amount: i64, reason: String },
    /// The dispute closed with the provider's `status`: `lost` means the bank
    /// kept `amount`; anything else (`won`, `warning_closed`) that it did not.
    DisputeClosed { order_id: Option<OrderId>, provider_id: String, status: String, amount: i64 },
    /// Not an event Tillbox acts on, or not about an order of this shop.
    Ignored,
}
