//! What the endpoints need, built once per container (cold start) by a binary's
//! `main` and shared by every request it serves.

use crate::app::orders::OrderPolicy;
use crate::domain::CartLifetime;
use crate::domain::access_token::{TokenIssuer, TokenVerifier};
use crate::inbound::views::AssetUrls;
use crate::outbound::dynamodb::Table;
use crate::outbound::s3::Bucket;
use crate::outbound::sqs::Queue;
use crate::outbound::stripe::Stripe;
use crate::outbound::webhooks::HttpSender;

/// What every catalog endpoint needs, built once per container.
pub struct Catalog {
    pub table: Table,
    pub verifier: TokenVerifier,
    pub assets: AssetUrls,
}

/// What the account, order and discount endpoints need: the table, the access
/// token verifier and the shop's order policy, built once per container.
pub struct TableAccess {
    pub table: Table,
    pub verifier: TokenVerifier,
    pub orders: OrderPolicy,
}

/// What the cart endpoints need: the table, the verifier, the order policy
/// (checkout places an order) and how long carts live.
pub struct Carts {
    pub table: Table,
    pub verifier: TokenVerifier,
    pub orders: OrderPolicy,
    pub lifetime: CartLifetime,
}

/// What the return endpoints customers call need: the table, the verifier
/// and how long after fulfilment returns are accepted (`ReturnWindowDays`).
pub struct Returns {
    pub table: Table,
    pub verifier: TokenVerifier,
    pub window: time::Duration,
}

/// What checkout needs: the cart endpoints' parts, and the signing key that
/// signs a guest's order link.
pub struct Checkout {
    pub carts: Carts,
    pub links: TokenIssuer,
}

/// What the endpoints that issue tokens need: the signing key, read from SSM
/// Parameter Store once per container. Only these functions may read it.
pub struct SignIn {
    pub table: Table,
    pub issuer: TokenIssuer,
}

/// What the payment endpoints need: the table, the verifier and the payment
/// provider (`None` when staff take payments by hand). Only these functions and
/// the payments job may read the provider's secret key.
pub struct Payments {
    pub table: Table,
    pub verifier: TokenVerifier,
    pub gateway: Option<Stripe>,
}

/// What the Stripe webhook endpoint needs: the signing secrets (old and new
/// during a rotation), the table to de-duplicate event ids in, and the payments
/// queue. It holds no API key: it cannot move money.
pub struct StripeWebhooks {
    pub table: Table,
    pub queue: Queue,
    /// The payments dead-letter queue: signed events Tillbox cannot read wait
    /// there, alarmed, for an operator to replay (docs/operations.md).
    pub parked: Queue,
    pub secrets: Vec<String>,
}

/// What the endpoints that hand out links to files in the bucket need (a
/// receipt, an export): the table, the verifier and the bucket.
pub struct Downloads {
    pub table: Table,
    pub verifier: TokenVerifier,
    pub bucket: Bucket,
}

/// What the webhook admin endpoints need: the table, the verifier, the sender
/// (a new URL's host is resolved and checked under its policy), and the webhooks
/// queue (redeliveries).
pub struct AdminWebhooks {
    pub table: Table,
    pub verifier: TokenVerifier,
    pub sender: HttpSender,
    pub queue: Queue,
}

/// What `GET /search/products` needs: the index, loaded once per container and
/// kept fresh; the table only to check a staff caller's session.
pub struct Search {
    pub index: crate::app::search::LiveIndex<Bucket>,
    pub table: Table,
    pub verifier: TokenVerifier,
    pub assets: AssetUrls,
}
