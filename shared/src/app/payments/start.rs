//! `POST /orders/{id}/payment`: open (or find) the provider payment for an order.

use super::error::PaymentsError;
use super::ports::{IntentRequest, PaymentGateway, PaymentStore};
use crate::app::error::CommonError;
use crate::app::orders::ports::OrderStore;
use crate::domain::{Currency, OrderId, OrderStatus, Payment, Principal, Role, Timestamp};

/// What a storefront needs to let the customer pay with the provider's library.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenedPayment {
    pub provider: &'static str,
    pub provider_id: String,
    pub client_secret: String,
    pub publishable_key: String,
    pub amount: i64,
    pub currency: Currency,
}

/// Only the attempt Tillbox makes today: the provider lets a declined payment be
/// retried on the same intent, so one attempt per order suffices.
const ATTEMPT: u32 = 1;

/// Opens the order's payment at the provider for its exact total, or answers the
/// one already open: a retry, a double click or a second tab never opens another
/// (the provider de-duplicates on [`Payment::idempotency_key`] too).
pub async fn start(
    store: &(impl OrderStore + PaymentStore),
    gateway: Option<&impl PaymentGateway>,
    principal: &Principal,
    order_id: OrderId,
    now: Timestamp,
) -> Result<OpenedPayment, PaymentsError> {
    let order = OrderStore::get(store, order_id).await?;
    let order =
        order.filter(|o| principal.is_staff() || o.customer == principal.subject).ok_or(CommonError::NotFound)?;
    if order.customer != principal.subject {
        return Err(CommonError::forbidden(Role::Customer).into());
    }
    if order.status != OrderStatus::PendingPayment {
        return Err(PaymentsError::NotPayable(order.status));
    }
    let gateway = gateway.ok_or(PaymentsError::ManualPayments)?;
    if order.total == 0 {
        return Err(PaymentsError::NothingToPay);
    }
    let opened = |payment: &Payment, client_secret: String| OpenedPayment {
        provider: payment.provider.as_str(),
        provider_id: payment.provider_id.clone(),
        client_secret,
        publishable_key: gateway.publishable_key().to_owned(),
        amount: payment.amount,
        currency: payment.currency,
    };
    if let Some(existing) = store.payment(order.id, ATTEMPT).await? {
        let intent = gateway.intent(&existing.provider_id).await?;
        return Ok(opened(&existing, intent.client_secret));
    }
    let request = IntentRequest {
        order_id: order.id,
        attempt: ATTEMPT,
        amount: order.total,
        currency: order.currency,
        idempotency_key: Payment::idempotency_key(order.id, ATTEMPT),
    };
    let intent = gateway.create_intent(&request).await?;
    let payment = Payment::open(
        order.id,
        ATTEMPT,
        gateway.provider(),
        intent.provider_id.clone(),
        order.total,
        order.currency,
        now,
    );
    if store.open(&payment).await? {
        return Ok(opened(&payment, intent.client_secret));
    }
    // A concurrent request recorded the attempt first; answer its payment.
    let winner = store.payment(order.id, ATTEMPT).await?.ok_or(CommonError::NotFound)?;
    let intent = gateway.intent(&winner.provider_id).await?;
    Ok(opened(&winner, intent.client_secret))
}
