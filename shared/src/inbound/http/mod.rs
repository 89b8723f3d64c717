//! The HTTP API: one module per resource with one public function per endpoint
//! (what a binary in `functions/api/` hands its requests to), and the edge they share.
//! Endpoints parse API Gateway (HTTP API, payload v2) requests, call a use case in
//! [`crate::app`] and turn its result into JSON or `application/problem+json`.
//!
//! The edge: [`serve`] runs the Lambda event loop, [`request`] reads bodies,
//! parameters and the caller, [`response`] writes replies, [`problem`] maps every
//! error to one status once, [`idempotency`] replays retried requests, and
//! [`context`] holds what endpoints need, built once per container by
//! [`crate::wiring`]. Request bodies are each endpoint's own types, turned into
//! domain inputs by the endpoint; answers are [`crate::inbound::views`]. [`openapi`]
//! builds the document from the handlers; the parameters they share are in
//! [`params`], so no handler imports the document back.

pub mod admin_audit;
pub mod admin_exports;
pub mod admin_stats;
pub mod admin_users;
pub mod admin_webhooks;
pub mod api_docs;
pub mod auth;
pub mod carts;
pub mod discounts;
pub mod fallback;
pub mod me;
pub mod me_addresses;
pub mod order_payments;
pub mod order_receipts;
pub mod order_refunds;
pub mod order_returns;
pub mod orders;
pub mod product_images;
pub mod product_search;
pub mod products;
pub mod shipping_zones;
pub mod tax_settings;
pub mod webhooks;

pub mod context;
pub mod openapi;
pub mod params;
pub mod problem;

mod idempotency;
mod merge_patch;
mod request;
mod response;
mod security_log;
mod serve;

pub use serve::serve;

/// The time a request (or a WebSocket event) is handled at: use cases take it
/// as an argument.
pub(crate) fn now() -> crate::domain::Timestamp {
    time::OffsetDateTime::now_utc()
}
