use crate::app::error::{CommonError, shares_common_errors};

/// Every way a catalog use case can fail; the HTTP edge maps each to one status.
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    /// `field` names the SKU in the request (`sku`, `variants[1].sku`).
    #[error("another product already uses the sku {sku}")]
    SkuTaken { field: String, sku: String },
    #[error("a product holds at most {0} images")]
    TooManyImages(usize),
    #[error(transparent)]
    Common(#[from] CommonError),
}

shares_common_errors!(CatalogError);
