//! The webhook ports: endpoints, deliveries, the webhooks queue, and a receiver
//! that answers from a script and keeps every request.

use super::MemoryShop;
use std::cell::RefCell;
use std::collections::VecDeque;
use tillbox::app::store::{Page, StoreError};
use tillbox::app::webhooks::ports::{
    DeliveryJob, DeliveryQueue, DeliveryStore, SignedRequest, WebhookSender, WebhookStore,
};
use tillbox::domain::webhook::retry::ReceiverReply;
use tillbox::domain::webhook::url::{UrlPolicy, WebhookUrl};
use tillbox::domain::{AuditRecord, Delivery, Event, EventId, WebhookEndpoint, WebhookEndpointId};

impl WebhookStore for MemoryShop {
    async fn create_endpoint(&self, endpoint: &WebhookEndpoint, audit: &AuditRecord) -> Result<(), StoreError> {
        self.webhook_endpoints.borrow_mut().insert(endpoint.id, endpoint.clone());
        self.audits.borrow_mut().push(audit.clone());
        Ok(())
    }

    async fn get_endpoint(&self, id: WebhookEndpointId) -> Result<Option<WebhookEndpoint>, StoreError> {
        Ok(self.webhook_endpoints.borrow().get(&id).cloned())
    }

    async fn list_endpoints(&self, limit: u16, _cursor: Option<&str>) -> Result<Page<WebhookEndpoint>, StoreError> {
        let all: Vec<_> = self.webhook_endpoints.borrow().values().cloned().collect();
        Ok(Page { items: all.into_iter().take(usize::from(limit)).collect(), next_cursor: None })
    }

    async fn all_endpoints(&self) -> Result<Vec<WebhookEndpoint>, StoreError> {
        Ok(self.webhook_endpoints.borrow().values().cloned().collect())
    }

    async fn update_endpoint(
        &self,
        previous: &WebhookEndpoint,
        next: &WebhookEndpoint,
        audit: Option<&AuditRecord>,
        event: Option<&Event>,
    ) -> Result<(), StoreError> {
        let mut all = self.webhook_endpoints.borrow_mut();
        let stored = all.get(&previous.id).ok_or(StoreError::NotFound)?;
        if stored.version != previous.version {
            return Err(StoreError::VersionMismatch { current: stored.version });
        }
        all.insert(next.id, next.clone());
        self.audits.borrow_mut().extend(audit.cloned());
        self.events.borrow_mut().extend(event.cloned());
        Ok(())
    }

    async fn delete_endpoint(&self, endpoint: &WebhookEndpoint, audit: &AuditRecord) -> Result<(), StoreError> {
        let mut all = self.webhook_endpoints.borrow_mut();
        let stored = all.get(&endpoint.id).ok_or(StoreError::NotFound)?;
        if stored.version != endpoint.version {
            return Err(StoreError::VersionMismatch { current: stored.version });
        }
        all.remove(&endpoint.id);
        self.audits.borrow_mut().push(audit.clone());
        Ok(())
    }
}

impl DeliveryStore for MemoryShop {
    async fn get_delivery(&self, endpoint: WebhookEndpointId, event: EventId) -> Result<Option<Delivery>, StoreError> {
        Ok(self.webhook_deliveries.borrow().get(&(endpoint, event)).cloned())
    }

    async fn save_delivery(
        &self,
        next: &Delivery,
        expected_version: u64,
        event: Option<&Event>,
    ) -> Result<bool, StoreError> {
        let mut all = self.webhook_deliveries.borrow_mut();
        let stored_version = all.get(&(next.endpoint, next.event)).map_or(0, |d| d.version);
        if stored_version != expected_version {
            return Ok(false);
        }
        all.insert((next.endpoint, next.event), next.clone());
        self.events.borrow_mut().extend(event.cloned());
        Ok(true)
    }

    async fn save_redelivery(
        &self,
        next: &Delivery,
        expected_version: u64,
        audit: &tillbox::domain::AuditRecord,
    ) -> Result<bool, StoreError> {
        let saved = self.save_delivery(next, expected_version, None).await?;
        if saved {
            self.audits.borrow_mut().push(audit.clone());
        }
        Ok(saved)
    }

    async fn list_deliveries(
        &self,
        endpoint: WebhookEndpointId,
        limit: u16,
        _cursor: Option<&str>,
    ) -> Result<Page<Delivery>, StoreError> {
        let mut all: Vec<_> =
            self.webhook_deliveries.borrow().values().filter(|d| d.endpoint == endpoint).cloned().collect();
        all.reverse();
        Ok(Page { items: all.into_iter().take(usize::from(limit)).collect(), next_cursor: None })
    }
}

impl DeliveryQueue for MemoryShop {
    async fn enqueue(&self, job: &DeliveryJob, delay: time::Duration) -> Result<(), StoreError> {
        self.webhook_queue.borrow_mut().push((job.clone(), delay));
        Ok(())
    }
}

/// One request as the receiver saw it.
#[derive(Debug, Clone)]
pub struct Received {
    pub url: String,
    pub id: String,
    pub timestamp: i64,
    pub signature: String,
    pub body: String,
}

/// Answers each request with the next scripted reply (200 when the script is
/// empty) and refuses addresses listed as private.
#[derive(Default)]
pub struct ScriptedReceiver {
    pub replies: RefCell<VecDeque<ReceiverReply>>,
    pub received: RefCell<Vec<Received>>,
    /// Hosts that "resolve" to a private address.
    pub private_hosts: Vec<String>,
    pub policy: UrlPolicy,
}

impl ScriptedReceiver {
    pub fn answering(statuses: &[u16]) -> Self {
        let replies = statuses
            .iter()
            .map(|status| ReceiverReply::Answered { status: *status, retry_after: None, body: format!("{status}") })
            .collect();
        Self { replies: RefCell::new(replies), ..Self::default() }
    }
}

impl WebhookSender for ScriptedReceiver {
    fn policy(&self) -> &UrlPolicy {
        &self.policy
    }

    async fn check_address(&self, url: &WebhookUrl) -> Result<(), String> {
        if self.private_hosts.iter().any(|h| h == url.host()) {
            Err(format!("`{}` resolves to a private address", url.host()))
        } else {
            Ok(())
        }
    }

    async fn send(&self, request: SignedRequest<'_>) -> (ReceiverReply, std::time::Duration) {
        self.received.borrow_mut().push(Received {
            url: request.url.as_str().to_owned(),
            id: request.id,
            timestamp: request.timestamp,
            signature: request.signature,
            body: request.body.to_owned(),
        });
        let reply = self.replies.borrow_mut().pop_front().unwrap_or(ReceiverReply::Answered {
            status: 200,
            retry_after: None,
            body: "ok".into(),
        });
        (reply, std::time::Duration::from_millis(3))
    }
}
