//! The fan-out job: reads new outbox items from the table's stream and puts each
//! event on the queues of the jobs that react to it (the live updates' queue
//! for every event someone may follow over a WebSocket); and, from the same stream,
//! every new or changed product, which it puts on the search index's queue and,
//! for a change, publishes `inventory.low` for each variant the change took
//! below its threshold (`app::catalog::stock`). One reader for all three:
//! a stream serves two Lambda readers per shard before it throttles them, and
//! the audit archive is the other.
//!
//! Records are handled in stream order. At the first failure the job stops and
//! reports that record, so Lambda retries from it (earlier records are done) and,
//! after the mapping's retry limit, sends the batch's details to the outbox
//! dead-letter queue. A retry may put an event on a queue twice; every consumer
//! de-duplicates on the event id.

use super::JobError;
use super::index_products::ProductChanged;
use crate::app::catalog::stock;
use crate::app::webhooks::{self, ports::DeliveryQueue, ports::WebhookStore};
use crate::domain::WebhookEndpoint;
use crate::domain::live;
use crate::domain::webhook::selection::SUBSCRIBABLE;
use crate::domain::{Event, EventKind};
use crate::inbound::events::dynamodb_stream::{self, StreamRecord};
use crate::outbound::dynamodb::Table;
use crate::outbound::dynamodb::product_from_image;
use crate::outbound::sqs::{Queue, Queues};
use aws_lambda_events::dynamodb::Event as StreamEvent;
use aws_lambda_events::streams::{DynamoDbBatchItemFailure, DynamoDbEventResponse};

/// Where each kind of event goes: every consumer has its own queue.
#[derive(Debug, Clone)]
pub struct Routes {
    pub emails_queue_url: String,
    pub receipts_queue_url: String,
    pub stats_queue_url: String,
    pub exports_queue_url: String,
    /// Not for events: every product written (`ProductChanged`), for the search index.
    pub search_queue_url: String,
    /// FIFO: the events someone may follow live (`domain::live::topics_of`), for
    /// the push job, in order per order.
    pub live_queue_url: String,
    /// With a payment provider: the payments job ends the payment of an order
    /// that ended unpaid.
    pub payments_queue_url: Option<String>,
}

impl Routes {
    fn destinations(&self, event: &Event) -> Vec<&str> {
        match event.kind {
            EventKind::UserSignedUp { .. }
            | EventKind::SignupRepeated { .. }
            | EventKind::PasswordResetRequested { .. }
            | EventKind::OrderFulfilled { .. }
            | EventKind::OrderDisputed { .. }
            | EventKind::InventoryLow { .. }
            | EventKind::CartAbandoned { .. }
            | EventKind::ReturnRequested { .. }
            | EventKind::ReturnApproved { .. }
            | EventKind::ReturnRejected { .. }
            | EventKind::ReturnReceived { .. }
            | EventKind::WebhookEndpointDisabled { .. } => vec![&self.emails_queue_url],
            // For webhook subscribers only.
            EventKind::ProductCreated { .. } | EventKind::ProductUpdated { .. } | EventKind::ProductArchived { .. } => {
                vec![]
            }
            // For the live feed only.
            EventKind::WebhookDeliveryFailed { .. } => vec![],
            EventKind::OrderCancelled { .. } => {
                let mut queues = vec![self.emails_queue_url.as_str(), &self.stats_queue_url];
                queues.extend(self.payments_queue_url.as_deref());
                queues
            }
            // The receipts job prints the refund's credit note.
            EventKind::OrderRefunded { .. } => {
                vec![&self.emails_queue_url, &self.receipts_queue_url, &self.stats_queue_url]
            }
            EventKind::OrderPaid { .. } => {
                vec![&self.emails_queue_url, &self.receipts_queue_url, &self.stats_queue_url]
            }
            // E-mails: a guest gets the link to pay and follow their order.
            EventKind::OrderPlaced { .. } => vec![&self.emails_queue_url, &self.stats_queue_url],
            EventKind::ExportRequested { .. } => vec![&self.exports_queue_url],
        }
    }
}

pub struct FanOut {
    pub queues: Queues,
    pub routes: Routes,
    /// Where the registered webhook endpoints are read from, once per batch.
    pub table: Table,
    /// One message per (event, subscribed endpoint).
    pub webhooks: Queue,
}

