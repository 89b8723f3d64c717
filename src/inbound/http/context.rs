//! What the endpoints need, built once per container (cold start) by a binary's
//! `main` and shared by every request it serves.

use super::views::AssetUrls;
use crate::config::ConfigError;
use crate::domain::access_token::{TokenIssuer, TokenVerifier};
use crate::outbound::dynamodb::Table;

/// What every catalog endpoint needs, built once per container.
pub struct Catalog {
    pub table: Table,
    pub verifier: TokenVerifier,
    pub assets: AssetUrls,
}

impl Catalog {
    pub fn from_env(sdk: &aws_config::SdkConfig) -> Result<Self, ConfigError> {
        Ok(Self {
            table: Table::from_env(sdk)?,
            verifier: crate::config::token_verifier()?,
            assets: AssetUrls::new(crate::config::asset_base_url()?),
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
