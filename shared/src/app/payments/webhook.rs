//! `POST /webhooks/stripe` after the signature check: acknowledge fast, queue the
//! work once per provider event id.

use super::error::PaymentsError;
use super::ports::{PaymentQueue, WebhookInbox};
use crate::domain::{Provider, Timestamp};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Receipt {
    Queued,
    /// Seen before: acknowledged, not queued again.
    Duplicate,
}

/// Queues a verified event for the payments job unless it was queued before.
/// The event is queued first and remembered after: a crash in between queues it
/// once more on the provider's retry (the job is idempotent), where the other
/// order could lose it for good.
pub async fn receive(
    inbox: &impl WebhookInbox,
    queue: &impl PaymentQueue,
    provider: Provider,
    event_id: &str,
    body: &str,
    now: Timestamp,
) -> Result<Receipt, PaymentsError> {
    if inbox.seen(provider, event_id, now).await? {
        return Ok(Receipt::Duplicate);
    }
    queue.enqueue(body).await?;
    inbox.remember(provider, event_id, now).await?;
    Ok(Receipt::Queued)
}
