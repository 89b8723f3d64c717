//! `/orders/{id}/receipt`, `/credit-note`, `/packing-slip`: a paid order's
//! documents, as a redirect to a short-lived link or, for a browser app that
//! cannot read a cross-origin redirect, that link in JSON.

use super::context::Downloads;
use super::problem::ApiError;
use super::request::{RequestExtras, order_reader};
use super::response::{Reply, json};
use crate::app::receipts::{self, LINK_LIFETIME};
use crate::domain::OrderId;
use lambda_http::http::StatusCode;
use lambda_http::http::header::{ACCEPT, CACHE_CONTROL, LOCATION, VARY};
use lambda_http::{Body, Request, Response};
use serde::Serialize;

/// A document's signed link, answered instead of the redirect when the request
/// asks for `application/json`: a browser app calling with an `Authorization`
/// header cannot read the `Location` of a cross-origin redirect.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DocumentLink {
    /// A signed link to the PDF; it is the credential, so keep it to yourself.
    #[schema(format = "uri")]
    pub url: String,
    /// Seconds the link works for, from now.
    pub expires_in: u64,
}

/// `GET /orders/{id}/receipt` (the owner or staff): 302 to a link that works for
/// five minutes, or 200 with the link when `Accept` names `application/json`.
/// The link is the credential, so neither answer is cached.
#[utoipa::path(
    get,
    path = "/orders/{id}/receipt",
    operation_id = "orders_receipt",
    tag = "orders",
    security(("bearer" = [])),
    params(super::params::OrderPath, super::params::OrderToken),
    responses(
        (status = 200, description = "With `Accept: application/json`: the link to the PDF, which \
            works for five minutes.", body = DocumentLink),
        (status = 302, description = "Redirects to the PDF (without `application/json` in `Accept`); the \
            link works for five minutes.", headers(("Location" = String, description = "A signed link to the PDF."))),
        (status = 409, description = "Problem `code`: `order_not_paid`, `receipt_not_ready` (with `Retry-After`)."),
    ),
)]
pub async fn get(ctx: &Downloads, request: Request) -> Result<Reply, ApiError> {
    let id: OrderId = request.path_param("id")?;
    let principal = order_reader(&request, &ctx.verifier, &ctx.table, id).await?;
    let url = receipts::link(&ctx.table, &ctx.bucket, &principal, id).await?;
    Ok(to_document(&request, url))
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
/// the order's link, or staff): 302 to the refund's credit note for five minutes,
/// or 200 with the link when `Accept` names `application/json`.
#[utoipa::path(
    get,
    path = "/orders/{id}/refunds/{refund_id}/credit-note",
    operation_id = "orders_credit_note",
    tag = "orders",
    security(("bearer" = [])),
    params(RefundPath, super::params::OrderToken),
    responses(
        (status = 200, description = "With `Accept: application/json`: the link to the PDF, which \
            works for five minutes.", body = DocumentLink),
        (status = 302, description = "Redirects to the PDF (without `application/json` in `Accept`); the \
            link works for five minutes.", headers(("Location" = String, description = "A signed link to the PDF."))),
        (status = 409, description = "Problem `code`: `receipt_not_ready` (with `Retry-After`): printed \
            seconds after the refund went through."),
    ),
)]
pub async fn credit_note(ctx: &Downloads, request: Request) -> Result<Reply, ApiError> {
    let id: OrderId = request.path_param("id")?;
    let principal = order_reader(&request, &ctx.verifier, &ctx.table, id).await?;
    let refund: String = request.path_param("refund_id")?;
    let url = receipts::credit_note_link(&ctx.table, &ctx.bucket, &principal, (id, &refund)).await?;
    Ok(to_document(&request, url))
}

