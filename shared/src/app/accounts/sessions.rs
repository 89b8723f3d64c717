//! `POST /auth/login`, `/auth/refresh`, `/auth/logout`.

use super::error::AccountsError;
use super::limits::within_limit;
use super::ports::{RateLimiter, SessionStore, UserChange, UserStore};
use crate::app::store::StoreError;
use crate::domain::access_token::{ACCESS_TOKEN_LIFETIME, TokenIssuer};
use crate::domain::rate_limit::{LOGIN_FAILURES_PER_ACCOUNT, LOGIN_PER_ACCOUNT_AND_IP, LOGIN_PER_IP};
use crate::domain::secret::{opaque_token, token_hash};
use crate::domain::{
    Email, FieldError, Invalid, Principal, RefreshToken, Session, SessionId, Timestamp, User, UserId, password,
};

use super::signup::Credentials;

/// What a successful sign-in or refresh hands the client.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub access_token: String,
    pub expires_in: i64,
    /// Opaque; exchange it at `/auth/refresh` for the next pair. Single use.
    pub refresh_token: String,
    pub refresh_expires_at: Timestamp,
}

fn new_refresh_token(session: &Session) -> (String, RefreshToken) {
    let secret = opaque_token();
    let token = RefreshToken {
        hash: token_hash(&secret),
        session_id: session.id,
        user_id: session.user_id,
        spent: false,
        expires_at: session.expires_at,
    };
    (secret, token)
}

fn signed_in(issuer: &TokenIssuer, user: &User, session: &Session, refresh_token: String, now: Timestamp) -> SignedIn {
    SignedIn {
        access_token: issuer.issue(&user.principal(session.id), now),
        expires_in: ACCESS_TOKEN_LIFETIME.whole_seconds(),
        refresh_token,
        refresh_expires_at: session.expires_at,
    }
}

/// Checks the password and starts a session.
///
/// Unknown addresses are verified against a decoy hash so they cost the same time
/// as a wrong password, and both answer [`AccountsError::InvalidCredentials`].
/// Only the holder of the right password learns that the account is disabled or
/// unverified.
pub async fn login(
    store: &(impl UserStore + SessionStore + RateLimiter),
    issuer: &TokenIssuer,
    input: Credentials,
    source_ip: &str,
    now: Timestamp,
) -> Result<SignedIn, AccountsError> {
    within_limit(store, LOGIN_PER_IP, source_ip, now).await?;
    // Checked before the address becomes part of a key: a 3,000-character one
    // would exceed DynamoDB's key size. Whether an address is well-formed is no
    // secret, so this says which field is wrong.
    let email = Email::parse(&input.email).map_err(|m| Invalid(vec![FieldError::new("email", m)]))?;
    // docs/architecture.md, "Sign-in limits": per account and source, and a
    // ceiling on the account's failures from every source together.
    within_limit(store, LOGIN_PER_ACCOUNT_AND_IP, &format!("{}#{source_ip}", email.as_str()), now).await?;
    let ceiling = LOGIN_FAILURES_PER_ACCOUNT;
    if !ceiling.allows(store.hits(ceiling, email.as_str(), now).await? + 1) {
        return Err(AccountsError::RateLimited { retry_after: ceiling.retry_after(now) });
    }
    let user = store.find_by_email(&email).await?;
    let stored_hash = user.as_ref().map_or(password::DECOY_HASH, |u| u.password_hash.as_str());
    let matches = password::verify(&input.password, stored_hash);
    if !matches {
        store.hit(ceiling, email.as_str(), now).await?;
        let account = crate::domain::secret::pseudonym(email.as_str());
        tracing::warn!(security_event = "login_failed", %account, "wrong password or unknown account");
    }
    let user = user.filter(|_| matches).ok_or(AccountsError::InvalidCredentials)?;
    if user.disabled {
        return Err(AccountsError::AccountDisabled);
    }
    if !user.email_verified {
        return Err(AccountsError::EmailNotVerified);
    }
    let session = Session::begin(user.id, user.session_epoch, now);
    let (secret, token) = new_refresh_token(&session);
    store.start(&session, &token).await?;
    Ok(signed_in(issuer, &user, &session, secret, now))
}

