//! `/webhooks/<provider>`: events the payment provider pushes. Public (no
//! token): the provider's signature over the raw body is the authentication, so
//! it is checked before anything is stored or queued.

use super::context::StripeWebhooks;
use super::now;
use super::problem::ApiError;
use super::request::body_bytes;
use super::response::{Reply, json};
use crate::app::payments::{self, PaymentEvent, Receipt};
use crate::domain::Provider;
use crate::inbound::events::stripe::{self, StripeEvent};
use lambda_http::Request;
use lambda_http::http::StatusCode;

/// Stripe's events are a few KB; anything far larger is not from Stripe.
const MAX_EVENT_BYTES: usize = 256 * 1024;

/// `POST /webhooks/stripe`: verifies `Stripe-Signature` over the exact bytes
/// received, acknowledges duplicates, and hands each new event to the payments
/// queue. Refused requests get 400 and a warning in the log (never the body).
#[utoipa::path(
    post,
    path = "/webhooks/stripe",
    operation_id = "webhooks_stripe",
    tag = "provider webhooks",
    params(("Stripe-Signature" = String, Header, description = "Stripe's signature over the exact body.")),
    request_body = Object,
    responses(
        (status = 200, description = "Received (or a duplicate, acknowledged).", body = Object),
        (status = 400, description = "Problem `code`: `invalid_webhook`: the signature does not verify."),
    ),
)]
pub async fn stripe(ctx: &StripeWebhooks, request: Request) -> Result<Reply, ApiError> {
    let body = body_bytes(&request);
    let refuse = |reason: &str| {
        let source = crate::domain::secret::pseudonym(&super::request::RequestExtras::source_ip(&request));
        tracing::warn!(security_event = "webhook_signature_refused", reason, %source, "Stripe webhook refused");
        ApiError::new(StatusCode::BAD_REQUEST, "invalid_webhook", reason.to_owned())
    };
    if body.len() > MAX_EVENT_BYTES {
        return Err(refuse("the body is larger than any Stripe event"));
    }
    let header = request.headers().get("stripe-signature").and_then(|v| v.to_str().ok()).unwrap_or_default();
    stripe::verify(header, body, &ctx.secrets, now()).map_err(|e| refuse(&e.to_string()))?;
    // Signed by Stripe from here on: a body Tillbox cannot read is acknowledged
    // and logged, since refusing it would only make Stripe retry it for days.
    let acknowledged = || Ok(json(StatusCode::OK, &serde_json::json!({"received": true})));
    let Ok(text) = std::str::from_utf8(body) else {
        tracing::error!("a signed Stripe webhook is not UTF-8; not acted on");
        return acknowledged();
    };
    let event: StripeEvent = match serde_json::from_str(text) {
        Ok(event) => event,
        Err(error) => {
            tracing::error!(%error, "a signed Stripe webhook is not an event Tillbox can read; not acted on");
            return acknowledged();
        }
    };
    match event.to_provider_event() {
        Ok(understood) if understood.event != PaymentEvent::Ignored => {}
        Ok(_) => {
            tracing::info!(event = %event.id, kind = %event.kind, "Stripe event not acted on");
            return acknowledged();
        }
        Err(error) => {
            tracing::error!(event = %event.id, kind = %event.kind, %error, "a signed Stripe event has an unexpected shape; not acted on");
            return acknowledged();
        }
    }
    let receipt = payments::receive(&ctx.table, &ctx.queue, Provider::Stripe, &event.id, text, now()).await?;
    tracing::info!(event = %event.id, kind = %event.kind, duplicate = (receipt == Receipt::Duplicate), "Stripe event received");
    acknowledged()
}
