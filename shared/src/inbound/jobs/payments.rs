//! The payments job: applies each verified provider event on the `payments`
//! queue to the payment and its order.

use super::JobError;
use crate::app::payments;
use crate::inbound::events::stripe::StripeEvent;
use crate::outbound::dynamodb::Table;
use crate::outbound::stripe::Stripe;
use aws_lambda_events::sqs::SqsEvent;

pub struct PaymentsJob {
    pub table: Table,
    pub gateway: Stripe,
}

/// Handles one batch and returns the ids of the messages to retry.
pub async fn handle(job: &PaymentsJob, event: SqsEvent) -> Vec<String> {
    super::each_message("payments", event, |event| handle_message(job, event)).await
}

async fn handle_message(job: &PaymentsJob, event: StripeEvent) -> Result<(), JobError> {
    let now = time::OffsetDateTime::now_utc();
    let understood =
        event.to_provider_event().map_err(|source| JobError::UnreadableEvent { id: event.id.clone(), source })?;
    let outcome = payments::settle(&job.table, &job.gateway, &understood, now).await.map_err(JobError::failed)?;
    tracing::info!(event = %event.id, kind = %event.kind, ?outcome, "payment event handled");
    if matches!(outcome, payments::Outcome::Declined) {
        crate::telemetry::metrics::count("PaymentsFailed", &[]);
    }
    Ok(())
}
