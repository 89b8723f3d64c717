//! The composition root: reads the settings ([`crate::config`]), the secrets in
//! SSM Parameter Store, and builds the clients and the context each handler needs,
//! once per container. A function's `main` calls one of these and hands the result
//! to its handler; nothing else in the crate builds a client or reads a secret.
//!
//! Each function gets only what it uses, so its IAM policy in `template.yaml` can
//! grant exactly that (only the sign-in functions read the signing key, only the
//! payment functions the Stripe key).

use crate::app::receipts::InvoiceSettings;
use crate::app::search::LiveIndex;
use crate::config::{self, ConfigError, PaymentProvider};
use crate::domain::access_token::TokenIssuer;
use crate::inbound::http::context::{
    AdminWebhooks, Carts, Catalog, Checkout, Downloads, Payments, Returns, Search, SignIn, StripeWebhooks, TableAccess,
};
use crate::inbound::jobs::abandon_carts::AbandonedCartJob;
use crate::inbound::jobs::archive_audit::ArchiveJob;
use crate::inbound::jobs::expire_orders::ExpiryJob;
use crate::inbound::jobs::exports::ExportJob;
use crate::inbound::jobs::fan_out::{FanOut, Routes};
use crate::inbound::jobs::index_products::IndexJob;
use crate::inbound::jobs::payments::PaymentsJob;
use crate::inbound::jobs::process_images::ImageJob;
use crate::inbound::jobs::push_live::PushJob;
use crate::inbound::jobs::receipts::ReceiptsJob;
use crate::inbound::jobs::send_emails::EmailJob;
use crate::inbound::jobs::stats::StatsJob;
use crate::inbound::jobs::webhooks::WebhooksJob;
use crate::inbound::live::LiveSocket;
use crate::inbound::views::AssetUrls;
use crate::outbound::audit_archive::AuditArchiveBucket;
use crate::outbound::dynamodb::Table;
use crate::outbound::live_push::Connections;
use crate::outbound::pdf::PdfPrinter;
use crate::outbound::s3::Bucket;
use crate::outbound::ses::Ses;
use crate::outbound::sqs::{Queue, Queues};
use crate::outbound::stripe::Stripe;
use crate::outbound::webhooks::HttpSender;
use aws_config::environment::credentials::EnvironmentVariableCredentialsProvider;
use aws_config::{AppName, BehaviorVersion, Region, SdkConfig};
use aws_credential_types::provider::SharedCredentialsProvider;

/// Region, credentials and endpoint from the environment Lambda gives every
/// function, read once per process; every client is built from it.
/// `AWS_ENDPOINT_URL` points every client at the local emulator in `make dev` and in
/// tests.
///
/// Not `aws_config::defaults`: in a function its provider chain (profiles, SSO, web
/// identity, container and instance metadata) ends at the same environment
/// variables, and linking it made every function about 0.5 MB larger
/// (docs/architecture.md, "Build shape"). The operator CLI, run by people, keeps
/// the whole chain.
///
/// Every call's user agent names the function (`app/<name>`), so CloudTrail says
/// which function made a call, and the local emulator counts calls per function.
pub fn sdk() -> Result<SdkConfig, ConfigError> {
    let credentials = SharedCredentialsProvider::new(EnvironmentVariableCredentialsProvider::new());
    let mut sdk = SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(config::aws_region()?))
        .credentials_provider(credentials);
    if let Some(url) = config::aws_endpoint_url() {
        sdk = sdk.endpoint_url(url);
    }
    if let Some(name) = config::function_name().and_then(|name| AppName::new(name).ok()) {
        sdk = sdk.app_name(name);
    }
    Ok(sdk.build())
}

/// The single table.
pub fn table(sdk: &SdkConfig) -> Result<Table, ConfigError> {
    Ok(Table::new(sdk, config::table_name()?))
}

/// The bucket holding uploads, images, receipts and exports.
pub fn bucket(sdk: &SdkConfig) -> Result<Bucket, ConfigError> {
    Ok(Bucket::new(sdk, config::bucket_name()?))
}

/// The sender of outgoing webhooks, under the URL policy both the admin
/// endpoints (a new URL) and the delivery job (every call) apply.
fn webhook_sender() -> Result<HttpSender, ConfigError> {
    HttpSender::new(config::webhook_url_policy())
        .map_err(|reason| ConfigError::Invalid { name: "WEBHOOK_INSECURE_HOSTS", reason })
}

