//! `/me`: the signed-in user's own account.

use super::views::UserView;
use super::{TableAccess, now, signed_in_live, versioned};
use crate::app::accounts::{self, ProfileChanges};
use crate::inbound::http::{ApiError, Reply, json_body};
use lambda_http::Request;

/// `GET /me`
pub async fn get(ctx: &TableAccess, request: Request) -> Result<Reply, ApiError> {
    let principal = signed_in_live(&request, &ctx.verifier, &ctx.table).await?;
    let user = accounts::me(&ctx.table, &principal).await?;
    Ok(versioned(200, &UserView::new(&user), user.version))
}

/// `PATCH /me`: name, or password (with `current_password`).
pub async fn update(ctx: &TableAccess, request: Request) -> Result<Reply, ApiError> {
    let principal = signed_in_live(&request, &ctx.verifier, &ctx.table).await?;
    let changes: ProfileChanges = json_body(&request)?;
    let user = accounts::update_me(&ctx.table, &principal, changes, now()).await?;
    Ok(versioned(200, &UserView::new(&user), user.version))
}
