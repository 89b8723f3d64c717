//! What webhooks need from storage, the queue and the network.

use crate::app::store::{Page, StoreError};
use crate::domain::webhook::retry::ReceiverReply;
use crate::domain::webhook::url::{UrlPolicy, WebhookUrl};
use crate::domain::{AuditRecord, Delivery, Event, EventId, Timestamp, WebhookEndpoint, WebhookEndpointId};
use std::future::Future;
use time::Duration;

/// Registered endpoints.
pub trait WebhookStore {
    fn create_endpoint(
        &self,
        endpoint: &WebhookEndpoint,
        audit: &AuditRecord,
    ) -> impl Future<Output = Result<(), StoreError>>;
    fn get_endpoint(&self, id: WebhookEndpointId) -> impl Future<Output = Result<Option<WebhookEndpoint>, StoreError>>;
    /// Oldest first.
    fn list_endpoints(
        &self,
        limit: u16,
        cursor: Option<&str>,
    ) -> impl Future<Output = Result<Page<WebhookEndpoint>, StoreError>>;
    /// Every endpoint, for the fan-out to pick the subscribers of an event.
    fn all_endpoints(&self) -> impl Future<Output = Result<Vec<WebhookEndpoint>, StoreError>>;
    /// Replaces `previous` with `next` if the stored endpoint is still at
    /// `previous.version` ([`StoreError::VersionMismatch`] otherwise), in one
    /// transaction with `audit` and `event`.
    fn update_endpoint(
        &self,
        previous: &WebhookEndpoint,
        next: &WebhookEndpoint,
        audit: Option<&AuditRecord>,
        event: Option<&Event>,
    ) -> impl Future<Output = Result<(), StoreError>>;
    /// Deletes the endpoint at `endpoint.version`; its deliveries expire.
    fn delete_endpoint(
        &self,
        endpoint: &WebhookEndpoint,
        audit: &AuditRecord,
    ) -> impl Future<Output = Result<(), StoreError>>;
}

/// The log of deliveries, one item per (endpoint, event).
pub trait DeliveryStore {
    fn get_delivery(
        &self,
        endpoint: WebhookEndpointId,
        event: EventId,
    ) -> impl Future<Output = Result<Option<Delivery>, StoreError>>;
    /// Writes `next` if the stored delivery is still at `expected_version` (0: not
    /// stored yet), with `event` in the same write. `Ok(false)` when another
    /// attempt got there first (and `event` is not written).
    fn save_delivery(
        &self,
        next: &Delivery,
        expected_version: u64,
        event: Option<&Event>,
    ) -> impl Future<Output = Result<bool, StoreError>>;
    /// [`DeliveryStore::save_delivery`] for an admin's redelivery, in one
    /// transaction with its audit record.
    fn save_redelivery(
        &self,
        next: &Delivery,
        expected_version: u64,
        audit: &AuditRecord,
    ) -> impl Future<Output = Result<bool, StoreError>>;
    /// Newest first.
    fn list_deliveries(
        &self,
        endpoint: WebhookEndpointId,
        limit: u16,
        cursor: Option<&str>,
    ) -> impl Future<Output = Result<Page<Delivery>, StoreError>>;
}

/// One attempt to make, as the webhooks queue carries it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct DeliveryJob {
    pub endpoint_id: WebhookEndpointId,
    pub event_id: EventId,
    /// The event itself on the first series, from the fan-out: the payload is
    /// rendered from it at the first attempt and stored with the delivery, so
    /// later attempts and redeliveries need only its id.
    #[serde(default)]
    pub event: Option<Event>,
    /// The attempt this message makes, counted across redeliveries (1-based).
    pub attempt: u32,
    /// The attempt that began this series (1, or where a redelivery started): the
    /// retry schedule counts from it.
    pub series_start: u32,
    /// Not before this time: waits longer than a queue's 15-minute delay are
    /// made of several hops.
    #[serde(default, with = "crate::domain::timestamp::timestamp_serde::option")]
    pub not_before: Option<Timestamp>,
}

impl DeliveryJob {
    pub fn first(endpoint_id: WebhookEndpointId, event: Event) -> Self {
        Self { endpoint_id, event_id: event.id, event: Some(event), attempt: 1, series_start: 1, not_before: None }
    }
}

/// The webhooks queue.
pub trait DeliveryQueue {
    /// Makes `job` visible after `delay`, at most the queue's limit (15 minutes).
    fn enqueue(&self, job: &DeliveryJob, delay: Duration) -> impl Future<Output = Result<(), StoreError>>;
}

/// One signed POST to an endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedRequest<'a> {
    pub url: &'a WebhookUrl,
    pub id: String,
    pub timestamp: i64,
    pub signature: String,
    pub body: &'a str,
}

/// Calls endpoints. Implementations resolve the host and refuse to connect to any
/// address [`crate::domain::webhook::is_public`] refuses, unless the URL policy
/// lists the host.
pub trait WebhookSender {
    /// The hosts exempt from the https and public-address rules (none when deployed).
    fn policy(&self) -> &UrlPolicy;
    /// Whether `url`'s host resolves only to addresses deliveries may reach.
    fn check_address(&self, url: &WebhookUrl) -> impl Future<Output = Result<(), String>>;
    /// Sends and reports the reply and how long it took.
    fn send(&self, request: SignedRequest<'_>) -> impl Future<Output = (ReceiverReply, std::time::Duration)>;
}
