//! `/admin/webhooks` (admins): register endpoints, rotate their secrets, and read
//! and redeliver their deliveries.

use super::context::AdminWebhooks;
use super::idempotency::{KeyPolicy, ReplayBody, idempotent};
use super::merge_patch::not_null;
use super::now;
use super::problem::ApiError;
use super::request::{RequestExtras, json_body, page_limit, signed_in};
use super::response::{Reply, json, no_content, versioned};
use crate::app::webhooks;
use crate::domain::webhook;
use crate::domain::webhook::selection::SUBSCRIBABLE;
use crate::domain::{EventId, WebhookEndpointId};
use crate::inbound::views::{DeliveryView, PageView, WebhookEndpointView};
use lambda_http::Request;
use lambda_http::http::StatusCode;
use serde::Deserialize;

/// The body of `POST /admin/webhooks`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewWebhookEndpoint {
    #[schema(format = "uri", max_length = 2048, pattern = "^[Hh][Tt][Tt][Pp][Ss]?://")]
    url: String,
    #[schema(schema_with = events_schema)]
    events: Vec<String>,
    #[serde(default)]
    #[schema(max_length = 500, pattern = "^[^\\x00-\\x08\\x0B-\\x1F\\x7F-\\x9F]*$")]
    description: String,
    #[serde(default = "yes")]
    enabled: bool,
}

fn yes() -> bool {
    true
}

impl NewWebhookEndpoint {
    fn into_domain(self) -> webhook::NewWebhookEndpoint {
        let Self { url, events, description, enabled } = self;
        webhook::NewWebhookEndpoint { url, events, description, enabled }
    }
}

/// The body of `PATCH /admin/webhooks/{id}`: what it leaves out stays as it is.
/// Enabling an endpoint clears its failure history.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WebhookChanges {
    #[schema(format = "uri", max_length = 2048, pattern = "^[Hh][Tt][Tt][Pp][Ss]?://")]
    url: Option<String>,
    #[schema(schema_with = events_change_schema)]
    events: Option<Vec<String>>,
    #[serde(default, deserialize_with = "not_null")]
    #[schema(nullable = false)]
    description: Option<String>,
    enabled: Option<bool>,
}

impl WebhookChanges {
    fn into_domain(self) -> webhook::WebhookChanges {
        let Self { url, events, description, enabled } = self;
        webhook::WebhookChanges { url, events, description, enabled }
    }
}

fn located(mut reply: Reply, id: WebhookEndpointId) -> Reply {
    let location = format!("/admin/webhooks/{id}").parse().expect("ids are header-safe");
    reply.headers_mut().insert("location", location);
    reply
}

/// `POST /admin/webhooks`: 201 with the signing secret, shown this once. With an
/// `Idempotency-Key`, a double click or a retry registers one endpoint; the retry
/// is shown the endpoint without its secret, since the replay record keeps no
/// secret (a caller that lost the first answer rotates the secret).
/// `["*"]`, or event types from [`SUBSCRIBABLE`]: what [`EventSelection`] accepts.
///
/// [`EventSelection`]: crate::domain::webhook::selection::EventSelection
fn events_schema() -> utoipa::openapi::Schema {
    utoipa::openapi::Schema::OneOf(events_one_of().build())
}

/// [`events_schema`], or `null` for no change.
fn events_change_schema() -> utoipa::openapi::Schema {
    let null = utoipa::openapi::ObjectBuilder::new().schema_type(utoipa::openapi::schema::Type::Null);
    utoipa::openapi::Schema::OneOf(events_one_of().item(null).build())
}

fn events_one_of() -> utoipa::openapi::schema::OneOfBuilder {
    use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, OneOfBuilder, Type};
    let every = ObjectBuilder::new().schema_type(Type::String).enum_values(Some(["*"]));
    let chosen = ObjectBuilder::new().schema_type(Type::String).enum_values(Some(SUBSCRIBABLE.iter().copied()));
    OneOfBuilder::new()
        .item(ArrayBuilder::new().items(every).min_items(Some(1)).max_items(Some(1)))
        .item(ArrayBuilder::new().items(chosen).min_items(Some(1)))
        .description(Some("`[\"*\"]` for every event type, including ones added later, or a list of them."))
}

