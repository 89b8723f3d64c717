//! The audit archive job: reads every change to an audit item from the table's
//! stream, copies each new record to the archive bucket, and reports any other
//! change (an overwrite, an update, a delete, an expiry) as tampering: an ERROR
//! line with `security_event = "audit_record_tampered"` and the
//! `AuditRecordsTampered` metric, which `AuditTamperedAlarm` watches.
//!
//! Records are handled in stream order; at the first copy that fails the job
//! stops and reports that record, so Lambda retries from it.

use super::JobError;
use crate::app::audit::archive::{self, AuditItemChange};
use crate::inbound::events::dynamodb_stream;
use crate::outbound::audit_archive::AuditArchiveBucket;
use crate::telemetry::metrics;
use aws_lambda_events::dynamodb::Event as StreamEvent;
use aws_lambda_events::streams::{DynamoDbBatchItemFailure, DynamoDbEventResponse};

pub struct ArchiveJob {
    pub archive: AuditArchiveBucket,
}

/// Never fails as a whole: a failed copy is reported as the batch's failure.
pub async fn handle(job: &ArchiveJob, event: StreamEvent) -> Result<DynamoDbEventResponse, JobError> {
    let mut response = DynamoDbEventResponse::default();
    for record in &event.records {
        let Some(change) = dynamodb_stream::audit_change(record) else { continue };
        if let AuditItemChange::Tampered { key, change } = &change {
            tracing::error!(security_event = "audit_record_tampered", %key, %change, "an audit record was changed after it was written; its archived copy is unchanged");
            metrics::count("AuditRecordsTampered", &[]);
        }
        if let Err(error) = archive::archive(&job.archive, &change).await {
            let sequence = record.change.sequence_number.clone();
            tracing::warn!(sequence = ?sequence, %error, "audit record not archived; retrying from it");
            metrics::count("JobMessagesFailed", &[("function_name", metrics::function_name())]);
            let mut failure = DynamoDbBatchItemFailure::default();
            failure.item_identifier = sequence;
            response.batch_item_failures.push(failure);
            break;
        }
    }
    Ok(response)
}
