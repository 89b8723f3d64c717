//! `/orders/{id}/returns`: a customer (or staff for them) asks to send units of
//! a fulfilled order back; staff approve or reject, then receive them, which
//! restocks and refunds them.

use super::context::{Payments, Returns};
use super::now;
use super::problem::ApiError;
use super::request::{RequestExtras, json_body, order_reader, signed_in};
use super::response::{Reply, json, versioned};
use crate::app::returns::{self, Decision};
use crate::domain::returns::Return;
use crate::domain::{OrderId, ProductId, ReturnId, VariantId, format_timestamp};
use lambda_http::Request;
use lambda_http::http::StatusCode;
use serde::{Deserialize, Serialize};

/// A return as its customer and staff see it.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ReturnView {
    id: ReturnId,
    order_id: OrderId,
    /// `requested`, `approved`, `rejected` or `received`.
    status: &'static str,
    lines: Vec<ReturnLineView>,
    reason: String,
    /// Why staff rejected it.
    #[schema(required = true)]
    note: Option<String>,
    /// What receiving it refunded (tax included, and the shipping if
    /// `shipping_refunded`), in minor units of the order's currency.
    #[schema(required = true)]
    refund_amount: Option<i64>,
    /// The order's refund that gave it back (`GET /orders/{id}` shows the total).
    #[schema(required = true)]
    refund_id: Option<String>,
    shipping_refunded: bool,
    version: u64,
    created_at: String,
    updated_at: String,
}

#[derive(Serialize, utoipa::ToSchema)]
struct ReturnLineView {
    product_id: ProductId,
    variant_id: VariantId,
    quantity: u32,
    /// Units that arrived (0 until received).
    received: u32,
}

impl ReturnView {
    fn new(r: &Return) -> Self {
        Self {
            id: r.id,
            order_id: r.order_id,
            status: r.status.as_str(),
            lines: r
                .lines
                .iter()
                .map(|l| ReturnLineView {
                    product_id: l.product_id,
                    variant_id: l.variant_id,
                    quantity: l.quantity,
                    received: l.received,
                })
                .collect(),
            reason: r.reason.clone(),
            note: r.note.clone(),
            refund_amount: r.refund_amount,
            refund_id: r.refund_id.clone(),
            shipping_refunded: r.shipping_refunded,
            version: r.version,
            created_at: format_timestamp(r.created_at),
            updated_at: format_timestamp(r.updated_at),
        }
    }
}

/// The body of `POST /orders/{id}/returns`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewReturn {
    #[schema(min_items = 1, max_items = 50)]
    lines: Vec<NewReturnLine>,
    #[schema(min_length = 1, max_length = 500)]
    reason: String,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct NewReturnLine {
    product_id: ProductId,
    /// Which variant; may be left out when the order has one line of the product.
    #[serde(default)]
    variant_id: Option<VariantId>,
    #[schema(minimum = 1, maximum = 1000)]
    quantity: i64,
}

/// `{id}` of an order and `{return_id}` of one of its returns.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Path)]
pub struct ReturnPath {
    /// The order's id.
    pub id: OrderId,
    /// The return's id.
    pub return_id: ReturnId,
}

/// `POST /orders/{id}/returns`: asks to return units of a fulfilled order,
/// within the shop's return window (`ReturnWindowDays` after fulfilment).
#[utoipa::path(
    post,
    path = "/orders/{id}/returns",
    operation_id = "orders_returns_create",
    tag = "orders",
    security(("bearer" = [])),
    params(super::params::OrderPath, super::params::OrderToken),
    request_body = NewReturn,
    responses(
        (status = 201, description = "Requested: staff approve or reject it.", body = ReturnView),
        (status = 409, description = "Problem `code`: `order_not_returnable` (not fulfilled, or the window closed)."),
        (status = 422, description = "Problem naming `reason`, `lines[0].variant_id` or `lines[0].quantity` \
            (more than the units of the line not returned yet)."),
    ),
)]
pub async fn create(ctx: &Returns, request: Request) -> Result<Reply, ApiError> {
    let order: OrderId = request.path_param("id")?;
    let principal = order_reader(&request, &ctx.verifier, &ctx.table, order).await?;
    let body: NewReturn = json_body(&request)?;
    let lines: Vec<_> = body.lines.iter().map(|l| (l.product_id, l.variant_id, l.quantity)).collect();
    let ret = returns::request(&ctx.table, ctx.window, &principal, order, (&lines, &body.reason), now()).await?;
    let mut reply = versioned(StatusCode::CREATED, &ReturnView::new(&ret), ret.version);
    let location = format!("/orders/{order}/returns/{}", ret.id).parse().expect("uuid paths are valid header values");
    reply.headers_mut().insert("location", location);
    Ok(reply)
}

