//! The catalog's ports: products, upload records, the upload signer and the bucket.

use super::MemoryShop;
use std::collections::BTreeMap;
use std::time::Duration;
use tillbox::app::catalog::ports::{
    FileStore, ProductQuery, ProductStore, SignedUpload, SkuClaim, UploadSigner, UploadStore,
};
use tillbox::app::store::{Page, StoreError};
use tillbox::domain::image::RejectReason;
use tillbox::domain::{
    Event, ImageFormat, ImageId, Product, ProductId, ProductImage, Sku, Timestamp, Upload, UploadState,
};

/// A SKU of `product` another product holds.
fn taken(all: &BTreeMap<ProductId, Product>, product: &Product) -> Option<Sku> {
    let others = all.values().filter(|p| p.id != product.id);
    let held: Vec<&Sku> = others.flat_map(Product::skus).collect();
    product.skus().find(|sku| held.contains(sku)).cloned()
}

impl ProductStore for MemoryShop {
    async fn insert(&self, product: &Product, event: &Event) -> Result<SkuClaim, StoreError> {
        let mut all = self.products.borrow_mut();
        if let Some(sku) = taken(&all, product) {
            return Ok(SkuClaim::Taken(sku));
        }
        all.insert(product.id, product.clone());
        self.events.borrow_mut().push(event.clone());
        Ok(SkuClaim::Claimed)
    }

    async fn get(&self, id: ProductId) -> Result<Option<Product>, StoreError> {
        Ok(self.products.borrow().get(&id).cloned())
    }

    async fn get_many(&self, ids: &[ProductId]) -> Result<Vec<Product>, StoreError> {
        let all = self.products.borrow();
        Ok(all.values().filter(|p| ids.contains(&p.id)).cloned().collect())
    }

    async fn replace(&self, previous: &Product, next: &Product, event: &Event) -> Result<SkuClaim, StoreError> {
        let mut all = self.products.borrow_mut();
        let stored = all.get(&previous.id).ok_or(StoreError::NotFound)?;
        if stored.version != previous.version {
            return Err(StoreError::VersionMismatch { current: stored.version });
        }
        if let Some(sku) = taken(&all, next) {
            return Ok(SkuClaim::Taken(sku));
        }
        all.insert(next.id, next.clone());
        self.events.borrow_mut().push(event.clone());
        Ok(SkuClaim::Claimed)
    }

    async fn list(&self, query: &ProductQuery) -> Result<Page<Product>, StoreError> {
        let items = self.products.borrow().values().filter(|p| p.status == query.status).cloned().collect();
        Ok(Page { items, next_cursor: None })
    }
}

impl UploadStore for MemoryShop {
    async fn record(&self, upload: &Upload) -> Result<(), StoreError> {
        self.uploads.borrow_mut().insert((upload.product_id, upload.image_id), upload.clone());
        Ok(())
    }

    async fn get(&self, product: ProductId, image: ImageId) -> Result<Option<Upload>, StoreError> {
        Ok(self.uploads.borrow().get(&(product, image)).cloned())
    }

    async fn attach(&self, upload: &Upload, image: &ProductImage, _now: Timestamp) -> Result<bool, StoreError> {
        let mut uploads = self.uploads.borrow_mut();
        let key = (upload.product_id, upload.image_id);
        if uploads.get(&key).is_none_or(|u| u.state != UploadState::Pending) {
            return Ok(false);
        }
        let mut products = self.products.borrow_mut();
        let product = products.get_mut(&upload.product_id).ok_or(StoreError::NotFound)?;
        product.images.push(image.clone());
        product.version += 1;
        uploads.get_mut(&key).expect("checked above").state = UploadState::Attached;
        Ok(true)
    }

    async fn reject(&self, upload: &Upload, reason: RejectReason, _now: Timestamp) -> Result<bool, StoreError> {
        let mut uploads = self.uploads.borrow_mut();
        match uploads.get_mut(&(upload.product_id, upload.image_id)) {
            Some(stored) if stored.state == UploadState::Pending => {
                stored.state = UploadState::Rejected(reason);
                Ok(true)
            }
            _ => Ok(false),
        }
    }
}

impl UploadSigner for MemoryShop {
    async fn sign_upload(
        &self,
        key: &str,
        format: ImageFormat,
        content_length: u64,
        _expires_in: Duration,
    ) -> Result<SignedUpload, StoreError> {
        Ok(SignedUpload {
            url: format!("memory://files/{key}"),
            headers: vec![
                ("content-type".into(), format.content_type().into()),
                ("content-length".into(), content_length.to_string()),
            ],
        })
    }
}

impl FileStore for MemoryShop {
    async fn size(&self, key: &str) -> Result<Option<u64>, StoreError> {
        Ok(self.files.borrow().get(key).map(|(bytes, _)| bytes.len() as u64))
    }

    async fn read(&self, key: &str) -> Result<Vec<u8>, StoreError> {
        self.files.borrow().get(key).map(|(bytes, _)| bytes.clone()).ok_or(StoreError::NotFound)
    }

    async fn write(&self, key: &str, bytes: Vec<u8>, content_type: &str) -> Result<(), StoreError> {
        self.files.borrow_mut().insert(key.to_owned(), (bytes, content_type.to_owned()));
        Ok(())
    }

    async fn delete(&self, key: &str) -> Result<(), StoreError> {
        self.files.borrow_mut().remove(key);
        Ok(())
    }
}

impl tillbox::app::receipts::ports::DownloadSigner for MemoryShop {
    async fn sign_download(
        &self,
        key: &str,
        filename: &str,
        disposition: tillbox::app::receipts::ports::Disposition,
        expires_in: std::time::Duration,
    ) -> Result<String, StoreError> {
        Ok(format!("memory://{key}?filename={filename}&disposition={disposition:?}&expires={}", expires_in.as_secs()))
    }
}
