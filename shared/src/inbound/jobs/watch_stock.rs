//! The stock watcher: reads every change to a product item from the table's
//! stream and publishes `inventory.low` for each variant the change took below
//! its threshold (`app::catalog::stock`).
//!
//! Records are handled in stream order; at the first that fails the job stops
//! and reports it, so Lambda retries from it (events already published for it
//! keep their ids, so nothing is published twice).

use super::JobError;
use crate::app::catalog::stock;
use crate::inbound::events::dynamodb_stream;
use crate::outbound::dynamodb::{Table, product_from_image};
use crate::telemetry::metrics;
use aws_lambda_events::dynamodb::Event as StreamEvent;
use aws_lambda_events::streams::{DynamoDbBatchItemFailure, DynamoDbEventResponse};

pub struct StockWatch {
    pub table: Table,
}

/// Never fails as a whole: a failed record is reported as the batch's failure.
pub async fn handle(job: &StockWatch, event: StreamEvent) -> Result<DynamoDbEventResponse, JobError> {
    let mut response = DynamoDbEventResponse::default();
    for record in &event.records {
        let Some((old, new)) = dynamodb_stream::product_change(record) else { continue };
        let (before, after) = match (product_from_image(old), product_from_image(new)) {
            (Ok(before), Ok(after)) => (before, after),
            (Err(unreadable), _) | (_, Err(unreadable)) => {
                // Tillbox writes only products it can read back; a retry cannot help.
                tracing::error!(%unreadable, "a product change on the stream is unreadable; skipped");
                continue;
            }
        };
        let now = time::OffsetDateTime::now_utc();
        match stock::report_low_stock(&job.table, &before, &after, now).await {
            Ok(0) => {}
            Ok(published) => tracing::info!(product = %after.id, published, "inventory.low published"),
            Err(error) => {
                let sequence = record.change.sequence_number.clone();
                tracing::warn!(sequence = ?sequence, %error, "low stock not published; retrying from it");
                metrics::count("JobMessagesFailed", &[("function_name", metrics::function_name())]);
                let mut failure = DynamoDbBatchItemFailure::default();
                failure.item_identifier = sequence;
                response.batch_item_failures.push(failure);
                break;
            }
        }
    }
    Ok(response)
}
