//! Sales statistics as admins read them.

use crate::domain::stats::{ProductSales, SalesCounts, SalesReport};
use serde::Serialize;

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
    /// What customers paid for orders paid: `revenue + tax + shipping`.
    gross: i64,
    /// The goods sold, after discounts, without tax or shipping.
    revenue: i64,
    /// Tax charged on goods and shipping.
    tax: i64,
    /// Shipping charged, without its tax.
    shipping: i64,
    /// Money given back, tax included.
    refunded: i64,
    /// `gross - refunded`.
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
                    gross: sales.gross,
                    revenue: sales.revenue,
                    tax: sales.tax,
                    shipping: sales.shipping,
                    refunded: sales.refunded,
                    net: sales.gross - sales.refunded,
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