/// The decrypted SecureString whose name the environment variable `setting`
/// holds. The value is never part of an error.
async fn secure_parameter(sdk: &SdkConfig, setting: &'static str, name: &str) -> Result<String, ConfigError> {
    crate::outbound::ssm::secure_string(sdk, name)
        .await
        .map_err(|e| ConfigError::Invalid { name: setting, reason: format!("cannot read {name}: {e}") })
}

/// The access-token signer, from the signing key in SSM.
async fn token_issuer(sdk: &SdkConfig) -> Result<TokenIssuer, ConfigError> {
    let setting = config::SIGNING_KEY_PARAMETER;
    let key = secure_parameter(sdk, setting, &config::signing_key_parameter()?).await?;
    TokenIssuer::from_signing_key(&key, config::token_audience()?)
        .map_err(|e| ConfigError::Invalid { name: setting, reason: e.to_string() })
}

/// The payment provider's client; `None` when staff take payments by hand.
async fn payment_gateway(sdk: &SdkConfig) -> Result<Option<Stripe>, ConfigError> {
    let PaymentProvider::Stripe(stripe) = config::payment_provider()? else {
        return Ok(None);
    };
    let setting = config::STRIPE_SECRET_KEY_PARAMETER;
    let secret_key = config::stripe_secret_key(&secure_parameter(sdk, setting, &stripe.secret_key_parameter).await?)?;
    Stripe::new(&stripe.api_url, secret_key, stripe.publishable_key)
        .map(Some)
        .map_err(|reason| ConfigError::Invalid { name: "STRIPE_API_URL", reason })
}

/// The Stripe webhook signing secrets (old and new during a rotation).
async fn stripe_webhook_secrets(sdk: &SdkConfig) -> Result<Vec<String>, ConfigError> {
    let setting = config::STRIPE_WEBHOOK_SECRETS_PARAMETER;
    config::stripe_webhook_secrets(&secure_parameter(sdk, setting, &config::stripe_webhook_secrets_parameter()?).await?)
}

// The HTTP endpoints' contexts.

pub fn catalog(sdk: &SdkConfig) -> Result<Catalog, ConfigError> {
    Ok(Catalog {
        table: table(sdk)?,
        verifier: config::token_verifier()?,
        assets: AssetUrls::new(config::asset_base_url()?),
    })
}

pub fn carts(sdk: &SdkConfig) -> Result<Carts, ConfigError> {
    Ok(Carts {
        table: table(sdk)?,
        verifier: config::token_verifier()?,
        orders: config::order_policy()?,
        lifetime: config::cart_lifetime()?,
    })
}

pub async fn checkout(sdk: &SdkConfig) -> Result<Checkout, ConfigError> {
    Ok(Checkout { carts: carts(sdk)?, links: token_issuer(sdk).await? })
}

pub fn returns(sdk: &SdkConfig) -> Result<Returns, ConfigError> {
    Ok(Returns { table: table(sdk)?, verifier: config::token_verifier()?, window: config::return_window()? })
}

pub fn table_access(sdk: &SdkConfig) -> Result<TableAccess, ConfigError> {
    Ok(TableAccess { table: table(sdk)?, verifier: config::token_verifier()?, orders: config::order_policy()? })
}

pub async fn sign_in(sdk: &SdkConfig) -> Result<SignIn, ConfigError> {
    Ok(SignIn { table: table(sdk)?, issuer: token_issuer(sdk).await? })
}

pub async fn payments(sdk: &SdkConfig) -> Result<Payments, ConfigError> {
    Ok(Payments { table: table(sdk)?, verifier: config::token_verifier()?, gateway: payment_gateway(sdk).await? })
}

pub async fn stripe_webhooks(sdk: &SdkConfig) -> Result<StripeWebhooks, ConfigError> {
    Ok(StripeWebhooks {
        table: table(sdk)?,
        queue: Queue::new(sdk, config::payments_queue_url()?),
        parked: Queue::new(sdk, config::payments_dead_letter_queue_url()?),
        secrets: stripe_webhook_secrets(sdk).await?,
    })
}

pub fn downloads(sdk: &SdkConfig) -> Result<Downloads, ConfigError> {
    Ok(Downloads { table: table(sdk)?, verifier: config::token_verifier()?, bucket: bucket(sdk)? })
}

pub fn admin_webhooks(sdk: &SdkConfig) -> Result<AdminWebhooks, ConfigError> {
    let sender = webhook_sender()?;
    Ok(AdminWebhooks {
        table: table(sdk)?,
        verifier: config::token_verifier()?,
        sender,
        queue: Queue::new(sdk, config::webhooks_queue_url()?),
    })
}

// The jobs.

