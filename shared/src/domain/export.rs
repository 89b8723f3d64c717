//! Order exports: what an admin asks for (a window of order creation times,
//! optionally one status), how far the export job got, and the CSV it writes.

use super::id::ExportId;
use super::order::{Order, OrderStatus};
use super::timestamp::{Timestamp, format_timestamp};
use super::validation::{self, Checker, Invalid};
use time::Duration;

/// The widest window one export may span.
pub const MAX_WINDOW: Duration = Duration::days(366);
/// How long a download link works once handed out.
pub const LINK_VALIDITY: Duration = Duration::minutes(10);
/// How long the file is kept (the bucket's lifecycle rule deletes it then).
pub const FILE_RETENTION: Duration = Duration::days(7);
/// Attempts the job makes before it marks the export failed.
pub const MAX_ATTEMPTS: u32 = 3;

/// An export as an admin asked for it: [`ExportRequest::parse`] checks it.
#[derive(Debug, Clone)]
pub struct ExportRequest {
    pub from: String,
    pub to: String,
    pub status: Option<String>,
}

/// What to export: orders created in `[from, to)`, of one status or all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExportFilter {
    pub from: Timestamp,
    pub to: Timestamp,
    pub status: Option<OrderStatus>,
}

impl ExportRequest {
    pub fn parse(&self) -> Result<ExportFilter, Invalid> {
        let mut checker = Checker::default();
        let time = |value: &str| {
            time::OffsetDateTime::parse(value, &time::format_description::well_known::Rfc3339)
                .map(|t| t.to_offset(time::UtcOffset::UTC))
                .map_err(|_| "must be an RFC 3339 time, e.g. 2026-11-01T00:00:00Z".to_owned())
        };
        let from = checker.check("from", time(&self.from));
        let to = checker.check("to", time(&self.to));
        let status = self
            .status
            .as_deref()
            .map(|s| {
                OrderStatus::parse(s).ok_or_else(|| {
                    "must be pending_payment, paid, fulfilled, cancelled, refunded or partially_refunded".to_owned()
                })
            })
            .transpose();
        let status = checker.check("status", status).flatten();
        if let (Some(from), Some(to)) = (from, to) {
            checker.check("from", validation::window(from, to, MAX_WINDOW));
        }
        checker.finish()?;
        Ok(ExportFilter { from: from.expect("checked"), to: to.expect("checked"), status })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportState {
    Queued,
    Running,
    Done,
    Failed,
}

impl ExportState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Running => "running",
            Self::Done => "done",
            Self::Failed => "failed",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        [Self::Queued, Self::Running, Self::Done, Self::Failed].into_iter().find(|s| s.as_str() == value)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderExport {
    pub id: ExportId,
    pub requested_by: String,
    pub filter: ExportFilter,
    pub state: ExportState,
    /// Orders and CSV rows (one per line item) written so far.
    pub orders: u64,
    pub rows: u64,
    /// Runs of the job so far.
    pub attempts: u32,
    pub failure: Option<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub completed_at: Option<Timestamp>,
}

impl OrderExport {
    pub fn new(filter: ExportFilter, requested_by: &str, now: Timestamp) -> Self {
        Self {
            id: ExportId::generate(),
            requested_by: requested_by.to_owned(),
            filter,
            state: ExportState::Queued,
            orders: 0,
            rows: 0,
            attempts: 0,
            failure: None,
            created_at: now,
            updated_at: now,
            completed_at: None,
        }
    }

    /// A new run starts from the beginning: the file is written again whole.
    pub fn started(&self, now: Timestamp) -> Self {
        Self {
            state: ExportState::Running,
            orders: 0,
            rows: 0,
            attempts: self.attempts + 1,
            updated_at: now,
            ..self.clone()
        }
    }

    pub fn progressed(&self, orders: u64, rows: u64, now: Timestamp) -> Self {
        Self { orders, rows, updated_at: now, ..self.clone() }
    }

    pub fn done(&self, orders: u64, rows: u64, now: Timestamp) -> Self {
        Self { state: ExportState::Done, orders, rows, updated_at: now, completed_at: Some(now), ..self.clone() }
    }

    pub fn failed(&self, reason: &str, now: Timestamp) -> Self {
        Self { state: ExportState::Failed, failure: Some(reason.to_owned()), updated_at: now, ..self.clone() }
    }

    /// Whether the file can still be downloaded.
    pub fn downloadable(&self, now: Timestamp) -> bool {
        self.state == ExportState::Done && self.completed_at.is_some_and(|done| now < done + FILE_RETENTION)
    }

    pub fn file_name(&self) -> String {
        format!("orders-{}.csv", self.id)
    }

    /// Where the file is kept in the bucket.
    pub fn file_key(&self) -> String {
        format!("exports/{}.csv", self.id)
    }
}

/// The CSV's columns: one row per line item, the order's figures repeated on
/// each. Money is a decimal in the row's currency (`12.50`, `1200` for JPY).
/// Tax and shipping are columns of their own, apart from the goods: with
/// `prices_include_tax` true the amounts hold their tax, else it comes on top.
pub const CSV_HEADER: &str = "order_id,created_at,status,customer,currency,line,product_id,sku,product_name,\
unit_price,quantity,line_total,line_discount,line_tax_rate,line_tax,order_subtotal,discount_code,order_discount,\
shipping_method,order_shipping,order_tax,prices_include_tax,order_total,refunded,paid_at,fulfilled_at,cancelled_at,\
ship_to_name,ship_to_address,ship_to_postal_code,ship_to_country\r\n";

/// The rows of one order, RFC 4180: comma-separated, CRLF line ends, fields with
/// a comma, quote or line break quoted (quotes doubled). Free text a spreadsheet
/// would run as a formula (`=`, `+`, `-`, `@` first) is prefixed with `'`.
pub fn csv_rows(order: &Order) -> String {
    let money = |minor: i64| order.currency.decimal(minor);
    let time = |at: Option<Timestamp>| at.map(format_timestamp).unwrap_or_default();
    let ship_to = order.shipping_address.as_ref();
    let mut out = String::new();
    for (number, line) in order.lines.iter().enumerate() {
        let fields = [
            order.id.to_string(),
            format_timestamp(order.created_at),
            order.status.as_str().to_owned(),
            text(&order.customer),
            order.currency.code().to_owned(),
            (number + 1).to_string(),
            line.product_id.to_string(),
            text(&line.sku),
            text(&line.name),
            money(line.unit_price),
            line.quantity.to_string(),
            money(line.total),
            money(line.discount),
            line.tax_rate.percent(),
            money(line.tax),
            money(order.subtotal),
            order.discount.as_ref().map(|d| text(d.code.as_str())).unwrap_or_default(),
            money(order.discount.as_ref().map_or(0, |d| d.amount)),
            order.shipping.as_ref().map(|s| text(&s.name)).unwrap_or_default(),
            money(order.shipping.as_ref().map_or(0, |s| s.amount)),
            money(order.tax),
            order.prices_include_tax.to_string(),
            money(order.total),
            money(order.refunded),
            time(order.paid_at),
            time(order.fulfilled_at),
            time(order.cancelled_at),
            ship_to.as_ref().map(|a| text(a.name())).unwrap_or_default(),
            ship_to.as_ref().map(|a| text(&a.street_lines().join(", "))).unwrap_or_default(),
            ship_to.as_ref().and_then(|a| a.postal_code()).map(text).unwrap_or_default(),
            ship_to.as_ref().map(|a| a.country().code().to_owned()).unwrap_or_default(),
        ];
        let quoted: Vec<String> = fields.iter().map(|f| quote(f)).collect();
        out.push_str(&quoted.join(","));
        out.push_str("\r\n");
    }
    out
}

fn text(value: &str) -> String {
    if value.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{value}") } else { value.to_owned() }
}

fn quote(field: &str) -> String {
    if field.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(from: &str, to: &str, status: Option<&str>) -> Result<ExportFilter, Invalid> {
        ExportRequest { from: from.into(), to: to.into(), status: status.map(Into::into) }.parse()
    }

    fn fields(result: Result<ExportFilter, Invalid>) -> Vec<String> {
        result.unwrap_err().0.into_iter().map(|e| e.field).collect()
    }

    #[test]
    fn a_window_is_checked_and_each_bad_field_is_named() {
        let ok = request("2026-11-01T00:00:00+01:00", "2026-11-22T00:00:00Z", Some("paid")).unwrap();
        assert_eq!(ok.from, time::macros::datetime!(2026-10-31 23:00 UTC), "kept in UTC");
        assert_eq!(ok.status, Some(OrderStatus::Paid));
        assert_eq!(fields(request("yesterday", "2026-11-22T00:00:00Z", Some("lost"))), ["from", "status"]);
        assert_eq!(fields(request("2026-11-22T00:00:00Z", "2026-11-01T00:00:00Z", None)), ["from"]);
        assert_eq!(fields(request("2024-01-01T00:00:00Z", "2026-01-01T00:00:00Z", None)), ["from"]);
    }

    #[test]
    fn fields_are_quoted_as_rfc_4180_says_and_formulas_are_defused() {
        assert_eq!(quote("plain"), "plain");
        assert_eq!(quote("Mug, large"), "\"Mug, large\"");
        assert_eq!(quote("12\" ruler"), "\"12\"\" ruler\"");
        assert_eq!(quote("two\nlines"), "\"two\nlines\"");
        assert_eq!(text("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(text("Mug"), "Mug");
        assert_eq!(CSV_HEADER.split(',').count(), 31);
    }
}
