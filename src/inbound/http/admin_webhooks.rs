//! `/admin/webhooks` (admins): register endpoints, rotate their secrets, and read
//! and redeliver their deliveries.

use super::views::{DeliveryView, PageView, WebhookEndpointView};
use super::{AdminWebhooks, now, page_limit, signed_in, versioned};
use crate::app::webhooks;
use crate::domain::webhook::{NewWebhookEndpoint, WebhookChanges};
use crate::domain::{EventId, WebhookEndpointId};
use crate::inbound::http::{ApiError, KeyPolicy, Reply, RequestExtras, idempotent, json, json_body, no_content};
use lambda_http::Request;

fn located(mut reply: Reply, id: WebhookEndpointId) -> Reply {
    let location = format!("/admin/webhooks/{id}").parse().expect("ids are header-safe");
    reply.headers_mut().insert("location", location);
    reply
}

/// `POST /admin/webhooks`: 201 with the signing secret, shown this once. With an
/// `Idempotency-Key`, a double click or a retry registers one endpoint, and the
/// retry is shown the same secret.
pub async fn create(ctx: &AdminWebhooks, request: Request) -> Result<Reply, ApiError> {
    let principal = signed_in(&request, &ctx.verifier, &ctx.table).await?;
    idempotent(&ctx.table, &request, &principal.subject, KeyPolicy::Optional, || async {
        let input: NewWebhookEndpoint = json_body(&request)?;
        let endpoint = webhooks::create_endpoint(&ctx.table, &ctx.sender, &principal, input, now()).await?;
        let view = WebhookEndpointView::revealing(&endpoint, &endpoint.secret);
        Ok(located(versioned(201, &view, endpoint.version), endpoint.id))
    })
    .await
}

/// `GET /admin/webhooks`: oldest first, `limit` and `cursor` as every listing.
pub async fn list(ctx: &AdminWebhooks, request: Request) -> Result<Reply, ApiError> {
    let principal = signed_in(&request, &ctx.verifier, &ctx.table).await?;
    let cursor = request.query_param("cursor");
    let page = webhooks::list_endpoints(&ctx.table, &principal, page_limit(&request)?, cursor.as_deref()).await?;
    let items = page.items.iter().map(WebhookEndpointView::new).collect();
    Ok(json(200, &PageView { items, next_cursor: page.next_cursor }))
}

/// `GET /admin/webhooks/{id}`
pub async fn get(ctx: &AdminWebhooks, request: Request) -> Result<Reply, ApiError> {
    let principal = signed_in(&request, &ctx.verifier, &ctx.table).await?;
    let id: WebhookEndpointId = request.path_param("id")?;
    let endpoint = webhooks::get_endpoint(&ctx.table, &principal, id).await?;
    Ok(versioned(200, &WebhookEndpointView::new(&endpoint), endpoint.version))
}

/// `PATCH /admin/webhooks/{id}`: `url`, `events`, `description`, `enabled`;
/// `If-Match` optional.
pub async fn update(ctx: &AdminWebhooks, request: Request) -> Result<Reply, ApiError> {
    let principal = signed_in(&request, &ctx.verifier, &ctx.table).await?;
    let id: WebhookEndpointId = request.path_param("id")?;
    let expected = request.if_match()?;
    let changes: WebhookChanges = json_body(&request)?;
    let endpoint = webhooks::update_endpoint(&ctx.table, &ctx.sender, &principal, id, expected, changes, now()).await?;
    Ok(versioned(200, &WebhookEndpointView::new(&endpoint), endpoint.version))
}

/// `DELETE /admin/webhooks/{id}`: 204; `If-Match` optional.
pub async fn delete(ctx: &AdminWebhooks, request: Request) -> Result<Reply, ApiError> {
    let principal = signed_in(&request, &ctx.verifier, &ctx.table).await?;
    let id: WebhookEndpointId = request.path_param("id")?;
    let expected = request.if_match()?;
    webhooks::delete_endpoint(&ctx.table, &principal, id, expected, now()).await?;
    Ok(no_content())
}

/// `POST /admin/webhooks/{id}/rotate-secret`: the new secret, shown this once;
/// the old one keeps signing (beside it) for 24 hours.
pub async fn rotate_secret(ctx: &AdminWebhooks, request: Request) -> Result<Reply, ApiError> {
    let principal = signed_in(&request, &ctx.verifier, &ctx.table).await?;
    let id: WebhookEndpointId = request.path_param("id")?;
    let (endpoint, secret) = webhooks::rotate_secret(&ctx.table, &principal, id, now()).await?;
    Ok(versioned(200, &WebhookEndpointView::revealing(&endpoint, &secret), endpoint.version))
}

/// `GET /admin/webhooks/{id}/deliveries`: newest first, with every attempt.
pub async fn deliveries(ctx: &AdminWebhooks, request: Request) -> Result<Reply, ApiError> {
    let principal = signed_in(&request, &ctx.verifier, &ctx.table).await?;
    let id: WebhookEndpointId = request.path_param("id")?;
    let cursor = request.query_param("cursor");
    let page = webhooks::list_deliveries(&ctx.table, &principal, id, page_limit(&request)?, cursor.as_deref()).await?;
    let items = page.items.iter().map(DeliveryView::new).collect();
    Ok(json(200, &PageView { items, next_cursor: page.next_cursor }))
}

/// `POST /admin/webhooks/{id}/deliveries/{delivery_id}/redeliver`: 202; the
/// delivery starts a new series of attempts.
pub async fn redeliver(ctx: &AdminWebhooks, request: Request) -> Result<Reply, ApiError> {
    let principal = signed_in(&request, &ctx.verifier, &ctx.table).await?;
    let id: WebhookEndpointId = request.path_param("id")?;
    let delivery_id: EventId = request.path_param("delivery_id")?;
    let delivery = webhooks::redeliver(&ctx.table, &ctx.queue, &principal, id, delivery_id, now()).await?;
    Ok(json(202, &DeliveryView::new(&delivery)))
}
