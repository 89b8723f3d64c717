//! The HTTP API: one module per resource with one public function per endpoint
//! (what a binary in `src/bin/api/` hands its requests to), and the edge they share.
//! Endpoints parse API Gateway (HTTP API, payload v2) requests, call a use case in
//! [`crate::app`] and turn its result into JSON or `application/problem+json`.
//!
//! The edge: [`serve`] runs the Lambda event loop, [`request`] reads bodies,
//! parameters and the caller, [`response`] writes replies, [`problem`] maps every
//! error to one status once, [`idempotency`] replays retried requests, and
//! [`context`] holds what endpoints need, built once per container.

pub mod admin_audit;
pub mod admin_exports;
pub mod admin_stats;
pub mod admin_users;
pub mod admin_webhooks;
pub mod api_docs;
pub mod auth;
pub mod discounts;
pub mod me;
pub mod openapi;
pub mod order_payments;
pub mod order_receipts;
pub mod order_refunds;
pub mod orders;
pub mod product_images;
pub mod products;
mod views;
pub mod webhooks;

mod context;
mod idempotency;
mod problem;
mod request;
mod response;
mod security_log;
mod serve;

pub use context::{AdminWebhooks, Catalog, Downloads, Payments, SignIn, StripeWebhooks, TableAccess};
pub use idempotency::{KeyPolicy, REPLAYED_HEADER, idempotent};
pub use problem::ApiError;
pub use request::{RequestExtras, json_body};
pub use response::{Reply, json, no_content};
pub use serve::serve;
pub use views::AssetUrls;
pub(crate) use views::OrderView;

use request::{caller, page_limit, signed_in, signed_in_live, timestamp_param};
use response::versioned;

/// The time a request is handled at: use cases take it as an argument.
fn now() -> crate::domain::Timestamp {
    time::OffsetDateTime::now_utc()
}
