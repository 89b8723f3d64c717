//! `/openapi.json` and `/docs`: the API's contract, and a page that renders it.
//! The page's Swagger UI is vendored from npm into `assets/docs/` (`make
//! docs-vendor`) and compiled into the function, so nothing loads from a CDN.

use super::problem::ApiError;
use super::request::RequestExtras;
use super::response::Reply;
use lambda_http::{Body, Request, Response};

/// A vendored file the page loads.
struct Asset {
    name: &'static str,
    content_type: &'static str,
    body: &'static str,
}

const ASSETS: [Asset; 3] = [
    Asset {
        name: "swagger-ui-bundle.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_str!("../../../assets/docs/swagger-ui-bundle.js"),
    },
    Asset {
        name: "swagger-ui.css",
        content_type: "text/css; charset=utf-8",
        body: include_str!("../../../assets/docs/swagger-ui.css"),
    },
    Asset {
        name: "init.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_str!("../../../assets/docs/init.js"),
    },
];

/// The page runs only its own scripts; Swagger UI styles elements inline and
/// shows its logo as a data URL.
const PAGE_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
                           img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; \
                           form-action 'none'; frame-ancestors 'none'";

/// The page and its files expire together, so a browser never pairs a new page
/// with an old bundle after `make docs-vendor` and a deploy.
const CACHE: &str = "public, max-age=300";

fn text(content_type: &str, cache: &str, body: &'static str) -> Reply {
    Response::builder()
        .status(200)
        .header("content-type", content_type)
        .header("cache-control", cache)
        .body(Body::Text(body.to_owned()))
        .expect("static headers are valid")
}

/// `GET /openapi.json`: this API's OpenAPI 3.1 document.
#[utoipa::path(
    get,
    path = "/openapi.json",
    operation_id = "openapi_get",
    tag = "documentation",
    responses(
        (status = 200, description = "The OpenAPI 3.1 document.", content_type = "application/json", body = Object),
    ),
)]
pub async fn openapi(_request: Request) -> Result<Reply, ApiError> {
    Ok(text("application/json", CACHE, super::openapi::document_json()))
}

/// `GET /docs`: the document as a browsable page.
#[utoipa::path(
    get,
    path = "/docs",
    operation_id = "docs_page",
    tag = "documentation",
    responses(
        (status = 200, description = "The documentation page.", content_type = "text/html", body = String),
    ),
)]
pub async fn page(_request: Request) -> Result<Reply, ApiError> {
    let mut reply = text("text/html; charset=utf-8", CACHE, include_str!("../../../assets/docs/index.html"));
    reply.headers_mut().insert("content-security-policy", PAGE_POLICY.parse().expect("a static policy is valid"));
    Ok(reply)
}

/// `GET /docs/{file}`: the page's scripts and styles.
#[utoipa::path(
    get,
    path = "/docs/{file}",
    operation_id = "docs_asset",
    tag = "documentation",
    params(super::params::DocsFilePath),
    responses(
        (status = 200, description = "The file.", content((String = "text/javascript"), (String = "text/css"))),
    ),
)]
pub async fn asset(request: Request) -> Result<Reply, ApiError> {
    let name: String = request.path_param("file")?;
    let asset = ASSETS.iter().find(|a| a.name == name).ok_or_else(ApiError::not_found)?;
    Ok(text(asset.content_type, CACHE, asset.body))
}

/// One function serves the three routes (none touches AWS): the route says which.
pub async fn serve_docs(request: Request) -> Result<Reply, ApiError> {
    match request.route_key().as_deref() {
        Some("GET /openapi.json") => openapi(request).await,
        Some("GET /docs") => page(request).await,
        Some("GET /docs/{file}") => asset(request).await,
        _ => Err(ApiError::not_found()),
    }
}
