//! The one configuration loader. Every setting comes from an environment variable
//! that `template.yaml` sets on the function (and the local gateway copies from it),
//! read once at cold start; a missing one stops the function before it takes traffic.
//! Settings are plain values: what they name (an SSM parameter, a queue) is read
//! or connected to by [`crate::wiring`].

use crate::app::notifications::Links;
use crate::app::orders::OrderPolicy;
use crate::domain::access_token::{KeyError, TokenAudience, TokenVerifier};
use crate::domain::webhook::retry::RetrySchedule;
use crate::domain::webhook::url::UrlPolicy;
use crate::domain::{CartLifetime, Email, Seller};

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

/// The function's name, which Lambda (and `make dev`, and the tests' runtime) sets.
pub fn function_name() -> Option<String> {
    std::env::var("AWS_LAMBDA_FUNCTION_NAME").ok().filter(|v| !v.is_empty())
}

/// The region Lambda runs the function in (and `make dev` and the tests name).
pub fn aws_region() -> Result<String, ConfigError> {
    required("AWS_REGION")
}

/// Where the SDK clients send calls instead of AWS: the local emulator in `make dev`
/// and the tests; never set in a deployed stack.
pub fn aws_endpoint_url() -> Option<String> {
    std::env::var("AWS_ENDPOINT_URL").ok().filter(|v| !v.is_empty())
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

/// The queue the search index job reads.
pub fn search_queue_url() -> Result<String, ConfigError> {
    required("SEARCH_QUEUE_URL")
}

/// The FIFO queue the live updates job reads.
pub fn live_queue_url() -> Result<String, ConfigError> {
    required("LIVE_QUEUE_URL")
}

/// The WebSocket API stage's URL the live updates job posts to
/// (`https://{api}.execute-api.{region}.amazonaws.com/{stage}`).
pub fn live_connections_url() -> Result<String, ConfigError> {
    required("LIVE_CONNECTIONS_URL")
}

/// The queue the e-mail job reads.
pub fn emails_queue_url() -> Result<String, ConfigError> {
    required("EMAILS_QUEUE_URL")
}

/// The verified SES identity e-mails are sent from.
pub fn mail_from() -> Result<String, ConfigError> {
    required("MAIL_FROM")
}

/// The shop's name and storefront, for e-mails: `SHOP_NAME`, `STOREFRONT_URL`,
/// `STAFF_EMAIL` (optional) for e-mails to the shop's staff, and
/// `ABANDONED_CART_EMAILS` (`true` to remind customers of carts they left).
pub fn links() -> Result<Links, ConfigError> {
    let staff_email = match std::env::var("STAFF_EMAIL").unwrap_or_default().trim() {
        "" => None,
        address => Some(Email::parse(address).map_err(|reason| ConfigError::Invalid { name: "STAFF_EMAIL", reason })?),
    };
    let cart_reminders = std::env::var("ABANDONED_CART_EMAILS").is_ok_and(|v| v.trim() == "true");
    Ok(Links { shop_name: shop_name()?, storefront_url: required("STOREFRONT_URL")?, staff_email, cart_reminders })
}

/// `name`: a whole number from 1 to `most`.
fn whole_number(name: &'static str, most: u32) -> Result<u32, ConfigError> {
    let value = required(name)?;
    value.trim().parse::<u32>().ok().filter(|n| (1..=most).contains(n)).ok_or_else(|| ConfigError::Invalid {
        name,
        reason: format!("`{value}` is not a whole number from 1 to {most}"),
    })
}

/// How long untouched carts live: `ANONYMOUS_CART_DAYS` and
/// `CUSTOMER_CART_DAYS`, whole days (template parameters; 7 and 30 by default).
pub fn cart_lifetime() -> Result<CartLifetime, ConfigError> {
    let days = |name| whole_number(name, 365).map(|d| time::Duration::days(i64::from(d)));
    Ok(CartLifetime { anonymous: days("ANONYMOUS_CART_DAYS")?, customer: days("CUSTOMER_CART_DAYS")? })
}

/// How long after fulfilment a customer may ask to return goods:
/// `RETURN_WINDOW_DAYS`, whole days (template parameter; 30 by default).
pub fn return_window() -> Result<time::Duration, ConfigError> {
    whole_number("RETURN_WINDOW_DAYS", 365).map(|d| time::Duration::days(i64::from(d)))
}

/// How long a cart is left before it counts as abandoned: `ABANDONED_CART_HOURS`.
pub fn abandoned_cart_after() -> Result<time::Duration, ConfigError> {
    whole_number("ABANDONED_CART_HOURS", 24 * 30).map(|h| time::Duration::hours(i64::from(h)))
}

/// The shop's name, as receipts and e-mails print it: `SHOP_NAME`.
pub fn shop_name() -> Result<String, ConfigError> {
    required("SHOP_NAME")
}

/// The seller invoices name: `SELLER_LEGAL_NAME` (the shop's name when
/// empty), `SELLER_ADDRESS` (lines separated by `|`) and `SELLER_TAX_ID`
/// (empty: none).
pub fn seller() -> Result<Seller, ConfigError> {
    let text = |name| std::env::var(name).unwrap_or_default().trim().to_owned();
    let legal_name = match text("SELLER_LEGAL_NAME") {
        name if name.is_empty() => shop_name()?,
        name => name,
    };
    let address =
        text("SELLER_ADDRESS").split('|').map(str::trim).filter(|l| !l.is_empty()).map(str::to_owned).collect();
    let tax_id = Some(text("SELLER_TAX_ID")).filter(|id| !id.is_empty());
    Ok(Seller { legal_name, address, tax_id })
}

/// The queue the receipts job reads.
pub fn receipts_queue_url() -> Result<String, ConfigError> {
    required("RECEIPTS_QUEUE_URL")
}

/// Access-token signing: the name of the SecureString, `SIGNING_KEY_PARAMETER`,
/// that holds a [`crate::domain::access_token::SigningKey`]; its `kid` must be in
/// the JWKS verifiers use.
pub fn signing_key_parameter() -> Result<String, ConfigError> {
    required(SIGNING_KEY_PARAMETER)
}

pub const SIGNING_KEY_PARAMETER: &str = "SIGNING_KEY_PARAMETER";

/// How long an order may await payment before the expiry job cancels it:
/// `UNPAID_ORDER_MINUTES`, whole minutes.
pub fn unpaid_order_lifetime() -> Result<time::Duration, ConfigError> {
    whole_number("UNPAID_ORDER_MINUTES", u32::MAX).map(|m| time::Duration::minutes(i64::from(m)))
}

/// The payment provider a customer pays through.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PaymentProvider {
    /// Staff mark orders paid; no gateway.
    Manual,
    Stripe(StripeSettings),
}

