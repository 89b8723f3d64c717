//! `/discounts` (staff): create, list and change discount codes.

use super::context::TableAccess;
use super::merge_patch::present;
use super::now;
use super::problem::ApiError;
use super::request::{RequestExtras, json_body, page_limit, signed_in};
use super::response::{Reply, json, versioned};
use crate::app::orders;
use crate::domain::DiscountCode;
use crate::domain::discount;
use crate::inbound::views::{DiscountView, PageView};
use lambda_http::Request;
use lambda_http::http::StatusCode;
use serde::Deserialize;

/// The body of `POST /discounts`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewDiscount {
    #[schema(pattern = "^[A-Za-z0-9_-]{3,32}$")]
    code: String,
    /// `percentage` or `fixed`.
    #[schema(pattern = "^(percentage|fixed)$")]
    kind: String,
    #[serde(default)]
    #[schema(minimum = 1, maximum = 100)]
    percent: Option<i64>,
    #[serde(default)]
    #[schema(minimum = 1, maximum = 1_000_000_000_000.0)]
    amount: Option<i64>,
    #[serde(default)]
    #[schema(schema_with = crate::inbound::views::optional_currency_schema)]
    currency: Option<String>,
    #[serde(default)]
    #[schema(format = DateTime)]
    starts_at: Option<String>,
    #[serde(default)]
    #[schema(format = DateTime)]
    ends_at: Option<String>,
    #[serde(default)]
    #[schema(minimum = 1, maximum = 10_000_000)]
    usage_limit: Option<i64>,
    #[serde(default)]
    once_per_customer: bool,
    #[serde(default = "yes")]
    active: bool,
}

fn yes() -> bool {
    true
}

impl NewDiscount {
    fn into_domain(self) -> discount::NewDiscount {
        let Self { code, kind, percent, amount, currency, starts_at, ends_at, usage_limit, once_per_customer, active } =
            self;
        discount::NewDiscount {
            code,
            kind,
            percent,
            amount,
            currency,
            starts_at,
            ends_at,
            usage_limit,
            once_per_customer,
            active,
        }
    }
}

/// The body of `PATCH /discounts/{code}`. The value is fixed once created (orders
/// refer to it); `null` clears a window end or the usage limit.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DiscountChanges {
    #[serde(default, deserialize_with = "present")]
    #[schema(format = DateTime)]
    starts_at: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(format = DateTime)]
    ends_at: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(minimum = 1, maximum = 10_000_000)]
    usage_limit: Option<Option<i64>>,
    once_per_customer: Option<bool>,
    active: Option<bool>,
}

impl DiscountChanges {
    fn into_domain(self) -> discount::DiscountChanges {
        let Self { starts_at, ends_at, usage_limit, once_per_customer, active } = self;
        discount::DiscountChanges { starts_at, ends_at, usage_limit, once_per_customer, active }
    }
}

/// `POST /discounts`
#[utoipa::path(
    post,
    path = "/discounts",
    operation_id = "discounts_create",
    tag = "discounts",
    security(("bearer" = ["staff"])),
    request_body = NewDiscount,
    responses(
        (status = 201, description = "Created.", body = DiscountView, headers(("Location" = String, description = "The discount's URL."))),
        (status = 409, description = "Problem `code`: `discount_code_taken`."),
    ),
)]
pub async fn create(ctx: &TableAccess, request: Request) -> Result<Reply, ApiError> {
    let principal = signed_in(&request, &ctx.verifier, &ctx.table).await?;
    let input = json_body::<NewDiscount>(&request)?.into_domain();
    let discount = orders::create_discount(&ctx.table, &principal, input, now()).await?;
    let mut reply = versioned(StatusCode::CREATED, &DiscountView::new(&discount), discount.version);
    let location = format!("/discounts/{}", discount.code.as_str()).parse().expect("codes are header-safe");
    reply.headers_mut().insert("location", location);
    Ok(reply)
}

/// `GET /discounts`: newest first, `limit` and `cursor` as every listing.
#[utoipa::path(
    get,
    path = "/discounts",
    operation_id = "discounts_list",
    tag = "discounts",
    security(("bearer" = ["staff"])),
    params(super::params::PageParams),
    responses(
        (status = 200, description = "A page of discounts, newest first.", body = PageView<DiscountView>),
    ),
)]
pub async fn list(ctx: &TableAccess, request: Request) -> Result<Reply, ApiError> {
    let principal = signed_in(&request, &ctx.verifier, &ctx.table).await?;
    let cursor = request.query_param("cursor");
    let page = orders::list_discounts(&ctx.table, &principal, page_limit(&request)?, cursor.as_deref()).await?;
    let items = page.items.iter().map(DiscountView::new).collect();
    Ok(json(StatusCode::OK, &PageView { items, next_cursor: page.next_cursor }))
}

/// `PATCH /discounts/{code}`: window, usage limit, once-per-customer, active;
/// `If-Match` optional.
#[utoipa::path(
    patch,
    path = "/discounts/{code}",
    operation_id = "discounts_update",
    tag = "discounts",
    security(("bearer" = ["staff"])),
    params(
        super::params::DiscountPath,
        super::params::IfMatch,
    ),
    request_body = DiscountChanges,
    responses(
        (status = 200, description = "Changed.", body = DiscountView),
    ),
)]
pub async fn update(ctx: &TableAccess, request: Request) -> Result<Reply, ApiError> {
    let principal = signed_in(&request, &ctx.verifier, &ctx.table).await?;
    let code =
        request.path_param::<String>("code").map(|c| DiscountCode::parse(&c))?.map_err(|_| ApiError::not_found())?;
    let expected = request.if_match()?;
    let changes = json_body::<DiscountChanges>(&request)?.into_domain();
    let discount = orders::update_discount(&ctx.table, &principal, &code, expected, changes, now()).await?;
    Ok(versioned(StatusCode::OK, &DiscountView::new(&discount), discount.version))
}