#[utoipa::path(
    post,
    path = "/admin/webhooks",
    operation_id = "admin_webhooks_create",
    tag = "admin",
    security(("bearer" = ["admin"])),
    params(super::params::IdempotencyKeyOptional),
    request_body = NewWebhookEndpoint,
    responses(
        (status = 201, description = "Registered; `secret` is shown this \
            once (a replay with the same `Idempotency-Key` shows the endpoint without it).", body = WebhookEndpointView, headers(("Location" = String, description = "The endpoint's URL."))),
        (status = 422, description = "Problem `code`: `url_not_allowed`."),
    ),
)]
pub async fn create(ctx: &AdminWebhooks, request: Request) -> Result<Reply, ApiError> {
    let principal = signed_in(&request, &ctx.verifier, &ctx.table).await?;
    idempotent(&ctx.table, &request, &principal.subject, KeyPolicy::Optional, || async {
        let input = json_body::<NewWebhookEndpoint>(&request)?.into_domain();
        let endpoint = webhooks::create_endpoint(&ctx.table, &ctx.sender, &principal, input, now()).await?;
        let view = WebhookEndpointView::revealing(&endpoint, &endpoint.secret);
        let mut reply = located(versioned(StatusCode::CREATED, &view, endpoint.version), endpoint.id);
        let replay = serde_json::to_string(&WebhookEndpointView::new(&endpoint)).expect("views serialise");
        reply.extensions_mut().insert(ReplayBody(replay));
        Ok(reply)
    })
    .await
}

/// `GET /admin/webhooks`: oldest first, `limit` and `cursor` as every listing.
#[utoipa::path(
    get,
    path = "/admin/webhooks",
    operation_id = "admin_webhooks_list",
    tag = "admin",
    security(("bearer" = ["admin"])),
    params(super::params::PageParams),
    responses(
        (status = 200, description = "A page of endpoints, oldest first.", body = PageView<WebhookEndpointView>),
    ),
)]
pub async fn list(ctx: &AdminWebhooks, request: Request) -> Result<Reply, ApiError> {
    let principal = signed_in(&request, &ctx.verifier, &ctx.table).await?;
    let cursor = request.query_param("cursor");
    let page = webhooks::list_endpoints(&ctx.table, &principal, page_limit(&request)?, cursor.as_deref()).await?;
    let items = page.items.iter().map(WebhookEndpointView::new).collect();
    Ok(json(StatusCode::OK, &PageView { items, next_cursor: page.next_cursor }))
}

/// `GET /admin/webhooks/{id}`
#[utoipa::path(
    get,
    path = "/admin/webhooks/{id}",
    operation_id = "admin_webhooks_get",
    tag = "admin",
    security(("bearer" = ["admin"])),
    params(super::params::WebhookEndpointPath),
    responses(
        (status = 200, description = "The endpoint.", body = WebhookEndpointView),
    ),
)]
pub async fn get(ctx: &AdminWebhooks, request: Request) -> Result<Reply, ApiError> {
    let principal = signed_in(&request, &ctx.verifier, &ctx.table).await?;
    let id: WebhookEndpointId = request.path_param("id")?;
    let endpoint = webhooks::get_endpoint(&ctx.table, &principal, id).await?;
    Ok(versioned(StatusCode::OK, &WebhookEndpointView::new(&endpoint), endpoint.version))
}

/// `PATCH /admin/webhooks/{id}`: `url`, `events`, `description`, `enabled`;
/// `If-Match` optional.
#[utoipa::path(
    patch,
    path = "/admin/webhooks/{id}",
    operation_id = "admin_webhooks_update",
    tag = "admin",
    security(("bearer" = ["admin"])),
    params(
        super::params::WebhookEndpointPath,
        super::params::IfMatch,
    ),
    request_body = WebhookChanges,
    responses(
        (status = 200, description = "Changed.", body = WebhookEndpointView),
        (status = 422, description = "Problem `code`: `url_not_allowed`."),
    ),
)]
pub async fn update(ctx: &AdminWebhooks, request: Request) -> Result<Reply, ApiError> {
    let principal = signed_in(&request, &ctx.verifier, &ctx.table).await?;
    let id: WebhookEndpointId = request.path_param("id")?;
    let expected = request.if_match()?;
    let changes = json_body::<WebhookChanges>(&request)?.into_domain();
    let endpoint = webhooks::update_endpoint(&ctx.table, &ctx.sender, &principal, id, expected, changes, now()).await?;
    Ok(versioned(StatusCode::OK, &WebhookEndpointView::new(&endpoint), endpoint.version))
}

