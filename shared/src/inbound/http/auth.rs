//! `/auth/*` endpoints: sign-up, verification, sign-in, refresh, logout and
//! password recovery. None needs an access token.

use super::context::{SignIn, TableAccess};
use super::now;
use super::problem::ApiError;
use super::request::{RequestExtras, json_body};
use super::response::{Reply, json, no_content};
use crate::app::accounts::{self, SignedIn};
use crate::domain::format_timestamp;
use lambda_http::Request;
use lambda_http::http::StatusCode;
use serde::{Deserialize, Serialize};

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Credentials {
    #[schema(
        max_length = 254,
        pattern = "^[^\\s@\\x00-\\x1F\\x7F-\\x9F]{1,64}@[^\\s@.\\x00-\\x1F\\x7F-\\x9F]+(\\.[^\\s@.\\x00-\\x1F\\x7F-\\x9F]+)+$"
    )]
    email: String,
    #[schema(min_length = 8, max_length = 128)]
    password: String,
}

impl Credentials {
    fn into_domain(self) -> accounts::Credentials {
        accounts::Credentials { email: self.email, password: self.password }
    }
}

#[derive(Serialize, utoipa::ToSchema)]
struct Accepted {
    message: &'static str,
}

#[derive(Serialize, utoipa::ToSchema)]
struct TokensView {
    access_token: String,
    token_type: &'static str,
    expires_in: i64,
    refresh_token: String,
    refresh_expires_at: String,
}

/// Tokens are credentials: no cache may keep them.
fn tokens_reply(signed_in: SignedIn) -> Reply {
    let mut reply = json(
        StatusCode::OK,
        &TokensView {
            access_token: signed_in.access_token,
            token_type: "Bearer",
            expires_in: signed_in.expires_in,
            refresh_token: signed_in.refresh_token,
            refresh_expires_at: format_timestamp(signed_in.refresh_expires_at),
        },
    );
    reply.headers_mut().insert("cache-control", "no-store".parse().expect("static header value"));
    reply
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct TokenBody {
    #[schema(pattern = "^[A-Za-z0-9_-]{43}$")]
    token: String,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct RefreshBody {
    refresh_token: String,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct LogoutBody {
    refresh_token: String,
    /// `true` ends every session of the token's user, on every device, not only
    /// this one. Needs the latest refresh token of a live session; a spent one
    /// ends only its own session.
    #[serde(default)]
    #[schema(default = false)]
    everywhere: bool,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct EmailBody {
    #[schema(
        max_length = 254,
        pattern = "^[^\\s@\\x00-\\x1F\\x7F-\\x9F]{1,64}@[^\\s@.\\x00-\\x1F\\x7F-\\x9F]+(\\.[^\\s@.\\x00-\\x1F\\x7F-\\x9F]+)+$"
    )]
    email: String,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct ResetBody {
    #[schema(pattern = "^[A-Za-z0-9_-]{43}$")]
    token: String,
    #[schema(min_length = 8, max_length = 128)]
    password: String,
}

/// `POST /auth/signup`: 202 whether or not the address already had an account.
#[utoipa::path(
    post,
    path = "/auth/signup",
    operation_id = "auth_signup",
    tag = "accounts",
    request_body = Credentials,
    responses(
        (status = 202, description = "Accepted; the same answer whether or not the address had an \
            account.", body = Accepted),
        (status = 429, description = "Problem `code`: `rate_limited`."),
    ),
)]
pub async fn signup(ctx: &TableAccess, request: Request) -> Result<Reply, ApiError> {
    let input = json_body::<Credentials>(&request)?.into_domain();
    accounts::signup(&ctx.table, input, &request.source_ip(), now()).await?;
    Ok(json(StatusCode::ACCEPTED, &Accepted { message: "check your inbox to confirm your e-mail address" }))
}

/// `POST /auth/verify-email` with the token from the e-mail.
#[utoipa::path(
    post,
    path = "/auth/verify-email",
    operation_id = "auth_verify_email",
    tag = "accounts",
    request_body = TokenBody,
    responses(
        (status = 204, description = "Verified."),
        (status = 400, description = "Problem `code`: `invalid_token`."),
    ),
)]
pub async fn verify_email(ctx: &TableAccess, request: Request) -> Result<Reply, ApiError> {
    let body: TokenBody = json_body(&request)?;
    let user = accounts::verify_email(&ctx.table, &body.token, now()).await?;
    // The address is proven: orders placed with it as a guest become the
    // account's. The verification stands even if this fails (it is logged).
    if let Err(error) = crate::app::orders::attach_guest_orders(&ctx.table, &user, now()).await {
        tracing::error!(%error, "guest orders could not be attached to the verified account");
    }
    Ok(no_content())
}

