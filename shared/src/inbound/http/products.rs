//! `/products` endpoints.

use super::context::Catalog;
use super::merge_patch::present;
use super::now;
use super::problem::ApiError;
use super::request::{RequestExtras, caller, json_body, page_limit, signed_in};
use super::response::{Reply, json, public_read, versioned};
use crate::app::catalog::ports::ProductQuery;
use crate::app::catalog::products;
use crate::domain::product::{self, DEFAULT_LOW_STOCK_THRESHOLD, DEFAULT_MAX_PER_ORDER};
use crate::domain::tax::TaxCategory;
use crate::domain::{Category, FieldError, ImageId, Invalid, Product, ProductId, ProductStatus};
use crate::inbound::views::{MoneyInput, PageView, ProductView};
use lambda_http::Request;
use lambda_http::http::StatusCode;
use serde::Deserialize;
use std::collections::BTreeMap;

/// The body of `POST /products`: a product sold one way names its `sku`,
/// `stock` and `max_per_order` (as before variants); one with `options` lists
/// its `variants` instead.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "name": "Logo tee", "description": "Organic cotton.", "price": {"amount": 2500, "currency": "EUR"},
    "status": "active", "category": "t-shirts", "options": [{"name": "Size", "values": ["S", "M", "L"]}],
    "variants": [
        {"sku": "TEE-S", "options": {"Size": "S"}, "stock": 10},
        {"sku": "TEE-M", "options": {"Size": "M"}, "stock": 25, "low_stock_threshold": 8},
        {"sku": "TEE-L", "options": {"Size": "L"}, "stock": 0, "price": {"amount": 2700, "currency": "EUR"}}
    ]
}))]
pub struct NewProduct {
    #[schema(min_length = 1, max_length = 200, pattern = "^[^\\x00-\\x08\\x0B-\\x1F\\x7F-\\x9F]*$")]
    name: String,
    #[serde(default)]
    #[schema(max_length = 5000, pattern = "^[^\\x00-\\x08\\x0B-\\x1F\\x7F-\\x9F]*$")]
    description: String,
    price: MoneyInput,
    #[serde(default = "draft")]
    status: ProductStatus,
    /// A slug: a-z, 0-9 and inner `-`.
    #[serde(default)]
    #[schema(max_length = 50, pattern = "^[a-z0-9]([a-z0-9-]*[a-z0-9])?$")]
    category: Option<String>,
    /// Which of the destination's tax rates applies: standard (the default), reduced or zero.
    tax_category: Option<TaxCategory>,
    #[serde(default)]
    #[schema(max_items = 3)]
    options: Vec<OptionInput>,
    /// One per combination of option values that is sold.
    #[serde(default)]
    #[schema(max_items = 50)]
    variants: Vec<NewVariant>,
    /// A product sold one way: its SKU, unique; 1-64 of A-Z, 0-9, `-`, `_`, `.` (stored upper case).
    #[serde(default)]
    #[schema(min_length = 1, max_length = 64, pattern = "^[A-Za-z0-9][A-Za-z0-9._-]*$")]
    sku: Option<String>,
    #[serde(default)]
    #[schema(minimum = 0, maximum = 1_000_000_000)]
    stock: Option<i64>,
    #[serde(default)]
    #[schema(minimum = 1, maximum = 1000, default = 10)]
    max_per_order: Option<i64>,
}

/// One way a product varies: `{"name": "Size", "values": ["S", "M"]}`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OptionInput {
    #[schema(min_length = 1, max_length = 50)]
    name: String,
    #[schema(min_items = 1, max_items = 20)]
    values: Vec<String>,
}

fn options(given: Vec<OptionInput>) -> Vec<(String, Vec<String>)> {
    given.into_iter().map(|o| (o.name, o.values)).collect()
}

