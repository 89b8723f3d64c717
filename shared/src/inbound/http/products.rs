//! `/products` endpoints.

use super::context::Catalog;
use super::merge_patch::present;
use super::now;
use super::problem::ApiError;
use super::request::{RequestExtras, caller, json_body, page_limit, signed_in};
use super::response::{Reply, json, versioned};
use crate::app::catalog::ports::ProductQuery;
use crate::app::catalog::products;
use crate::domain::product::{self, DEFAULT_MAX_PER_ORDER};
use crate::domain::{Category, Product, ProductId, ProductStatus};
use crate::inbound::views::{MoneyInput, PageView, ProductView};
use lambda_http::Request;
use lambda_http::http::StatusCode;
use serde::Deserialize;

/// The body of `POST /products`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "sku": "POSTER-A2-BLUE", "name": "Blue poster, A2", "description": "Printed on 200 g paper.",
    "price": {"amount": 2400, "currency": "EUR"}, "stock": 40, "status": "active", "category": "posters"
}))]
pub struct NewProduct {
    /// Unique; 1-64 of A-Z, 0-9, `-`, `_`, `.` (stored upper case).
    #[schema(min_length = 1, max_length = 64, pattern = "^[A-Za-z0-9][A-Za-z0-9._-]*$")]
    sku: String,
    #[schema(min_length = 1, max_length = 200, pattern = "^[^\\x00-\\x08\\x0B-\\x1F\\x7F-\\x9F]*$")]
    name: String,
    #[serde(default)]
    #[schema(max_length = 5000, pattern = "^[^\\x00-\\x08\\x0B-\\x1F\\x7F-\\x9F]*$")]
    description: String,
    price: MoneyInput,
    #[serde(default)]
    #[schema(minimum = 0, maximum = 1_000_000_000)]
    stock: i64,
    #[serde(default = "default_max_per_order")]
    #[schema(minimum = 1, maximum = 1000, default = 10)]
    max_per_order: i64,
    #[serde(default = "draft")]
    status: ProductStatus,
    /// A slug: a-z, 0-9 and inner `-`.
    #[serde(default)]
    #[schema(max_length = 50, pattern = "^[a-z0-9]([a-z0-9-]*[a-z0-9])?$")]
    category: Option<String>,
}

fn default_max_per_order() -> i64 {
    i64::from(DEFAULT_MAX_PER_ORDER)
}

fn draft() -> ProductStatus {
    ProductStatus::Draft
}

impl NewProduct {
    fn into_domain(self) -> product::NewProduct {
        let Self { sku, name, description, price, stock, max_per_order, status, category } = self;
        product::NewProduct {
            sku,
            name,
            description,
            price: price.into_domain(),
            stock,
            max_per_order,
            status,
            category,
        }
    }
}

/// The body of `PATCH /products/{id}`: every field optional; `category: null` clears it.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProductChanges {
    #[schema(min_length = 1, max_length = 64, pattern = "^[A-Za-z0-9][A-Za-z0-9._-]*$")]
    sku: Option<String>,
    #[schema(min_length = 1, max_length = 200, pattern = "^[^\\x00-\\x08\\x0B-\\x1F\\x7F-\\x9F]*$")]
    name: Option<String>,
    #[schema(max_length = 5000, pattern = "^[^\\x00-\\x08\\x0B-\\x1F\\x7F-\\x9F]*$")]
    description: Option<String>,
    price: Option<MoneyInput>,
    #[schema(minimum = 0, maximum = 1_000_000_000)]
    stock: Option<i64>,
    #[schema(minimum = 1, maximum = 1000)]
    max_per_order: Option<i64>,
    status: Option<ProductStatus>,
    #[serde(default, deserialize_with = "present")]
    #[schema(max_length = 50, pattern = "^[a-z0-9]([a-z0-9-]*[a-z0-9])?$")]
    category: Option<Option<String>>,
}

impl ProductChanges {
    fn into_domain(self) -> product::ProductChanges {
        let Self { sku, name, description, price, stock, max_per_order, status, category } = self;
        let price = price.map(MoneyInput::into_domain);
        product::ProductChanges { sku, name, description, price, stock, max_per_order, status, category }
    }
}

/// A product with its version as the ETag, ready for a later `If-Match`.
fn product_reply(status: StatusCode, product: &Product, catalog: &Catalog) -> Reply {
    versioned(status, &ProductView::new(product, &catalog.assets), product.version)
}

