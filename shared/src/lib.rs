//! Tillbox: the domain crate every Lambda function links.
//!
//! - [`domain`]: pure types and rules (no I/O, no AWS types).
//! - [`catalog`] and [`accounts`]: use cases and the ports (traits) they need;
//!   [`store`] has what every port reports back.
//! - [`notifications`]: the e-mails Tillbox sends, rendered from domain events.
//! - [`adapters`]: the ports implemented on DynamoDB and S3, and inbound event formats.
//! - [`auth`]: access-token issuing and verification.
//! - [`http`] and [`api`]: the HTTP edge, one function per endpoint.
//! - [`jobs`]: queue-driven background work, one module per job.
//! - [`config`]: the one place settings are read.

pub mod accounts;
pub mod adapters;
pub mod api;
pub mod auth;
pub mod catalog;
pub mod config;
pub mod domain;
pub mod http;
pub mod idempotency;
pub mod jobs;
pub mod notifications;
pub mod orders;
pub mod store;
