//! Outgoing webhooks: admins register endpoints (`/admin/webhooks`), and the
//! webhooks job delivers each subscribed event to each endpoint, signed per
//! Standard Webhooks, retried on the schedule in [`crate::domain::webhook`].

pub mod deliver;
mod error;
pub mod ports;

pub use deliver::{deliver, subscribers};
pub use error::WebhooksError;

use crate::app::error::CommonError;
use crate::app::store::{Page, StoreError};
use crate::domain::webhook::signing::SigningSecret;
use crate::domain::webhook::{NewWebhookEndpoint, WebhookChanges};
use crate::domain::{AuditRecord, Delivery, EventId, Principal, Role, Timestamp, WebhookEndpoint, WebhookEndpointId};
use ports::{DeliveryJob, DeliveryQueue, DeliveryStore, WebhookSender, WebhookStore};
use serde_json::json;

fn admin_only(principal: &Principal) -> Result<(), WebhooksError> {
    if principal.is_admin() { Ok(()) } else { Err(CommonError::forbidden(Role::Admin).into()) }
}

fn stale(expected: u64, current: u64) -> WebhooksError {
    CommonError::StaleVersion { resource: "webhook endpoint", expected, current }.into()
}

/// What an audit record shows of an endpoint: never its secrets.
fn audited(e: &WebhookEndpoint) -> serde_json::Value {
    json!({"url": e.url.as_str(), "events": e.events.to_list(), "description": e.description, "enabled": e.enabled})
}

fn target(id: WebhookEndpointId) -> String {
    format!("webhook:{id}")
}

/// Refuses a URL whose host resolves to an address deliveries may not reach
/// (checked again at every delivery).
async fn check_reachable(sender: &impl WebhookSender, endpoint: &WebhookEndpoint) -> Result<(), WebhooksError> {
    sender.check_address(&endpoint.url).await.map_err(WebhooksError::UnreachableUrl)
}

/// `POST /admin/webhooks`: the endpoint and its secret, which is shown only now.
pub async fn create_endpoint(
    store: &impl WebhookStore,
    sender: &impl WebhookSender,
    principal: &Principal,
    input: NewWebhookEndpoint,
    now: Timestamp,
) -> Result<WebhookEndpoint, WebhooksError> {
    admin_only(principal)?;
    let endpoint = input.into_endpoint(sender.policy(), now)?;
    check_reachable(sender, &endpoint).await?;
    let audit = AuditRecord::new(
        &principal.subject,
        "webhook.created",
        target(endpoint.id),
        json!(null),
        audited(&endpoint),
        now,
    );
    store.create_endpoint(&endpoint, &audit).await?;
    Ok(endpoint)
}

pub async fn get_endpoint(
    store: &impl WebhookStore,
    principal: &Principal,
    id: WebhookEndpointId,
) -> Result<WebhookEndpoint, WebhooksError> {
    admin_only(principal)?;
    Ok(store.get_endpoint(id).await?.ok_or(CommonError::NotFound)?)
}

pub async fn list_endpoints(
    store: &impl WebhookStore,
    principal: &Principal,
    limit: u16,
    cursor: Option<&str>,
) -> Result<Page<WebhookEndpoint>, WebhooksError> {
    admin_only(principal)?;
    Ok(store.list_endpoints(limit, cursor).await?)
}

/// `PATCH /admin/webhooks/{id}`.
pub async fn update_endpoint(
    store: &impl WebhookStore,
    sender: &impl WebhookSender,
    principal: &Principal,
    id: WebhookEndpointId,
    expected_version: Option<u64>,
    changes: WebhookChanges,
    now: Timestamp,
) -> Result<WebhookEndpoint, WebhooksError> {
    let current = get_endpoint(store, principal, id).await?;
    let url_changed = changes.url.is_some();
    // Invalid changes first, whatever the version (RFC 9110 §13.2.1).
    let next = current.apply(changes, sender.policy(), now)?;
    if let Some(expected) = expected_version.filter(|v| *v != current.version) {
        return Err(stale(expected, current.version));
    }
    if url_changed {
        check_reachable(sender, &next).await?;
    }
    let audit =
        AuditRecord::new(&principal.subject, "webhook.updated", target(id), audited(&current), audited(&next), now);
    save(store, &current, &next, &audit).await?;
    Ok(next)
}

