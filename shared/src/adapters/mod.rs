//! Adapters: the ports of [`crate::catalog::ports`], [`crate::accounts::ports`] and
//! [`crate::notifications`] implemented against AWS, and the inbound event formats
//! (S3 notifications through SQS, DynamoDB stream records).

pub mod aws;
pub mod dynamodb;
pub mod dynamodb_stream;
pub mod s3;
pub mod s3_events;
pub mod ses;
pub mod sqs;
pub mod ssm;

use crate::store::StoreError;
use aws_sdk_dynamodb::error::{DisplayErrorContext, SdkError};

/// Any SDK failure as the port-level error, with the SDK's full context.
fn unavailable<E: std::error::Error + 'static, R: std::fmt::Debug>(error: SdkError<E, R>) -> StoreError {
    StoreError::Unavailable(DisplayErrorContext(error).to_string())
}
