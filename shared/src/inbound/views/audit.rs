//! The audit trail as admins read it.

use crate::domain::{AuditRecord, format_timestamp};
use serde::Serialize;

/// One audit record: who did what to what, when, and the before and after.
#[derive(Serialize, utoipa::ToSchema)]
pub struct AuditView<'a> {
    id: String,
    at: String,
    actor: &'a str,
    action: &'a str,
    target: &'a str,
    before: &'a serde_json::Value,
    after: &'a serde_json::Value,
}

impl<'a> AuditView<'a> {
    pub fn new(r: &'a AuditRecord) -> Self {
        Self {
            id: r.id.to_string(),
            at: format_timestamp(r.at),
            actor: &r.actor,
            action: &r.action,
            target: &r.target,
            before: &r.before,
            after: &r.after,
        }
    }
}
