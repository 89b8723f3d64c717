//! What the catalog needs from storage, one trait per capability. Adapters in
//! [`crate::outbound`] implement them against DynamoDB and S3.

use crate::domain::{
    ImageFormat, ImageId, Product, ProductId, ProductImage, ProductStatus, Timestamp, Upload, image::RejectReason,
};
use std::future::Future;
use std::time::Duration;

use crate::app::store::{Page, StoreError};

/// Which products to list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProductQuery {
    pub status: ProductStatus,
    pub category: Option<crate::domain::Category>,
    pub limit: u16,
    /// Opaque cursor from the previous page.
    pub cursor: Option<String>,
}

/// Whether a product write could claim its SKU. `Taken`: another product holds
/// it, and nothing was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SkuClaim {
    Claimed,
    Taken,
}

/// Products and their unique SKUs.
pub trait ProductStore {
    /// Inserts a new product with its SKU claim.
    fn insert(&self, product: &Product) -> impl Future<Output = Result<SkuClaim, StoreError>>;
    fn get(&self, id: ProductId) -> impl Future<Output = Result<Option<Product>, StoreError>>;
    /// The products with these ids, in the same order; `None` for an unknown id.
    fn get_many(&self, ids: &[ProductId]) -> impl Future<Output = Result<Vec<Option<Product>>, StoreError>>;
    /// Replaces `previous` with `next` only if the stored version is still
    /// `previous.version` (else [`StoreError::VersionMismatch`]), moving the SKU
    /// claim when it changed.
    fn replace(&self, previous: &Product, next: &Product) -> impl Future<Output = Result<SkuClaim, StoreError>>;
    /// Newest first.
    fn list(&self, query: &ProductQuery) -> impl Future<Output = Result<Page<Product>, StoreError>>;
}

/// Upload records: which URLs were handed out and what became of their files.
pub trait UploadStore {
    fn record(&self, upload: &Upload) -> impl Future<Output = Result<(), StoreError>>;
    fn get(&self, product: ProductId, image: ImageId) -> impl Future<Output = Result<Option<Upload>, StoreError>>;
    /// Marks a pending upload attached and appends the image to its product, in one
    /// transaction. `Ok(false)` when the upload was no longer pending: nothing changed.
    fn attach(
        &self,
        upload: &Upload,
        image: &ProductImage,
        now: Timestamp,
    ) -> impl Future<Output = Result<bool, StoreError>>;
    /// Marks a pending upload rejected. `Ok(false)` when it was no longer pending.
    fn reject(
        &self,
        upload: &Upload,
        reason: RejectReason,
        now: Timestamp,
    ) -> impl Future<Output = Result<bool, StoreError>>;
}

/// A URL a client can PUT one file to, without credentials of its own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedUpload {
    pub url: String,
    /// Headers the client must send exactly as given: they are part of the signature.
    pub headers: Vec<(String, String)>,
}

/// Signs upload URLs for the file bucket.
pub trait UploadSigner {
    fn sign_upload(
        &self,
        key: &str,
        format: ImageFormat,
        content_length: u64,
        expires_in: Duration,
    ) -> impl Future<Output = Result<SignedUpload, StoreError>>;
}

/// Objects in the file bucket.
pub trait FileStore {
    /// The object's real size, or `None` when it does not exist.
    fn size(&self, key: &str) -> impl Future<Output = Result<Option<u64>, StoreError>>;
    fn read(&self, key: &str) -> impl Future<Output = Result<Vec<u8>, StoreError>>;
    fn write(&self, key: &str, bytes: Vec<u8>, content_type: &str) -> impl Future<Output = Result<(), StoreError>>;
    /// Deleting a missing object succeeds, so cleanup can be repeated.
    fn delete(&self, key: &str) -> impl Future<Output = Result<(), StoreError>>;
}
