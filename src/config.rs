//! The one configuration loader. Every setting comes from an environment variable
//! that `template.yaml` sets on the function (and the local gateway copies from it),
//! read once at cold start; a missing one stops the function before it takes traffic.

use crate::app::notifications::Links;
use crate::domain::access_token::{KeyError, TokenAudience, TokenIssuer, TokenVerifier};

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("environment variable {0} is not set")]
    Missing(&'static str),
    #[error("environment variable {name} is invalid: {reason}")]
    Invalid { name: &'static str, reason: String },
}

fn required(name: &'static str) -> Result<String, ConfigError> {
    std::env::var(name).ok().filter(|v| !v.is_empty()).ok_or(ConfigError::Missing(name))
}

/// The single DynamoDB table.
pub fn table_name() -> Result<String, ConfigError> {
    required("TABLE_NAME")
}

/// The bucket holding uploads and images.
pub fn bucket_name() -> Result<String, ConfigError> {
    required("BUCKET_NAME")
}

/// Where image files are served from: the CDN in AWS, the emulator's bucket locally.
pub fn asset_base_url() -> Result<String, ConfigError> {
    required("ASSET_BASE_URL").map(|url| url.trim_end_matches('/').to_owned())
}

/// Access-token verification: `JWT_JWKS` (public keys), `JWT_ISSUER`, `JWT_AUDIENCE`.
pub fn token_verifier() -> Result<TokenVerifier, ConfigError> {
    let jwks = required("JWT_JWKS")?;
    TokenVerifier::from_jwks(&jwks, &token_audience()?)
        .map_err(|e: KeyError| ConfigError::Invalid { name: "JWT_JWKS", reason: e.to_string() })
}

pub fn token_audience() -> Result<TokenAudience, ConfigError> {
    Ok(TokenAudience { issuer: required("JWT_ISSUER")?, audience: required("JWT_AUDIENCE")? })
}

/// The queue the e-mail job reads.
pub fn emails_queue_url() -> Result<String, ConfigError> {
    required("EMAILS_QUEUE_URL")
}

/// The verified SES identity e-mails are sent from.
pub fn mail_from() -> Result<String, ConfigError> {
    required("MAIL_FROM")
}

/// The shop's name and storefront, for e-mails: `SHOP_NAME`, `STOREFRONT_URL`.
pub fn links() -> Result<Links, ConfigError> {
    Ok(Links { shop_name: required("SHOP_NAME")?, storefront_url: required("STOREFRONT_URL")? })
}

/// Access-token signing: the SecureString named by `SIGNING_KEY_PARAMETER` holds
/// a [`crate::domain::access_token::SigningKey`]; its `kid` must be in the JWKS verifiers use.
pub async fn token_issuer(sdk: &aws_config::SdkConfig) -> Result<TokenIssuer, ConfigError> {
    const NAME: &str = "SIGNING_KEY_PARAMETER";
    let parameter = required(NAME)?;
    let invalid = |reason: String| ConfigError::Invalid { name: NAME, reason };
    let key = crate::outbound::ssm::secure_string(sdk, &parameter)
        .await
        .map_err(|e| invalid(format!("cannot read {parameter}: {e}")))?;
    TokenIssuer::from_signing_key(&key, token_audience()?).map_err(|e| invalid(e.to_string()))
}

/// How long an order may await payment before the expiry job cancels it:
/// `UNPAID_ORDER_MINUTES`, whole minutes.
pub fn unpaid_order_lifetime() -> Result<time::Duration, ConfigError> {
    const NAME: &str = "UNPAID_ORDER_MINUTES";
    let value = required(NAME)?;
    value
        .parse::<u32>()
        .ok()
        .filter(|m| *m > 0)
        .map(|m| time::Duration::minutes(i64::from(m)))
        .ok_or_else(|| ConfigError::Invalid { name: NAME, reason: format!("`{value}` is not a positive whole number") })
}
