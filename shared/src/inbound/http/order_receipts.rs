//! `/orders/{id}/receipt`: the receipt PDF of a paid order.

use super::context::Downloads;
use super::problem::ApiError;
use super::request::{RequestExtras, order_reader};
use super::response::Reply;
use crate::app::receipts;
use crate::domain::OrderId;
use lambda_http::{Body, Request, Response};

/// `GET /orders/{id}/receipt` (the owner or staff): 302 to a link that works for
/// five minutes. The link is the credential, so the redirect is not cached.
#[utoipa::path(
    get,
    path = "/orders/{id}/receipt",
    operation_id = "orders_receipt",
    tag = "orders",
    security(("bearer" = [])),
    params(super::params::OrderPath, super::params::OrderToken),
    responses(
        (status = 302, description = "Redirects to the PDF; the link works for five \
            minutes.", headers(("Location" = String, description = "A signed link to the PDF."))),
        (status = 409, description = "Problem `code`: `order_not_paid`, `receipt_not_ready` (with `Retry-After`)."),
    ),
)]
pub async fn get(ctx: &Downloads, request: Request) -> Result<Reply, ApiError> {
    let id: OrderId = request.path_param("id")?;
    let principal = order_reader(&request, &ctx.verifier, &ctx.table, id).await?;
    let url = receipts::link(&ctx.table, &ctx.bucket, &principal, id).await?;
    Ok(to_document(&url))
}

/// `{id}` of an order and `{refund_id}` of one of its refunds.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Path)]
pub struct RefundPath {
    /// The order's id.
    pub id: OrderId,
    /// The refund's id, as `POST /orders/{id}/refunds` answered it.
    pub refund_id: String,
}

/// `GET /orders/{id}/refunds/{refund_id}/credit-note` (the owner, a guest with
/// the order's link, or staff): 302 to the refund's credit note for five minutes.
#[utoipa::path(
    get,
    path = "/orders/{id}/refunds/{refund_id}/credit-note",
    operation_id = "orders_credit_note",
    tag = "orders",
    security(("bearer" = [])),
    params(RefundPath, super::params::OrderToken),
    responses(
        (status = 302, description = "Redirects to the PDF; the link works for five \
            minutes.", headers(("Location" = String, description = "A signed link to the PDF."))),
        (status = 409, description = "Problem `code`: `receipt_not_ready` (with `Retry-After`): printed \
            seconds after the refund went through."),
    ),
)]
pub async fn credit_note(ctx: &Downloads, request: Request) -> Result<Reply, ApiError> {
    let id: OrderId = request.path_param("id")?;
    let principal = order_reader(&request, &ctx.verifier, &ctx.table, id).await?;
    let refund: String = request.path_param("refund_id")?;
    let url = receipts::credit_note_link(&ctx.table, &ctx.bucket, &principal, (id, &refund)).await?;
    Ok(to_document(&url))
}

/// `GET /orders/{id}/packing-slip` (staff): 302 to the paid order's packing slip
/// (lines, quantities and the shipping address; no prices) for five minutes.
#[utoipa::path(
    get,
    path = "/orders/{id}/packing-slip",
    operation_id = "orders_packing_slip",
    tag = "orders",
    security(("bearer" = ["staff"])),
    params(super::params::OrderPath),
    responses(
        (status = 302, description = "Redirects to the PDF; the link works for five \
            minutes.", headers(("Location" = String, description = "A signed link to the PDF."))),
        (status = 409, description = "Problem `code`: `order_not_paid`, `receipt_not_ready` (with `Retry-After`)."),
    ),
)]
pub async fn packing_slip(ctx: &Downloads, request: Request) -> Result<Reply, ApiError> {
    let id: OrderId = request.path_param("id")?;
    let principal = super::request::signed_in(&request, &ctx.verifier, &ctx.table).await?;
    let url = receipts::packing_slip_link(&ctx.table, &ctx.bucket, &principal, id).await?;
    Ok(to_document(&url))
}

/// 302 to a document's presigned link. The link is the credential, so the
/// redirect is never cached.
fn to_document(url: &str) -> Reply {
    Response::builder()
        .status(302)
        .header("location", url)
        .header("cache-control", "no-store")
        .body(Body::Empty)
        .expect("a presigned URL is a valid header value")
}
