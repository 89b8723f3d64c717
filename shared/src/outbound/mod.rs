//! The ports of [`crate::app`] implemented on AWS: DynamoDB ([`dynamodb::Table`]),
//! S3 ([`s3::Bucket`]), SES, SQS and SSM Parameter Store, the payment gateway on
//! Stripe ([`stripe::Stripe`]), PDF printing and the webhook sender. Each adapter
//! is built from the values it needs; [`crate::wiring`] reads them.

pub mod audit_archive;
pub mod dynamodb;
pub mod live_push;
pub mod pdf;
pub mod s3;
pub mod ses;
pub mod sqs;
pub mod ssm;
pub mod stripe;
pub mod webhooks;

use crate::app::store::StoreError;
use aws_sdk_dynamodb::error::{DisplayErrorContext, SdkError};

/// Any SDK failure as the port-level error, with the SDK's full context.
fn unavailable<E: std::error::Error + 'static, R: std::fmt::Debug>(error: SdkError<E, R>) -> StoreError {
    StoreError::Unavailable(DisplayErrorContext(error).to_string())
}
