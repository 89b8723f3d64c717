//! `/admin/stats` (admins): sales per day, from the counters the stats job keeps.

use super::context::TableAccess;
use super::now;
use super::problem::ApiError;
use super::request::{RequestExtras, signed_in};
use super::response::{Reply, json};
use crate::app::stats::{self, StatsQuery};
use crate::inbound::views::StatsView;
use lambda_http::Request;
use lambda_http::http::StatusCode;

/// `GET /admin/stats?from&to&granularity=day`: UTC dates, both included; the last
/// 30 days by default, at most 366.
#[utoipa::path(
    get,
    path = "/admin/stats",
    operation_id = "admin_stats_get",
    tag = "admin",
    security(("bearer" = ["admin"])),
    params(
        ("from" = Option<String>, Query, format = Date, description = "First UTC day; 29 days before `to` by default."),
        ("to" = Option<String>, Query, format = Date, description = "Last UTC day, included; today by default. \
            At most 366 days."),
        ("granularity" = Option<String>, Query, pattern = "^day$", description = "`day` (the only one)."),
    ),
    responses(
        (status = 200, description = "Sales per day and in total.", body = StatsView),
    ),
)]
pub async fn get(ctx: &TableAccess, request: Request) -> Result<Reply, ApiError> {
    let principal = signed_in(&request, &ctx.verifier, &ctx.table).await?;
    let [from, to, granularity] = ["from", "to", "granularity"].map(|name| request.query_param(name));
    let query = StatsQuery::parse(from.as_deref(), to.as_deref(), granularity.as_deref(), now().date())
        .map_err(ApiError::invalid_query)?;
    let report = stats::report(&ctx.table, &principal, query).await?;
    Ok(json(StatusCode::OK, &StatsView::new(&report)))
}