/// Never fails as a whole: failures are reported per record.
pub async fn handle(job: &FanOut, event: StreamEvent) -> Result<DynamoDbEventResponse, JobError> {
    let mut response = DynamoDbEventResponse::default();
    let mut endpoints = None;
    for record in &event.records {
        let sequence = record.change.sequence_number.clone();
        if let Err(error) = handle_record(job, record, &mut endpoints).await {
            let reason = error.report();
            tracing::warn!(sequence = ?sequence, %reason, "outbox record failed; retrying from it");
            crate::telemetry::metrics::count(
                "JobMessagesFailed",
                &[("function_name", crate::telemetry::metrics::function_name())],
            );
            let mut failure = DynamoDbBatchItemFailure::default();
            failure.item_identifier = sequence;
            response.batch_item_failures.push(failure);
            break;
        }
    }
    Ok(response)
}

async fn watch_stock(job: &FanOut, old: &serde_dynamo::Item, new: &serde_dynamo::Item) -> Result<(), JobError> {
    let (before, after) = match (product_from_image(old), product_from_image(new)) {
        (Ok(before), Ok(after)) => (before, after),
        (Err(unreadable), _) | (_, Err(unreadable)) => {
            // Tillbox writes only products it can read back; a retry cannot help.
            tracing::error!(%unreadable, "a product change on the stream is unreadable; skipped");
            return Ok(());
        }
    };
    let now = time::OffsetDateTime::now_utc();
    let published = stock::report_low_stock(&job.table, &before, &after, now).await.map_err(JobError::failed)?;
    if published > 0 {
        tracing::info!(product = %after.id, published, "inventory.low published");
    }
    Ok(())
}

/// `endpoints` is read at the batch's first event an endpoint may subscribe to,
/// and kept for the rest of it.
async fn handle_record(
    job: &FanOut,
    record: &aws_lambda_events::dynamodb::EventRecord,
    endpoints: &mut Option<Vec<WebhookEndpoint>>,
) -> Result<(), JobError> {
    if let Some(product_id) = dynamodb_stream::written_product(record) {
        let body = serde_json::to_string(&ProductChanged { product_id }).expect("ids serialise");
        job.queues.send(&job.routes.search_queue_url, &body).await.map_err(JobError::failed)?;
    }
    if let Some((old, new)) = dynamodb_stream::product_change(record) {
        return watch_stock(job, old, new).await;
    }
    let event = match dynamodb_stream::parse(record).map_err(JobError::UnreadableRecord)? {
        StreamRecord::Unrelated => return Ok(()),
        StreamRecord::Published(event) => event,
    };
    crate::telemetry::correlate(event.correlation_id.clone(), route(job, &event, endpoints)).await
}

/// Puts `event` on its consumers' queues and one message per subscribed endpoint.
async fn route(job: &FanOut, event: &Event, endpoints: &mut Option<Vec<WebhookEndpoint>>) -> Result<(), JobError> {
    let body = event.to_json();
    for queue in job.routes.destinations(event) {
        job.queues.send(queue, &body).await.map_err(JobError::failed)?;
    }
    if !live::topics_of(&event.kind).is_empty() {
        let group = event.kind.order_id().map_or_else(|| "shop".to_owned(), |order| order.to_string());
        let id = event.id.to_string();
        job.queues.send_in_order(&job.routes.live_queue_url, &body, &group, &id).await.map_err(JobError::failed)?;
    }
    let deliveries = if !SUBSCRIBABLE.contains(&event.kind.name()) {
        Vec::new()
    } else {
        let endpoints = match endpoints {
            Some(endpoints) => endpoints,
            None => endpoints.insert(job.table.all_endpoints().await.map_err(JobError::failed)?),
        };
        webhooks::subscribers(endpoints, event)
    };
    for delivery in &deliveries {
        job.webhooks.enqueue(delivery, time::Duration::ZERO).await.map_err(JobError::failed)?;
    }
    tracing::info!(event = %event.id, kind = event.kind.name(), webhooks = deliveries.len(), "event fanned out");
    if matches!(event.kind, EventKind::UserSignedUp { .. }) {
        crate::telemetry::metrics::count("SignUps", &[]);
    }
    Ok(())
}
