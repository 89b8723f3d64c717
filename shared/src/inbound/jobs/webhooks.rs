//! The webhooks job: one attempt per message from the `webhooks` queue (the
//! fan-out puts one there per event and subscribed endpoint; retries and
//! redeliveries come back to it), and the payload each event type is sent with.
//!
//! Waits longer than SQS's 15-minute message delay are made of hops: a message
//! that arrives before its `not_before` goes back with the remaining delay. No
//! message stays in flight for hours, so a crash or deploy loses no retry, and the
//! queue's redrive counts failures of the job itself, not of receivers.

use super::JobError;
use crate::app::orders::ports::OrderStore;
use crate::app::store::StoreError;
use crate::app::webhooks::ports::DeliveryJob;
use crate::app::webhooks::{self};
use crate::domain::webhook::retry::RetrySchedule;
use crate::domain::{Event, format_timestamp};
use crate::inbound::views::OrderView;
use crate::outbound::dynamodb::Table;
use crate::outbound::sqs::Queue;
use crate::outbound::webhooks::HttpSender;
use aws_lambda_events::sqs::SqsEvent;
use serde_json::json;

/// The payload format's version: it changes only when a field changes meaning
/// or goes away (docs/events.md, "Webhook payloads").
pub const PAYLOAD_VERSION: u32 = 1;

pub struct WebhooksJob {
    pub table: Table,
    pub sender: HttpSender,
    pub queue: Queue,
    pub schedule: RetrySchedule,
}

/// Deliveries in flight at once: a whole batch (template.yaml's `BatchSize`), so
/// a receiver that answers slowly delays only its own delivery.
const DELIVERIES_AT_ONCE: usize = 10;

/// Handles one batch, its deliveries side by side, and returns the ids of the
/// messages to retry.
pub async fn handle(job: &WebhooksJob, event: SqsEvent) -> Vec<String> {
    super::each_message_side_by_side("webhooks", event, DELIVERIES_AT_ONCE, |message| handle_message(job, message))
        .await
}

async fn handle_message(job: &WebhooksJob, message: DeliveryJob) -> Result<(), JobError> {
    let (endpoint, event, attempt) = (message.endpoint_id, message.event_id, message.attempt);
    let render = async |event: &Event| payload(&job.table, event).await;
    let outcome = webhooks::deliver(
        &job.table,
        &job.sender,
        &job.queue,
        &job.schedule,
        message,
        render,
        time::OffsetDateTime::now_utc(),
    )
    .await
    .map_err(JobError::failed)?;
    tracing::info!(%endpoint, %event, attempt, ?outcome, "webhook delivery handled");
    Ok(())
}

/// `{"type", "timestamp", "version", "data"}`: the event's own data, and for
/// order events the order as `GET /orders/{id}` shows it when first sent.
pub async fn payload(table: &Table, event: &Event) -> Result<String, StoreError> {
    let mut data = serde_json::to_value(&event.kind).expect("events serialise")["data"].take();
    if let Some(order_id) = event.kind.order_id() {
        let order = OrderStore::get(table, order_id).await?;
        data["order"] = order.as_ref().map_or(json!(null), |order| json!(OrderView::new(order)));
    }
    let body = json!({
        "type": event.kind.name(),
        "timestamp": format_timestamp(event.occurred_at),
        "version": PAYLOAD_VERSION,
        "data": data,
    });
    Ok(body.to_string())
}
