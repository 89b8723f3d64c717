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
    #[error(transparent)]
    Refused(#[from] RefundRefused),
    #[error(transparent)]
    Provider(#[from] ProviderError),
    /// Moving the order failed (the payments job marks orders paid).
    #[error(transparent)]
    Orders(#[from] OrdersError),
    #[error(transparent)]
    Common(#[from] CommonError),
}

shares_common_errors!(PaymentsError);