/// Where Stripe is and how to sign in to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StripeSettings {
    /// The name of the SecureString holding the secret (or restricted) key.
    pub secret_key_parameter: String,
    /// The key the storefront uses with Stripe.js.
    pub publishable_key: String,
    /// Stripe's API (the local stack's emulator locally).
    pub api_url: String,
}

pub const STRIPE_SECRET_KEY_PARAMETER: &str = "STRIPE_SECRET_KEY_PARAMETER";
pub const STRIPE_WEBHOOK_SECRETS_PARAMETER: &str = "STRIPE_WEBHOOK_SECRETS_PARAMETER";

/// `PAYMENT_PROVIDER`: `manual` or `stripe`. For `stripe`, the secret key is the
/// SecureString named by `STRIPE_SECRET_KEY_PARAMETER`, the storefront's key is
/// `STRIPE_PUBLISHABLE_KEY`, and `STRIPE_API_URL` is Stripe's API.
pub fn payment_provider() -> Result<PaymentProvider, ConfigError> {
    const NAME: &str = "PAYMENT_PROVIDER";
    match required(NAME)?.as_str() {
        "manual" => Ok(PaymentProvider::Manual),
        "stripe" => Ok(PaymentProvider::Stripe(StripeSettings {
            secret_key_parameter: required(STRIPE_SECRET_KEY_PARAMETER)?,
            publishable_key: required("STRIPE_PUBLISHABLE_KEY")?,
            api_url: required("STRIPE_API_URL")?,
        })),
        other => Err(ConfigError::Invalid { name: NAME, reason: format!("`{other}` is neither manual nor stripe") }),
    }
}

/// Checks the value of the Stripe secret key parameter: a secret (`sk_…`) or
/// restricted (`rk_…`) key. The value is never part of an error.
pub fn stripe_secret_key(value: &str) -> Result<String, ConfigError> {
    let key = value.trim();
    if key.starts_with("sk_") || key.starts_with("rk_") {
        Ok(key.to_owned())
    } else {
        Err(ConfigError::Invalid {
            name: STRIPE_SECRET_KEY_PARAMETER,
            reason: "the parameter does not hold a Stripe secret or restricted key (sk_… or rk_…)".into(),
        })
    }
}