/// `GET /orders/{id}/packing-slip` (staff): 302 to the paid order's packing slip
/// (lines, quantities and the shipping address; no prices) for five minutes, or
/// 200 with the link when `Accept` names `application/json`.
#[utoipa::path(
    get,
    path = "/orders/{id}/packing-slip",
    operation_id = "orders_packing_slip",
    tag = "orders",
    security(("bearer" = ["staff"])),
    params(super::params::OrderPath),
    responses(
        (status = 200, description = "With `Accept: application/json`: the link to the PDF, which \
            works for five minutes.", body = DocumentLink),
        (status = 302, description = "Redirects to the PDF (without `application/json` in `Accept`); the \
            link works for five minutes.", headers(("Location" = String, description = "A signed link to the PDF."))),
        (status = 409, description = "Problem `code`: `order_not_paid`, `receipt_not_ready` (with `Retry-After`)."),
    ),
)]
pub async fn packing_slip(ctx: &Downloads, request: Request) -> Result<Reply, ApiError> {
    let id: OrderId = request.path_param("id")?;
    let principal = super::request::signed_in(&request, &ctx.verifier, &ctx.table).await?;
    let url = receipts::packing_slip_link(&ctx.table, &ctx.bucket, &principal, id).await?;
    Ok(to_document(&request, url))
}

/// 302 to a document's presigned link or, when the caller asks for JSON, 200
/// with it. The link is the credential, so neither answer is ever cached.
fn to_document(request: &Request, url: String) -> Reply {
    let mut reply = if wants_json(request) {
        json(StatusCode::OK, &DocumentLink { url, expires_in: LINK_LIFETIME.as_secs() })
    } else {
        Response::builder()
            .status(StatusCode::FOUND)
            .header(LOCATION, url)
            .body(Body::Empty)
            .expect("a presigned URL is a valid header value")
    };
    let headers = reply.headers_mut();
    headers.insert(CACHE_CONTROL, "no-store".parse().expect("static header value"));
    headers.insert(VARY, "Accept".parse().expect("static header value"));
    reply
}

/// Whether `Accept` names `application/json` itself, at a quality above 0.
/// `*/*` and `application/*` do not count: a browser's `fetch` sends `*/*`, and
/// a page's link `text/html,…,*/*;q=0.8`, and both keep the redirect.
fn wants_json(request: &Request) -> bool {
    let mut ranges =
        request.headers().get_all(ACCEPT).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(','));
    ranges.any(|range| {
        let mut parts = range.split(';');
        let media_type = parts.next().unwrap_or_default().trim();
        media_type.eq_ignore_ascii_case("application/json") && !parts.any(refuses)
    })
}

/// A `q=0` parameter: "not acceptable".
fn refuses(parameter: &str) -> bool {
    parameter.split_once('=').is_some_and(|(name, value)| {
        name.trim().eq_ignore_ascii_case("q") && value.trim().parse::<f32>().is_ok_and(|q| q <= 0.0)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(accept: &[&str]) -> Reply {
        let mut request = Request::default();
        for value in accept {
            request.headers_mut().append(ACCEPT, value.parse().unwrap());
        }
        to_document(&request, "https://bucket.example/receipt.pdf?X-Amz-Signature=abc".into())
    }

    #[test]
    fn json_only_when_named_and_the_redirect_otherwise() {
        for accept in [
            &["application/json"][..],
            &["Application/JSON; charset=utf-8"],
            &["text/html, application/json;q=0.5"],
            &["text/html", "application/json"],
        ] {
            let reply = answer(accept);
            assert_eq!(reply.status(), 200, "{accept:?}");
            let Body::Text(body) = reply.body() else { panic!("a JSON body") };
            let link: serde_json::Value = serde_json::from_str(body).unwrap();
            assert_eq!(
                link,
                serde_json::json!({"url": "https://bucket.example/receipt.pdf?X-Amz-Signature=abc", "expires_in": 300})
            );
            assert_eq!(reply.headers()[CACHE_CONTROL], "no-store");
            assert_eq!(reply.headers()["content-type"], "application/json");
        }
        for accept in [
            &[][..],
            &["*/*"],
            &["application/*"],
            &["text/html,application/xhtml+xml,*/*;q=0.8"],
            &["application/json;q=0", "application/pdf"],
            &["application/jsonx"],
        ] {
            let reply = answer(accept);
            assert_eq!(reply.status(), 302, "{accept:?}");
            assert!(reply.headers()[LOCATION].to_str().unwrap().starts_with("https://bucket.example/"));
            assert_eq!(reply.headers()[CACHE_CONTROL], "no-store");
            assert_eq!(reply.headers()[VARY], "Accept");
        }
    }
}