/// Exchanges a refresh token for a new access token and the next refresh token.
///
/// The access token carries the user's role as stored now, so a role change takes
/// effect at the next refresh. A spent token presented again revokes its session:
/// either the client or a thief replayed it, and the thief must not keep access.
pub async fn refresh(
    store: &(impl UserStore + SessionStore),
    issuer: &TokenIssuer,
    refresh_token: &str,
    now: Timestamp,
) -> Result<SignedIn, AccountsError> {
    let presented = store.find_token(&token_hash(refresh_token)).await?;
    let presented = presented.filter(|t| now < t.expires_at).ok_or(AccountsError::InvalidRefreshToken)?;
    if presented.spent {
        store.revoke(presented.session_id).await?;
        tracing::warn!(security_event = "refresh_token_reused", session = %presented.session_id, "spent refresh token reused; session revoked");
        return Err(AccountsError::RefreshTokenReused);
    }
    let session = store.session(presented.session_id).await?.ok_or(AccountsError::InvalidRefreshToken)?;
    let user = store.get(presented.user_id).await?.ok_or(AccountsError::InvalidRefreshToken)?;
    if user.disabled {
        return Err(AccountsError::AccountDisabled);
    }
    if !session.is_live(user.session_epoch, now) {
        return Err(AccountsError::InvalidRefreshToken);
    }
    let (secret, next) = new_refresh_token(&session);
    if !store.rotate(&presented, &next).await? {
        // Another request spent the same token first: the same replay, just sooner.
        store.revoke(session.id).await?;
        return Err(AccountsError::RefreshTokenReused);
    }
    Ok(signed_in(issuer, &user, &session, secret, now))
}

/// Ends the session a refresh token belongs to or, with `everywhere`, every
/// session of its user. Unknown tokens are ignored, so the answer never says
/// whether a token was valid.
///
/// Everywhere moves the user's session epoch, as a password change does, which
/// also voids the e-mailed links sent before. Only a token that could still be
/// refreshed (unspent, unexpired, its session live) may do that; a spent or dead
/// one ends its own session, as without `everywhere`, so an old copy of a token
/// cannot sign its owner out of every device.
pub async fn logout(
    store: &(impl UserStore + SessionStore),
    refresh_token: &str,
    everywhere: bool,
    now: Timestamp,
) -> Result<(), AccountsError> {
    let Some(token) = store.find_token(&token_hash(refresh_token)).await? else { return Ok(()) };
    let every_session = if everywhere && !token.spent && now < token.expires_at {
        end_every_session(store, &token, now).await
    } else {
        Ok(())
    };
    // This session ends even when ending the others failed: the caller is told
    // (and retries with a new sign-in), but holds no session it thinks is gone.
    store.revoke(token.session_id).await?;
    every_session
}

/// Moves the epoch of the user of `token` on while the token's session is live
/// in it; a change that moved the user on meanwhile is read again (and if that
/// change moved the epoch itself, every session has ended already).
async fn end_every_session(
    store: &(impl UserStore + SessionStore),
    token: &RefreshToken,
    now: Timestamp,
) -> Result<(), AccountsError> {
    for _ in 0..3 {
        let (session, user) = tokio::join!(store.session(token.session_id), store.get(token.user_id));
        let (Some(session), Some(user)) = (session?, user?) else { return Ok(()) };
        if session.user_id != user.id || !session.is_live(user.session_epoch, now) {
            return Ok(());
        }
        let next = user.next(now, |u| u.session_epoch += 1);
        match store.update(UserChange::new(&user, &next)).await {
            Ok(()) => {
                tracing::info!(session = %token.session_id, "signed out everywhere: every session of its user ended");
                return Ok(());
            }
            Err(StoreError::VersionMismatch { .. }) => {}
            Err(other) => return Err(other.into()),
        }
    }
    Err(StoreError::Unavailable("the account kept changing; retry".into()).into())
}

/// Checks that the session behind an access token is still live, for the routes
/// where 15 minutes of a revoked token would matter (staff and admin work, the
/// caller's own profile): the session is not revoked or expired, its user is
/// enabled, and neither the password nor the role changed since (both bump the
/// user's session epoch). Tokens without a session (minted by an operator with
/// `tillbox-admin token`) end only with the signing key.
pub async fn ensure_live(
    store: &(impl UserStore + SessionStore),
    principal: &Principal,
    now: Timestamp,
) -> Result<(), AccountsError> {
    let Some(session_id) = &principal.session else { return Ok(()) };
    let (Ok(session_id), Ok(user_id)) = (session_id.parse::<SessionId>(), principal.subject.parse::<UserId>()) else {
        return Err(AccountsError::SessionEnded);
    };
    // Both reads at once: this check is on the path of every staff request.
    let (session, user) = tokio::join!(store.session(session_id), store.get(user_id));
    let (session, user) = (session?, user?);
    let live = match (session, user) {
        (Some(session), Some(user)) => {
            session.user_id == user.id
                && session.is_live(user.session_epoch, now)
                && !user.disabled
                && user.role == principal.role
        }
        _ => false,
    };
    if live { Ok(()) } else { Err(AccountsError::SessionEnded) }
}
