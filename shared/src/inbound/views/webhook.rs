//! Webhook endpoints and their deliveries as admins see them.

use crate::domain::webhook::delivery;
use crate::domain::webhook::signing::SigningSecret;
use crate::domain::{Delivery, WebhookEndpoint, format_timestamp};
use serde::Serialize;

/// A webhook endpoint as admins see it. The signing secret appears only in the
/// answers to its creation and rotation.
#[derive(Serialize, utoipa::ToSchema)]
pub struct WebhookEndpointView<'a> {
    id: String,
    url: &'a str,
    events: Vec<String>,
    description: &'a str,
    enabled: bool,
    #[schema(required = true)]
    disabled_reason: Option<&'a str>,
    #[schema(required = true)]
    failing_since: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    secret: Option<String>,
    version: u64,
    created_at: String,
    updated_at: String,
}

impl<'a> WebhookEndpointView<'a> {
    pub fn new(e: &'a WebhookEndpoint) -> Self {
        Self {
            id: e.id.to_string(),
            url: e.url.as_str(),
            events: e.events.to_list(),
            description: &e.description,
            enabled: e.enabled,
            disabled_reason: e.disabled_reason.as_deref(),
            failing_since: e.failing_since.map(format_timestamp),
            secret: None,
            version: e.version,
            created_at: format_timestamp(e.created_at),
            updated_at: format_timestamp(e.updated_at),
        }
    }

    /// The view with the secret, shown this once.
    pub fn revealing(e: &'a WebhookEndpoint, secret: &SigningSecret) -> Self {
        Self { secret: Some(secret.expose()), ..Self::new(e) }
    }
}

/// One delivery and its attempts, newest last.
#[derive(Serialize, utoipa::ToSchema)]
pub struct DeliveryView<'a> {
    id: String,
    endpoint_id: String,
    event_type: &'a str,
    status: &'static str,
    attempts: Vec<Attempt>,
    #[schema(required = true)]
    next_attempt_at: Option<String>,
    payload: &'a str,
    created_at: String,
    updated_at: String,
}

impl<'a> DeliveryView<'a> {
    pub fn new(d: &'a Delivery) -> Self {
        Self {
            id: d.event.to_string(),
            endpoint_id: d.endpoint.to_string(),
            event_type: &d.event_type,
            status: d.status.as_str(),
            attempts: d.attempts.iter().map(Attempt::new).collect(),
            next_attempt_at: d.next_attempt_at.map(format_timestamp),
            payload: &d.payload,
            created_at: format_timestamp(d.created_at),
            updated_at: format_timestamp(d.updated_at),
        }
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Attempt {
    /// 1-based, counted across redeliveries.
    number: u32,
    #[schema(format = DateTime)]
    at: String,
    /// The receiver's HTTP status; `null` when no answer came.
    #[schema(required = true)]
    status: Option<u16>,
    #[schema(required = true)]
    error: Option<String>,
    duration_ms: u64,
    /// The first KiB of the response body.
    response: String,
}

impl Attempt {
    fn new(attempt: &delivery::Attempt) -> Self {
        Self {
            number: attempt.number,
            at: format_timestamp(attempt.at),
            status: attempt.status,
            error: attempt.error.clone(),
            duration_ms: attempt.duration_ms,
            response: attempt.response.clone(),
        }
    }
}