pub fn expiry_job(sdk: &SdkConfig) -> Result<ExpiryJob, ConfigError> {
    Ok(ExpiryJob { table: table(sdk)?, unpaid_lifetime: config::unpaid_order_lifetime()? })
}

pub fn export_job(sdk: &SdkConfig) -> Result<ExportJob, ConfigError> {
    Ok(ExportJob { table: table(sdk)?, bucket: bucket(sdk)? })
}

pub fn archive_job(sdk: &SdkConfig) -> Result<ArchiveJob, ConfigError> {
    Ok(ArchiveJob { archive: AuditArchiveBucket::new(sdk, config::audit_archive_bucket()?) })
}

pub fn abandoned_cart_job(sdk: &SdkConfig) -> Result<AbandonedCartJob, ConfigError> {
    Ok(AbandonedCartJob { table: table(sdk)?, idle_for: config::abandoned_cart_after()? })
}

pub fn fan_out_job(sdk: &SdkConfig) -> Result<FanOut, ConfigError> {
    Ok(FanOut {
        queues: Queues::new(sdk),
        routes: Routes {
            emails_queue_url: config::emails_queue_url()?,
            receipts_queue_url: config::receipts_queue_url()?,
            stats_queue_url: config::stats_queue_url()?,
            exports_queue_url: config::exports_queue_url()?,
            search_queue_url: config::search_queue_url()?,
            live_queue_url: config::live_queue_url()?,
            payments_queue_url: config::payments_queue_url_if_any(),
        },
        table: table(sdk)?,
        webhooks: Queue::new(sdk, config::webhooks_queue_url()?),
    })
}

pub async fn payments_job(sdk: &SdkConfig) -> Result<PaymentsJob, ConfigError> {
    let gateway = payment_gateway(sdk).await?.ok_or(ConfigError::Invalid {
        name: "PAYMENT_PROVIDER",
        reason: "the payments job settles provider events; it runs only with a provider".into(),
    })?;
    Ok(PaymentsJob { table: table(sdk)?, gateway })
}

pub fn image_job(sdk: &SdkConfig) -> Result<ImageJob, ConfigError> {
    Ok(ImageJob { table: table(sdk)?, bucket: bucket(sdk)? })
}

pub fn receipts_job(sdk: &SdkConfig) -> Result<ReceiptsJob, ConfigError> {
    Ok(ReceiptsJob {
        table: table(sdk)?,
        bucket: bucket(sdk)?,
        printer: PdfPrinter::new(),
        settings: InvoiceSettings { shop_name: config::shop_name()?, seller: config::seller()? },
    })
}

pub async fn email_job(sdk: &SdkConfig) -> Result<EmailJob, ConfigError> {
    Ok(EmailJob {
        table: table(sdk)?,
        mailer: Ses::new(sdk, config::mail_from()?),
        links: config::links()?,
        order_links: token_issuer(sdk).await?,
    })
}

/// How old the search index a function answers from may be before it checks for
/// a newer one (a conditional read that downloads nothing while nothing changed).
const SEARCH_INDEX_REFRESH: std::time::Duration = std::time::Duration::from_secs(1);

pub fn search(sdk: &SdkConfig) -> Result<Search, ConfigError> {
    Ok(Search {
        index: LiveIndex::new(bucket(sdk)?, SEARCH_INDEX_REFRESH),
        table: table(sdk)?,
        verifier: config::token_verifier()?,
        assets: AssetUrls::new(config::asset_base_url()?),
    })
}

pub fn index_products_job(sdk: &SdkConfig) -> Result<IndexJob, ConfigError> {
    Ok(IndexJob { table: table(sdk)?, bucket: bucket(sdk)? })
}

/// What the WebSocket routes need (`$connect`, `$disconnect`, `subscribe`).
pub fn live_socket(sdk: &SdkConfig) -> Result<LiveSocket, ConfigError> {
    Ok(LiveSocket { table: table(sdk)?, verifier: config::token_verifier()? })
}

pub fn push_live_job(sdk: &SdkConfig) -> Result<PushJob, ConfigError> {
    Ok(PushJob { table: table(sdk)?, connections: Connections::new(sdk, &config::live_connections_url()?) })
}

pub fn stats_job(sdk: &SdkConfig) -> Result<StatsJob, ConfigError> {
    Ok(StatsJob { table: table(sdk)? })
}

pub fn webhooks_job(sdk: &SdkConfig) -> Result<WebhooksJob, ConfigError> {
    let sender = webhook_sender()?;
    Ok(WebhooksJob {
        table: table(sdk)?,
        sender,
        queue: Queue::new(sdk, config::webhooks_queue_url()?),
        schedule: config::webhook_retry_schedule()?,
    })
}
