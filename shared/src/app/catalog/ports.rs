//! What the catalog needs from storage, one trait per capability. Adapters in
//! [`crate::outbound`] implement them against DynamoDB and S3.

use crate::domain::{
    Event, ImageFormat, ImageId, Product, ProductId, ProductImage, ProductStatus, Sku, Timestamp, Upload,
    image::RejectReason,
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

/// Whether a product write could claim its variants' SKUs. `Taken`: another
/// product holds this one, and nothing was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SkuClaim {
    Claimed,
    Taken(Sku),
}

/// Products (their variants inside) and their unique SKUs.
pub trait ProductStore {
    /// Inserts a new product with its variants' SKU claims and `event`.
    fn insert(&self, product: &Product, event: &Event) -> impl Future<Output = Result<SkuClaim, StoreError>>;
    fn get(&self, id: ProductId) -> impl Future<Output = Result<Option<Product>, StoreError>>;
    /// The products with these ids that exist, in any order, read consistently
    /// in one batched round trip per 100 distinct ids.
    fn get_many(&self, ids: &[ProductId]) -> impl Future<Output = Result<Vec<Product>, StoreError>>;
    /// Replaces `previous` with `next`, and publishes `event`, only if the stored
    /// version is still `previous.version` (else [`StoreError::VersionMismatch`]),
    /// moving the SKU claims that changed.
    fn replace(
        &self,
        previous: &Product,
        next: &Product,
        event: &Event,
    ) -> impl Future<Output = Result<SkuClaim, StoreError>>;
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

/// Whether [`ProductUpgrade::upgrade`] rewrote a product.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Upgraded {
    /// Rewritten with variants now.
    Now,
    /// Had variants already (an earlier or concurrent run), or is gone.
    Before,
}

/// Product items written before variants, rewritten with their one variant.
pub trait ProductUpgrade {
    /// Every product still stored the old way (a full pass over the table).
    fn legacy_products(&self) -> impl Future<Output = Result<Vec<ProductId>, StoreError>>;
    /// Rewrites one product with the variant it always had (same id as the
    /// product, same SKU, stock and limit), without losing an order's stock
    /// change made meanwhile.
    fn upgrade(&self, id: ProductId) -> impl Future<Output = Result<Upgraded, StoreError>>;
}
