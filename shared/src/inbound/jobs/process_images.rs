//! The image job: checks each uploaded file and attaches or rejects it.

use super::JobError;
use crate::app::catalog::images::{Outcome, process_upload};
use crate::inbound::events::s3::Notification;
use crate::outbound::dynamodb::Table;
use crate::outbound::s3::Bucket;
use aws_lambda_events::sqs::SqsEvent;

pub struct ImageJob {
    pub table: Table,
    pub bucket: Bucket,
}

/// Handles one batch and returns the ids of the messages to retry.
pub async fn handle(job: &ImageJob, event: SqsEvent) -> Vec<String> {
    super::each_message("images", event, |notification| handle_message(job, notification)).await
}

async fn handle_message(job: &ImageJob, notification: Notification) -> Result<(), JobError> {
    let objects = match notification {
        Notification::Test => return Ok(()),
        Notification::Created(objects) => objects,
    };
    for object in objects {
        if object.bucket != job.bucket.name() {
            tracing::warn!(bucket = %object.bucket, key = %object.key, "event for another bucket ignored");
            continue;
        }
        let now = time::OffsetDateTime::now_utc();
        let outcome = process_upload(&job.table, &job.bucket, &object.key, now).await.map_err(JobError::failed)?;
        match outcome {
            Outcome::Attached(image) => {
                tracing::info!(key = %object.key, image = %image.id, "image attached")
            }
            Outcome::Rejected(reason) => {
                tracing::warn!(key = %object.key, reason = reason.as_str(), "upload rejected")
            }
            Outcome::AlreadyProcessed => {
                tracing::info!(key = %object.key, "duplicate event; nothing changed")
            }
            Outcome::Unknown => tracing::warn!(key = %object.key, "unknown object deleted"),
        }
    }
    Ok(())
}
