//! Sign-in sessions and the tokens that prove them.
//!
//! A session is one sign-in and the family of refresh tokens rotated from it. Each
//! refresh spends the presented token and issues the next; a spent token presented
//! again means it was copied, so the whole session is revoked. A session also ends
//! at its absolute expiry, on logout, and when the user's session epoch moves on.

use super::id::{SessionId, UserId};
use super::timestamp::Timestamp;
use time::Duration;

/// However often it is refreshed, a session ends this long after sign-in.
pub const SESSION_LIFETIME: Duration = Duration::days(30);

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub id: SessionId,
    pub user_id: UserId,
    /// The user's session epoch when the session began (or was last kept alive).
    pub epoch: u64,
    pub revoked: bool,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
}

impl Session {
    pub fn begin(user_id: UserId, epoch: u64, now: Timestamp) -> Self {
        Self {
            id: SessionId::generate(),
            user_id,
            epoch,
            revoked: false,
            created_at: now,
            expires_at: now + SESSION_LIFETIME,
        }
    }

    /// Whether a refresh may continue this session for a user now at `user_epoch`.
    pub fn is_live(&self, user_epoch: u64, now: Timestamp) -> bool {
        !self.revoked && now < self.expires_at && self.epoch == user_epoch
    }
}

/// A stored refresh token: only its hash is kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefreshToken {
    pub hash: String,
    pub session_id: SessionId,
    pub user_id: UserId,
    /// Set when the token has been exchanged for its successor.
    pub spent: bool,
    pub expires_at: Timestamp,
}

/// What a single-use e-mailed token lets its holder do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OneTimePurpose {
    VerifyEmail,
    ResetPassword,
}

impl OneTimePurpose {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::VerifyEmail => "verify_email",
            Self::ResetPassword => "reset_password",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "verify_email" => Some(Self::VerifyEmail),
            "reset_password" => Some(Self::ResetPassword),
            _ => None,
        }
    }

    /// A verification link may wait in an inbox for a day; a reset link is a
    /// password-equivalent and lives an hour.
    pub fn lifetime(self) -> Duration {
        match self {
            Self::VerifyEmail => Duration::hours(24),
            Self::ResetPassword => Duration::hours(1),
        }
    }
}

/// A single-use token sent by e-mail, stored as its hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OneTimeToken {
    pub hash: String,
    pub purpose: OneTimePurpose,
    pub user_id: UserId,
    /// The user's session epoch when the token was issued: a token dies when the
    /// epoch moves (a password change, a reset, a repeated sign-up), so a link
    /// e-mailed before that cannot undo it.
    pub epoch: u64,
    pub expires_at: Timestamp,
}

impl OneTimeToken {
    /// A new token for `user` as it is now: the secret to e-mail, and the record to store.
    pub fn issue(purpose: OneTimePurpose, user: &super::user::User, now: Timestamp) -> (String, Self) {
        let secret = super::secret::opaque_token();
        let hash = super::secret::token_hash(&secret);
        let token =
            Self { hash, purpose, user_id: user.id, epoch: user.session_epoch, expires_at: now + purpose.lifetime() };
        (secret, token)
    }

    pub fn is_usable_for(&self, purpose: OneTimePurpose, now: Timestamp) -> bool {
        self.purpose == purpose && now < self.expires_at
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn a_session_ends_on_revocation_expiry_or_a_new_epoch() {
        let t0 = datetime!(2026-11-21 10:00 UTC);
        let session = Session::begin(UserId::generate(), 3, t0);
        assert!(session.is_live(3, t0 + Duration::days(29)));
        assert!(!session.is_live(3, t0 + SESSION_LIFETIME));
        assert!(!session.is_live(4, t0));
        assert!(!Session { revoked: true, ..session }.is_live(3, t0));
    }

    #[test]
    fn one_time_tokens_serve_one_purpose_until_they_expire() {
        let t0 = datetime!(2026-11-21 10:00 UTC);
        let user =
            super::super::User::sign_up(super::super::Email::parse("ann@example.com").unwrap(), "hash".into(), t0);
        let (secret, token) = OneTimeToken::issue(OneTimePurpose::ResetPassword, &user, t0);
        assert_eq!((token.user_id, token.epoch), (user.id, user.session_epoch));
        assert_eq!(token.hash, super::super::secret::token_hash(&secret));
        assert!(token.is_usable_for(OneTimePurpose::ResetPassword, t0 + Duration::minutes(59)));
        assert!(!token.is_usable_for(OneTimePurpose::ResetPassword, t0 + Duration::hours(1)));
        assert!(!token.is_usable_for(OneTimePurpose::VerifyEmail, t0));
    }
}
