//! `/discounts` (staff): create, list and change discount codes.

use super::views::{DiscountView, PageView};
use super::{TableAccess, now, page_limit, signed_in, versioned};
use crate::app::orders;
use crate::domain::{DiscountChanges, DiscountCode, NewDiscount};
use crate::inbound::http::{ApiError, Reply, RequestExtras, json, json_body};
use lambda_http::Request;

/// `POST /discounts`
#[utoipa::path(post, path = "/discounts", operation_id = "discounts_create", tag = "discounts", security(("bearer" = ["staff"])), request_body = NewDiscount, responses((status = 201, description = "Created.", body = DiscountView, headers(("ETag" = String, description = "The version, for a later `If-Match`."), ("Location" = String, description = "The discount's URL."))), (status = 409, description = "Problem `code`: `discount_code_taken`.", content_type = "application/problem+json", body = super::problem::Problem)))]
pub async fn create(ctx: &TableAccess, request: Request) -> Result<Reply, ApiError> {
    let principal = signed_in(&request, &ctx.verifier, &ctx.table).await?;
    let input: NewDiscount = json_body(&request)?;
    let discount = orders::create_discount(&ctx.table, &principal, input, now()).await?;
    let mut reply = versioned(201, &DiscountView::new(&discount), discount.version);
    let location = format!("/discounts/{}", discount.code.as_str()).parse().expect("codes are header-safe");
    reply.headers_mut().insert("location", location);
    Ok(reply)
}

/// `GET /discounts`: newest first, `limit` and `cursor` as every listing.
#[utoipa::path(get, path = "/discounts", operation_id = "discounts_list", tag = "discounts", security(("bearer" = ["staff"])), params(super::openapi::PageParams), responses((status = 200, description = "A page of discounts, newest first.", body = super::views::PageView<DiscountView>)))]
pub async fn list(ctx: &TableAccess, request: Request) -> Result<Reply, ApiError> {
    let principal = signed_in(&request, &ctx.verifier, &ctx.table).await?;
    let cursor = request.query_param("cursor");
    let page = orders::list_discounts(&ctx.table, &principal, page_limit(&request)?, cursor.as_deref()).await?;
    let items = page.items.iter().map(DiscountView::new).collect();
    Ok(json(200, &PageView { items, next_cursor: page.next_cursor }))
}

/// `PATCH /discounts/{code}`: window, usage limit, once-per-customer, active;
/// `If-Match` optional.
#[utoipa::path(patch, path = "/discounts/{code}", operation_id = "discounts_update", tag = "discounts", security(("bearer" = ["staff"])), params(("code" = String, Path, description = "The discount code."), super::openapi::IfMatch), request_body = DiscountChanges, responses((status = 200, description = "Changed.", body = DiscountView, headers(("ETag" = String, description = "The version, for a later `If-Match`.")))))]
pub async fn update(ctx: &TableAccess, request: Request) -> Result<Reply, ApiError> {
    let principal = signed_in(&request, &ctx.verifier, &ctx.table).await?;
    let code =
        request.path_param::<String>("code").map(|c| DiscountCode::parse(&c))?.map_err(|_| ApiError::not_found())?;
    let expected = request.if_match()?;
    let changes: DiscountChanges = json_body(&request)?;
    let discount = orders::update_discount(&ctx.table, &principal, &code, expected, changes, now()).await?;
    Ok(versioned(200, &DiscountView::new(&discount), discount.version))
}