/// A variant: the body of `POST /products/{id}/variants`, and an entry of
/// `variants` in `POST /products`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewVariant {
    #[schema(min_length = 1, max_length = 64, pattern = "^[A-Za-z0-9][A-Za-z0-9._-]*$")]
    sku: String,
    /// Option name to value, one per product option: `{"Size": "M"}`.
    #[serde(default)]
    options: BTreeMap<String, String>,
    /// Its own price, in the product's currency; the product's by default.
    #[serde(default)]
    price: Option<MoneyInput>,
    #[serde(default)]
    #[schema(minimum = 0, maximum = 1_000_000_000)]
    stock: i64,
    #[serde(default = "default_max_per_order")]
    #[schema(minimum = 1, maximum = 1000, default = 10)]
    max_per_order: i64,
    #[serde(default)]
    #[schema(minimum = 0, maximum = 1_000_000)]
    weight_grams: i64,
    /// Images of the product that show this variant.
    #[serde(default)]
    image_ids: Vec<ImageId>,
    /// Below this stock the variant is `low_stock` and staff get `inventory.low`; 0 never.
    #[serde(default = "default_low_stock_threshold")]
    #[schema(minimum = 0, maximum = 1_000_000_000, default = 5)]
    low_stock_threshold: i64,
}

impl NewVariant {
    fn into_domain(self) -> product::NewVariant {
        product::NewVariant {
            sku: self.sku,
            options: self.options.into_iter().collect(),
            price: self.price.map(MoneyInput::into_domain),
            stock: self.stock,
            max_per_order: self.max_per_order,
            weight_grams: self.weight_grams,
            image_ids: self.image_ids,
            low_stock_threshold: self.low_stock_threshold,
        }
    }
}

fn default_max_per_order() -> i64 {
    i64::from(DEFAULT_MAX_PER_ORDER)
}

fn default_low_stock_threshold() -> i64 {
    i64::from(DEFAULT_LOW_STOCK_THRESHOLD)
}

fn draft() -> ProductStatus {
    ProductStatus::Draft
}

impl NewProduct {
    fn try_into_domain(self) -> Result<product::NewProduct, Invalid> {
        let Self {
            name,
            description,
            price,
            status,
            category,
            tax_category,
            options: given,
            variants,
            sku,
            stock,
            max_per_order,
        } = self;
        let variants = match (variants.is_empty(), sku) {
            (true, Some(sku)) => vec![product::NewVariant::sole(
                sku,
                stock.unwrap_or(0),
                max_per_order.unwrap_or_else(default_max_per_order),
            )],
            (true, None) => return Err(Invalid(vec![FieldError::new("sku", "is required unless variants are given")])),
            (false, sku) => {
                let one_way =
                    [("sku", sku.is_some()), ("stock", stock.is_some()), ("max_per_order", max_per_order.is_some())];
                let errors: Vec<_> = one_way
                    .into_iter()
                    .filter(|(_, given)| *given)
                    .map(|(field, _)| FieldError::new(field, "give it per variant when variants are given"))
                    .collect();
                if !errors.is_empty() {
                    return Err(Invalid(errors));
                }
                variants.into_iter().map(NewVariant::into_domain).collect()
            }
        };
        Ok(product::NewProduct {
            name,
            description,
            price: price.into_domain(),
            status,
            category,
            tax_category: tax_category.map(|c| c.as_str().to_owned()),
            options: options(given),
            variants,
        })
    }
}

/// The body of `PATCH /products/{id}`: every field optional; `category: null`
/// clears it. `sku`, `stock` and `max_per_order` change a product sold one way;
/// a product with options changes them on its variants.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProductChanges {
    #[schema(min_length = 1, max_length = 200, pattern = "^[^\\x00-\\x08\\x0B-\\x1F\\x7F-\\x9F]*$")]
    name: Option<String>,
    #[schema(max_length = 5000, pattern = "^[^\\x00-\\x08\\x0B-\\x1F\\x7F-\\x9F]*$")]
    description: Option<String>,
    price: Option<MoneyInput>,
    status: Option<ProductStatus>,
    #[serde(default, deserialize_with = "present")]
    #[schema(max_length = 50, pattern = "^[a-z0-9]([a-z0-9-]*[a-z0-9])?$")]
    category: Option<Option<String>>,
    tax_category: Option<TaxCategory>,
    /// Replaces the options; every variant on sale must still pick a value of each.
    #[schema(max_items = 3)]
    options: Option<Vec<OptionInput>>,
    #[schema(min_length = 1, max_length = 64, pattern = "^[A-Za-z0-9][A-Za-z0-9._-]*$")]
    sku: Option<String>,
    #[schema(minimum = 0, maximum = 1_000_000_000)]
    stock: Option<i64>,
    #[schema(minimum = 1, maximum = 1000)]
    max_per_order: Option<i64>,
}

