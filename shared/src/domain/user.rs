//! Accounts: who may sign in, with which role, and whether they still may.

use super::id::{SessionId, UserId};
use super::principal::Principal;
use super::principal::Role;
use super::timestamp::Timestamp;
use super::validation::text;

/// An e-mail address as Tillbox stores and compares it: trimmed and lower-cased, so
/// `Ann@Example.com` and `ann@example.com` are one account.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

impl TryFrom<String> for Email {
    type Error = String;
    fn try_from(value: String) -> Result<Self, String> {
        Self::parse(&value)
    }
}

impl From<Email> for String {
    fn from(email: Email) -> String {
        email.0
    }
}

impl Email {
    /// A deliberately small check: one `@`, a dotted domain, no spaces, at most 254
    /// characters. Whether the address really exists is what verification proves.
    pub fn parse(value: &str) -> Result<Self, String> {
        let value = value.trim().to_lowercase();
        // Characters, not bytes: the OpenAPI document's maxLength counts characters.
        let valid = value.chars().count() <= 254
            && !value.chars().any(|c| c.is_whitespace() || c.is_control())
            && value.split_once('@').is_some_and(|(local, domain)| {
                !local.is_empty()
                    && local.chars().count() <= 64
                    && !domain.contains('@')
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
                    && !domain.contains("..")
            });
        if valid { Ok(Self(value)) } else { Err("must be an e-mail address such as ann@example.com".into()) }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// How long an account may wait for its address to be verified.
pub const UNVERIFIED_LIFETIME: time::Duration = time::Duration::hours(24);

/// A display name: optional, 1-100 characters.
pub fn parse_name(value: &str) -> Result<String, String> {
    text(value, 1, 100)
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: UserId,
    pub email: Email,
    pub name: Option<String>,
    pub role: Role,
    pub email_verified: bool,
    pub disabled: bool,
    /// argon2id PHC string; never leaves the store except to be verified.
    pub password_hash: String,
    /// Sessions remember the epoch they began in; raising it ends every session at
    /// its next refresh (password change or reset, disabling).
    pub session_epoch: u64,
    pub version: u64,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl User {
    /// A new customer with an unverified address.
    pub fn sign_up(email: Email, password_hash: String, now: Timestamp) -> Self {
        Self {
            id: UserId::generate(),
            email,
            name: None,
            role: Role::Customer,
            email_verified: false,
            disabled: false,
            password_hash,
            session_epoch: 0,
            version: 1,
            created_at: now,
            updated_at: now,
        }
    }

    /// When an account whose address was never verified is deleted: 24 h after
    /// sign-up, so an address nobody confirmed is not held for ever (and not by
    /// someone who signed up with another person's address).
    pub fn expires_at(&self) -> Option<Timestamp> {
        (!self.email_verified).then(|| self.created_at + UNVERIFIED_LIFETIME)
    }

    pub fn is_expired(&self, now: Timestamp) -> bool {
        self.expires_at().is_some_and(|at| now >= at)
    }

    /// The next version of this user; every change goes through here so the
    /// version and timestamp always move together.
    pub fn next(&self, now: Timestamp, change: impl FnOnce(&mut Self)) -> Self {
        let mut next = self.clone();
        change(&mut next);
        next.version = self.version + 1;
        next.updated_at = now;
        next
    }

    /// The caller this user becomes when signed in to `session`.
    pub fn principal(&self, session: SessionId) -> Principal {
        Principal { subject: self.id.to_string(), role: self.role, session: Some(session.to_string()) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_normalised_and_checked() {
        assert_eq!(Email::parse("  Ann@Example.COM ").unwrap().as_str(), "ann@example.com");
        for bad in ["", "ann", "ann@", "@example.com", "ann@example", "a b@example.com", "ann@@example.com", "ann@.com"]
        {
            assert!(Email::parse(bad).is_err(), "{bad:?} accepted");
        }
        assert!(Email::parse(&format!("{}@example.com", "a".repeat(65))).is_err());
    }

    #[test]
    fn every_change_moves_version_and_time() {
        let t0 = time::macros::datetime!(2026-11-21 10:00 UTC);
        let user = User::sign_up(Email::parse("a@b.co").unwrap(), "h".into(), t0);
        let t1 = t0 + time::Duration::minutes(1);
        let next = user.next(t1, |u| u.email_verified = true);
        assert_eq!((next.version, next.updated_at, next.email_verified), (2, t1, true));
        assert_eq!(user.version, 1);
    }
}
