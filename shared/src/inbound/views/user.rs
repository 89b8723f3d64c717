//! Users as they and admins see them.

use crate::domain::{User, format_timestamp};
use serde::Serialize;

/// A user as they and admins see it; the password hash never leaves the store.
#[derive(Serialize, utoipa::ToSchema)]
pub struct UserView {
    id: String,
    email: String,
    #[schema(required = true)]
    name: Option<String>,
    role: &'static str,
    email_verified: bool,
    disabled: bool,
    version: u64,
    created_at: String,
    updated_at: String,
}

impl UserView {
    pub fn new(user: &User) -> Self {
        Self {
            id: user.id.to_string(),
            email: user.email.as_str().to_owned(),
            name: user.name.clone(),
            role: user.role.as_str(),
            email_verified: user.email_verified,
            disabled: user.disabled,
            version: user.version,
            created_at: format_timestamp(user.created_at),
            updated_at: format_timestamp(user.updated_at),
        }
    }
}
