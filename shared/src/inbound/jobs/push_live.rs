//! The live updates job: pushes each event the fan-out puts on the `live`
//! queue to the WebSocket connections following it (the order's customer or
//! guest, staff on the feed). The queue is FIFO, grouped by order, so one
//! order's changes arrive in the order they happened.
//!
//! An order event carries the order as it is when pushed (`order`, the same
//! view as `GET /orders/{id}`): status, shipment and tracking, refunds.

use super::JobError;
use crate::app::live;
use crate::app::orders::ports::OrderStore;
use crate::domain::live::topics_of;
use crate::domain::{Event, EventId, format_timestamp};
use crate::inbound::views::OrderView;
use crate::outbound::dynamodb::Table;
use crate::outbound::live_push::Connections;
use aws_lambda_events::sqs::SqsEvent;
use serde::Serialize;

pub struct PushJob {
    pub table: Table,
    pub connections: Connections,
}

/// Handles the batch in order and returns the ids to retry: from the first
/// message that failed on, as a FIFO queue needs, so nothing overtakes it. An
/// unreadable message is logged and dropped: retrying cannot help it, and its
/// group (every feed-only event shares one) would wait behind it.
pub async fn handle(job: &PushJob, event: SqsEvent) -> Vec<String> {
    let mut retry = Vec::new();
    for message in event.records {
        let id = message.message_id.unwrap_or_default();
        if !retry.is_empty() {
            retry.push(id);
            continue;
        }
        let event = match serde_json::from_str::<Event>(message.body.as_deref().unwrap_or_default()) {
            Ok(event) => event,
            Err(error) => {
                let reason = JobError::Unreadable(error).report();
                tracing::error!(message_id = %id, %reason, "an unreadable live update was dropped");
                continue;
            }
        };
        if let Err(error) = crate::telemetry::correlate(event.correlation_id.clone(), push(job, &event)).await {
            tracing::warn!(message_id = %id, reason = %error.report(), "live update failed; retrying from it");
            retry.push(id);
        }
    }
    retry
}

async fn push(job: &PushJob, event: &Event) -> Result<(), JobError> {
    let topics = topics_of(&event.kind);
    if topics.is_empty() {
        return Ok(());
    }
    let order = match event.kind.order_id() {
        Some(id) => job.table.get(id).await.map_err(JobError::failed)?,
        None => None,
    };
    let message = message(event, order.as_ref().map(OrderView::new));
    let now = time::OffsetDateTime::now_utc();
    let pushes = live::push(&job.table, &job.connections, &topics, &message, now).await.map_err(JobError::failed)?;
    tracing::info!(
        event = %event.id,
        kind = event.kind.name(),
        delivered = pushes.delivered,
        gone = pushes.gone,
        revoked = pushes.revoked,
        failed = pushes.failed,
        "live update pushed"
    );
    Ok(())
}

/// A pushed change, in the order a reader wants its fields: the event as on
/// every queue and webhook (`type`, `id`, `occurred_at`, `data`), without its
/// correlation id (that is for the logs), and `order` for an order's event.
#[derive(Serialize)]
struct Update<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    id: EventId,
    occurred_at: String,
    data: serde_json::Value,
    #[serde(skip_serializing_if = "Option::is_none")]
    order: Option<OrderView<'a>>,
}

fn message(event: &Event, order: Option<OrderView<'_>>) -> String {
    let mut kind = serde_json::to_value(&event.kind).expect("events serialise");
    let update = Update {
        kind: event.kind.name(),
        id: event.id,
        occurred_at: format_timestamp(event.occurred_at),
        data: kind.get_mut("data").map(serde_json::Value::take).unwrap_or_default(),
        order,
    };
    serde_json::to_string(&update).expect("views serialise")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{EventKind, OrderId};
    use serde_json::json;

    #[test]
    fn a_message_is_the_event_envelope_without_its_correlation_id() {
        let order_id = OrderId::generate();
        let mut event = Event::new(EventKind::OrderPaid { order_id }, time::macros::datetime!(2026-12-05 10:00 UTC));
        event.correlation_id = Some("request-1".into());
        let text = message(&event, None);
        assert!(text.starts_with(r#"{"type":"order.paid","id":"#), "the type first: {text}");
        let message: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(
            message,
            json!({"type": "order.paid", "id": event.id, "occurred_at": "2026-12-05T10:00:00.000000Z",
                   "data": {"order_id": order_id}})
        );
    }
}