/// `POST /auth/login`
#[utoipa::path(
    post,
    path = "/auth/login",
    operation_id = "auth_login",
    tag = "accounts",
    request_body = Credentials,
    responses(
        (status = 200, description = "Signed in.", body = TokensView),
        (status = 401, description = "Problem `code`: `invalid_credentials`."),
        (status = 403, description = "Problem `code`: `email_not_verified`, `account_disabled`."),
        (status = 429, description = "Problem `code`: `rate_limited`."),
    ),
)]
pub async fn login(ctx: &SignIn, request: Request) -> Result<Reply, ApiError> {
    let input = json_body::<Credentials>(&request)?.into_domain();
    let signed_in = accounts::login(&ctx.table, &ctx.issuer, input, &request.source_ip(), now()).await?;
    Ok(tokens_reply(signed_in))
}

/// `POST /auth/refresh`: the refresh token is spent; use the new one next time.
#[utoipa::path(
    post,
    path = "/auth/refresh",
    operation_id = "auth_refresh",
    tag = "accounts",
    request_body = RefreshBody,
    responses(
        (status = 200, description = "New tokens; the refresh token sent is spent.", body = TokensView),
        (status = 401, description = "Problem `code`: `invalid_refresh_token`, `refresh_token_reused`."),
        (status = 403, description = "Problem `code`: `account_disabled`."),
    ),
)]
pub async fn refresh(ctx: &SignIn, request: Request) -> Result<Reply, ApiError> {
    let body: RefreshBody = json_body(&request)?;
    Ok(tokens_reply(accounts::refresh(&ctx.table, &ctx.issuer, &body.refresh_token, now()).await?))
}

/// `POST /auth/logout`: ends the session of the refresh token or, with
/// `"everywhere": true`, every session of its user (sign out everywhere).
///
/// The access tokens of an ended session stop working at once where the session
/// is checked: every call with a staff or admin token, and `/me`. A customer's
/// works on the other routes until it expires (at most 15 minutes). Signing out
/// everywhere also voids password-reset links sent before. An unknown or spent
/// token gets the same 204.
#[utoipa::path(
    post,
    path = "/auth/logout",
    operation_id = "auth_logout",
    tag = "accounts",
    request_body = LogoutBody,
    responses(
        (status = 204, description = "The session has ended (with `everywhere`, every session of the \
            user)."),
    ),
)]
pub async fn logout(ctx: &TableAccess, request: Request) -> Result<Reply, ApiError> {
    let body: LogoutBody = json_body(&request)?;
    accounts::logout(&ctx.table, &body.refresh_token, body.everywhere, now()).await?;
    Ok(no_content())
}

/// `POST /auth/password/forgot`: always 202.
#[utoipa::path(
    post,
    path = "/auth/password/forgot",
    operation_id = "auth_password_forgot",
    tag = "accounts",
    request_body = EmailBody,
    responses(
        (status = 202, description = "Accepted; the same answer whether or not the address has an \
            account.", body = Accepted),
        (status = 429, description = "Problem `code`: `rate_limited`."),
    ),
)]
pub async fn forgot_password(ctx: &TableAccess, request: Request) -> Result<Reply, ApiError> {
    let body: EmailBody = json_body(&request)?;
    accounts::forgot_password(&ctx.table, &body.email, &request.source_ip(), now()).await?;
    Ok(json(StatusCode::ACCEPTED, &Accepted { message: "if the address has an account, a reset link is on its way" }))
}

/// `POST /auth/password/reset` with the token from the e-mail and a new password.
#[utoipa::path(
    post,
    path = "/auth/password/reset",
    operation_id = "auth_password_reset",
    tag = "accounts",
    request_body = ResetBody,
    responses(
        (status = 204, description = "The password is changed and every session ended."),
        (status = 400, description = "Problem `code`: `invalid_token`."),
        (status = 429, description = "Problem `code`: `rate_limited`."),
    ),
)]
pub async fn reset_password(ctx: &TableAccess, request: Request) -> Result<Reply, ApiError> {
    let body: ResetBody = json_body(&request)?;
    accounts::reset_password(&ctx.table, &body.token, &body.password, &request.source_ip(), now()).await?;
    Ok(no_content())
}
