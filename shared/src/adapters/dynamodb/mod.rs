//! The single DynamoDB table. `docs/data-model.md` lists every key and access
//! pattern; [`keys`] is the only place key strings are built.

mod cursor;
mod events;
mod items;
pub mod keys;
mod products;
mod rate_limits;
mod sessions;
mod uploads;
mod users;

use super::unavailable;
use crate::store::StoreError;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::types::CancellationReason;

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

    pub fn from_env(sdk: &aws_config::SdkConfig) -> Result<Self, crate::config::ConfigError> {
        Ok(Self::new(sdk, crate::config::table_name()?))
    }
}

fn built<T>(result: Result<T, aws_sdk_dynamodb::error::BuildError>) -> Result<T, StoreError> {
    result.map_err(|e| StoreError::Unavailable(format!("request could not be built: {e}")))
}

/// The reasons a cancelled transaction gives, one per action, or `None` when the
/// transaction failed for another reason.
fn cancellation_reasons(
    error: &SdkError<aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError, impl std::fmt::Debug>,
) -> Option<&[CancellationReason]> {
    use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
    match error.as_service_error()? {
        TransactWriteItemsError::TransactionCanceledException(cancelled) => Some(cancelled.cancellation_reasons()),
        _ => None,
    }
}

/// Whether the action at `index` was cancelled by its condition expression.
fn failed_condition(reasons: &[CancellationReason], index: usize) -> bool {
    reasons.get(index).and_then(CancellationReason::code) == Some("ConditionalCheckFailed")
}
