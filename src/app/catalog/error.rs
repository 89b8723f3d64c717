use super::ports::StoreError;
use crate::domain::Invalid;

/// Every way a catalog use case can fail; the HTTP layer maps each to one status.
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error("invalid input: {0}")]
    Invalid(#[from] Invalid),
    #[error("product not found")]
    NotFound,
    #[error("staff role required")]
    Forbidden,
    #[error("another product already uses this sku")]
    SkuTaken,
    /// The client edited an older version than the stored one.
    #[error("product changed since version {expected}; it is now at version {current}")]
    StaleVersion { expected: u64, current: u64 },
    /// The pagination cursor did not come from this listing.
    #[error("invalid cursor")]
    BadCursor,
    #[error("a product holds at most {0} images")]
    TooManyImages(usize),
    #[error(transparent)]
    Store(StoreError),
}

impl From<StoreError> for CatalogError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::SkuTaken => Self::SkuTaken,
            StoreError::NotFound => Self::NotFound,
            StoreError::BadCursor => Self::BadCursor,
            other => Self::Store(other),
        }
    }
}
