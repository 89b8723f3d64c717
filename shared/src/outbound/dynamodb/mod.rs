//! The single DynamoDB table. `docs/data-model.md` lists every key and access
//! pattern; [`keys`] is the only place key strings are built.

mod address_book;
mod carts;
mod cursor;
mod discounts;
mod events;

pub use events::audit_from_image;
pub use items::product_from_image;
mod documents;
mod exports;
mod idempotency;
mod items;
pub mod keys;
mod live;
mod orders;
mod payments;
mod products;
mod rate_limits;
mod returns;
mod sessions;
mod settings;
mod stats;
mod uploads;
mod users;
mod webhooks;

use super::unavailable;
use crate::app::store::{Page, StoreError};
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::operation::query::builders::QueryFluentBuilder;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{CancellationReason, Put, ReturnValuesOnConditionCheckFailure, TransactWriteItem};
use items::{Item, n, s};
use keys::{PK, SK};

/// A handle on the table; cheap to clone, built once per container.
#[derive(Clone, Debug)]
pub struct Table {
    client: Client,
    name: String,
}

impl Table {
    pub fn new(sdk: &aws_config::SdkConfig, name: impl Into<String>) -> Self {
        Self { client: Client::new(sdk), name: name.into() }
    }

    /// A strongly consistent read of one item: every read that decides a write.
    async fn get_consistent(&self, pk: String, sk: &str) -> Result<Option<Item>, StoreError> {
        let output = self
            .client
            .get_item()
            .table_name(&self.name)
            .key(PK, s(pk))
            .key(SK, s(sk))
            .consistent_read(true)
            .send()
            .await
            .map_err(unavailable)?;
        Ok(output.item)
    }

    /// A transaction put that must create its item: ids are fresh, so a collision
    /// means a claim is taken (SKU, e-mail) or a retried write, never an overwrite.
    fn put_new(&self, item: Item) -> Result<TransactWriteItem, StoreError> {
        let put = built(
            Put::builder()
                .table_name(&self.name)
                .set_item(Some(item))
                .condition_expression("attribute_not_exists(PK)")
                .build(),
        )?;
        Ok(TransactWriteItem::builder().put(put).build())
    }

    /// A transaction put that replaces an aggregate only at the version it was read
    /// at (optimistic locking); on conflict DynamoDB returns the stored item, which
    /// [`version_conflict`] reads.
    fn put_at_version(&self, item: Item, expected: u64) -> Result<TransactWriteItem, StoreError> {
        let put = built(
            Put::builder()
                .table_name(&self.name)
                .set_item(Some(item))
                .condition_expression("version = :expected")
                .expression_attribute_values(":expected", n(expected))
                .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
                .build(),
        )?;
        Ok(TransactWriteItem::builder().put(put).build())
    }
}

/// What a cancelled or failed transaction reports.
type TransactError = SdkError<TransactWriteItemsError, aws_sdk_dynamodb::config::http::HttpResponse>;

impl Table {
    /// Sends one transaction. DynamoDB cancels a transaction that meets another on
    /// the same item (a popular product, a busy discount code) with
    /// `TransactionConflict`; it is sent again after a jittered, growing pause and
    /// its conditions are evaluated afresh. Any other outcome is returned as is.
    async fn transact(&self, actions: Vec<TransactWriteItem>) -> Result<(), TransactError> {
        const ATTEMPTS: u32 = 8;
        let mut attempt = 0;
        loop {
            let result =
                self.client.transact_write_items().set_transact_items(Some(actions.clone())).send().await.map(|_| ());
            let conflicted = result
                .as_ref()
                .err()
                .and_then(|e| cancellation_reasons(e))
                .is_some_and(|reasons| reasons.iter().any(|r| r.code() == Some("TransactionConflict")));
            attempt += 1;
            if !conflicted || attempt == ATTEMPTS {
                return result;
            }
            let [a, b] = crate::domain::secret::random_bytes::<2>();
            let ceiling_ms = 10u64 << attempt.min(6);
            let pause = u64::from(u16::from_le_bytes([a, b])) % ceiling_ms + 5;
            tokio::time::sleep(std::time::Duration::from_millis(pause)).await;
        }
    }
}

impl Table {
    /// Every item of the table partition `pk` (whose sort key starts with
    /// `sk_prefix`, when given), all pages, strongly consistent: for the small
    /// partitions read whole (a day's stats, an order's returns).
    async fn partition(&self, pk: String, sk_prefix: Option<&str>) -> Result<Vec<Item>, StoreError> {
        let mut items = Vec::new();
        let mut start = None;
        loop {
            let mut query = self
                .client
                .query()
                .table_name(&self.name)
                .expression_attribute_names("#pk", keys::PK)
                .expression_attribute_values(":pk", items::s(&pk))
                .consistent_read(true)
                .set_exclusive_start_key(start);
            query = match sk_prefix {
                Some(prefix) => query
                    .key_condition_expression("#pk = :pk AND begins_with(#sk, :prefix)")
                    .expression_attribute_names("#sk", keys::SK)
                    .expression_attribute_values(":prefix", items::s(prefix)),
                None => query.key_condition_expression("#pk = :pk"),
            };
            let output = query.send().await.map_err(unavailable)?;
            items.extend(output.items.unwrap_or_default());
            start = output.last_evaluated_key;
            if start.is_none() {
                return Ok(items);
            }
        }
    }
}