impl ProductChanges {
    fn into_domain(self) -> product::ProductChanges {
        let Self {
            sku,
            name,
            description,
            price,
            stock,
            max_per_order,
            status,
            category,
            tax_category,
            options: given,
        } = self;
        let price = price.map(MoneyInput::into_domain);
        let options = given.map(options);
        let tax_category = tax_category.map(|c| c.as_str().to_owned());
        product::ProductChanges {
            name,
            description,
            price,
            status,
            category,
            tax_category,
            options,
            sku,
            stock,
            max_per_order,
        }
    }
}

/// The body of `PATCH /products/{id}/variants/{variant_id}`: every field
/// optional; `price: null` goes back to the product's price.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VariantChanges {
    #[schema(min_length = 1, max_length = 64, pattern = "^[A-Za-z0-9][A-Za-z0-9._-]*$")]
    sku: Option<String>,
    options: Option<BTreeMap<String, String>>,
    #[serde(default, deserialize_with = "present")]
    price: Option<Option<MoneyInput>>,
    #[schema(minimum = 0, maximum = 1_000_000_000)]
    stock: Option<i64>,
    #[schema(minimum = 1, maximum = 1000)]
    max_per_order: Option<i64>,
    #[schema(minimum = 0, maximum = 1_000_000)]
    weight_grams: Option<i64>,
    image_ids: Option<Vec<ImageId>>,
    #[schema(minimum = 0, maximum = 1_000_000_000)]
    low_stock_threshold: Option<i64>,
}

impl VariantChanges {
    fn into_domain(self) -> product::VariantChanges {
        product::VariantChanges {
            sku: self.sku,
            options: self.options.map(|o| o.into_iter().collect()),
            price: self.price.map(|p| p.map(MoneyInput::into_domain)),
            stock: self.stock,
            max_per_order: self.max_per_order,
            weight_grams: self.weight_grams,
            image_ids: self.image_ids,
            low_stock_threshold: self.low_stock_threshold,
        }
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
        (status = 200, description = "A page of products. Without a token it may be shared \
            (`Cache-Control: public, max-age=15, stale-while-revalidate=45`); its `ETag` is a digest \
            of the page.", body = PageView<ProductView>),
        (status = 304, description = "Not modified: `If-None-Match` named the current `ETag`."),
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
    Ok(public_read(
        &request,
        principal.is_some(),
        json(StatusCode::OK, &PageView { items, next_cursor: page.next_cursor }),
    ))
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
        (status = 200, description = "The product; drafts and archived products only for staff. Without a \
            token it may be shared briefly, as the list.", body = ProductView),
        (status = 304, description = "Not modified: `If-None-Match` named the current `ETag` (the version)."),
    ),
)]
pub async fn get(catalog: &Catalog, request: Request) -> Result<Reply, ApiError> {
    let principal = caller(&request, &catalog.verifier, &catalog.table).await?;
    let id: ProductId = request.path_param("id")?;
    let product = products::get(&catalog.table, principal.as_ref(), id).await?;
    Ok(public_read(&request, principal.is_some(), product_reply(StatusCode::OK, &product, catalog)))
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
    let input = json_body::<NewProduct>(&request)?.try_into_domain().map_err(ApiError::invalid)?;
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
    let expected = required_if_match(&request)?;
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

fn required_if_match(request: &Request) -> Result<u64, ApiError> {
    request.if_match()?.ok_or_else(|| {
        ApiError::field(
            StatusCode::PRECONDITION_REQUIRED,
            "precondition_required",
            "If-Match",
            "send the ETag of the version you edited",
        )
    })
}

/// `POST /products/{id}/variants` (staff): needs `If-Match` with the product's version.
#[utoipa::path(
    post,
    path = "/products/{id}/variants",
    operation_id = "product_variants_create",
    tag = "catalog",
    security(("bearer" = ["staff"])),
    params(
        super::params::ProductPath,
        super::params::IfMatchRequired,
    ),
    request_body = NewVariant,
    responses(
        (status = 201, description = "Added: the product with its new variant (the last one).", body = ProductView,
            headers(("Location" = String, description = "The variant's URL (PATCH, DELETE)."))),
        (status = 409, description = "Problem `code`: `sku_taken`."),
        (status = 428, description = "Problem `code`: `precondition_required`: send `If-Match`."),
    ),
)]
pub async fn add_variant(catalog: &Catalog, request: Request) -> Result<Reply, ApiError> {
    let principal = signed_in(&request, &catalog.verifier, &catalog.table).await?;
    let id: ProductId = request.path_param("id")?;
    let expected = required_if_match(&request)?;
    let input = json_body::<NewVariant>(&request)?.into_domain();
    let (product, variant) =
        products::add_variant(&catalog.table, Some(&principal), id, expected, input, now()).await?;
    let mut reply = product_reply(StatusCode::CREATED, &product, catalog);
    let location = format!("/products/{id}/variants/{variant}").parse().expect("uuid paths are valid header values");
    reply.headers_mut().insert("location", location);
    Ok(reply)
}

