//! The receipts job: prints the receipt of each order paid, from the `receipts`
//! queue, into the bucket.

use super::JobError;
use crate::app::receipts::{self, ReceiptSettings};
use crate::domain::{Event, EventKind};
use crate::outbound::dynamodb::Table;
use crate::outbound::pdf::PdfPrinter;
use crate::outbound::s3::Bucket;
use aws_lambda_events::sqs::SqsEvent;

pub struct ReceiptsJob {
    pub table: Table,
    pub bucket: Bucket,
    pub printer: PdfPrinter,
    pub settings: ReceiptSettings,
}

/// Handles one batch and returns the ids of the messages to retry.
pub async fn handle(job: &ReceiptsJob, event: SqsEvent) -> Vec<String> {
    super::each_message("receipts", event, |event| handle_message(job, event)).await
}

async fn handle_message(job: &ReceiptsJob, event: Event) -> Result<(), JobError> {
    let EventKind::OrderPaid { order_id } = event.kind else {
        tracing::info!(event = %event.id, kind = event.kind.name(), "no receipt for this event");
        return Ok(());
    };
    let outcome = receipts::print(&job.table, &job.bucket, &job.printer, &job.settings, order_id)
        .await
        .map_err(JobError::failed)?;
    tracing::info!(event = %event.id, %order_id, ?outcome, "receipt handled");
    Ok(())
}
