//! The audit trail: append-only records of what staff and admins did.

use super::id::AuditId;
use super::timestamp::Timestamp;

/// The serde form is the archived copy's (docs/security.md, "Audit records"):
/// every field, so a copy compares whole with the record in the table.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct AuditRecord {
    pub id: AuditId,
    #[serde(with = "super::timestamp::timestamp_serde")]
    pub at: Timestamp,
    /// The acting user id, or `system:<tool>` for operator commands.
    pub actor: String,
    /// What was done, e.g. `user.updated`.
    pub action: String,
    /// What it was done to, e.g. `user:<id>`.
    pub target: String,
    pub before: serde_json::Value,
    pub after: serde_json::Value,
}

impl AuditRecord {
    pub fn new(
        actor: impl Into<String>,
        action: &'static str,
        target: impl Into<String>,
        before: serde_json::Value,
        after: serde_json::Value,
        now: Timestamp,
    ) -> Self {
        Self {
            id: AuditId::generate(),
            at: now,
            actor: actor.into(),
            action: action.to_owned(),
            target: target.into(),
            before,
            after,
        }
    }
}
