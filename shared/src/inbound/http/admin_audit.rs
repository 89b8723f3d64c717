//! `/admin/audit` (admins): the audit trail, newest first.

use super::context::TableAccess;
use super::now;
use super::problem::ApiError;
use super::request::{RequestExtras, page_limit, signed_in, timestamp_param};
use super::response::{Reply, json};
use crate::app::audit::{self, AuditQuery};
use crate::inbound::views::{AuditView, PageView};
use lambda_http::Request;
use lambda_http::http::StatusCode;

/// `GET /admin/audit?from&to&actor&action&target`: `[from, to)` defaults to the
/// last 30 days and spans at most 366; `limit` and `cursor` as every listing.
#[utoipa::path(
    get,
    path = "/admin/audit",
    operation_id = "admin_audit_list",
    tag = "admin",
    security(("bearer" = ["admin"])),
    params(
        ("from" = Option<String>, Query, format = DateTime, description = "At or after (RFC 3339); 30 days \
            before `to` by default."),
        ("to" = Option<String>, Query, format = DateTime, description = "Before (RFC 3339); now by default. At \
            most 366 days after `from`."),
        ("actor" = Option<String>, Query, max_length = 200, description = "Only records by this user id."),
        ("action" = Option<String>, Query, max_length = 200, description = "Only this action, e.g. `order.refunded`."),
        ("target" = Option<String>, Query, max_length = 200, description = "Only records about this resource, e.g. `order/<id>`."),
        super::params::PageParams,
    ),
    responses(
        (status = 200, description = "A page of audit records, newest first.", body = PageView<AuditView>),
    ),
)]
pub async fn list(ctx: &TableAccess, request: Request) -> Result<Reply, ApiError> {
    let principal = signed_in(&request, &ctx.verifier, &ctx.table).await?;
    let filters = ["actor", "action", "target"].map(|name| request.query_param(name));
    let query = AuditQuery::parse(
        timestamp_param(&request, "from")?,
        timestamp_param(&request, "to")?,
        filters,
        page_limit(&request)?,
        now(),
    )
    .map_err(ApiError::invalid_query)?;
    let cursor = request.query_param("cursor");
    let page = audit::list(&ctx.table, &principal, &query, cursor.as_deref()).await?;
    let items = page.items.iter().map(AuditView::new).collect();
    Ok(json(StatusCode::OK, &PageView { items, next_cursor: page.next_cursor }))
}
