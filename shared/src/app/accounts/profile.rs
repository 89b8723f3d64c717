//! `GET /me`, `PATCH /me`.

use super::error::{AccountsError, stale_user};
use super::limits::within_limit;
use super::ports::{RateLimiter, UserChange, UserStore};
use crate::app::error::CommonError;
use crate::app::store::StoreError;
use crate::domain::rate_limit::PASSWORD_CHECK_PER_USER;
use crate::domain::user::parse_name;
use crate::domain::validation::Checker;
use crate::domain::{Principal, SessionId, Timestamp, User, UserId, password};

/// Changes a user makes to their own account: `None` leaves a field as it is;
/// `name: Some(None)` removes the display name.
#[derive(Debug, Default)]
pub struct ProfileChanges {
    pub name: Option<Option<String>>,
    pub new_password: Option<String>,
    /// Required with `new_password`.
    pub current_password: Option<String>,
}

fn caller_id(principal: &Principal) -> Result<UserId, AccountsError> {
    principal.subject.parse().map_err(|_| CommonError::NotFound.into())
}

pub async fn me(store: &impl UserStore, principal: &Principal) -> Result<User, AccountsError> {
    store.get(caller_id(principal)?).await?.ok_or(CommonError::NotFound.into())
}

/// Changes the caller's own profile. A new password needs the current one
/// (at most [`PASSWORD_CHECK_PER_USER`] tries per window), and ends every other
/// session of the user; the session making the change stays.
pub async fn update_me(
    store: &(impl UserStore + RateLimiter),
    principal: &Principal,
    changes: ProfileChanges,
    now: Timestamp,
) -> Result<User, AccountsError> {
    let mut checker = Checker::default();
    let name = changes.name.map(|n| n.map(|n| checker.check("name", parse_name(&n))));
    if let Some(new) = &changes.new_password {
        checker.check("new_password", password::check(new));
        if changes.current_password.is_none() {
            checker.check::<()>("current_password", Err("is required to change the password".into()));
        }
    }
    // Refused as the document says, even where no password changes.
    if changes.current_password.as_ref().is_some_and(|current| current.chars().count() > password::MAX_LENGTH) {
        checker.check::<()>("current_password", Err(format!("must be at most {} characters", password::MAX_LENGTH)));
    }
    checker.finish()?;
    let user = me(store, principal).await?;
    let new_hash = match (&changes.new_password, &changes.current_password) {
        (Some(new), Some(current)) => {
            // Per user, so a stolen access token cannot guess the password quickly.
            within_limit(store, PASSWORD_CHECK_PER_USER, &user.id.to_string(), now).await?;
            if !password::verify(current, &user.password_hash) {
                return Err(AccountsError::WrongPassword);
            }
            Some(password::hash(new))
        }
        _ => None,
    };
    let next = user.next(now, |u| {
        if let Some(name) = &name {
            u.name = name.clone().flatten();
        }
        if let Some(hash) = &new_hash {
            u.password_hash.clone_from(hash);
            u.session_epoch += 1;
        }
    });
    let keeps_session = new_hash.as_ref().and_then(|_| principal.session.as_deref()?.parse::<SessionId>().ok());
    match store.update(UserChange { keeps_session, ..UserChange::new(&user, &next) }).await {
        Ok(()) => Ok(next),
        Err(StoreError::VersionMismatch { current }) => Err(stale_user(user.version, current)),
        Err(other) => Err(other.into()),
    }
}
