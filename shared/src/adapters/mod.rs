//! Adapters: the ports of [`crate::catalog::ports`] implemented against AWS, and
//! the inbound event formats (S3 notifications delivered through SQS).

pub mod aws;
pub mod dynamodb;
pub mod s3;
pub mod s3_events;
