//! The search index job: brings the search documents of the products named on
//! the `search` queue up to date, a whole batch in one read and one write of the
//! index (the fan-out puts a product there at every change: staff edits, stock
//! taken by orders, images made).

use super::JobError;
use crate::app::search;
use crate::domain::ProductId;
use crate::outbound::dynamodb::Table;
use crate::outbound::s3::Bucket;
use aws_lambda_events::sqs::SqsEvent;
use serde::{Deserialize, Serialize};

/// The message: which product changed. The job reads the product itself, so a
/// late or repeated message can only write what is current.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductChanged {
    pub product_id: ProductId,
}

pub struct IndexJob {
    pub table: Table,
    pub bucket: Bucket,
}

/// Handles one batch and returns the ids of the messages to retry: the unreadable
/// ones, or every one when the index could not be written.
pub async fn handle(job: &IndexJob, event: SqsEvent) -> Vec<String> {
    let mut unreadable = Vec::new();
    let mut readable = Vec::new();
    let mut products = Vec::new();
    for message in event.records {
        let id = message.message_id.unwrap_or_default();
        match serde_json::from_str::<ProductChanged>(message.body.as_deref().unwrap_or_default()) {
            Ok(changed) => {
                products.push(changed.product_id);
                readable.push(id);
            }
            Err(error) => {
                tracing::warn!(message_id = %id, error = %JobError::Unreadable(error).report(), "message failed");
                unreadable.push(id);
            }
        }
    }
    products.sort_unstable();
    products.dedup();
    if products.is_empty() {
        return unreadable;
    }
    match search::reindex(&job.bucket, &job.table, &products).await {
        Ok(changed) => {
            tracing::info!(products = products.len(), changed, "search index updated");
            unreadable
        }
        Err(error) => {
            tracing::warn!(reason = %JobError::failed(error).report(), "search index not updated; retrying the batch");
            unreadable.extend(readable);
            unreadable
        }
    }
}