/// The name of the SecureString, `STRIPE_WEBHOOK_SECRETS_PARAMETER`, holding the
/// Stripe webhook signing secrets.
pub fn stripe_webhook_secrets_parameter() -> Result<String, ConfigError> {
    required(STRIPE_WEBHOOK_SECRETS_PARAMETER)
}

/// Checks the value of the webhook secrets parameter: one `whsec_…`, or two
/// separated by a comma while a secret is being rolled (docs/operations.md).
pub fn stripe_webhook_secrets(value: &str) -> Result<Vec<String>, ConfigError> {
    let secrets: Vec<String> =
        value.split([',', '\n', ' ']).map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect();
    if secrets.is_empty() || secrets.iter().any(|s| !s.starts_with("whsec_")) {
        return Err(ConfigError::Invalid {
            name: STRIPE_WEBHOOK_SECRETS_PARAMETER,
            reason: "the parameter must hold whsec_… secrets, comma-separated".into(),
        });
    }
    Ok(secrets)
}

/// The bucket under Object Lock that keeps a copy of every audit record.
pub fn audit_archive_bucket() -> Result<String, ConfigError> {
    required("AUDIT_ARCHIVE_BUCKET")
}

/// The queue the payments job reads: verified provider events, and the events
/// of orders that ended unpaid.
pub fn payments_queue_url() -> Result<String, ConfigError> {
    required("PAYMENTS_QUEUE_URL")
}

/// Where the payments job's failures wait, and where the webhook parks signed
/// events it cannot read.
pub fn payments_dead_letter_queue_url() -> Result<String, ConfigError> {
    required("PAYMENTS_DEAD_LETTER_QUEUE_URL")
}

/// [`payments_queue_url`] where the shop has a payment provider; empty or unset
/// where staff mark orders paid (the template sets it empty then).
pub fn payments_queue_url_if_any() -> Option<String> {
    required("PAYMENTS_QUEUE_URL").ok()
}

/// What one customer may hold: `MAX_OPEN_ORDERS` awaiting payment at once (at
/// most [`OrderPolicy::MOST_OPEN_ORDERS`]) and `ORDERS_PER_HOUR` placed per hour,
/// both positive whole numbers.
pub fn order_policy() -> Result<OrderPolicy, ConfigError> {
    Ok(OrderPolicy {
        max_open_orders: whole_number("MAX_OPEN_ORDERS", OrderPolicy::MOST_OPEN_ORDERS)?,
        orders_per_hour: whole_number("ORDERS_PER_HOUR", u32::MAX)?,
    })
}

/// The queue the webhooks job reads: one message per attempt.
pub fn webhooks_queue_url() -> Result<String, ConfigError> {
    required("WEBHOOKS_QUEUE_URL")
}

pub fn stats_queue_url() -> Result<String, ConfigError> {
    required("STATS_QUEUE_URL")
}

pub fn exports_queue_url() -> Result<String, ConfigError> {
    required("EXPORTS_QUEUE_URL")
}

/// Which webhook URLs may be registered and called: `WEBHOOK_INSECURE_HOSTS`,
/// comma-separated hosts allowed over plain http and at private addresses (the
/// local stack's receiver); empty in a deployed stack.
pub fn webhook_url_policy() -> UrlPolicy {
    let hosts = std::env::var("WEBHOOK_INSECURE_HOSTS").unwrap_or_default();
    UrlPolicy {
        insecure_hosts: hosts.split(',').map(|h| h.trim().to_ascii_lowercase()).filter(|h| !h.is_empty()).collect(),
    }
}

/// When failed webhook deliveries are retried: `WEBHOOK_RETRY_SCHEDULE`, seconds
/// before each attempt, comma-separated (Standard Webhooks' schedule when unset).
pub fn webhook_retry_schedule() -> Result<RetrySchedule, ConfigError> {
    const NAME: &str = "WEBHOOK_RETRY_SCHEDULE";
    match std::env::var(NAME).unwrap_or_default().trim() {
        "" => Ok(RetrySchedule::standard()),
        value => RetrySchedule::parse(value).map_err(|reason| ConfigError::Invalid { name: NAME, reason }),
    }
}
