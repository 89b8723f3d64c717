//! The webhooks job's use case: one attempt at one delivery, and what follows.

use super::ports::{DeliveryJob, DeliveryQueue, DeliveryStore, SignedRequest, WebhookSender, WebhookStore};
use crate::app::store::StoreError;
use crate::domain::webhook::delivery::Attempt;
use crate::domain::webhook::retry::{DISABLE_AFTER_FAILING, ReceiverReply, RetrySchedule, Verdict, judge};
use crate::domain::{Delivery, Event, EventKind, Timestamp, WebhookEndpoint};

/// The first attempt of every delivery `event` calls for: one per enabled
/// endpoint subscribed to its type.
pub fn subscribers(endpoints: &[WebhookEndpoint], event: &Event) -> Vec<DeliveryJob> {
    endpoints
        .iter()
        .filter(|e| e.enabled && e.events.matches(event.kind.name()))
        .map(|e| DeliveryJob::first(e.id, event.clone()))
        .collect()
}

/// What one message led to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Not due yet: sent back to the queue to wait.
    Waiting,
    /// Nothing to do: the endpoint is gone, or this attempt was made already.
    Dropped(&'static str),
    Attempted(Verdict),
}

/// Makes attempt `job.attempt` if it is due and not made yet, records it, and
/// queues the next one. The payload is rendered (by `render`) once, at the first
/// attempt, and stored with the delivery, so every attempt sends the same bytes
/// under the same `webhook-id`. At-least-once: a crash after sending and before
/// recording sends that attempt again; receivers de-duplicate on `webhook-id`.
pub async fn deliver(
    store: &(impl WebhookStore + DeliveryStore),
    sender: &impl WebhookSender,
    queue: &impl DeliveryQueue,
    schedule: &RetrySchedule,
    job: DeliveryJob,
    render: impl AsyncFnOnce(&Event) -> Result<String, StoreError>,
    now: Timestamp,
) -> Result<Outcome, StoreError> {
    if let Some(due) = job.not_before.filter(|due| *due > now) {
        queue.enqueue(&job, due - now).await?;
        return Ok(Outcome::Waiting);
    }
    let Some(endpoint) = store.get_endpoint(job.endpoint_id).await? else {
        return Ok(Outcome::Dropped("the endpoint was deleted"));
    };
    let delivery = match store.get_delivery(endpoint.id, job.event_id).await? {
        Some(delivery) => delivery,
        None => match &job.event {
            Some(event) => Delivery::new(endpoint.id, event, render(event).await?, now),
            None => return Ok(Outcome::Dropped("no such delivery")),
        },
    };
    if delivery.attempts_made() >= job.attempt {
        return Ok(Outcome::Dropped("the attempt was made already"));
    }
    let (reply, took) = if !endpoint.enabled {
        (ReceiverReply::Failed { reason: "the endpoint is disabled".into() }, std::time::Duration::ZERO)
    } else {
        let timestamp = now.unix_timestamp();
        let id = delivery.event.to_string();
        let signature = endpoint.signature(&id, timestamp, &delivery.payload, now);
        sender.send(SignedRequest { url: &endpoint.url, id, timestamp, signature, body: &delivery.payload }).await
    };
    let verdict =
        if endpoint.enabled { judge(&reply, job.attempt - job.series_start + 1, schedule) } else { Verdict::GiveUp };
    let (status, error, response) = match &reply {
        ReceiverReply::Answered { status, body, .. } => (Some(*status), None, body.clone()),
        ReceiverReply::Failed { reason } => (None, Some(reason.clone()), String::new()),
    };
    let duration_ms = u64::try_from(took.as_millis()).unwrap_or(u64::MAX);
    let attempt = Attempt { number: job.attempt, at: now, status, error, duration_ms, response };
    let next = delivery.record(attempt, &verdict, now);
    // The schedule ran out on an endpoint still enabled: staff are told (a
    // disabled endpoint has its own event, and its deliveries fail on purpose).
    let failed = (endpoint.enabled && verdict == Verdict::GiveUp).then(|| {
        let kind = EventKind::WebhookDeliveryFailed {
            endpoint_id: endpoint.id,
            event_id: delivery.event,
            attempts: next.attempts_made(),
        };
        Event::new(kind, now)
    });
    if !store.save_delivery(&next, delivery.version, failed.as_ref()).await? {
        return Ok(Outcome::Dropped("the attempt was made already"));
    }
    if endpoint.enabled {
        track_health(store, endpoint, &verdict, now).await?;
    }
    if let Verdict::RetryAfter(wait) = verdict {
        let retry = DeliveryJob { event: None, attempt: job.attempt + 1, not_before: Some(now + wait), ..job };
        queue.enqueue(&retry, wait).await?;
    }
    Ok(Outcome::Attempted(verdict))
}

/// Keeps the endpoint's failure streak, and disables it on 410 Gone or after
/// [`DISABLE_AFTER_FAILING`] of failures, telling staff (`webhook.endpoint_disabled`).
async fn track_health(
    store: &impl WebhookStore,
    mut endpoint: WebhookEndpoint,
    verdict: &Verdict,
    now: Timestamp,
) -> Result<(), StoreError> {
    // Another attempt may change the endpoint at the same time: read again and
    // re-decide, a few times, rather than lose a disable.
    for _ in 0..3 {
        let mut next = WebhookEndpoint { version: endpoint.version + 1, ..endpoint.clone() };
        let mut disabled = None;
        match verdict {
            Verdict::Delivered if endpoint.failing_since.is_none() => return Ok(()),
            Verdict::Delivered => next.failing_since = None,
            Verdict::Gone => disabled = Some("the endpoint answered 410 Gone".to_owned()),
            Verdict::RetryAfter(_) | Verdict::GiveUp => match endpoint.failing_since {
                None => next.failing_since = Some(now),
                Some(since) if now - since >= DISABLE_AFTER_FAILING => {
                    disabled = Some(format!("every attempt failed for {} days", DISABLE_AFTER_FAILING.whole_days()));
                }
                Some(_) => return Ok(()),
            },
        }
        let event = disabled.map(|reason| {
            next.enabled = false;
            next.disabled_reason = Some(reason);
            next.updated_at = now;
            Event::new(EventKind::WebhookEndpointDisabled { endpoint_id: endpoint.id }, now)
        });
        match store.update_endpoint(&endpoint, &next, None, event.as_ref()).await {
            Ok(()) => return Ok(()),
            Err(StoreError::VersionMismatch { .. }) => match store.get_endpoint(endpoint.id).await? {
                Some(current) if current.enabled => endpoint = current,
                _ => return Ok(()),
            },
            Err(other) => return Err(other),
        }
    }
    Ok(())
}
