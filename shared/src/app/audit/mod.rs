//! `GET /admin/audit`: the audit trail every staff and admin action and every
//! money movement writes, read back by admins; and its archive ([`archive`]),
//! where a record rewritten or expired in the table is found out.

use crate::app::error::CommonError;
use crate::app::store::{Page, StoreError};
use crate::domain::validation::{self, Checker, Invalid};
use crate::domain::{AuditRecord, Principal, Role, Timestamp};
use std::future::Future;
use time::Duration;

pub mod archive;

/// The widest window one listing may span.
pub const MAX_WINDOW: Duration = Duration::days(366);
/// The window when the caller names none: the last 30 days.
pub const DEFAULT_WINDOW: Duration = Duration::days(30);

/// Which records to list, newest first: `from <= at < to`, optionally only one
/// actor's, one action or one target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditQuery {
    pub from: Timestamp,
    pub to: Timestamp,
    pub actor: Option<String>,
    pub action: Option<String>,
    pub target: Option<String>,
    pub limit: u16,
}

impl AuditQuery {
    /// Checks the window: `to` defaults to `now`, `from` to 30 days before `to`.
    pub fn parse(
        from: Option<Timestamp>,
        to: Option<Timestamp>,
        filters: [Option<String>; 3],
        limit: u16,
        now: Timestamp,
    ) -> Result<Self, Invalid> {
        let to = to.unwrap_or(now);
        let from = from.unwrap_or(to - DEFAULT_WINDOW);
        let mut checker = Checker::default();
        checker.check("from", validation::window(from, to, MAX_WINDOW));
        let [actor, action, target] = filters.map(|f| f.filter(|v| !v.is_empty()));
        for (name, value) in [("actor", &actor), ("action", &action), ("target", &target)] {
            let too_long = value.as_ref().is_some_and(|v| v.chars().count() > 200);
            checker.check(name, if too_long { Err("must be at most 200 characters".into()) } else { Ok(()) });
        }
        checker.finish()?;
        Ok(Self { from, to, actor, action, target, limit })
    }
}

/// Reads the trail.
pub trait AuditTrail {
    fn list_audit(
        &self,
        query: &AuditQuery,
        cursor: Option<&str>,
    ) -> impl Future<Output = Result<Page<AuditRecord>, StoreError>>;
}

pub async fn list(
    store: &impl AuditTrail,
    principal: &Principal,
    query: &AuditQuery,
    cursor: Option<&str>,
) -> Result<Page<AuditRecord>, CommonError> {
    if !principal.is_admin() {
        return Err(CommonError::forbidden(Role::Admin));
    }
    Ok(store.list_audit(query, cursor).await?)
}
