//! `POST /auth/verify-email`, `/auth/password/forgot`, `/auth/password/reset`.

use super::error::AccountsError;
use super::limits::within_limit;
use super::ports::{EventOutbox, OneTimeTokens, RateLimiter, UserChange, UserStore};
use crate::app::store::StoreError;
use crate::domain::rate_limit::{FORGOT_PER_ACCOUNT, FORGOT_PER_IP, RESET_PER_IP};
use crate::domain::secret::token_hash;
use crate::domain::{Email, Event, EventKind, FieldError, Invalid, OneTimePurpose, Timestamp, User, password};

/// Applies `change` to the user a one-time token belongs to, spending the token in
/// the same transaction. A token spent concurrently fails the whole change.
async fn spend_token(
    store: &(impl UserStore + OneTimeTokens),
    secret: &str,
    purpose: OneTimePurpose,
    now: Timestamp,
    change: impl Fn(&mut User),
) -> Result<User, AccountsError> {
    let token = store.find(&token_hash(secret)).await?;
    let token = token.filter(|t| t.is_usable_for(purpose, now)).ok_or(AccountsError::InvalidToken)?;
    // A concurrent edit of the user (say, a name change) is retried; a spent token is not.
    for _ in 0..3 {
        let user = store.get(token.user_id).await?.filter(|u| u.session_epoch == token.epoch && !u.is_expired(now));
        let user = user.ok_or(AccountsError::InvalidToken)?;
        let next = user.next(now, &change);
        let write = UserChange { spends: Some(&token), ..UserChange::new(&user, &next) };
        match store.update(write).await {
            Ok(()) => return Ok(next),
            Err(StoreError::NotFound) => return Err(AccountsError::InvalidToken),
            Err(StoreError::VersionMismatch { .. }) => continue,
            Err(other) => return Err(other.into()),
        }
    }
    Err(StoreError::Unavailable("the user kept changing; retry".into()).into())
}

pub async fn verify_email(
    store: &(impl UserStore + OneTimeTokens),
    token: &str,
    now: Timestamp,
) -> Result<User, AccountsError> {
    spend_token(store, token, OneTimePurpose::VerifyEmail, now, |u| u.email_verified = true).await
}

/// Starts a password reset: the owner of the address, if there is one, gets a link.
/// The caller always gets the same answer, after the same work.
pub async fn forgot_password(
    store: &(impl UserStore + EventOutbox + RateLimiter),
    email: &str,
    source_ip: &str,
    now: Timestamp,
) -> Result<(), AccountsError> {
    within_limit(store, FORGOT_PER_IP, source_ip, now).await?;
    let email = Email::parse(email).map_err(|m| Invalid(vec![FieldError::new("email", m)]))?;
    within_limit(store, FORGOT_PER_ACCOUNT, email.as_str(), now).await?;
    // No lookup here: the e-mail job finds the account, if there is one, so a
    // known address costs this request what an unknown one does.
    store.publish(&Event::new(EventKind::PasswordResetRequested { email }, now)).await?;
    Ok(())
}

/// Sets a new password with a reset token. Every session of the user ends: whoever
/// knew the old password must not stay signed in. The reset link also proves the
/// address, so it counts as verified.
pub async fn reset_password(
    store: &(impl UserStore + OneTimeTokens + RateLimiter),
    token: &str,
    new_password: &str,
    source_ip: &str,
    now: Timestamp,
) -> Result<(), AccountsError> {
    within_limit(store, RESET_PER_IP, source_ip, now).await?;
    password::check(new_password).map_err(|m| Invalid(vec![FieldError::new("password", m)]))?;
    let hash = password::hash(new_password);
    spend_token(store, token, OneTimePurpose::ResetPassword, now, |u| {
        u.password_hash.clone_from(&hash);
        u.session_epoch += 1;
        u.email_verified = true;
    })
    .await?;
    Ok(())
}
