//! [`UploadStore`] on the table: upload records in their product's item collection.

use super::items::{image_value, n, s, ts, upload_from, upload_item};
use super::keys::{self, PK, SK};
use super::{Table, cancellation_reasons, failed_condition, unavailable};
use crate::app::catalog::ports::UploadStore;
use crate::app::store::StoreError;
use crate::domain::image::RejectReason;
use crate::domain::{ImageId, ProductId, ProductImage, Timestamp, Upload};
use aws_sdk_dynamodb::operation::update_item::UpdateItemError;
use aws_sdk_dynamodb::types::{AttributeValue, TransactWriteItem, Update};

impl UploadStore for Table {
    async fn record(&self, upload: &Upload) -> Result<(), StoreError> {
        self.client
            .put_item()
            .table_name(&self.name)
            .set_item(Some(upload_item(upload)))
            .condition_expression("attribute_not_exists(PK)")
            .send()
            .await
            .map_err(unavailable)?;
        Ok(())
    }

    async fn get(&self, product: ProductId, image: ImageId) -> Result<Option<Upload>, StoreError> {
        let found = self.get_consistent(keys::product_pk(product), &keys::upload_sk(image)).await?;
        found.as_ref().map(upload_from).transpose()
    }

    async fn attach(&self, upload: &Upload, image: &ProductImage, now: Timestamp) -> Result<bool, StoreError> {
        let mark = Update::builder()
            .table_name(&self.name)
            .key(PK, s(keys::product_pk(upload.product_id)))
            .key(SK, s(keys::upload_sk(upload.image_id)))
            .update_expression("SET #state = :attached, updated_at = :now")
            .condition_expression("#state = :pending")
            .expression_attribute_names("#state", "state")
            .expression_attribute_values(":attached", s("attached"))
            .expression_attribute_values(":pending", s("pending"))
            .expression_attribute_values(":now", ts(now))
            .build()
            .map_err(|e| StoreError::Unavailable(e.to_string()))?;
        let append = Update::builder()
            .table_name(&self.name)
            .key(PK, s(keys::product_pk(upload.product_id)))
            .key(SK, s(keys::PRODUCT_SK))
            .update_expression(
                "SET images = list_append(if_not_exists(images, :none), :image), version = version + :one, updated_at = :now",
            )
            .condition_expression("attribute_exists(PK)")
            .expression_attribute_values(":none", AttributeValue::L(Vec::new()))
            .expression_attribute_values(":image", AttributeValue::L(vec![image_value(image)]))
            .expression_attribute_values(":one", n(1))
            .expression_attribute_values(":now", ts(now))
            .build()
            .map_err(|e| StoreError::Unavailable(e.to_string()))?;
        let actions = vec![
            TransactWriteItem::builder().update(mark).build(),
            TransactWriteItem::builder().update(append).build(),
        ];
        match self.transact(actions).await {
            Ok(()) => Ok(true),
            Err(e) => match cancellation_reasons(&e) {
                Some(reasons) if failed_condition(reasons, 0) => Ok(false),
                Some(reasons) if failed_condition(reasons, 1) => Err(StoreError::NotFound),
                _ => Err(unavailable(e)),
            },
        }
    }

    async fn reject(&self, upload: &Upload, reason: RejectReason, now: Timestamp) -> Result<bool, StoreError> {
        let result = self
            .client
            .update_item()
            .table_name(&self.name)
            .key(PK, s(keys::product_pk(upload.product_id)))
            .key(SK, s(keys::upload_sk(upload.image_id)))
            .update_expression("SET #state = :rejected, reason = :reason, updated_at = :now")
            .condition_expression("#state = :pending")
            .expression_attribute_names("#state", "state")
            .expression_attribute_values(":rejected", s("rejected"))
            .expression_attribute_values(":pending", s("pending"))
            .expression_attribute_values(":reason", s(reason.as_str()))
            .expression_attribute_values(":now", ts(now))
            .send()
            .await;
        match result {
            Ok(_) => Ok(true),
            Err(e) if matches!(e.as_service_error(), Some(UpdateItemError::ConditionalCheckFailedException(_))) => {
                Ok(false)
            }
            Err(e) => Err(unavailable(e)),
        }
    }
}
