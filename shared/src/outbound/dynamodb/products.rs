//! [`ProductStore`] on the table: product items (variants inside) plus one
//! SKU-claim item per variant SKU, always written together in one transaction
//! with the product's event.

use super::events::outbox_item;
use super::items::{Reader, VARIANTS, is_legacy_product, item, n, product_from, product_item, s};
use super::keys::{self, GSI1, GSI1PK, GSI1SK, GSI2, GSI2PK, GSI2SK, PK, SK};
use super::{IndexPage, Table, built, cancellation_reasons, failed_condition, unavailable, version_conflict};
use crate::app::catalog::ports::{ProductQuery, ProductStore, ProductUpgrade, SkuClaim, Upgraded};
use crate::app::store::{Page, StoreError};
use crate::domain::{Event, Product, ProductId, Sku};
use aws_sdk_dynamodb::types::{Delete, KeysAndAttributes, TransactWriteItem};

impl Table {
    fn sku_claim(&self, sku: &Sku, product: ProductId) -> Result<TransactWriteItem, StoreError> {
        self.put_new(item([(PK, s(keys::sku_pk(sku))), (SK, s(keys::SKU_SK)), ("product_id", s(product.to_string()))]))
    }

    fn sku_release(&self, sku: &Sku, product: ProductId) -> Result<TransactWriteItem, StoreError> {
        let delete = built(
            Delete::builder()
                .table_name(&self.name)
                .key(PK, s(keys::sku_pk(sku)))
                .key(SK, s(keys::SKU_SK))
                .condition_expression("product_id = :id")
                .expression_attribute_values(":id", s(product.to_string()))
                .build(),
        )?;
        Ok(TransactWriteItem::builder().delete(delete).build())
    }

    /// Runs `actions`, whose claims of `claimed` start at `claims_at`: a failed
    /// claim means another product holds that SKU.
    async fn write_claiming(
        &self,
        actions: Vec<TransactWriteItem>,
        claims_at: usize,
        claimed: &[&Sku],
    ) -> Result<SkuClaim, StoreError> {
        let error = match self.transact(actions).await {
            Ok(()) => return Ok(SkuClaim::Claimed),
            Err(e) => e,
        };
        let Some(reasons) = cancellation_reasons(&error) else {
            return Err(unavailable(error));
        };
        if let Some(conflict) = version_conflict(reasons, 0) {
            return Err(conflict);
        }
        match claimed.iter().enumerate().find(|(i, _)| failed_condition(reasons, claims_at + i)) {
            Some((_, sku)) => Ok(SkuClaim::Taken((*sku).clone())),
            None => Err(unavailable(error)),
        }
    }
}

impl ProductStore for Table {
    async fn insert(&self, product: &Product, event: &Event) -> Result<SkuClaim, StoreError> {
        let claimed: Vec<_> = product.skus().collect();
        let mut actions = vec![self.put_new(product_item(product))?, self.put_new(outbox_item(event))?];
        for sku in &claimed {
            actions.push(self.sku_claim(sku, product.id)?);
        }
        self.write_claiming(actions, 2, &claimed).await
    }

    async fn get(&self, id: ProductId) -> Result<Option<Product>, StoreError> {
        let output = self
            .client
            .get_item()
            .table_name(&self.name)
            .key(PK, s(keys::product_pk(id)))
            .key(SK, s(keys::PRODUCT_SK))
            .send()
            .await
            .map_err(unavailable)?;
        output.item.as_ref().map(product_from).transpose()
    }

