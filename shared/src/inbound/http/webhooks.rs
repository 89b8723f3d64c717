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
    // Signed by Stripe from here on. An event Tillbox cannot read is parked in
    // the payments dead-letter queue, where an operator is alarmed and can replay
    // it once a fixed version reads it (docs/operations.md): acknowledging it
    // unparked would lose it, and a success is money taken.
    let text = String::from_utf8_lossy(body);
    let (event_id, queue) = match serde_json::from_str::<StripeEvent>(&text) {
        Ok(event) => match event.to_provider_event() {
            Ok(understood) if understood.event == PaymentEvent::Ignored => {
                tracing::info!(event = %event.id, kind = %event.kind, "Stripe event not acted on");
                return Ok(acknowledged());
            }
            Ok(_) => {
                tracing::info!(event = %event.id, kind = %event.kind, "Stripe event received");
                (event.id, &ctx.queue)
            }
            Err(error) => {
                tracing::error!(event = %event.id, kind = %event.kind, %error, "a signed Stripe event has an unexpected shape; parked in the dead-letter queue");
                (event.id, &ctx.parked)
            }
        },
        Err(error) => {
            tracing::error!(%error, "a signed Stripe webhook is not an event Tillbox can read; parked in the dead-letter queue");
            // Stripe's retries of it are recognised by its bytes.
            (format!("unreadable-{}", &crate::domain::secret::token_hash(&text)[..32]), &ctx.parked)
        }
    };
    let receipt = payments::receive(&ctx.table, queue, Provider::Stripe, &event_id, &text, now()).await?;
    if receipt == Receipt::Duplicate {
        tracing::info!(event = %event_id, "Stripe event received before; not queued again");
    }
    Ok(acknowledged())
}

fn acknowledged() -> Reply {
    json(StatusCode::OK, &serde_json::json!({"received": true}))
}
