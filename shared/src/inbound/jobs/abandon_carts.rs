//! The abandoned-cart job, on a schedule: publishes `cart.abandoned` once for
//! each open cart with lines and an address left untouched for
//! `ABANDONED_CART_HOURS` (the e-mail job sends the reminder when
//! `ABANDONED_CART_EMAILS` is on; webhooks carry the event either way).

use super::JobError;
use crate::app::carts;
use crate::outbound::dynamodb::Table;
use serde::Serialize;

pub struct AbandonedCartJob {
    pub table: Table,
    /// How long a cart is left before it counts as abandoned.
    pub idle_for: time::Duration,
}

/// What a run did, as the invocation's result.
#[derive(Debug, Serialize)]
pub struct Report {
    pub reported: usize,
}

/// The scheduled event carries nothing the job needs: it runs on "now".
pub async fn handle(job: &AbandonedCartJob, _scheduled: serde_json::Value) -> Result<Report, JobError> {
    let now = time::OffsetDateTime::now_utc();
    let reported = carts::report_abandoned(&job.table, now - job.idle_for, now).await.map_err(JobError::failed)?;
    tracing::info!(reported, "abandoned carts reported");
    Ok(Report { reported })
}
