//! `GET /search/products`: full-text search over the catalog, answered from the
//! index in memory (`app::search`), never from the table.

use super::context::Search;
use super::problem::ApiError;
use super::request::{RequestExtras, caller, page_limit};
use super::response::{Reply, json, public_read};
use crate::domain::search::{self, Availability, CategoryCount, Hit, MAX_WORDS, Position, PriceRange, SearchQuery};
use crate::domain::{Category, ProductStatus};
use crate::inbound::views::{AssetUrls, MoneyInput};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use lambda_http::Request;
use lambda_http::http::StatusCode;
use serde::Serialize;
use std::collections::BTreeMap;

/// The longest query taken: longer is not a search a shopper types.
const MAX_QUERY_CHARS: usize = 200;
/// Prices a filter may name, in minor units (as a product's price).
const MAX_PRICE: i64 = 1_000_000_000_000;

/// A page of results, with the facets of every match.
#[derive(Serialize, utoipa::ToSchema)]
pub struct SearchPage {
    /// Most relevant first (newest first when `q` is empty).
    items: Vec<SearchHitView>,
    /// How many products match the words and filters, on every page.
    total: usize,
    facets: FacetsView,
    /// Pass as `cursor` for the next page; absent on the last.
    #[schema(required = true)]
    next_cursor: Option<String>,
}

/// A product as the index shows it: enough for a results list; the product
/// itself is `GET /products/{id}`.
#[derive(Serialize, utoipa::ToSchema)]
struct SearchHitView {
    id: String,
    name: String,
    #[schema(required = true)]
    category: Option<String>,
    status: ProductStatus,
    /// The lowest price of a variant on sale ("from").
    price: MoneyInput,
    /// The highest; the same as `price` when every variant costs the same.
    price_max: MoneyInput,
    in_stock: bool,
    skus: Vec<String>,
    /// The first image's smallest thumbnail, once made.
    #[schema(required = true)]
    thumbnail_url: Option<String>,
    /// The product's version the index holds.
    version: u64,
}

/// Each filter's values and how many matches each would leave, the other
/// filters applied.
#[derive(Serialize, utoipa::ToSchema)]
struct FacetsView {
    /// Most matches first.
    category: Vec<CategoryFacet>,
    /// Ranges of the lowest price; `min_price` and `max_price` set to a range's
    /// bounds select exactly its `count`.
    price: Vec<PriceFacet>,
    availability: AvailabilityFacet,
}

#[derive(Serialize, utoipa::ToSchema)]
struct CategoryFacet {
    value: String,
    count: usize,
}

#[derive(Serialize, utoipa::ToSchema)]
struct PriceFacet {
    /// Inclusive, minor units.
    min: i64,
    /// Inclusive, minor units.
    max: i64,
    count: usize,
}

#[derive(Serialize, utoipa::ToSchema)]
struct AvailabilityFacet {
    in_stock: usize,
    out_of_stock: usize,
}

impl SearchHitView {
    fn new(hit: &Hit<'_>, assets: &AssetUrls) -> Self {
        let d = hit.document;
        let money = |amount| MoneyInput { amount, currency: d.currency.clone() };
        Self {
            id: d.id.clone(),
            name: d.name.clone(),
            category: d.category.clone(),
            status: d.status,
            price: money(d.price_min),
            price_max: money(d.price_max),
            in_stock: d.in_stock,
            skus: d.skus.clone(),
            thumbnail_url: d.thumbnail.as_deref().map(|key| assets.url(key)),
            version: d.version,
        }
    }
}

fn invalid(field: &str, message: impl Into<String>) -> ApiError {
    ApiError::field(StatusCode::BAD_REQUEST, "invalid_query", field, message)
}

fn price(request: &Request, field: &str) -> Result<Option<i64>, ApiError> {
    request
        .query_param(field)
        .map(|value| {
            value
                .parse::<i64>()
                .ok()
                .filter(|p| (0..=MAX_PRICE).contains(p))
                .ok_or_else(|| invalid(field, format!("must be a whole number of minor units from 0 to {MAX_PRICE}")))
        })
        .transpose()
}

/// The cursor is the one format every listing uses (base64url JSON of strings);
/// here it holds where the last page ended.
fn encode_cursor(position: &Position) -> String {
    let fields = BTreeMap::from([("score", position.score.to_string()), ("id", position.id.clone())]);
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(&fields).expect("strings serialise"))
}

fn decode_cursor(cursor: &str) -> Result<Position, ApiError> {
    let fields: BTreeMap<String, String> = URL_SAFE_NO_PAD
        .decode(cursor)
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .ok_or_else(|| invalid("cursor", "is not a cursor from this listing"))?;
    match (fields.get("score").and_then(|s| s.parse().ok()), fields.get("id"), fields.len()) {
        (Some(score), Some(id), 2) => Ok(Position { score, id: id.clone() }),
        _ => Err(invalid("cursor", "is not a cursor from this listing")),
    }
}

