//! One module per resource, one public function per endpoint. Each function is
//! what a Lambda binary in `functions/api/` hands its requests to.

pub mod admin_users;
pub mod auth;
pub mod discounts;
pub mod me;
pub mod orders;
pub mod product_images;
pub mod products;
mod views;

pub use views::AssetUrls;

use crate::adapters::dynamodb::Table;
use crate::auth::{TokenIssuer, TokenVerifier};
use crate::config::ConfigError;
use crate::domain::Principal;
use crate::http::{ApiError, Reply, RequestExtras};
use lambda_http::Request;

/// What every catalog endpoint needs, built once per container.
pub struct Catalog {
    pub table: Table,
    pub verifier: TokenVerifier,
    pub assets: views::AssetUrls,
}

impl Catalog {
    pub fn from_env(sdk: &aws_config::SdkConfig) -> Result<Self, ConfigError> {
        Ok(Self {
            table: Table::from_env(sdk)?,
            verifier: crate::config::token_verifier()?,
            assets: views::AssetUrls::new(crate::config::asset_base_url()?),
        })
    }
}

/// What the account, order and discount endpoints need: the table and the access
/// token verifier, built once per container.
pub struct TableAccess {
    pub table: Table,
    pub verifier: TokenVerifier,
}

impl TableAccess {
    pub fn from_env(sdk: &aws_config::SdkConfig) -> Result<Self, ConfigError> {
        Ok(Self { table: Table::from_env(sdk)?, verifier: crate::config::token_verifier()? })
    }
}

/// What the endpoints that issue tokens need: the signing key, read from SSM
/// Parameter Store once per container. Only these functions may read it.
pub struct SignIn {
    pub table: Table,
    pub issuer: TokenIssuer,
}

impl SignIn {
    pub async fn from_env(sdk: &aws_config::SdkConfig) -> Result<Self, ConfigError> {
        Ok(Self { table: Table::from_env(sdk)?, issuer: crate::config::token_issuer(sdk).await? })
    }
}

/// The caller of an endpoint that requires signing in: 401 without a token.
fn signed_in(request: &Request, verifier: &TokenVerifier) -> Result<Principal, ApiError> {
    request.principal(verifier)?.ok_or_else(|| ApiError::unauthorized("this request needs a bearer access token"))
}

const DEFAULT_PAGE_SIZE: u16 = 20;
const MAX_PAGE_SIZE: u16 = 100;

/// The `limit` query parameter of every listing.
fn page_limit(request: &Request) -> Result<u16, ApiError> {
    match request.query_param("limit") {
        None => Ok(DEFAULT_PAGE_SIZE),
        Some(value) => value.parse().ok().filter(|l| (1..=MAX_PAGE_SIZE).contains(l)).ok_or_else(|| {
            ApiError::field(400, "invalid_query", "limit", format!("must be a whole number from 1 to {MAX_PAGE_SIZE}"))
        }),
    }
}

fn now() -> crate::domain::Timestamp {
    time::OffsetDateTime::now_utc()
}

/// A JSON reply with the resource's version as its ETag, for a later `If-Match`.
fn versioned(status: u16, body: &impl serde::Serialize, version: u64) -> Reply {
    let mut reply = crate::http::json(status, body);
    let etag = format!("\"{version}\"").parse().expect("a quoted number is a valid header value");
    reply.headers_mut().insert("etag", etag);
    reply
}
