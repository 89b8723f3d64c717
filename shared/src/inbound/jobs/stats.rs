//! The stats job: adds each order event on the `stats` queue to its day's
//! counters, once per event however often it arrives.

use super::JobError;
use crate::app::stats;
use crate::domain::Event;
use crate::domain::stats::SalesCounts;
use crate::outbound::dynamodb::Table;
use crate::telemetry::metrics::{self, Unit};
use aws_lambda_events::sqs::SqsEvent;

pub struct StatsJob {
    pub table: Table,
}

/// Handles one batch and returns the ids of the messages to retry.
pub async fn handle(job: &StatsJob, event: SqsEvent) -> Vec<String> {
    super::each_message("stats", event, |event: Event| async move {
        let counted =
            stats::record(&job.table, &event, time::OffsetDateTime::now_utc()).await.map_err(JobError::failed)?;
        if let Some(counts) = counted {
            emit(&counts);
        }
        Ok(())
    })
    .await
}

/// Money metrics, emitted here because each event is counted exactly once.
fn emit(counts: &SalesCounts) {
    if counts.orders_paid > 0 {
        metrics::count("OrdersPaid", &[]);
    }
    if counts.refunds > 0 {
        metrics::count("Refunds", &[]);
    }
    for (currency, sales) in &counts.currencies {
        for (name, amount) in [("Revenue", sales.revenue), ("Refunded", sales.refunded)] {
            if amount != 0 {
                metrics::emit(name, amount as f64, Unit::None, &[("currency", currency)]);
            }
        }
    }
}
