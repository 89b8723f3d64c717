//! The formats of the events jobs receive, parsed into domain terms.

pub mod dynamodb_stream;
pub mod s3;
pub mod stripe;
