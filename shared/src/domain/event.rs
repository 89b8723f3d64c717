//! Domain events: facts other parts of Tillbox react to. They are written to the
//! outbox in the same transaction as the change they describe (`docs/events.md`).

use super::id::{CartId, EventId, ExportId, OrderId, ProductId, ReturnId, UserId, VariantId, WebhookEndpointId};
use super::timestamp::Timestamp;
use super::user::Email;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", content = "data")]
pub enum EventKind {
    /// A new account: its address needs verifying.
    #[serde(rename = "user.signed_up")]
    UserSignedUp { user_id: UserId },
    /// Someone signed up with an address that already has an account. The owner
    /// is told (or re-sent a verification link), and the caller learns nothing.
    #[serde(rename = "user.signup_repeated")]
    SignupRepeated { user_id: UserId },
    /// Someone asked to reset the password of `email`, which may have no account:
    /// the request is answered, and this event published, the same either way,
    /// so neither the answer nor its timing tells whether the address is known.
    #[serde(rename = "user.password_reset_requested")]
    PasswordResetRequested { email: Email },
    /// Stock is reserved; payment is awaited.
    #[serde(rename = "order.placed")]
    OrderPlaced { order_id: OrderId },
    /// The customer gets the order confirmation.
    #[serde(rename = "order.paid")]
    OrderPaid { order_id: OrderId },
    /// The customer gets the shipping notice with the tracking number.
    #[serde(rename = "order.fulfilled")]
    OrderFulfilled { order_id: OrderId },
    /// Stock is released; the customer is told.
    #[serde(rename = "order.cancelled")]
    OrderCancelled { order_id: OrderId },
    /// Money went back to the customer (staff refunded, a refund made in the
    /// provider's dashboard, or a payment that landed on a cancelled order); the
    /// customer is told.
    #[serde(rename = "order.refunded")]
    OrderRefunded {
        order_id: OrderId,
        /// This refund, in minor units of the order's currency. Events written
        /// before it was recorded read as 0.
        #[serde(default)]
        amount: i64,
        /// A payment the order did not take (it landed on a cancelled or
        /// already-paid order) went back whole: never revenue, so never counted
        /// as a refund of it either.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        surplus: bool,
        /// The order's refund record (its credit note is printed from it);
        /// absent for a surplus payment given back, and in older events.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        refund_id: Option<String>,
    },
    /// The customer's bank disputes the payment; staff are told.
    #[serde(rename = "order.disputed")]
    OrderDisputed { order_id: OrderId },
    /// Tillbox stopped delivering to a webhook endpoint (it answered 410 Gone, or
    /// failed for days); staff are told.
    #[serde(rename = "webhook.endpoint_disabled")]
    WebhookEndpointDisabled { endpoint_id: WebhookEndpointId },
    /// A delivery to a webhook endpoint failed its last scheduled attempt: the
    /// receiver missed `event_id` (redeliverable from the dashboard); staff see
    /// it on the live feed.
    #[serde(rename = "webhook.delivery_failed")]
    WebhookDeliveryFailed { endpoint_id: WebhookEndpointId, event_id: EventId, attempts: u32 },
    /// Staff created a product.
    #[serde(rename = "product.created")]
    ProductCreated { product_id: ProductId },
    /// Staff changed a product or one of its variants (name, prices, stock set
    /// by hand, options); orders taking stock and images attached do not publish it.
    #[serde(rename = "product.updated")]
    ProductUpdated { product_id: ProductId },
    /// Staff took a product off sale.
    #[serde(rename = "product.archived")]
    ProductArchived { product_id: ProductId },
    /// A variant's stock fell below its `low_stock_threshold`; staff are told.
    #[serde(rename = "inventory.low")]
    InventoryLow { product_id: ProductId, variant_id: VariantId, sku: String, stock: u32, threshold: u32 },
    /// A cart with lines and a known address was left untouched for
    /// `AbandonedCartHours` and never checked out (published once per cart); its
    /// holder may get a reminder.
    #[serde(rename = "cart.abandoned")]
    CartAbandoned { cart_id: CartId },
    /// A customer (or staff for them) asked to send units of an order back.
    #[serde(rename = "return.requested")]
    ReturnRequested { order_id: OrderId, return_id: ReturnId },
    /// Staff accepted a return: the customer may send the goods.
    #[serde(rename = "return.approved")]
    ReturnApproved { order_id: OrderId, return_id: ReturnId },
    /// Staff refused a return (its `note` says why).
    #[serde(rename = "return.rejected")]
    ReturnRejected { order_id: OrderId, return_id: ReturnId },
    /// The returned goods arrived: back in stock, and refunded (`order.refunded` follows).
    #[serde(rename = "return.received")]
    ReturnReceived { order_id: OrderId, return_id: ReturnId },
    /// An admin asked for an order export; the export job writes it.
    #[serde(rename = "export.requested")]
    ExportRequested { export_id: ExportId },
}

