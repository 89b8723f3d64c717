//! The failures every context shares. Each context's error holds its own words
//! (`SkuTaken`, `OutOfStock`, `InvalidCredentials`, …) plus one
//! `#[error(transparent)] Common(CommonError)`, so the HTTP edge maps these once.

use super::store::StoreError;
use crate::domain::{Invalid, Role};

#[derive(Debug, thiserror::Error)]
pub enum CommonError {
    #[error("invalid input: {0}")]
    Invalid(#[from] Invalid),
    /// The caller is signed in but their role is below `needs`.
    #[error("this needs the {} role", needs_text(*.needs))]
    Forbidden { needs: Role },
    #[error("not found")]
    NotFound,
    /// The client edited an older version than the stored one.
    #[error("the {resource} changed since version {expected}; it is now at version {current}")]
    StaleVersion { resource: &'static str, expected: u64, current: u64 },
    /// The pagination cursor did not come from this listing.
    #[error("invalid cursor")]
    BadCursor,
    #[error(transparent)]
    Store(StoreError),
}

impl CommonError {
    pub fn forbidden(needs: Role) -> Self {
        Self::Forbidden { needs }
    }
}

fn needs_text(role: Role) -> &'static str {
    match role {
        Role::Customer => "customer",
        Role::Staff => "staff or admin",
        Role::Admin => "admin",
    }
}

impl From<StoreError> for CommonError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound => Self::NotFound,
            StoreError::BadCursor => Self::BadCursor,
            other => Self::Store(other),
        }
    }
}

/// The conversions every context error has: a port's [`StoreError`] and a domain
/// [`Invalid`] become its `Common` variant, so `?` works on both.
macro_rules! shares_common_errors {
    ($error:ty) => {
        impl From<$crate::app::store::StoreError> for $error {
            fn from(error: $crate::app::store::StoreError) -> Self {
                Self::Common(error.into())
            }
        }

        impl From<$crate::domain::Invalid> for $error {
            fn from(invalid: $crate::domain::Invalid) -> Self {
                Self::Common(invalid.into())
            }
        }
    };
}
pub(crate) use shares_common_errors;