/// One page of one index partition: the single way listings read, so every
/// listing pages with the same cursor rules.
struct IndexPage<'a> {
    index: &'static str,
    pk_name: &'static str,
    sk_name: &'static str,
    partition: String,
    newest_first: bool,
    limit: u16,
    cursor: Option<&'a str>,
}

impl Table {
    /// Queries `page`; `narrow` may add a sort-key condition (replacing the
    /// partition-only `#pk = :pk`) or a filter.
    async fn page<T>(
        &self,
        page: IndexPage<'_>,
        narrow: impl FnOnce(QueryFluentBuilder) -> QueryFluentBuilder,
        parse: impl Fn(&Item) -> Result<T, StoreError>,
    ) -> Result<Page<T>, StoreError> {
        let start = page
            .cursor
            .map(|c| cursor::decode(c, &[PK, SK, page.pk_name, page.sk_name], (page.pk_name, &page.partition)))
            .transpose()?;
        let request = self
            .client
            .query()
            .table_name(&self.name)
            .index_name(page.index)
            .key_condition_expression("#pk = :pk")
            .expression_attribute_names("#pk", page.pk_name)
            .expression_attribute_values(":pk", s(page.partition))
            .scan_index_forward(!page.newest_first)
            .limit(i32::from(page.limit))
            .set_exclusive_start_key(start);
        let output = narrow(request).send().await.map_err(unavailable)?;
        let items = output.items().iter().map(parse).collect::<Result<_, _>>()?;
        let next_cursor = output.last_evaluated_key.as_ref().and_then(cursor::encode);
        Ok(Page { items, next_cursor })
    }

    /// A transaction whose first action is a [`Table::put_at_version`] (or an
    /// update conditioned on `version`), every other action unconditional in effect:
    /// a cancellation is a version conflict or a missing item, anything else is
    /// the store being unavailable.
    async fn transact_versioned(&self, actions: Vec<TransactWriteItem>) -> Result<(), StoreError> {
        let error = match self.transact(actions).await {
            Ok(()) => return Ok(()),
            Err(e) => e,
        };
        match cancellation_reasons(&error).and_then(|reasons| version_conflict(reasons, 0)) {
            Some(conflict) => Err(conflict),
            None => Err(unavailable(error)),
        }
    }
}

/// Why a [`Table::put_at_version`] at `index` failed, if it did: the item moved on
/// to another version (read from the item the cancellation carries, so no second
/// read), or it is gone.
fn version_conflict(reasons: &[CancellationReason], index: usize) -> Option<StoreError> {
    if !failed_condition(reasons, index) {
        return None;
    }
    Some(match reasons[index].item() {
        Some(old) => items::Reader(old)
            .n("version")
            .map_or_else(|corrupt| corrupt, |current| StoreError::VersionMismatch { current }),
        None => StoreError::NotFound,
    })
}

/// The outcome of a conditional single-item write: `Ok(true)` when it was written,
/// `Ok(false)` when its condition did not hold, an error for anything else.
fn condition_held<T, E, R>(result: Result<T, SdkError<E, R>>) -> Result<bool, StoreError>
where
    E: aws_sdk_dynamodb::error::ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    match result {
        Ok(_) => Ok(true),
        Err(e) if e.as_service_error().and_then(|s| s.code()) == Some("ConditionalCheckFailedException") => Ok(false),
        Err(e) => Err(unavailable(e)),
    }
}

fn built<T>(result: Result<T, aws_sdk_dynamodb::error::BuildError>) -> Result<T, StoreError> {
    result.map_err(|e| StoreError::Unavailable(format!("request could not be built: {e}")))
}

/// The reasons a cancelled transaction gives, one per action, or `None` when the
/// transaction failed for another reason.
fn cancellation_reasons(
    error: &SdkError<TransactWriteItemsError, impl std::fmt::Debug>,
) -> Option<&[CancellationReason]> {
    match error.as_service_error()? {
        TransactWriteItemsError::TransactionCanceledException(cancelled) => Some(cancelled.cancellation_reasons()),
        _ => None,
    }
}

/// Whether the action at `index` was cancelled by its condition expression.
fn failed_condition(reasons: &[CancellationReason], index: usize) -> bool {
    reasons.get(index).and_then(CancellationReason::code) == Some("ConditionalCheckFailed")
}