/// `DELETE /admin/webhooks/{id}`: 204; `If-Match` optional.
#[utoipa::path(
    delete,
    path = "/admin/webhooks/{id}",
    operation_id = "admin_webhooks_delete",
    tag = "admin",
    security(("bearer" = ["admin"])),
    params(
        super::params::WebhookEndpointPath,
        super::params::IfMatch,
    ),
    responses(
        (status = 204, description = "Deleted."),
    ),
)]
pub async fn delete(ctx: &AdminWebhooks, request: Request) -> Result<Reply, ApiError> {
    let principal = signed_in(&request, &ctx.verifier, &ctx.table).await?;
    let id: WebhookEndpointId = request.path_param("id")?;
    let expected = request.if_match()?;
    webhooks::delete_endpoint(&ctx.table, &principal, id, expected, now()).await?;
    Ok(no_content())
}

/// `POST /admin/webhooks/{id}/rotate-secret`: the new secret, shown this once;
/// the old one keeps signing (beside it) for 24 hours.
#[utoipa::path(
    post,
    path = "/admin/webhooks/{id}/rotate-secret",
    operation_id = "admin_webhooks_rotate_secret",
    tag = "admin",
    security(("bearer" = ["admin"])),
    params(super::params::WebhookEndpointPath),
    responses(
        (status = 200, description = "The new `secret`, shown this once; the old one keeps signing beside it for \
            24 hours.", body = WebhookEndpointView),
        (status = 412, description = "Problem `code`: `version_mismatch`: a concurrent change won; read it again \
            and retry."),
    ),
)]
pub async fn rotate_secret(ctx: &AdminWebhooks, request: Request) -> Result<Reply, ApiError> {
    let principal = signed_in(&request, &ctx.verifier, &ctx.table).await?;
    let id: WebhookEndpointId = request.path_param("id")?;
    let (endpoint, secret) = webhooks::rotate_secret(&ctx.table, &principal, id, now()).await?;
    Ok(versioned(StatusCode::OK, &WebhookEndpointView::revealing(&endpoint, &secret), endpoint.version))
}

/// `GET /admin/webhooks/{id}/deliveries`: newest first, with every attempt.
#[utoipa::path(
    get,
    path = "/admin/webhooks/{id}/deliveries",
    operation_id = "admin_webhooks_deliveries_list",
    tag = "admin",
    security(("bearer" = ["admin"])),
    params(
        super::params::WebhookEndpointPath,
        super::params::PageParams,
    ),
    responses(
        (status = 200, description = "A page of deliveries, newest first, with every \
            attempt.", body = PageView<DeliveryView>),
    ),
)]
pub async fn deliveries(ctx: &AdminWebhooks, request: Request) -> Result<Reply, ApiError> {
    let principal = signed_in(&request, &ctx.verifier, &ctx.table).await?;
    let id: WebhookEndpointId = request.path_param("id")?;
    let cursor = request.query_param("cursor");
    let page = webhooks::list_deliveries(&ctx.table, &principal, id, page_limit(&request)?, cursor.as_deref()).await?;
    let items = page.items.iter().map(DeliveryView::new).collect();
    Ok(json(StatusCode::OK, &PageView { items, next_cursor: page.next_cursor }))
}

/// `POST /admin/webhooks/{id}/deliveries/{delivery_id}/redeliver`: 202; the
/// delivery starts a new series of attempts.
#[utoipa::path(
    post,
    path = "/admin/webhooks/{id}/deliveries/{delivery_id}/redeliver",
    operation_id = "admin_webhooks_deliveries_redeliver",
    tag = "admin",
    security(("bearer" = ["admin"])),
    params(super::params::DeliveryPath),
    responses(
        (status = 202, description = "A new series of attempts has started.", body = DeliveryView),
        (status = 409, description = "Problem `code`: `endpoint_disabled`."),
        (status = 412, description = "Problem `code`: `version_mismatch`: a concurrent change won; read it again \
            and retry."),
    ),
)]
pub async fn redeliver(ctx: &AdminWebhooks, request: Request) -> Result<Reply, ApiError> {
    let principal = signed_in(&request, &ctx.verifier, &ctx.table).await?;
    let id: WebhookEndpointId = request.path_param("id")?;
    let delivery_id: EventId = request.path_param("delivery_id")?;
    let delivery = webhooks::redeliver(&ctx.table, &ctx.queue, &principal, id, delivery_id, now()).await?;
    Ok(json(StatusCode::ACCEPTED, &DeliveryView::new(&delivery)))
}
