//! `POST /auth/signup`.

use super::error::AccountsError;
use super::limits::within_limit;
use super::ports::{EventOutbox, RateLimiter, UserChange, UserStore};
use crate::app::store::StoreError;
use crate::domain::rate_limit::{SIGNUP_MAILS_PER_ADDRESS, SIGNUP_PER_IP};
use crate::domain::validation::Checker;
use crate::domain::{Email, Event, EventKind, Timestamp, User, password};

/// An e-mail address and a password, as typed.
#[derive(Debug)]
pub struct Credentials {
    pub email: String,
    pub password: String,
}

/// Creates a customer account and asks for its address to be verified.
///
/// The outcome looks the same whether or not the address already has an account:
/// the password is hashed either way, and a taken address gets an e-mail telling
/// its owner (or a fresh verification link) instead of a new account.
pub async fn signup(
    store: &(impl UserStore + EventOutbox + RateLimiter),
    input: Credentials,
    source_ip: &str,
    now: Timestamp,
) -> Result<(), AccountsError> {
    within_limit(store, SIGNUP_PER_IP, source_ip, now).await?;
    let mut checker = Checker::default();
    let email = checker.check("email", Email::parse(&input.email));
    checker.check("password", password::check(&input.password));
    checker.finish()?;
    let email = email.expect("checked above");
    let hash = password::hash(&input.password);

    // An account that expired unverified is gone, whether or not TTL deleted it yet.
    if let Some(existing) = store.find_by_email(&email).await?.filter(|u| !u.is_expired(now)) {
        return tell_owner(store, &existing, now).await;
    }
    let user = User::sign_up(email.clone(), hash, now);
    let event = Event::new(EventKind::UserSignedUp { user_id: user.id }, now);
    if !store.create(&user, Some(&event), None).await? {
        // Lost a race with another sign-up for the same address.
        let existing = store
            .find_by_email(&email)
            .await?
            .ok_or_else(|| StoreError::Corrupt(format!("e-mail claim for {} without its user", email.as_str())))?;
        return tell_owner(store, &existing, now).await;
    }
    Ok(())
}

/// Tells the owner of a taken address, at most [`SIGNUP_MAILS_PER_ADDRESS`]
/// times a day. Beyond that the sign-up answers the same and mails nobody.
async fn tell_owner(
    store: &(impl UserStore + EventOutbox + RateLimiter),
    owner: &User,
    now: Timestamp,
) -> Result<(), AccountsError> {
    if store.over(SIGNUP_MAILS_PER_ADDRESS, owner.email.as_str(), now).await?.is_some() {
        return Ok(());
    }
    let event = Event::new(EventKind::SignupRepeated { user_id: owner.id }, now);
    if owner.email_verified {
        store.publish(&event).await?;
        return Ok(());
    }
    // Unverified: whoever signed up first may not own the address. Moving the
    // epoch kills every link sent so far, and the owner is sent a link to choose
    // the password (see notifications).
    let next = owner.next(now, |u| u.session_epoch += 1);
    match store.update(UserChange::new(owner, &next)).await {
        Ok(()) => {}
        // Changed meanwhile (verified, or another sign-up): tell the owner all the same.
        Err(StoreError::VersionMismatch { .. }) => {}
        Err(other) => return Err(other.into()),
    }
    store.publish(&event).await?;
    Ok(())
}
