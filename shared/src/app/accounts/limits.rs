//! The rate limits every accounts use case checks before it acts.

use super::error::AccountsError;
use super::ports::RateLimiter;
use crate::domain::{RateLimit, Timestamp};

/// Counts one attempt against `limit` for `key`; refuses once it is over.
pub(super) async fn within_limit(
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
