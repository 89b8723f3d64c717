//! Use cases on the in-memory fakes (`tests/memory`): the rules of each context,
//! in milliseconds, without the emulator. The emulator suites run the same flows
//! through the handlers and the real adapters.

#[path = "../memory/mod.rs"]
mod memory;

mod accounts;
mod carts;
mod catalog;
mod exports;
mod notifications;
mod orders;
mod payments;
mod receipts;
mod stats;
mod webhooks;

use tillbox::domain::{Principal, Role, Timestamp};
use time::macros::datetime;

const NOW: Timestamp = datetime!(2026-11-22 10:00 UTC);

const POLICY: tillbox::app::orders::OrderPolicy = tillbox::app::orders::OrderPolicy::TEMPLATE_DEFAULTS;

fn who(role: Role, subject: &str) -> Principal {
    Principal { subject: subject.into(), role, session: None }
}

fn staff() -> Principal {
    who(Role::Staff, "staff-1")
}

fn ann() -> Principal {
    who(Role::Customer, "ann")
}

fn run<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(future)
}
