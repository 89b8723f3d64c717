//! The receipts job: prints the invoice of each order paid and the credit note
//! of each refund, from the `receipts` queue, into the bucket.

use super::JobError;
use crate::app::receipts::{self, InvoiceSettings};
use crate::domain::{Event, EventKind};
use crate::outbound::dynamodb::Table;
use crate::outbound::pdf::PdfPrinter;
use crate::outbound::s3::Bucket;
use aws_lambda_events::sqs::SqsEvent;

pub struct ReceiptsJob {
    pub table: Table,
    pub bucket: Bucket,
    pub printer: PdfPrinter,
    pub settings: InvoiceSettings,
}

/// Handles one batch and returns the ids of the messages to retry.
pub async fn handle(job: &ReceiptsJob, event: SqsEvent) -> Vec<String> {
    super::each_message("receipts", event, |event| handle_message(job, event)).await
}

async fn handle_message(job: &ReceiptsJob, event: Event) -> Result<(), JobError> {
    let outcome = match &event.kind {
        EventKind::OrderPaid { order_id } => {
            let now = time::OffsetDateTime::now_utc();
            let (files, printer, settings) = (&job.bucket, &job.printer, &job.settings);
            receipts::print_packing_slip(&job.table, files, printer, settings, *order_id, now)
                .await
                .map_err(JobError::failed)?;
            receipts::print(&job.table, files, printer, settings, *order_id).await
        }
        EventKind::OrderRefunded { order_id, refund_id: Some(refund), surplus: false, .. } => {
            let document = (*order_id, refund.as_str());
            receipts::print_credit_note(&job.table, &job.bucket, &job.printer, &job.settings, document).await
        }
        _ => {
            tracing::info!(event = %event.id, kind = event.kind.name(), "no document for this event");
            return Ok(());
        }
    };
    let outcome = outcome.map_err(JobError::failed)?;
    tracing::info!(event = %event.id, kind = event.kind.name(), ?outcome, "document handled");
    Ok(())
}
