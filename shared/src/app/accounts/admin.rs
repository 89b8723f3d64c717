//! `GET /admin/users`, `PATCH /admin/users/{id}` and the operator's first admin.

use super::error::{AccountsError, stale_user};
use super::ports::{UserChange, UserStore};
use crate::app::error::CommonError;
use crate::app::store::{Page, StoreError};
use crate::domain::{AuditRecord, Email, FieldError, Invalid, Principal, Role, Timestamp, User, UserId, password};
use serde_json::json;

fn admin_only(principal: &Principal) -> Result<(), AccountsError> {
    if principal.is_admin() { Ok(()) } else { Err(CommonError::forbidden(Role::Admin).into()) }
}

pub async fn list_users(
    store: &impl UserStore,
    principal: &Principal,
    limit: u16,
    cursor: Option<&str>,
) -> Result<Page<User>, AccountsError> {
    admin_only(principal)?;
    Ok(store.list(limit, cursor).await?)
}

/// What an admin changes about a user: `None` leaves it as it is.
#[derive(Debug, Default)]
pub struct UserChanges {
    pub role: Option<Role>,
    pub disabled: Option<bool>,
}

/// What an audit record shows of a user: the fields admins change.
fn audited(user: &User) -> serde_json::Value {
    json!({"role": user.role.as_str(), "disabled": user.disabled, "email_verified": user.email_verified})
}

/// An admin changes another user's role or disables them. Disabling also ends the
/// user's sessions; a role change reaches their tokens at the next refresh.
pub async fn change_user(
    store: &impl UserStore,
    principal: &Principal,
    id: UserId,
    expected_version: Option<u64>,
    changes: UserChanges,
    now: Timestamp,
) -> Result<User, AccountsError> {
    admin_only(principal)?;
    if principal.subject == id.to_string() {
        return Err(AccountsError::CannotChangeSelf);
    }
    let user = store.get(id).await?.ok_or(CommonError::NotFound)?;
    if let Some(expected) = expected_version.filter(|v| *v != user.version) {
        return Err(stale_user(expected, user.version));
    }
    let next = user.next(now, |u| {
        if let Some(role) = changes.role {
            // Tokens carry the role: sessions from before a change must end.
            if role != u.role {
                u.session_epoch += 1;
            }
            u.role = role;
        }
        if let Some(disabled) = changes.disabled {
            if disabled && !u.disabled {
                u.session_epoch += 1;
            }
            u.disabled = disabled;
        }
    });
    let audit =
        AuditRecord::new(&principal.subject, "user.updated", format!("user:{id}"), audited(&user), audited(&next), now);
    match store.update(UserChange { audit: Some(&audit), ..UserChange::new(&user, &next) }).await {
        Ok(()) => Ok(next),
        Err(StoreError::VersionMismatch { current }) => Err(stale_user(user.version, current)),
        Err(other) => Err(other.into()),
    }
}

/// Makes `email` an admin: promotes the account if it exists (its password stays),
/// otherwise creates a verified admin with `password`. For a fresh deployment,
/// where no admin exists yet to do it through the API. Audited as `actor`.
pub async fn bootstrap_admin(
    store: &impl UserStore,
    actor: &str,
    email: &str,
    password_text: &str,
    now: Timestamp,
) -> Result<(User, bool), AccountsError> {
    let email = Email::parse(email).map_err(|m| Invalid(vec![FieldError::new("email", m)]))?;
    if let Some(user) = store.find_by_email(&email).await? {
        let next = user.next(now, |u| {
            u.role = Role::Admin;
            u.disabled = false;
        });
        let audit =
            AuditRecord::new(actor, "user.promoted", format!("user:{}", user.id), audited(&user), audited(&next), now);
        store.update(UserChange { audit: Some(&audit), ..UserChange::new(&user, &next) }).await?;
        return Ok((next, false));
    }
    password::check(password_text).map_err(|m| Invalid(vec![FieldError::new("password", m)]))?;
    let mut user = User::sign_up(email, password::hash(password_text), now);
    user.role = Role::Admin;
    user.email_verified = true;
    let audit = AuditRecord::new(actor, "user.created", format!("user:{}", user.id), json!(null), audited(&user), now);
    if !store.create(&user, None, Some(&audit)).await? {
        return Err(StoreError::Unavailable("the address was claimed meanwhile; retry".into()).into());
    }
    Ok((user, true))
}
