//! [`ProductStore`] on the table: product items plus one SKU-claim item per SKU,
//! always written together in one transaction.

use super::items::{item, product_from, product_item, s};
use super::keys::{self, GSI1, GSI1PK, GSI1SK, GSI2, GSI2PK, GSI2SK, PK, SK};
use super::{IndexPage, Table, built, cancellation_reasons, failed_condition, unavailable, version_conflict};
use crate::app::catalog::ports::{ProductQuery, ProductStore, SkuClaim};
use crate::app::store::{Page, StoreError};
use crate::domain::{Product, ProductId, Sku};
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
}

impl ProductStore for Table {
    async fn insert(&self, product: &Product) -> Result<SkuClaim, StoreError> {
        let actions = vec![self.put_new(product_item(product))?, self.sku_claim(&product.sku, product.id)?];
        match self.transact(actions).await {
            Ok(()) => Ok(SkuClaim::Claimed),
            Err(e) => match cancellation_reasons(&e) {
                Some(reasons) if failed_condition(reasons, 1) => Ok(SkuClaim::Taken),
                _ => Err(unavailable(e)),
            },
        }
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

    async fn get_many(&self, ids: &[ProductId]) -> Result<Vec<Option<Product>>, StoreError> {
        let keys: Vec<_> =
            ids.iter().map(|id| item([(PK, s(keys::product_pk(*id))), (SK, s(keys::PRODUCT_SK))])).collect();
        let mut found = Vec::with_capacity(ids.len());
        // BatchGetItem takes 100 keys; an order has at most 50 lines.
        let mut pending = Some(built(KeysAndAttributes::builder().set_keys(Some(keys)).build())?);
        while let Some(request) = pending.take() {
            let output =
                self.client.batch_get_item().request_items(&self.name, request).send().await.map_err(unavailable)?;
            if let Some(items) = output.responses.and_then(|mut r| r.remove(&self.name)) {
                found.extend(items.iter().map(product_from).collect::<Result<Vec<_>, _>>()?);
            }
            // Keys DynamoDB did not get to (throttling, size) come back to be asked again.
            pending = output.unprocessed_keys.and_then(|mut u| u.remove(&self.name));
        }
        Ok(ids.iter().map(|id| found.iter().find(|p| p.id == *id).cloned()).collect())
    }

    async fn replace(&self, previous: &Product, next: &Product) -> Result<SkuClaim, StoreError> {
        let mut actions = vec![self.put_at_version(product_item(next), previous.version)?];
        if previous.sku != next.sku {
            actions.push(self.sku_release(&previous.sku, previous.id)?);
            actions.push(self.sku_claim(&next.sku, next.id)?);
        }
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
        if failed_condition(reasons, 2) {
            return Ok(SkuClaim::Taken);
        }
        Err(unavailable(error))
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
