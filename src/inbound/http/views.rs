//! The JSON shapes the API returns.

use crate::app::exports::Download;
use crate::domain::money::MoneyInput;
use crate::domain::order::OrderLine;
use crate::domain::stats::{ProductSales, SalesCounts, SalesReport};
use crate::domain::webhook::{Attempt, SigningSecret};
use crate::domain::{
    AuditRecord, CancelReason, Delivery, Discount, DiscountValue, Order, OrderExport, Product, ProductImage, Shipment,
    User, WebhookEndpoint, format_timestamp,
};
use serde::Serialize;

/// Turns stored object keys into public URLs.
pub struct AssetUrls(String);

impl AssetUrls {
    pub fn new(base: String) -> Self {
        Self(base)
    }

    fn url(&self, key: &str) -> String {
        format!("{}/{key}", self.0)
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ProductView {
    id: String,
    sku: String,
    name: String,
    description: String,
    price: MoneyInput,
    stock: u32,
    max_per_order: u32,
    status: &'static str,
    #[schema(required = true)]
    category: Option<String>,
    images: Vec<ImageView>,
    version: u64,
    created_at: String,
    updated_at: String,
}

#[derive(Serialize, utoipa::ToSchema)]
struct ImageView {
    id: String,
    width: u32,
    height: u32,
    url: String,
    thumbnails: Vec<ThumbnailView>,
}

#[derive(Serialize, utoipa::ToSchema)]
struct ThumbnailView {
    edge: u32,
    width: u32,
    height: u32,
    url: String,
}

impl ProductView {
    pub fn new(p: &Product, assets: &AssetUrls) -> Self {
        Self {
            id: p.id.to_string(),
            sku: p.sku.as_str().to_owned(),
            name: p.name.clone(),
            description: p.description.clone(),
            price: p.price.to_input(),
            stock: p.stock,
            max_per_order: p.max_per_order,
            status: p.status.as_str(),
            category: p.category.as_ref().map(|c| c.as_str().to_owned()),
            images: p.images.iter().map(|i| image(i, assets)).collect(),
            version: p.version,
            created_at: format_timestamp(p.created_at),
            updated_at: format_timestamp(p.updated_at),
        }
    }
}

fn image(i: &ProductImage, assets: &AssetUrls) -> ImageView {
    ImageView {
        id: i.id.to_string(),
        width: i.width,
        height: i.height,
        url: assets.url(&i.original_key),
        thumbnails: i
            .thumbnails
            .iter()
            .map(|t| ThumbnailView { edge: t.edge, width: t.width, height: t.height, url: assets.url(&t.key) })
            .collect(),
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct PageView<T> {
    pub items: Vec<T>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// A user as they and admins see it; the password hash never leaves the store.
#[derive(Serialize, utoipa::ToSchema)]
pub struct UserView {
    id: String,
    email: String,
    #[schema(required = true)]
    name: Option<String>,
    role: &'static str,
    email_verified: bool,
    disabled: bool,
    version: u64,
    created_at: String,
    updated_at: String,
}

impl UserView {
    pub fn new(user: &User) -> Self {
        Self {
            id: user.id.to_string(),
            email: user.email.as_str().to_owned(),
            name: user.name.clone(),
            role: user.role.as_str(),
            email_verified: user.email_verified,
            disabled: user.disabled,
            version: user.version,
            created_at: format_timestamp(user.created_at),
            updated_at: format_timestamp(user.updated_at),
        }
    }
}

/// An order as its customer and staff see it. Amounts are minor units of `currency`.
#[derive(Serialize, utoipa::ToSchema)]
pub struct OrderView<'a> {
    id: String,
    customer: &'a str,
    status: &'static str,
    currency: &'static str,
    lines: &'a [OrderLine],
    subtotal: i64,
    #[schema(required = true)]
    discount: Option<DiscountApplied<'a>>,
    total: i64,
    refunded: i64,
    #[schema(required = true)]
    shipment: Option<&'a Shipment>,
    #[schema(required = true)]
    cancel_reason: Option<&'static str>,
    version: u64,
    created_at: String,
    updated_at: String,
    #[schema(required = true)]
    paid_at: Option<String>,
    #[schema(required = true)]
    fulfilled_at: Option<String>,
    #[schema(required = true)]
    cancelled_at: Option<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
struct DiscountApplied<'a> {
    code: &'a str,
    amount: i64,
}

impl<'a> OrderView<'a> {
    pub fn new(o: &'a Order) -> Self {
        Self {
            id: o.id.to_string(),
            customer: &o.customer,
            status: o.status.as_str(),
            currency: o.currency.code(),
            lines: &o.lines,
            subtotal: o.subtotal,
            discount: o.discount.as_ref().map(|d| DiscountApplied { code: d.code.as_str(), amount: d.amount }),
            total: o.total,
            refunded: o.refunded,
            shipment: o.shipment.as_ref(),
            cancel_reason: o.cancel_reason.map(CancelReason::as_str),
            version: o.version,
            created_at: format_timestamp(o.created_at),
            updated_at: format_timestamp(o.updated_at),
            paid_at: o.paid_at.map(format_timestamp),
            fulfilled_at: o.fulfilled_at.map(format_timestamp),
            cancelled_at: o.cancelled_at.map(format_timestamp),
        }
    }
}

/// A discount code as staff see it, with how often it has been used.
#[derive(Serialize, utoipa::ToSchema)]
pub struct DiscountView<'a> {
    code: &'a str,
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    percent: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    amount: Option<i64>,
    #[schema(required = true)]
    currency: Option<&'static str>,
    #[schema(required = true)]
    starts_at: Option<String>,
    #[schema(required = true)]
    ends_at: Option<String>,
    #[schema(required = true)]
    usage_limit: Option<u32>,
    uses: u32,
    once_per_customer: bool,
    active: bool,
    version: u64,
    created_at: String,
    updated_at: String,
}

impl<'a> DiscountView<'a> {
    pub fn new(d: &'a Discount) -> Self {
        let (kind, percent, amount, currency) = match d.value {
            DiscountValue::Percentage { percent, currency } => ("percentage", Some(percent), None, currency),
            DiscountValue::Fixed { amount, currency } => ("fixed", None, Some(amount), Some(currency)),
        };
        Self {
            code: d.code.as_str(),
            kind,
            percent,
            amount,
            currency: currency.map(|c| c.code()),
            starts_at: d.starts_at.map(format_timestamp),
            ends_at: d.ends_at.map(format_timestamp),
            usage_limit: d.usage_limit,
            uses: d.uses,
            once_per_customer: d.once_per_customer,
            active: d.active,
            version: d.version,
            created_at: format_timestamp(d.created_at),
            updated_at: format_timestamp(d.updated_at),
        }
    }
}

/// A webhook endpoint as admins see it. The signing secret appears only in the
/// answers to its creation and rotation.
#[derive(Serialize, utoipa::ToSchema)]
pub struct WebhookEndpointView<'a> {
    id: String,
    url: &'a str,
    events: Vec<String>,
    description: &'a str,
    enabled: bool,
    #[schema(required = true)]
    disabled_reason: Option<&'a str>,
    #[schema(required = true)]
    failing_since: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    secret: Option<String>,
    version: u64,
    created_at: String,
    updated_at: String,
}

impl<'a> WebhookEndpointView<'a> {
    pub fn new(e: &'a WebhookEndpoint) -> Self {
        Self {
            id: e.id.to_string(),
            url: e.url.as_str(),
            events: e.events.to_list(),
            description: &e.description,
            enabled: e.enabled,
            disabled_reason: e.disabled_reason.as_deref(),
            failing_since: e.failing_since.map(format_timestamp),
            secret: None,
            version: e.version,
            created_at: format_timestamp(e.created_at),
            updated_at: format_timestamp(e.updated_at),
        }
    }

    /// The view with the secret, shown this once.
    pub fn revealing(e: &'a WebhookEndpoint, secret: &SigningSecret) -> Self {
        Self { secret: Some(secret.expose()), ..Self::new(e) }
    }
}

/// One delivery and its attempts, newest last.
#[derive(Serialize, utoipa::ToSchema)]
pub struct DeliveryView<'a> {
    id: String,
    endpoint_id: String,
    event_type: &'a str,
    status: &'static str,
    attempts: &'a [Attempt],
    #[schema(required = true)]
    next_attempt_at: Option<String>,
    payload: &'a str,
    created_at: String,
    updated_at: String,
}

impl<'a> DeliveryView<'a> {
    pub fn new(d: &'a Delivery) -> Self {
        Self {
            id: d.event.to_string(),
            endpoint_id: d.endpoint.to_string(),
            event_type: &d.event_type,
            status: d.status.as_str(),
            attempts: &d.attempts,
            next_attempt_at: d.next_attempt_at.map(format_timestamp),
            payload: &d.payload,
            created_at: format_timestamp(d.created_at),
            updated_at: format_timestamp(d.updated_at),
        }
    }
}

/// One audit record: who did what to what, when, and the before and after.
#[derive(Serialize, utoipa::ToSchema)]
pub struct AuditView<'a> {
    id: String,
    at: String,
    actor: &'a str,
    action: &'a str,
    target: &'a str,
    before: &'a serde_json::Value,
    after: &'a serde_json::Value,
}