impl EventKind {
    /// The order the event is about, if it is about one.
    pub fn order_id(&self) -> Option<OrderId> {
        match self {
            Self::OrderPlaced { order_id }
            | Self::OrderPaid { order_id }
            | Self::OrderFulfilled { order_id }
            | Self::OrderCancelled { order_id }
            | Self::OrderRefunded { order_id, .. }
            | Self::OrderDisputed { order_id }
            | Self::ReturnRequested { order_id, .. }
            | Self::ReturnApproved { order_id, .. }
            | Self::ReturnRejected { order_id, .. }
            | Self::ReturnReceived { order_id, .. } => Some(*order_id),
            Self::UserSignedUp { .. }
            | Self::SignupRepeated { .. }
            | Self::PasswordResetRequested { .. }
            | Self::WebhookEndpointDisabled { .. }
            | Self::WebhookDeliveryFailed { .. }
            | Self::ProductCreated { .. }
            | Self::ProductUpdated { .. }
            | Self::ProductArchived { .. }
            | Self::InventoryLow { .. }
            | Self::CartAbandoned { .. }
            | Self::ExportRequested { .. } => None,
        }
    }

    pub fn name(&self) -> &'static str {
        match self {
            Self::UserSignedUp { .. } => "user.signed_up",
            Self::SignupRepeated { .. } => "user.signup_repeated",
            Self::PasswordResetRequested { .. } => "user.password_reset_requested",
            Self::OrderPlaced { .. } => "order.placed",
            Self::OrderPaid { .. } => "order.paid",
            Self::OrderFulfilled { .. } => "order.fulfilled",
            Self::OrderCancelled { .. } => "order.cancelled",
            Self::OrderRefunded { .. } => "order.refunded",
            Self::OrderDisputed { .. } => "order.disputed",
            Self::WebhookEndpointDisabled { .. } => "webhook.endpoint_disabled",
            Self::WebhookDeliveryFailed { .. } => "webhook.delivery_failed",
            Self::ProductCreated { .. } => "product.created",
            Self::ProductUpdated { .. } => "product.updated",
            Self::ProductArchived { .. } => "product.archived",
            Self::InventoryLow { .. } => "inventory.low",
            Self::CartAbandoned { .. } => "cart.abandoned",
            Self::ReturnRequested { .. } => "return.requested",
            Self::ReturnApproved { .. } => "return.approved",
            Self::ReturnRejected { .. } => "return.rejected",
            Self::ReturnReceived { .. } => "return.received",
            Self::ExportRequested { .. } => "export.requested",
        }
    }
}

/// The message format on every queue: `{"id","occurred_at","type","data"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    pub id: EventId,
    #[serde(with = "super::timestamp::timestamp_serde")]
    pub occurred_at: Timestamp,
    #[serde(flatten)]
    pub kind: EventKind,
    /// The API request that led to the event (its API Gateway request id), so
    /// one request can be followed through every job it sets off. Stamped by the
    /// outbox when the event is written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub correlation_id: Option<String>,
}

impl Event {
    pub fn new(kind: EventKind, now: Timestamp) -> Self {
        Self { id: EventId::generate(), occurred_at: now, kind, correlation_id: None }
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("events serialise")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_have_a_stable_wire_format() {
        let user_id: UserId = "01936a3e-0000-7000-8000-000000000001".parse().unwrap();
        let event = Event {
            id: "01936a3e-0000-7000-8000-000000000002".parse().unwrap(),
            occurred_at: time::macros::datetime!(2026-11-21 10:00 UTC),
            kind: EventKind::UserSignedUp { user_id },
            correlation_id: None,
        };
        let json: serde_json::Value = serde_json::from_str(&event.to_json()).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"id": "01936a3e-0000-7000-8000-000000000002", "occurred_at": "2026-11-21T10:00:00.000000Z",
                               "type": "user.signed_up", "data": {"user_id": "01936a3e-0000-7000-8000-000000000001"}})
        );
        assert_eq!(serde_json::from_value::<Event>(json).unwrap(), event);
    }
}
