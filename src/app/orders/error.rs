use crate::app::store::StoreError;
use crate::domain::order::IllegalTransition;
use crate::domain::{Invalid, ProductId};

/// Every way an order or discount use case can fail; the HTTP layer maps each to
/// one status.
#[derive(Debug, thiserror::Error)]
pub enum OrdersError {
    #[error("invalid input: {0}")]
    Invalid(#[from] Invalid),
    #[error("this needs the staff or admin role")]
    Forbidden,
    #[error("not found")]
    NotFound,
    #[error("product {product_id} has only {available} left")]
    OutOfStock { product_id: ProductId, available: u32 },
    #[error("product {product_id} changed (price or availability) while the order was placed; review and retry")]
    ProductChanged { product_id: ProductId },
    #[error(transparent)]
    IllegalTransition(#[from] IllegalTransition),
    #[error("a discount with this code exists already")]
    CodeTaken,
    #[error("the discount changed since version {expected}; it is now at version {current}")]
    StaleVersion { expected: u64, current: u64 },
    #[error("invalid cursor")]
    BadCursor,
    #[error(transparent)]
    Store(StoreError),
}

impl From<StoreError> for OrdersError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::BadCursor => Self::BadCursor,
            StoreError::NotFound => Self::NotFound,
            other => Self::Store(other),
        }
    }
}
