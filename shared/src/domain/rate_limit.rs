//! Limits on how often one source or one account may try something.
//!
//! Fixed windows: a counter per (limit, key, window start) that expires with its
//! window. A burst at a window boundary can reach twice the limit, which is
//! acceptable for the guessing these limits exist to slow down.

use super::timestamp::Timestamp;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    /// Names the counter; part of its key.
    pub name: &'static str,
    pub max: u32,
    pub window_seconds: i64,
}

pub const LOGIN_PER_IP: RateLimit = RateLimit { name: "login-ip", max: 30, window_seconds: 15 * 60 };
/// Sign-ins to one account from one source: slows one attacker guessing one
/// password without touching the owner elsewhere.
pub const LOGIN_PER_ACCOUNT_AND_IP: RateLimit =
    RateLimit { name: "login-account-ip", max: 10, window_seconds: 15 * 60 };
/// Failed sign-ins to one account from all sources together: only a distributed
/// attack reaches it, and only then does the right password wait too.
pub const LOGIN_FAILURES_PER_ACCOUNT: RateLimit =
    RateLimit { name: "login-account-failures", max: 100, window_seconds: 15 * 60 };
pub const SIGNUP_PER_IP: RateLimit = RateLimit { name: "signup-ip", max: 10, window_seconds: 60 * 60 };
/// "Someone tried to sign up with your address" e-mails, per address and day:
/// repeated sign-ups cannot bomb a mailbox.
pub const SIGNUP_MAILS_PER_ADDRESS: RateLimit =
    RateLimit { name: "signup-mail-address", max: 3, window_seconds: 24 * 60 * 60 };
pub const FORGOT_PER_IP: RateLimit = RateLimit { name: "forgot-ip", max: 10, window_seconds: 60 * 60 };
pub const FORGOT_PER_ACCOUNT: RateLimit = RateLimit { name: "forgot-account", max: 3, window_seconds: 60 * 60 };
/// Guesses of the current password on `PATCH /me` (each also costs an argon2 hash).
pub const PASSWORD_CHECK_PER_USER: RateLimit =
    RateLimit { name: "password-check-user", max: 5, window_seconds: 15 * 60 };
/// Orders naming a discount code, per customer: codes cannot be guessed quickly.
pub const DISCOUNT_TRIES_PER_CUSTOMER: RateLimit =
    RateLimit { name: "discount-customer", max: 10, window_seconds: 60 * 60 };
pub const RESET_PER_IP: RateLimit = RateLimit { name: "reset-ip", max: 20, window_seconds: 15 * 60 };

impl RateLimit {
    pub fn window_start(&self, now: Timestamp) -> i64 {
        let t = now.unix_timestamp();
        t - t.rem_euclid(self.window_seconds)
    }

    pub fn window_end(&self, now: Timestamp) -> i64 {
        self.window_start(now) + self.window_seconds
    }

    /// Seconds until the window `now` falls in is over (at least 1).
    pub fn retry_after(&self, now: Timestamp) -> u64 {
        (self.window_end(now) - now.unix_timestamp()).max(1) as u64
    }

    pub fn allows(&self, hits: u32) -> bool {
        hits <= self.max
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn windows_are_aligned_and_retry_after_counts_down() {
        let now = datetime!(2026-11-21 10:07:30 UTC);
        assert_eq!(LOGIN_PER_IP.window_start(now), datetime!(2026-11-21 10:00 UTC).unix_timestamp());
        assert_eq!(LOGIN_PER_IP.retry_after(now), 450);
        assert!(LOGIN_PER_ACCOUNT_AND_IP.allows(10));
        assert!(!LOGIN_PER_ACCOUNT_AND_IP.allows(11));
    }
}
