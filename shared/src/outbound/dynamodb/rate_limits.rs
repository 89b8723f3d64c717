//! [`RateLimiter`] on the table: one counter item per limit, key and window,
//! incremented atomically and left to TTL when the window is over.

use super::items::{epoch, n, s};
use super::keys::{self, EXPIRES_AT, PK, SK};
use super::{Table, unavailable};
use crate::app::accounts::ports::RateLimiter;
use crate::app::store::StoreError;
use crate::domain::{RateLimit, Timestamp};
use aws_sdk_dynamodb::types::ReturnValue;

impl RateLimiter for Table {
    async fn hit(&self, limit: RateLimit, key: &str, now: Timestamp) -> Result<u32, StoreError> {
        // A minute of slack past the window, so a clock a little behind still finds it.
        let expires = Timestamp::from_unix_timestamp(limit.window_end(now) + 60).unwrap_or(now);
        let output = self
            .client
            .update_item()
            .table_name(&self.name)
            .key(PK, s(keys::rate_pk(limit.name, key, limit.window_start(now))))
            .key(SK, s(keys::RATE_SK))
            .update_expression("ADD hits :one SET #expires = :expires")
            .expression_attribute_names("#expires", EXPIRES_AT)
            .expression_attribute_values(":one", n(1))
            .expression_attribute_values(":expires", epoch(expires))
            .return_values(ReturnValue::UpdatedNew)
            .send()
            .await
            .map_err(unavailable)?;
        let hits = output.attributes().and_then(|a| a.get("hits")).and_then(|v| v.as_n().ok());
        hits.and_then(|h| h.parse().ok()).ok_or_else(|| StoreError::Corrupt("rate counter without hits".into()))
    }

    async fn hits(&self, limit: RateLimit, key: &str, now: Timestamp) -> Result<u32, StoreError> {
        let found = self.get_consistent(keys::rate_pk(limit.name, key, limit.window_start(now)), keys::RATE_SK).await?;
        found.map_or(Ok(0), |item| super::items::Reader(&item).n("hits"))
    }
}
