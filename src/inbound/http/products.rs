//! `/products` endpoints.

use super::views::{PageView, ProductView};
use super::{Catalog, caller, now, page_limit, signed_in, versioned};
use crate::app::catalog::ports::ProductQuery;
use crate::app::catalog::products;
use crate::domain::{Category, NewProduct, Product, ProductChanges, ProductId, ProductStatus};
use crate::inbound::http::{ApiError, Reply, RequestExtras, json, json_body};
use lambda_http::Request;

/// A product with its version as the ETag, ready for a later `If-Match`.
fn product_reply(status: u16, product: &Product, catalog: &Catalog) -> Reply {
    versioned(status, &ProductView::new(product, &catalog.assets), product.version)
}

/// `GET /products`: active products for everyone; staff may ask for other statuses.
pub async fn list(catalog: &Catalog, request: Request) -> Result<Reply, ApiError> {
    let principal = caller(&request, &catalog.verifier, &catalog.table).await?;
    let status = match request.query_param("status") {
        None => ProductStatus::Active,
        Some(value) => ProductStatus::parse(&value)
            .ok_or_else(|| ApiError::field(400, "invalid_query", "status", "must be draft, active or archived"))?,
    };
    if status != ProductStatus::Active && principal.is_none() {
        return Err(ApiError::unauthorized("listing non-active products needs a staff access token"));
    }
    let category = request
        .query_param("category")
        .map(|c| Category::parse(&c).map_err(|m| ApiError::field(400, "invalid_query", "category", m)))
        .transpose()?;
    let query = ProductQuery { status, category, limit: page_limit(&request)?, cursor: request.query_param("cursor") };
    let page = products::list(&catalog.table, principal.as_ref(), query).await?;
    let items = page.items.iter().map(|p| ProductView::new(p, &catalog.assets)).collect();
    Ok(json(200, &PageView { items, next_cursor: page.next_cursor }))
}

/// `GET /products/{id}`
pub async fn get(catalog: &Catalog, request: Request) -> Result<Reply, ApiError> {
    let principal = caller(&request, &catalog.verifier, &catalog.table).await?;
    let id: ProductId = request.path_param("id")?;
    let product = products::get(&catalog.table, principal.as_ref(), id).await?;
    Ok(product_reply(200, &product, catalog))
}

/// `POST /products` (staff)
pub async fn create(catalog: &Catalog, request: Request) -> Result<Reply, ApiError> {
    let principal = signed_in(&request, &catalog.verifier, &catalog.table).await?;
    let input: NewProduct = json_body(&request)?;
    let product = products::create(&catalog.table, Some(&principal), input, now()).await?;
    let mut reply = product_reply(201, &product, catalog);
    let location = format!("/products/{}", product.id).parse().expect("a uuid path is a valid header value");
    reply.headers_mut().insert("location", location);
    Ok(reply)
}

/// `PATCH /products/{id}` (staff): needs `If-Match` with the version being edited.
pub async fn update(catalog: &Catalog, request: Request) -> Result<Reply, ApiError> {
    let principal = signed_in(&request, &catalog.verifier, &catalog.table).await?;
    let id: ProductId = request.path_param("id")?;
    let expected = request.if_match()?.ok_or_else(|| {
        ApiError::field(428, "precondition_required", "If-Match", "send the ETag of the version you edited")
    })?;
    let changes: ProductChanges = json_body(&request)?;
    let product = products::update(&catalog.table, Some(&principal), id, expected, changes, now()).await?;
    Ok(product_reply(200, &product, catalog))
}

/// `DELETE /products/{id}` (staff): archives; `If-Match` optional.
pub async fn archive(catalog: &Catalog, request: Request) -> Result<Reply, ApiError> {
    let principal = signed_in(&request, &catalog.verifier, &catalog.table).await?;
    let id: ProductId = request.path_param("id")?;
    let expected = request.if_match()?;
    let product = products::archive(&catalog.table, Some(&principal), id, expected, now()).await?;
    Ok(product_reply(200, &product, catalog))
}
