use crate::app::error::{CommonError, shares_common_errors};
use crate::domain::order::IllegalTransition;
use crate::domain::{ProductId, VariantId};

/// Every way an order or discount use case can fail; the HTTP edge maps each to
/// one status.
#[derive(Debug, thiserror::Error)]
pub enum OrdersError {
    #[error("variant {variant_id} of product {product_id} has only {available} left")]
    OutOfStock { product_id: ProductId, variant_id: VariantId, available: u32 },
    #[error("product {product_id} changed (price or availability) while the order was placed; review and retry")]
    ProductChanged { product_id: ProductId },
    #[error(transparent)]
    IllegalTransition(#[from] IllegalTransition),
    #[error("a discount with this code exists already")]
    CodeTaken,
    #[error("too many orders in a short time; retry in {retry_after} s")]
    RateLimited { retry_after: u64 },
    #[error("you have {max} orders awaiting payment; pay or cancel one first")]
    TooManyOpenOrders { max: u32 },
    /// The cart being checked out changed (another tab) or was placed meanwhile.
    #[error("the cart changed while it was checked out; read it again")]
    CartChanged,
    #[error(transparent)]
    Common(#[from] CommonError),
}

shares_common_errors!(OrdersError);
