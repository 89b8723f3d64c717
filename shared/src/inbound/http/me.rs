//! `/me`: the signed-in user's own account.

use super::context::TableAccess;
use super::merge_patch::present;
use super::now;
use super::problem::ApiError;
use super::request::{json_body, signed_in_live};
use super::response::{Reply, versioned};
use crate::app::accounts;
use crate::inbound::views::UserView;
use lambda_http::Request;
use lambda_http::http::StatusCode;
use serde::Deserialize;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProfileChanges {
    /// A display name; `null` removes it.
    #[serde(default, deserialize_with = "present")]
    #[schema(min_length = 1, max_length = 100, pattern = "^[^\\x00-\\x08\\x0B-\\x1F\\x7F-\\x9F]*$")]
    name: Option<Option<String>>,
    #[schema(min_length = 8, max_length = 128)]
    new_password: Option<String>,
    /// Required with `new_password`.
    #[schema(max_length = 128)]
    current_password: Option<String>,
}

impl ProfileChanges {
    fn into_domain(self) -> accounts::ProfileChanges {
        let Self { name, new_password, current_password } = self;
        accounts::ProfileChanges { name, new_password, current_password }
    }
}

/// `GET /me`
#[utoipa::path(
    get,
    path = "/me",
    operation_id = "me_get",
    tag = "accounts",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Your account.", body = UserView),
        (status = 404, description = "Problem `code`: `not_found`: the token's account no longer exists."),
    ),
)]
pub async fn get(ctx: &TableAccess, request: Request) -> Result<Reply, ApiError> {
    let principal = signed_in_live(&request, &ctx.verifier, &ctx.table).await?;
    let user = accounts::me(&ctx.table, &principal).await?;
    Ok(versioned(StatusCode::OK, &UserView::new(&user), user.version))
}

/// `PATCH /me`: name, or password (with `current_password`).
#[utoipa::path(
    patch,
    path = "/me",
    operation_id = "me_update",
    tag = "accounts",
    security(("bearer" = [])),
    request_body = ProfileChanges,
    responses(
        (status = 200, description = "Changed.", body = UserView),
        (status = 403, description = "Problem `code`: `wrong_password`."),
        (status = 404, description = "Problem `code`: `not_found`: the token's account no longer exists."),
        (status = 429, description = "Problem `code`: `rate_limited`: too many password checks."),
        (status = 412, description = "Problem `code`: `version_mismatch`: a concurrent change won; read it again \
            and retry."),
    ),
)]
pub async fn update(ctx: &TableAccess, request: Request) -> Result<Reply, ApiError> {
    let principal = signed_in_live(&request, &ctx.verifier, &ctx.table).await?;
    let changes = json_body::<ProfileChanges>(&request)?.into_domain();
    let user = accounts::update_me(&ctx.table, &principal, changes, now()).await?;
    Ok(versioned(StatusCode::OK, &UserView::new(&user), user.version))
}