/// `PATCH /products/{id}/variants/{variant_id}` (staff): needs `If-Match` with
/// the product's version.
#[utoipa::path(
    patch,
    path = "/products/{id}/variants/{variant_id}",
    operation_id = "product_variants_update",
    tag = "catalog",
    security(("bearer" = ["staff"])),
    params(
        super::params::VariantPath,
        super::params::IfMatchRequired,
    ),
    request_body = VariantChanges,
    responses(
        (status = 200, description = "Changed: the product with the changed variant.", body = ProductView),
        (status = 409, description = "Problem `code`: `sku_taken`."),
        (status = 428, description = "Problem `code`: `precondition_required`: send `If-Match`."),
    ),
)]
pub async fn change_variant(catalog: &Catalog, request: Request) -> Result<Reply, ApiError> {
    let principal = signed_in(&request, &catalog.verifier, &catalog.table).await?;
    let target = (request.path_param("id")?, request.path_param("variant_id")?);
    let expected = required_if_match(&request)?;
    let changes = json_body::<VariantChanges>(&request)?.into_domain();
    let product = products::change_variant(&catalog.table, Some(&principal), target, expected, changes, now()).await?;
    Ok(product_reply(StatusCode::OK, &product, catalog))
}

/// `DELETE /products/{id}/variants/{variant_id}` (staff): archives the variant
/// (kept, because orders name it); `If-Match` optional.
#[utoipa::path(
    delete,
    path = "/products/{id}/variants/{variant_id}",
    operation_id = "product_variants_archive",
    tag = "catalog",
    security(("bearer" = ["staff"])),
    params(
        super::params::VariantPath,
        super::params::IfMatch,
    ),
    responses(
        (status = 200, description = "Archived: the product with the variant off sale.", body = ProductView),
    ),
)]
pub async fn archive_variant(catalog: &Catalog, request: Request) -> Result<Reply, ApiError> {
    let principal = signed_in(&request, &catalog.verifier, &catalog.table).await?;
    let target = (request.path_param("id")?, request.path_param("variant_id")?);
    let expected = request.if_match()?;
    let product = products::archive_variant(&catalog.table, Some(&principal), target, expected, now()).await?;
    Ok(product_reply(StatusCode::OK, &product, catalog))
}
