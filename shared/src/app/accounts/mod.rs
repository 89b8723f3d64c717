//! Accounts and sign-in: use cases and the ports they need.
//!
//! Every use case takes its stores as port traits and the current time as an
//! argument; the HTTP edge in [`crate::inbound::http`] only parses requests and calls them.

mod admin;
mod error;
pub mod ports;
mod profile;
mod recovery;
mod sessions;
mod signup;

pub use admin::{UserChanges, bootstrap_admin, change_user, list_users};
pub use error::AccountsError;
pub use profile::{ProfileChanges, me, update_me};
pub use recovery::{forgot_password, reset_password, verify_email};
pub use sessions::{Credentials, SignedIn, ensure_live, login, logout, refresh};
pub use signup::signup;

use crate::app::error::CommonError;
use crate::domain::{RateLimit, Timestamp};
use ports::RateLimiter;

/// Counts one attempt against `limit` for `key`; refuses once it is over.
async fn within_limit(
    limiter: &impl RateLimiter,
    limit: RateLimit,
    key: &str,
    now: Timestamp,
) -> Result<(), AccountsError> {
    match limiter.over(limit, key, now).await? {
        None => Ok(()),
        Some(retry_after) => Err(AccountsError::RateLimited { retry_after }),
    }
}

fn stale_user(expected: u64, current: u64) -> AccountsError {
    CommonError::StaleVersion { resource: "user", expected, current }.into()
}
