//! `POST /webhooks/stripe` after the signature check: acknowledge fast, queue the
//! work once per provider event id.

use super::PaymentsError;
use super::ports::{PaymentQueue, WebhookInbox};
use crate::domain::{Provider, Timestamp};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Receipt {
    Queued,
    /// Seen before: acknowledged, not queued again.
    Duplicate,
}

/// Queues a verified event for the payments job, unless its id was seen before.
/// If queueing fails the sighting is undone and the error returned, so the
/// provider retries and the retry is not taken for a duplicate.
pub async fn receive(
    inbox: &impl WebhookInbox,
    queue: &impl PaymentQueue,
    provider: Provider,
    event_id: &str,
    body: &str,
    now: Timestamp,
) -> Result<Receipt, PaymentsError> {
    if !inbox.first_sighting(provider, event_id, now).await? {
        return Ok(Receipt::Duplicate);
    }
    if let Err(error) = queue.enqueue(body).await {
        if let Err(undo) = inbox.forget(provider, event_id).await {
            tracing::error!(%undo, event_id, "could not forget an unqueued webhook; its retries will be dropped");
        }
        return Err(error.into());
    }
    Ok(Receipt::Queued)
}