/// `GET /search/products`
#[utoipa::path(
    get,
    path = "/search/products",
    operation_id = "products_search",
    tag = "catalog",
    security((), ("bearer" = [])),
    params(
        ("q" = Option<String>, Query, max_length = 200, description = "What the shopper typed, at most 10 words. Words match in \
            the name, SKUs, category, option values and description; every word must match; the last one \
            also as the start of a longer word (as you type), words of 5 letters or more also with a typo \
            (two from 9). A query that is exactly a SKU puts its product first. Empty: everything, newest first."),
        ("category" = Option<String>, Query, min_length = 1, max_length = 50, pattern = "^[a-z0-9]([a-z0-9-]*[a-z0-9])?$", description = "Only products in this category."),
        ("min_price" = Option<i64>, Query, minimum = 0, maximum = 1_000_000_000_000.0, description = "Only products whose lowest price is at least this (minor units)."),
        ("max_price" = Option<i64>, Query, minimum = 0, maximum = 1_000_000_000_000.0, description = "Only products whose lowest price is at most this (minor units)."),
        ("in_stock" = Option<bool>, Query, description = "Only products that have (`true`) or lack (`false`) stock."),
        ("status" = Option<ProductStatus>, Query, description = "Staff only: just this status. Staff see \
            drafts and active products by default; everyone else only active ones."),
        super::params::PageParams,
    ),
    responses(
        (status = 200, description = "A page of matches with the facets of all of them. Without a token it \
            may be shared (`Cache-Control: public, max-age=15, stale-while-revalidate=45`); its `ETag` is a \
            digest of the page. A product change is searchable within seconds (docs/architecture.md, \
            \"Search\").", body = SearchPage),
        (status = 304, description = "Not modified: `If-None-Match` named the current `ETag`."),
    ),
)]
pub async fn search(search: &Search, request: Request) -> Result<Reply, ApiError> {
    let principal = caller(&request, &search.verifier, &search.table).await?;
    let staff = principal.as_ref().is_some_and(|p| p.is_staff());
    let statuses = match request.query_param("status") {
        None if staff => vec![ProductStatus::Active, ProductStatus::Draft],
        None => vec![ProductStatus::Active],
        Some(value) => match ProductStatus::parse(&value) {
            None => return Err(invalid("status", "must be draft, active or archived")),
            Some(ProductStatus::Active) => vec![ProductStatus::Active],
            Some(_) if principal.is_none() => {
                return Err(ApiError::unauthorized("searching non-active products needs a staff access token"));
            }
            Some(_) if !staff => {
                return Err(ApiError::new(StatusCode::FORBIDDEN, "forbidden", "this needs a staff or admin token"));
            }
            Some(status) => vec![status],
        },
    };
    let text = request.query_param("q").unwrap_or_default();
    if text.chars().count() > MAX_QUERY_CHARS {
        return Err(invalid("q", format!("must be at most {MAX_QUERY_CHARS} characters")));
    }
    if search::words(&text) > MAX_WORDS {
        return Err(invalid("q", format!("must be at most {MAX_WORDS} words")));
    }
    let category = request
        .query_param("category")
        .map(|c| Category::parse(&c).map(|c| c.as_str().to_owned()).map_err(|m| invalid("category", m)))
        .transpose()?;
    let in_stock = match request.query_param("in_stock").as_deref() {
        None => None,
        Some("true") => Some(true),
        Some("false") => Some(false),
        Some(_) => return Err(invalid("in_stock", "must be true or false")),
    };
    let (min_price, max_price) = (price(&request, "min_price")?, price(&request, "max_price")?);
    if let (Some(min), Some(max)) = (min_price, max_price)
        && min > max
    {
        return Err(invalid("max_price", "must not be below min_price"));
    }
    let query = SearchQuery {
        text,
        statuses,
        category,
        min_price,
        max_price,
        in_stock,
        limit: usize::from(page_limit(&request)?),
        after: request.query_param("cursor").map(|c| decode_cursor(&c)).transpose()?,
    };

    let index = search.index.current().await?;
    let results = index.search(&query);
    let facets = FacetsView {
        category: results
            .facets
            .category
            .into_iter()
            .map(|CategoryCount { value, count }| CategoryFacet { value, count })
            .collect(),
        price: results
            .facets
            .price
            .into_iter()
            .map(|PriceRange { min, max, count }| PriceFacet { min, max, count })
            .collect(),
        availability: {
            let Availability { in_stock, out_of_stock } = results.facets.availability;
            AvailabilityFacet { in_stock, out_of_stock }
        },
    };
    let page = SearchPage {
        items: results.hits.iter().map(|hit| SearchHitView::new(hit, &search.assets)).collect(),
        total: results.total,
        facets,
        next_cursor: results.next.as_ref().map(encode_cursor),
    };
    Ok(public_read(&request, principal.is_some(), json(StatusCode::OK, &page)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_reads_back_and_anything_else_is_refused_by_name() {
        let position = Position { score: 12_345, id: "0193-a".into() };
        assert_eq!(decode_cursor(&encode_cursor(&position)).ok(), Some(position));
        for bad in ["", "not base64!", "e30", &URL_SAFE_NO_PAD.encode(br#"{"score":"x","id":"a"}"#)] {
            assert!(decode_cursor(bad).is_err(), "{bad}");
        }
    }
}
