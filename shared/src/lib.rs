//! Tillbox: the crate every Lambda function links. Dependencies point inward:
//!
//! - [`inbound`]: how the world calls us. The HTTP API ([`inbound::http`], one
//!   module per resource), the WebSocket API's routes ([`inbound::live`]), the
//!   background jobs ([`inbound::jobs`], one module per job) and the event
//!   formats they parse ([`inbound::events`]).
//! - [`app`]: the use cases, one module per context ([`app::catalog`],
//!   [`app::accounts`], [`app::orders`], [`app::payments`], [`app::receipts`],
//!   [`app::notifications`], [`app::webhooks`], [`app::audit`], [`app::search`],
//!   [`app::live`]), each with the
//!   ports (traits) it needs from storage and the outside world, and its errors;
//!   plus the mechanisms they share ([`app::idempotency`], [`app::error`]).
//! - [`outbound`]: the ports implemented on AWS (DynamoDB, S3, SES, SQS, SSM,
//!   API Gateway's `@connections`), Stripe, PDF printing and the webhook sender.
//! - [`domain`]: pure types and rules, no I/O.
//! - [`config`]: the one place settings are read, as plain values.
//! - [`wiring`]: the composition root: secrets, clients and each handler's
//!   context, built once per container from the settings.
//! - [`telemetry`]: logs and the correlation id every layer may attach to what
//!   it emits.
//!
//! `inbound` calls `app`, `app` calls its ports, `outbound` implements them; all
//! of them use `domain`; `wiring` alone sees every layer. Each binary in
//! `functions/` asks `wiring` for one handler's context and serves that handler.

pub mod app;
pub mod config;
pub mod domain;
pub mod inbound;
pub mod outbound;
pub mod telemetry;
pub mod wiring;