impl<'a> AuditView<'a> {
    pub fn new(r: &'a AuditRecord) -> Self {
        Self {
            id: r.id.to_string(),
            at: format_timestamp(r.at),
            actor: &r.actor,
            action: &r.action,
            target: &r.target,
            before: &r.before,
            after: &r.after,
        }
    }
}

/// `GET /admin/stats`: every day of the range, the totals, and per currency the
/// ten best sellers by units and by revenue.
#[derive(Serialize, utoipa::ToSchema)]
pub struct StatsView {
    from: String,
    to: String,
    granularity: &'static str,
    totals: SalesView,
    days: Vec<DayView>,
    top_products: Vec<TopProductsView>,
}

#[derive(Serialize, utoipa::ToSchema)]
struct DayView {
    date: String,
    #[serde(flatten)]
    sales: SalesView,
}

#[derive(Serialize, utoipa::ToSchema)]
struct SalesView {
    orders_placed: u64,
    orders_paid: u64,
    orders_cancelled: u64,
    refunds: u64,
    /// Minor units, by currency code.
    currencies: std::collections::BTreeMap<String, CurrencySalesView>,
}

#[derive(Serialize, utoipa::ToSchema)]
struct CurrencySalesView {
    revenue: i64,
    refunded: i64,
    net: i64,
    orders_paid: u64,
    average_order_value: i64,
}

