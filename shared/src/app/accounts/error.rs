use crate::app::error::{CommonError, shares_common_errors};

/// Every way an accounts use case can fail; the HTTP edge maps each to one status.
#[derive(Debug, thiserror::Error)]
pub enum AccountsError {
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
    #[error("admins cannot change their own role or disable themselves")]
    CannotChangeSelf,
    /// The access token is valid but its session is not: signed out, revoked,
    /// the password or role changed, or the account disabled.
    #[error("this session has ended; sign in again")]
    SessionEnded,
    #[error(transparent)]
    Common(#[from] CommonError),
}

shares_common_errors!(AccountsError);

pub(super) fn stale_user(expected: u64, current: u64) -> AccountsError {
    CommonError::StaleVersion { resource: "user", expected, current }.into()
}
