//! The export job: writes the CSV of each `export.requested` on the `exports`
//! queue to the bucket.

use super::JobError;
use crate::app::exports::{self, PART_SIZE};
use crate::domain::{Event, EventKind};
use crate::outbound::dynamodb::Table;
use crate::outbound::s3::Bucket;
use aws_lambda_events::sqs::SqsEvent;

pub struct ExportJob {
    pub table: Table,
    pub bucket: Bucket,
}

/// Handles one batch and returns the ids of the messages to retry.
pub async fn handle(job: &ExportJob, event: SqsEvent) -> Vec<String> {
    super::each_message("exports", event, |event: Event| async move {
        let EventKind::ExportRequested { export_id } = event.kind else {
            return Err(JobError::Unexpected(format!("not an export request: {}", event.kind.name())));
        };
        exports::run(&job.table, &job.bucket, export_id, PART_SIZE, time::OffsetDateTime::now_utc)
            .await
            .map_err(JobError::failed)?;
        tracing::info!(export = %export_id, "export handled");
        Ok(())
    })
    .await
}