/// `GET /orders/{id}/returns`: the order's returns, oldest first.
#[utoipa::path(
    get,
    path = "/orders/{id}/returns",
    operation_id = "orders_returns_list",
    tag = "orders",
    security(("bearer" = [])),
    params(super::params::OrderPath, super::params::OrderToken),
    responses(
        (status = 200, description = "Every return of the order (its customer, a guest with its link, or staff).",
            body = Vec<ReturnView>),
    ),
)]
pub async fn list(ctx: &Returns, request: Request) -> Result<Reply, ApiError> {
    let order: OrderId = request.path_param("id")?;
    let principal = order_reader(&request, &ctx.verifier, &ctx.table, order).await?;
    let found = returns::list(&ctx.table, &principal, order).await?;
    Ok(json(StatusCode::OK, &found.iter().map(ReturnView::new).collect::<Vec<_>>()))
}

/// The body of `PATCH /orders/{id}/returns/{return_id}` (staff): the state to
/// move the return to.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReturnDecision {
    /// `approved`, `rejected` (with a `note`) or `received`.
    #[schema(pattern = "^(approved|rejected|received)$")]
    status: String,
    /// Why it is rejected (shown to the customer).
    #[serde(default)]
    #[schema(max_length = 500)]
    note: Option<String>,
    /// Received: the units that arrived per variant; all requested ones when left out.
    #[serde(default)]
    lines: Option<Vec<ReceivedLine>>,
    /// Received: refund the order's shipping too (once per order).
    #[serde(default)]
    refund_shipping: bool,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct ReceivedLine {
    variant_id: VariantId,
    #[schema(minimum = 0, maximum = 1000)]
    quantity: i64,
}

/// `PATCH /orders/{id}/returns/{return_id}` (staff): approve, reject, or
/// receive it. Receiving puts the received units back in stock and refunds
/// them through the order's refund; receiving again after a failed refund
/// finishes it, never refunding twice.
#[utoipa::path(
    patch,
    path = "/orders/{id}/returns/{return_id}",
    operation_id = "orders_returns_update",
    tag = "orders",
    security(("bearer" = ["staff"])),
    params(ReturnPath, super::params::IfMatch),
    request_body = ReturnDecision,
    responses(
        (status = 200, description = "Moved.", body = ReturnView),
        (status = 409, description = "Problem `code`: `illegal_transition`, `order_not_refundable`, \
            `payment_disputed`."),
        (status = 422, description = "Problem naming `status`, `note` or `lines[0].quantity`."),
        (status = 503, description = "Problem `code`: `provider_unavailable`: received, not yet refunded; \
            send it again."),
    ),
)]
pub async fn update(ctx: &Payments, request: Request) -> Result<Reply, ApiError> {
    let principal = signed_in(&request, &ctx.verifier, &ctx.table).await?;
    let ids = (request.path_param("id")?, request.path_param("return_id")?);
    let expected = request.if_match()?;
    let body: ReturnDecision = json_body(&request)?;
    let decision = match body.status.as_str() {
        "approved" => Decision::Approve,
        "rejected" => Decision::Reject { note: body.note.unwrap_or_default() },
        "received" => Decision::Receive {
            lines: body.lines.map(|lines| lines.iter().map(|l| (l.variant_id, l.quantity)).collect()),
            refund_shipping: body.refund_shipping,
        },
        _ => {
            let message = "must be approved, rejected or received";
            return Err(ApiError::field(StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", "status", message));
        }
    };
    let ret = returns::decide(&ctx.table, ctx.gateway.as_ref(), &principal, ids, decision, expected, now()).await?;
    Ok(versioned(StatusCode::OK, &ReturnView::new(&ret), ret.version))
}
