//! `/admin/audit` (admins): the audit trail, newest first.

use super::views::{AuditView, PageView};
use super::{TableAccess, now, page_limit, signed_in, timestamp_param};
use crate::app::audit::{self, AuditQuery};
use crate::inbound::http::{ApiError, Reply, RequestExtras, json};
use lambda_http::Request;

/// `GET /admin/audit?from&to&actor&action&target`: `[from, to)` defaults to the
/// last 30 days and spans at most 366; `limit` and `cursor` as every listing.
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
    Ok(json(200, &PageView { items, next_cursor: page.next_cursor }))
}
