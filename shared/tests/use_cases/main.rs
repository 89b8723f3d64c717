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

/// What signs guests' order links in these tests, with the verifier that opens them.
fn order_links() -> &'static (tillbox::domain::access_token::TokenIssuer, tillbox::domain::access_token::TokenVerifier)
{
    use tillbox::domain::access_token::{TokenAudience, TokenIssuer, TokenVerifier, generate_key};
    static KEYS: std::sync::OnceLock<(TokenIssuer, TokenVerifier)> = std::sync::OnceLock::new();
    KEYS.get_or_init(|| {
        let audience = TokenAudience { issuer: "tillbox-test".into(), audience: "tillbox-api".into() };
        let (key, jwks) = generate_key("k1");
        (
            TokenIssuer::from_signing_key(&key.to_json(), audience.clone()).unwrap(),
            TokenVerifier::from_jwks(&jwks, &audience).unwrap(),
        )
    })
}
