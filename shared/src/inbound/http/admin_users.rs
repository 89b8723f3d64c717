//! `/admin/users`: admins list users, change roles and disable accounts.

use super::context::TableAccess;
use super::now;
use super::problem::ApiError;
use super::request::{RequestExtras, json_body, page_limit, signed_in};
use super::response::{Reply, json, versioned};
use crate::app::accounts;
use crate::domain::{Role, UserId};
use crate::inbound::views::{PageView, UserView};
use lambda_http::Request;
use lambda_http::http::StatusCode;
use serde::Deserialize;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserChanges {
    role: Option<Role>,
    disabled: Option<bool>,
}

impl UserChanges {
    fn into_domain(self) -> accounts::UserChanges {
        accounts::UserChanges { role: self.role, disabled: self.disabled }
    }
}

/// `GET /admin/users`: oldest first, `limit` and `cursor` as every listing.
#[utoipa::path(
    get,
    path = "/admin/users",
    operation_id = "admin_users_list",
    tag = "admin",
    security(("bearer" = ["admin"])),
    params(super::params::PageParams),
    responses(
        (status = 200, description = "A page of users, oldest first.", body = PageView<UserView>),
    ),
)]
pub async fn list(ctx: &TableAccess, request: Request) -> Result<Reply, ApiError> {
    let principal = signed_in(&request, &ctx.verifier, &ctx.table).await?;
    let cursor = request.query_param("cursor");
    let page = accounts::list_users(&ctx.table, &principal, page_limit(&request)?, cursor.as_deref()).await?;
    let items = page.items.iter().map(UserView::new).collect();
    Ok(json(StatusCode::OK, &PageView { items, next_cursor: page.next_cursor }))
}

/// `PATCH /admin/users/{id}`: `role` and/or `disabled`; `If-Match` optional.
#[utoipa::path(
    patch,
    path = "/admin/users/{id}",
    operation_id = "admin_users_update",
    tag = "admin",
    security(("bearer" = ["admin"])),
    params(
        super::params::UserPath,
        super::params::IfMatch,
    ),
    request_body = UserChanges,
    responses(
        (status = 200, description = "Changed.", body = UserView),
        (status = 409, description = "Problem `code`: `cannot_change_self`."),
    ),
)]
pub async fn update(ctx: &TableAccess, request: Request) -> Result<Reply, ApiError> {
    let principal = signed_in(&request, &ctx.verifier, &ctx.table).await?;
    let id: UserId = request.path_param("id")?;
    let expected = request.if_match()?;
    let changes = json_body::<UserChanges>(&request)?.into_domain();
    let user = accounts::change_user(&ctx.table, &principal, id, expected, changes, now()).await?;
    Ok(versioned(StatusCode::OK, &UserView::new(&user), user.version))
}