/// `POST /admin/webhooks/{id}/rotate-secret`: the endpoint with its new secret,
/// shown only now; the old one keeps signing for a day.
pub async fn rotate_secret(
    store: &impl WebhookStore,
    principal: &Principal,
    id: WebhookEndpointId,
    now: Timestamp,
) -> Result<(WebhookEndpoint, SigningSecret), WebhooksError> {
    let current = get_endpoint(store, principal, id).await?;
    let next = current.rotate(now);
    let audit =
        AuditRecord::new(&principal.subject, "webhook.secret_rotated", target(id), json!(null), json!(null), now);
    save(store, &current, &next, &audit).await?;
    let secret = next.secret.clone();
    Ok((next, secret))
}

async fn save(
    store: &impl WebhookStore,
    current: &WebhookEndpoint,
    next: &WebhookEndpoint,
    audit: &AuditRecord,
) -> Result<(), WebhooksError> {
    match store.update_endpoint(current, next, Some(audit), None).await {
        Ok(()) => Ok(()),
        Err(StoreError::VersionMismatch { current: stored }) => Err(stale(current.version, stored)),
        Err(other) => Err(other.into()),
    }
}

/// `DELETE /admin/webhooks/{id}`: deliveries stop; their log expires.
pub async fn delete_endpoint(
    store: &impl WebhookStore,
    principal: &Principal,
    id: WebhookEndpointId,
    expected_version: Option<u64>,
    now: Timestamp,
) -> Result<(), WebhooksError> {
    let current = get_endpoint(store, principal, id).await?;
    if let Some(expected) = expected_version.filter(|v| *v != current.version) {
        return Err(stale(expected, current.version));
    }
    let audit =
        AuditRecord::new(&principal.subject, "webhook.deleted", target(id), audited(&current), json!(null), now);
    match store.delete_endpoint(&current, &audit).await {
        Ok(()) => Ok(()),
        Err(StoreError::VersionMismatch { current: stored }) => Err(stale(current.version, stored)),
        Err(other) => Err(other.into()),
    }
}

/// `GET /admin/webhooks/{id}/deliveries`: newest first.
pub async fn list_deliveries(
    store: &(impl WebhookStore + DeliveryStore),
    principal: &Principal,
    id: WebhookEndpointId,
    limit: u16,
    cursor: Option<&str>,
) -> Result<Page<Delivery>, WebhooksError> {
    get_endpoint(store, principal, id).await?;
    Ok(store.list_deliveries(id, limit, cursor).await?)
}

/// `POST /admin/webhooks/{id}/deliveries/{delivery_id}/redeliver`: a new series
/// of attempts with the same `webhook-id` and body.
pub async fn redeliver(
    store: &(impl WebhookStore + DeliveryStore),
    queue: &impl DeliveryQueue,
    principal: &Principal,
    id: WebhookEndpointId,
    delivery_id: EventId,
    now: Timestamp,
) -> Result<Delivery, WebhooksError> {
    let endpoint = get_endpoint(store, principal, id).await?;
    if !endpoint.enabled {
        return Err(WebhooksError::EndpointDisabled);
    }
    let delivery = store.get_delivery(id, delivery_id).await?.ok_or(CommonError::NotFound)?;
    let next = delivery.redeliver(now);
    let attempt = delivery.attempts_made() + 1;
    let audit = AuditRecord::new(
        &principal.subject,
        "webhook.redelivered",
        target(id),
        json!({"event": delivery_id.to_string(), "status": delivery.status.as_str()}),
        json!({"event": delivery_id.to_string(), "attempt": attempt}),
        now,
    );
    if !store.save_redelivery(&next, delivery.version, &audit).await? {
        return Err(stale(delivery.version, delivery.version + 1));
    }
    let job = DeliveryJob {
        endpoint_id: id,
        event_id: delivery_id,
        event: None,
        attempt,
        series_start: attempt,
        not_before: None,
    };
    queue.enqueue(&job, time::Duration::ZERO).await?;
    Ok(next)
}
