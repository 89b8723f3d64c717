//! The payments job: applies each verified provider event on the `payments`
//! queue to the payment and its order, and ends the payment of each order that
//! ended unpaid (`order.cancelled`, fanned out from the outbox).

use super::JobError;
use crate::app::payments;
use crate::domain::{Event, EventKind};
use crate::inbound::events::stripe::StripeEvent;
use crate::outbound::dynamodb::Table;
use crate::outbound::stripe::Stripe;
use crate::telemetry::metrics;
use aws_lambda_events::sqs::SqsEvent;

pub struct PaymentsJob {
    pub table: Table,
    pub gateway: Stripe,
}

/// A message on the `payments` queue. Tillbox's events carry `occurred_at` and
/// one of its own types, which no Stripe event does, so the two cannot be
/// mistaken for each other.
#[derive(serde::Deserialize)]
#[serde(untagged)]
enum PaymentsMessage {
    Order(Event),
    Stripe(StripeEvent),
}

/// Handles one batch and returns the ids of the messages to retry.
pub async fn handle(job: &PaymentsJob, event: SqsEvent) -> Vec<String> {
    super::each_message("payments", event, |message| handle_message(job, message)).await
}

async fn handle_message(job: &PaymentsJob, message: PaymentsMessage) -> Result<(), JobError> {
    let now = time::OffsetDateTime::now_utc();
    let (outcome, kind, id) = match message {
        PaymentsMessage::Stripe(event) => {
            // An event Tillbox cannot read fails here on every try and so waits in
            // the dead-letter queue, alarmed, until a fixed version replays it.
            let understood = event
                .to_provider_event()
                .map_err(|source| JobError::UnreadableEvent { id: event.id.clone(), source })?;
            let outcome =
                payments::settle(&job.table, &job.gateway, &understood, now).await.map_err(JobError::failed)?;
            (outcome, event.kind, event.id)
        }
        PaymentsMessage::Order(event) => match event.kind {
            EventKind::OrderCancelled { order_id } => {
                let outcome =
                    payments::order_ended(&job.table, &job.gateway, order_id, now).await.map_err(JobError::failed)?;
                (outcome, event.kind.name().to_owned(), event.id.to_string())
            }
            other => return Err(JobError::Unexpected(format!("{} is not routed to the payments job", other.name()))),
        },
    };
    tracing::info!(event = %id, %kind, ?outcome, "payment event handled");
    if matches!(outcome, payments::Outcome::Declined) {
        metrics::count("PaymentsFailed", &[]);
    }
    if outcome.needs_staff() {
        metrics::count("PaymentsNeedingStaff", &[]);
    }
    Ok(())
}
