use super::ports::ProviderError;
use crate::app::error::{CommonError, shares_common_errors};
use crate::app::orders::OrdersError;
use crate::domain::{OrderStatus, RefundRefused};

#[derive(Debug, thiserror::Error)]
pub enum PaymentsError {
    /// Only orders awaiting payment can be paid.
    #[error("an order that is {} cannot be paid", .0.as_str())]
    NotPayable(OrderStatus),
    #[error("this shop takes payment outside Tillbox; staff mark orders paid")]
    ManualPayments,
    /// A total of 0 (a 100 % discount) is nothing a card can pay.
    #[error("this order's total is 0: there is nothing to pay; staff mark it paid")]
    NothingToPay,
    #[error(transparent)]
    Refused(#[from] RefundRefused),
    /// The customer's bank disputes the payment: money moves through the
    /// dispute, not a refund.
    #[error("the payment is disputed; answer the dispute in the Stripe Dashboard instead of refunding")]
    Disputed,
    /// The idempotency key names a refund of this order made by another caller
    /// or with another amount, reason or restock.
    #[error("this Idempotency-Key was already used for a different refund of this order; send a new key")]
    KeyReused,
    #[error(transparent)]
    Provider(#[from] ProviderError),
    /// Moving the order failed (the payments job marks orders paid).
    #[error(transparent)]
    Orders(#[from] OrdersError),
    #[error(transparent)]
    Common(#[from] CommonError),
}

shares_common_errors!(PaymentsError);
