//! `/orders/{id}/receipt`: the receipt PDF of a paid order.

use super::{Downloads, signed_in};
use crate::app::receipts;
use crate::domain::OrderId;
use crate::inbound::http::{ApiError, Reply, RequestExtras};
use lambda_http::{Body, Request, Response};

/// `GET /orders/{id}/receipt` (the owner or staff): 302 to a link that works for
/// five minutes. The link is the credential, so the redirect is not cached.
pub async fn get(ctx: &Downloads, request: Request) -> Result<Reply, ApiError> {
    let principal = signed_in(&request, &ctx.verifier, &ctx.table).await?;
    let id: OrderId = request.path_param("id")?;
    let url = receipts::link(&ctx.table, &ctx.bucket, &principal, id).await?;
    Ok(Response::builder()
        .status(302)
        .header("location", url)
        .header("cache-control", "no-store")
        .body(Body::Empty)
        .expect("a presigned URL is a valid header value"))
}