    async fn get_many(&self, ids: &[ProductId]) -> Result<Vec<Product>, StoreError> {
        let mut unique = ids.to_vec();
        unique.sort();
        unique.dedup();
        let mut found = Vec::with_capacity(unique.len());
        // BatchGetItem takes 100 distinct keys a call.
        for chunk in unique.chunks(100) {
            let keys =
                chunk.iter().map(|id| item([(PK, s(keys::product_pk(*id))), (SK, s(keys::PRODUCT_SK))])).collect();
            // Consistent: the search index job reads a product because it just
            // changed, and prices are read at checkout; neither may see the one before.
            let batch = KeysAndAttributes::builder().set_keys(Some(keys)).consistent_read(true);
            let mut pending = Some(built(batch.build())?);
            while let Some(request) = pending.take() {
                let output = self
                    .client
                    .batch_get_item()
                    .request_items(&self.name, request)
                    .send()
                    .await
                    .map_err(unavailable)?;
                if let Some(items) = output.responses.and_then(|mut r| r.remove(&self.name)) {
                    found.extend(items.iter().map(product_from).collect::<Result<Vec<_>, _>>()?);
                }
                // Keys DynamoDB did not get to (throttling, size) come back to be asked again.
                pending = output.unprocessed_keys.and_then(|mut u| u.remove(&self.name));
            }
        }
        Ok(found)
    }

    async fn replace(&self, previous: &Product, next: &Product, event: &Event) -> Result<SkuClaim, StoreError> {
        let mut actions =
            vec![self.put_at_version(product_item(next), previous.version)?, self.put_new(outbox_item(event))?];
        for sku in previous.skus().filter(|sku| !next.skus().any(|kept| kept == *sku)) {
            actions.push(self.sku_release(sku, previous.id)?);
        }
        let claims_at = actions.len();
        let claimed: Vec<_> = next.skus().filter(|sku| !previous.skus().any(|had| had == *sku)).collect();
        for sku in &claimed {
            actions.push(self.sku_claim(sku, next.id)?);
        }
        self.write_claiming(actions, claims_at, &claimed).await
    }

    async fn list(&self, query: &ProductQuery) -> Result<Page<Product>, StoreError> {
        let (index, pk_name, sk_name, partition) = match &query.category {
            None => (GSI1, GSI1PK, GSI1SK, keys::products_by_status(query.status)),
            Some(category) => (GSI2, GSI2PK, GSI2SK, keys::products_by_category(query.status, category)),
        };
        let cursor = query.cursor.as_deref();
        let page = IndexPage { index, pk_name, sk_name, partition, newest_first: true, limit: query.limit, cursor };
        self.page(page, |query| query, product_from).await
    }
}

impl ProductUpgrade for Table {
    async fn legacy_products(&self) -> Result<Vec<ProductId>, StoreError> {
        let mut ids = Vec::new();
        let mut start = None;
        loop {
            let output = self
                .client
                .scan()
                .table_name(&self.name)
                .filter_expression("entity = :product AND attribute_not_exists(#variants)")
                .projection_expression("id")
                .expression_attribute_names("#variants", VARIANTS)
                .expression_attribute_values(":product", s("product"))
                .set_exclusive_start_key(start)
                .send()
                .await
                .map_err(unavailable)?;
            for found in output.items() {
                ids.push(Reader(found).parsed("id", |v| v.parse().ok())?);
            }
            start = output.last_evaluated_key;
            if start.is_none() {
                return Ok(ids);
            }
        }
    }

    async fn upgrade(&self, id: ProductId) -> Result<Upgraded, StoreError> {
        // An order taking stock between the read and the write moves the
        // version: read again and convert what it left.
        for _ in 0..10 {
            let Some(found) = self.get_consistent(keys::product_pk(id), keys::PRODUCT_SK).await? else {
                return Ok(Upgraded::Before);
            };
            if !is_legacy_product(&found) {
                return Ok(Upgraded::Before);
            }
            let product = product_from(&found)?;
            let written = self
                .client
                .put_item()
                .table_name(&self.name)
                .set_item(Some(product_item(&product)))
                .condition_expression("version = :seen AND attribute_not_exists(#variants)")
                .expression_attribute_names("#variants", VARIANTS)
                .expression_attribute_values(":seen", n(product.version))
                .send()
                .await;
            match written {
                Ok(_) => return Ok(Upgraded::Now),
                Err(e) if e.as_service_error().is_some_and(|e| e.is_conditional_check_failed_exception()) => continue,
                Err(e) => return Err(unavailable(e)),
            }
        }
        Err(StoreError::Unavailable(format!("product {id} kept changing while it was upgraded; run again")))
    }
}
