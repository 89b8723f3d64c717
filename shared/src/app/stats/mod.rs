//! Sales statistics: the stats job adds each order event to its day's counters
//! (at most once per event, so redelivered or re-published events change
//! nothing), and `GET /admin/stats` adds up a range of days. Nothing here scans
//! orders.

use crate::app::error::CommonError;
use crate::app::orders::ports::OrderStore;
use crate::app::store::StoreError;
use crate::domain::stats::{self, SalesCounts, SalesReport};
use crate::domain::validation::{Checker, Invalid};
use crate::domain::{Event, EventKind, Principal, Role, Timestamp};
use std::collections::BTreeMap;
use std::future::Future;
use time::Date;

/// The longest range one report may span, in days.
pub const MAX_DAYS: i64 = 366;
/// The range when the caller names none: the last 30 days, today included.
pub const DEFAULT_DAYS: i64 = 30;

/// The daily counters.
pub trait SalesStats {
    /// Adds `counts` to `day`'s counters, in one transaction with a mark that
    /// `event` was counted: `Ok(false)` when it had been, and nothing changed.
    fn count(
        &self,
        event: &Event,
        day: Date,
        counts: &SalesCounts,
        now: Timestamp,
    ) -> impl Future<Output = Result<bool, StoreError>>;
    /// The counters of the days in `from..=to` that have any.
    fn days(&self, from: Date, to: Date) -> impl Future<Output = Result<BTreeMap<Date, SalesCounts>, StoreError>>;
}

/// Counts one event from the stream. Order events that carry money read their
/// order first; anything else is not counted. Returns what this call added
/// (`None` when the event counts nothing or was counted already).
pub async fn record(
    store: &(impl SalesStats + OrderStore),
    event: &Event,
    now: Timestamp,
) -> Result<Option<SalesCounts>, StoreError> {
    let order = match &event.kind {
        EventKind::OrderPaid { order_id } | EventKind::OrderRefunded { order_id, .. } => {
            let order = store.get(*order_id).await?;
            if order.is_none() {
                tracing::warn!(event = %event.id, order = %order_id, "the event's order is missing; counted without amounts");
            }
            order
        }
        _ => None,
    };
    let Some(counts) = stats::contribution(event, order.as_ref()) else { return Ok(None) };
    if store.count(event, stats::day_of(event), &counts, now).await? {
        tracing::info!(event = %event.id, kind = event.kind.name(), "event counted");
        Ok(Some(counts))
    } else {
        tracing::info!(event = %event.id, "counted already; skipped");
        Ok(None)
    }
}

/// Which days to report: `from..=to`, UTC dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatsQuery {
    pub from: Date,
    pub to: Date,
}

impl StatsQuery {
    /// `from` and `to` are `YYYY-MM-DD`; `to` defaults to today and `from` to 29
    /// days before `to`. `granularity` may only be `day`.
    pub fn parse(
        from: Option<&str>,
        to: Option<&str>,
        granularity: Option<&str>,
        today: Date,
    ) -> Result<Self, Invalid> {
        let mut checker = Checker::default();
        let date = |value: &str| {
            Date::parse(value, time::macros::format_description!("[year]-[month]-[day]"))
                .map_err(|_| "must be a date, YYYY-MM-DD".to_owned())
        };
        let to = checker.check("to", to.map(date).transpose()).flatten().unwrap_or(today);
        let from = checker.check("from", from.map(date).transpose()).flatten();
        let from = from.unwrap_or_else(|| to.saturating_sub(time::Duration::days(DEFAULT_DAYS - 1)));
        let span = (to - from).whole_days() + 1;
        let window = if span < 1 {
            Err("must not be after `to`".to_owned())
        } else if span > MAX_DAYS {
            Err(format!("must be at most {} days before `to`", MAX_DAYS - 1))
        } else {
            Ok(())
        };
        checker.check("from", window);
        let granularity = match granularity {
            None | Some("day") => Ok(()),
            Some(_) => Err("must be `day`".to_owned()),
        };
        checker.check("granularity", granularity);
        checker.finish()?;
        Ok(Self { from, to })
    }
}

/// Admins only: revenue and best sellers are the shop's business figures.
pub async fn report(
    store: &impl SalesStats,
    principal: &Principal,
    query: StatsQuery,
) -> Result<SalesReport, CommonError> {
    if !principal.is_admin() {
        return Err(CommonError::forbidden(Role::Admin));
    }
    let days = store.days(query.from, query.to).await?;
    Ok(SalesReport::new(query.from, query.to, days))
}
