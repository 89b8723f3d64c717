//! The use cases, one module per bounded context. Each takes its ports as generic
//! parameters and the current time as an argument, so the same code runs against
//! AWS in a function and against in-memory fakes in tests.

pub mod accounts;
pub mod audit;
pub mod carts;
pub mod catalog;
pub mod checkout;
pub mod error;
pub mod exports;
pub mod idempotency;
pub mod live;
pub mod notifications;
pub mod orders;
pub mod outbox;
pub mod payments;
pub mod receipts;
pub mod returns;
pub mod search;
pub mod stats;
pub mod store;
pub mod webhooks;
