use crate::app::error::{CommonError, shares_common_errors};

/// Every way a catalog use case can fail; the HTTP edge maps each to one status.
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error("another product already uses this sku")]
    SkuTaken,
    #[error("a product holds at most {0} images")]
    TooManyImages(usize),
    #[error(transparent)]
    Common(#[from] CommonError),
}

shares_common_errors!(CatalogError);
