//! One module per resource, one public function per endpoint. Each function is
//! what a Lambda binary in `functions/api/` hands its requests to.

pub mod product_images;
pub mod products;
mod views;

pub use views::AssetUrls;

use crate::adapters::dynamodb::Table;
use crate::auth::TokenVerifier;
use crate::config::ConfigError;
use crate::domain::Principal;
use crate::http::{ApiError, RequestExtras};
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

/// The caller of an endpoint that requires signing in: 401 without a token.
fn signed_in(request: &Request, verifier: &TokenVerifier) -> Result<Principal, ApiError> {
    request.principal(verifier)?.ok_or_else(|| ApiError::unauthorized("this request needs a bearer access token"))
}