/// `GET /products`: active products for everyone; staff may ask for other statuses.
#[utoipa::path(
    get,
    path = "/products",
    operation_id = "products_list",
    tag = "catalog",
    security((), ("bearer" = [])),
    params(
        ("status" = Option<crate::domain::ProductStatus>, Query, description = "`active` by default; other \
            statuses need a staff token."),
        ("category" = Option<String>, Query, min_length = 1, max_length = 50, pattern = "^[a-z0-9]([a-z0-9-]*[a-z0-9])?$", description = "Only products in this category."),
        super::params::PageParams,
    ),
    responses(
        (status = 200, description = "A page of products.", body = PageView<ProductView>),
    ),
)]
pub async fn list(catalog: &Catalog, request: Request) -> Result<Reply, ApiError> {
    let principal = caller(&request, &catalog.verifier, &catalog.table).await?;
    let status = match request.query_param("status") {
        None => ProductStatus::Active,
        Some(value) => ProductStatus::parse(&value).ok_or_else(|| {
            ApiError::field(StatusCode::BAD_REQUEST, "invalid_query", "status", "must be draft, active or archived")
        })?,
    };
    if status != ProductStatus::Active && principal.is_none() {
        return Err(ApiError::unauthorized("listing non-active products needs a staff access token"));
    }
    let category = request
        .query_param("category")
        .map(|c| {
            Category::parse(&c).map_err(|m| ApiError::field(StatusCode::BAD_REQUEST, "invalid_query", "category", m))
        })
        .transpose()?;
    let query = ProductQuery { status, category, limit: page_limit(&request)?, cursor: request.query_param("cursor") };
    let page = products::list(&catalog.table, principal.as_ref(), query).await?;
    let items = page.items.iter().map(|p| ProductView::new(p, &catalog.assets)).collect();
    Ok(json(StatusCode::OK, &PageView { items, next_cursor: page.next_cursor }))
}

/// `GET /products/{id}`
#[utoipa::path(
    get,
    path = "/products/{id}",
    operation_id = "products_get",
    tag = "catalog",
    security((), ("bearer" = [])),
    params(super::params::ProductPath),
    responses(
        (status = 200, description = "The product; drafts and archived products only for staff.", body = ProductView),
    ),
)]
pub async fn get(catalog: &Catalog, request: Request) -> Result<Reply, ApiError> {
    let principal = caller(&request, &catalog.verifier, &catalog.table).await?;
    let id: ProductId = request.path_param("id")?;
    let product = products::get(&catalog.table, principal.as_ref(), id).await?;
    Ok(product_reply(StatusCode::OK, &product, catalog))
}

/// `POST /products` (staff)
#[utoipa::path(
    post,
    path = "/products",
    operation_id = "products_create",
    tag = "catalog",
    security(("bearer" = ["staff"])),
    request_body = NewProduct,
    responses(
        (status = 201, description = "Created.", body = ProductView, headers(("Location" = String, description = "The product's URL."))),
        (status = 409, description = "Problem `code`: `sku_taken`."),
    ),
)]
pub async fn create(catalog: &Catalog, request: Request) -> Result<Reply, ApiError> {
    let principal = signed_in(&request, &catalog.verifier, &catalog.table).await?;
    let input = json_body::<NewProduct>(&request)?.into_domain();
    let product = products::create(&catalog.table, Some(&principal), input, now()).await?;
    let mut reply = product_reply(StatusCode::CREATED, &product, catalog);
    let location = format!("/products/{}", product.id).parse().expect("a uuid path is a valid header value");
    reply.headers_mut().insert("location", location);
    Ok(reply)
}

/// `PATCH /products/{id}` (staff): needs `If-Match` with the version being edited.
#[utoipa::path(
    patch,
    path = "/products/{id}",
    operation_id = "products_update",
    tag = "catalog",
    security(("bearer" = ["staff"])),
    params(
        super::params::ProductPath,
        super::params::IfMatchRequired,
    ),
    request_body = ProductChanges,
    responses(
        (status = 200, description = "Changed.", body = ProductView),
        (status = 409, description = "Problem `code`: `sku_taken`."),
        (status = 428, description = "Problem `code`: `precondition_required`: send `If-Match`."),
    ),
)]
pub async fn update(catalog: &Catalog, request: Request) -> Result<Reply, ApiError> {
    let principal = signed_in(&request, &catalog.verifier, &catalog.table).await?;
    let id: ProductId = request.path_param("id")?;
    let expected = request.if_match()?.ok_or_else(|| {
        ApiError::field(
            StatusCode::PRECONDITION_REQUIRED,
            "precondition_required",
            "If-Match",
            "send the ETag of the version you edited",
        )
    })?;
    let changes = json_body::<ProductChanges>(&request)?.into_domain();
    let product = products::update(&catalog.table, Some(&principal), id, expected, changes, now()).await?;
    Ok(product_reply(StatusCode::OK, &product, catalog))
}

/// `DELETE /products/{id}` (staff): archives; `If-Match` optional.
#[utoipa::path(
    delete,
    path = "/products/{id}",
    operation_id = "products_archive",
    tag = "catalog",
    security(("bearer" = ["staff"])),
    params(
        super::params::ProductPath,
        super::params::IfMatch,
    ),
    responses(
        (status = 200, description = "Archived (kept, because orders refer to it).", body = ProductView),
    ),
)]
pub async fn archive(catalog: &Catalog, request: Request) -> Result<Reply, ApiError> {
    let principal = signed_in(&request, &catalog.verifier, &catalog.table).await?;
    let id: ProductId = request.path_param("id")?;
    let expected = request.if_match()?;
    let product = products::archive(&catalog.table, Some(&principal), id, expected, now()).await?;
    Ok(product_reply(StatusCode::OK, &product, catalog))
}
