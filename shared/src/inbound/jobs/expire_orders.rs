//! The expiry job, on a schedule: cancels orders still awaiting payment after the
//! configured time and releases their stock (each exactly once, however often or
//! concurrently the job runs).

use super::JobError;
use crate::app::orders::{self, Expired};
use crate::outbound::dynamodb::Table;
use serde::Serialize;

pub struct ExpiryJob {
    pub table: Table,
    pub unpaid_lifetime: time::Duration,
}

/// What a run did, as the invocation's result (visible in logs and to a caller).
#[derive(Debug, Serialize)]
pub struct Report {
    pub cancelled: usize,
    pub skipped: usize,
}

/// The scheduled event carries nothing the job needs: it runs on "now".
pub async fn handle(job: &ExpiryJob, _scheduled: serde_json::Value) -> Result<Report, JobError> {
    let now = time::OffsetDateTime::now_utc();
    let Expired { cancelled, skipped } =
        orders::expire_unpaid(&job.table, job.unpaid_lifetime, now).await.map_err(JobError::failed)?;
    tracing::info!(cancelled, skipped, "unpaid orders expired");
    Ok(Report { cancelled, skipped })
}
