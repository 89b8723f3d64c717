use crate::app::store::StoreError;
use crate::domain::Invalid;

/// Every way an accounts use case can fail; the HTTP layer maps each to one status.
#[derive(Debug, thiserror::Error)]
pub enum AccountsError {
    #[error("invalid input: {0}")]
    Invalid(#[from] Invalid),
    /// Wrong address or wrong password: deliberately indistinguishable.
    #[error("e-mail or password is wrong")]
    InvalidCredentials,
    #[error("the e-mail address is not verified yet")]
    EmailNotVerified,
    #[error("this account is disabled")]
    AccountDisabled,
    #[error("the refresh token is invalid or expired")]
    InvalidRefreshToken,
    /// A spent refresh token came back: its session is now revoked.
    #[error("the refresh token was already used; the session is revoked")]
    RefreshTokenReused,
    /// A verification or reset token that is unknown, spent or expired.
    #[error("the token is invalid, used or expired")]
    InvalidToken,
    #[error("the current password is wrong")]
    WrongPassword,
    #[error("too many attempts; retry in {retry_after} s")]
    RateLimited { retry_after: u64 },
    #[error("this needs the admin role")]
    Forbidden,
    #[error("user not found")]
    NotFound,
    #[error("admins cannot change their own role or disable themselves")]
    CannotChangeSelf,
    #[error("the user changed since version {expected}; it is now at version {current}")]
    StaleVersion { expected: u64, current: u64 },
    #[error("invalid cursor")]
    BadCursor,
    #[error(transparent)]
    Store(StoreError),
}

impl From<StoreError> for AccountsError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::BadCursor => Self::BadCursor,
            other => Self::Store(other),
        }
    }
}