#[derive(Serialize, utoipa::ToSchema)]
struct TopProductsView {
    currency: String,
    by_units: Vec<ProductSalesView>,
    by_revenue: Vec<ProductSalesView>,
}

#[derive(Serialize, utoipa::ToSchema)]
struct ProductSalesView {
    product_id: String,
    name: String,
    units: u64,
    revenue: i64,
}

impl SalesView {
    fn new(counts: &SalesCounts) -> Self {
        let currencies = counts
            .currencies
            .iter()
            .map(|(code, sales)| {
                let view = CurrencySalesView {
                    revenue: sales.revenue,
                    refunded: sales.refunded,
                    net: sales.revenue - sales.refunded,
                    orders_paid: sales.orders_paid,
                    average_order_value: sales.average_order_value(),
                };
                (code.clone(), view)
            })
            .collect();
        Self {
            orders_placed: counts.orders_placed,
            orders_paid: counts.orders_paid,
            orders_cancelled: counts.orders_cancelled,
            refunds: counts.refunds,
            currencies,
        }
    }
}

impl StatsView {
    pub fn new(report: &SalesReport) -> Self {
        let products = |list: &[(crate::domain::ProductId, ProductSales)]| {
            list.iter()
                .map(|(id, sales)| ProductSalesView {
                    product_id: id.to_string(),
                    name: sales.name.clone(),
                    units: sales.units,
                    revenue: sales.revenue,
                })
                .collect()
        };
        let currencies: std::collections::BTreeSet<&String> =
            report.totals.products.keys().map(|(currency, _)| currency).collect();
        let top_products = currencies
            .into_iter()
            .map(|currency| {
                let top = report.totals.top_products(currency);
                TopProductsView {
                    currency: currency.clone(),
                    by_units: products(&top.by_units),
                    by_revenue: products(&top.by_revenue),
                }
            })
            .collect();
        Self {
            from: report.from.to_string(),
            to: report.to.to_string(),
            granularity: "day",
            totals: SalesView::new(&report.totals),
            days: report
                .days
                .iter()
                .map(|(date, counts)| DayView { date: date.to_string(), sales: SalesView::new(counts) })
                .collect(),
            top_products,
        }
    }
}

/// An order export: its request, progress and, when done, the download link.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ExportView {
    id: String,
    status: &'static str,
    from: String,
    to: String,
    #[schema(required = true)]
    order_status: Option<&'static str>,
    orders: u64,
    rows: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    failure: Option<String>,
    requested_by: String,
    created_at: String,
    updated_at: String,
    #[schema(required = true)]
    completed_at: Option<String>,
    #[schema(required = true)]
    download: Option<DownloadView>,
}

#[derive(Serialize, utoipa::ToSchema)]
struct DownloadView {
    url: String,
    expires_at: String,
}

impl ExportView {
    pub fn new(e: &OrderExport, download: Option<&Download>) -> Self {
        Self {
            id: e.id.to_string(),
            status: e.state.as_str(),
            from: format_timestamp(e.filter.from),
            to: format_timestamp(e.filter.to),
            order_status: e.filter.status.map(crate::domain::OrderStatus::as_str),
            orders: e.orders,
            rows: e.rows,
            failure: e.failure.clone(),
            requested_by: e.requested_by.clone(),
            created_at: format_timestamp(e.created_at),
            updated_at: format_timestamp(e.updated_at),
            completed_at: e.completed_at.map(format_timestamp),
            download: download.map(|d| DownloadView { url: d.url.clone(), expires_at: format_timestamp(d.expires_at) }),
        }
    }
}
