//! Sales statistics: what one order event adds to the counters of the day it
//! happened on (UTC), and what a range of days adds up to. Pure: the stats job
//! stores the counters, `GET /admin/stats` reads them back.

use super::event::{Event, EventKind};
use super::id::ProductId;
use super::order::Order;
use std::collections::BTreeMap;
use time::Date;

/// How many products each ranking lists.
pub const TOP_PRODUCTS: usize = 10;

/// The counters of one day, or of one event (what it adds to its day), or of a
/// range of days. Amounts are integer minor units, per currency code.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SalesCounts {
    pub orders_placed: u64,
    pub orders_paid: u64,
    pub orders_cancelled: u64,
    /// Refunds recorded: an order refunded in two parts counts twice.
    pub refunds: u64,
    pub currencies: BTreeMap<String, CurrencySales>,
    /// Units and revenue of paid orders' lines, per (currency, product).
    pub products: BTreeMap<(String, ProductId), ProductSales>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CurrencySales {
    /// What customers paid: the totals of orders paid (`revenue + tax + shipping`).
    pub gross: i64,
    /// The goods sold, after discounts, without tax or shipping.
    pub revenue: i64,
    /// The tax charged on goods and shipping (owed to tax offices, not earned).
    pub tax: i64,
    /// Shipping charged, without its tax.
    pub shipping: i64,
    /// Money given back (tax included).
    pub refunded: i64,
    /// Orders paid in this currency: the divisor of the average order value.
    pub orders_paid: u64,
}

impl CurrencySales {
    /// What a paid order brings in on average (gross), to the nearest minor unit.
    pub fn average_order_value(&self) -> i64 {
        match i64::try_from(self.orders_paid) {
            Ok(paid) if paid > 0 => (self.gross + paid / 2).div_euclid(paid),
            _ => 0,
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProductSales {
    /// The name on the latest order counted (products get renamed).
    pub name: String,
    pub units: u64,
    /// Line totals: before any order-wide discount.
    pub revenue: i64,
}

/// The day an event counts towards: the UTC date it happened on.
pub fn day_of(event: &Event) -> Date {
    event.occurred_at.date()
}

/// What `event` adds to its day, or `None` for events statistics ignore. `order` is
/// the order the event names, read when it is handled; only what an order never
/// changes after it is placed (currency, total, lines) is read from it, so a
/// replay long after counts the same.
pub fn contribution(event: &Event, order: Option<&Order>) -> Option<SalesCounts> {
    let mut counts = SalesCounts::default();
    match &event.kind {
        EventKind::OrderPlaced { .. } => counts.orders_placed = 1,
        EventKind::OrderCancelled { .. } => counts.orders_cancelled = 1,
        EventKind::OrderPaid { .. } => {
            counts.orders_paid = 1;
            if let Some(order) = order {
                let currency = order.currency.code().to_owned();
                let shipping_tax = order.shipping.as_ref().map_or(0, |s| s.tax);
                let shipping = order.shipping_gross() - shipping_tax;
                let sales = CurrencySales {
                    gross: order.total,
                    revenue: order.total - order.tax - shipping,
                    tax: order.tax,
                    shipping,
                    refunded: 0,
                    orders_paid: 1,
                };
                counts.currencies.insert(currency.clone(), sales);
                for line in &order.lines {
                    let sales = counts.products.entry((currency.clone(), line.product_id)).or_default();
                    sales.name.clone_from(&line.name);
                    sales.units += u64::from(line.quantity);
                    sales.revenue += line.total;
                }
            }
        }
        EventKind::OrderRefunded { surplus: true, .. } => return None,
        EventKind::OrderRefunded { amount, .. } => {
            counts.refunds = 1;
            if let Some(order) = order {
                let currency = order.currency.code().to_owned();
                counts.currencies.insert(currency, CurrencySales { refunded: *amount, ..CurrencySales::default() });
            }
        }
        _ => return None,
    }
    Some(counts)
}

impl SalesCounts {
    pub fn add(&mut self, other: &SalesCounts) {
        self.orders_placed += other.orders_placed;
        self.orders_paid += other.orders_paid;
        self.orders_cancelled += other.orders_cancelled;
        self.refunds += other.refunds;
        for (currency, sales) in &other.currencies {
            let mine = self.currencies.entry(currency.clone()).or_default();
            mine.gross += sales.gross;
            mine.revenue += sales.revenue;
            mine.tax += sales.tax;
            mine.shipping += sales.shipping;
            mine.refunded += sales.refunded;
            mine.orders_paid += sales.orders_paid;
        }
        for (key, sales) in &other.products {
            let mine = self.products.entry(key.clone()).or_default();
            // Days are added oldest first: the latest name counted wins.
            if !sales.name.is_empty() {
                mine.name.clone_from(&sales.name);
            }
            mine.units += sales.units;
            mine.revenue += sales.revenue;
        }
    }

    /// The best sellers in `currency`, by units and by revenue; ties go to the
    /// other measure, then to the product id, so the order is stable.
    pub fn top_products(&self, currency: &str) -> TopProducts {
        let mut sold: Vec<(ProductId, &ProductSales)> =
            self.products.iter().filter(|((c, _), _)| c == currency).map(|((_, id), sales)| (*id, sales)).collect();
        sold.sort_by(|a, b| b.1.units.cmp(&a.1.units).then(b.1.revenue.cmp(&a.1.revenue)).then(a.0.cmp(&b.0)));
        let by_units = sold.iter().take(TOP_PRODUCTS).map(|(id, s)| (*id, (*s).clone())).collect();
        sold.sort_by(|a, b| b.1.revenue.cmp(&a.1.revenue).then(b.1.units.cmp(&a.1.units)).then(a.0.cmp(&b.0)));
        let by_revenue = sold.iter().take(TOP_PRODUCTS).map(|(id, s)| (*id, (*s).clone())).collect();
        TopProducts { by_units, by_revenue }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopProducts {
    pub by_units: Vec<(ProductId, ProductSales)>,
    pub by_revenue: Vec<(ProductId, ProductSales)>,
}

/// Counts over a range of days: one entry per day (days without sales count
/// zero) and the totals.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SalesReport {
    pub from: Date,
    pub to: Date,
    pub days: Vec<(Date, SalesCounts)>,
    pub totals: SalesCounts,
}

impl SalesReport {
    /// `stored` holds the days that have counters; `from..=to` are filled in.
    pub fn new(from: Date, to: Date, mut stored: BTreeMap<Date, SalesCounts>) -> Self {
        let mut totals = SalesCounts::default();
        let days = super::timestamp::days(from, to)
            .map(|day| {
                let counts = stored.remove(&day).unwrap_or_default();
                totals.add(&counts);
                (day, counts)
            })
            .collect();
        Self { from, to, days, totals }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::OrderId;

    fn product(n: u8) -> ProductId {
        format!("01936a3e-0000-7000-8000-0000000000{n:02}").parse().unwrap()
    }

    fn sales(units: u64, revenue: i64) -> ProductSales {
        ProductSales { name: "Mug".into(), units, revenue }
    }

    #[test]
    fn the_average_order_value_rounds_to_the_nearest_minor_unit() {
        let eur = CurrencySales { gross: 1001, revenue: 841, tax: 160, orders_paid: 2, ..CurrencySales::default() };
        assert_eq!(eur.average_order_value(), 501);
        assert_eq!(CurrencySales::default().average_order_value(), 0);
    }

    #[test]
    fn rankings_are_per_currency_and_break_ties_stably() {
        let mut counts = SalesCounts::default();
        counts.products.insert(("EUR".into(), product(1)), sales(5, 500));
        counts.products.insert(("EUR".into(), product(2)), sales(2, 900));
        counts.products.insert(("EUR".into(), product(3)), sales(5, 700));
        counts.products.insert(("USD".into(), product(4)), sales(50, 50_000));
        let top = counts.top_products("EUR");
        let ids = |list: &[(ProductId, ProductSales)]| list.iter().map(|(id, _)| *id).collect::<Vec<_>>();
        assert_eq!(ids(&top.by_units), [product(3), product(1), product(2)]);
        assert_eq!(ids(&top.by_revenue), [product(2), product(3), product(1)]);
    }

    #[test]
    fn events_other_than_order_moves_add_nothing() {
        let event = Event::new(
            EventKind::OrderFulfilled { order_id: OrderId::generate() },
            time::macros::datetime!(2026-11-21 10:00 UTC),
        );
        assert_eq!(contribution(&event, None), None);
    }

    #[test]
    fn a_surplus_payment_given_back_is_no_refund_of_revenue() {
        let surplus =
            EventKind::OrderRefunded { order_id: OrderId::generate(), amount: 5000, surplus: true, refund_id: None };
        assert_eq!(contribution(&Event::new(surplus, time::macros::datetime!(2026-11-21 10:00 UTC)), None), None);
    }

    #[test]
    fn the_latest_name_of_a_product_wins() {
        let key = ("EUR".to_owned(), product(1));
        let mut totals = SalesCounts::default();
        for name in ["Mug", "Mug (blue)"] {
            let mut day = SalesCounts::default();
            day.products.insert(key.clone(), ProductSales { name: name.into(), units: 1, revenue: 100 });
            totals.add(&day);
        }
        assert_eq!(totals.products[&key], ProductSales { name: "Mug (blue)".into(), units: 2, revenue: 200 });
    }

    #[test]
    fn a_report_lists_every_day_of_its_range() {
        let day = time::macros::date!(2026 - 11 - 20);
        let mut stored = BTreeMap::new();
        stored.insert(day, SalesCounts { orders_placed: 3, ..SalesCounts::default() });
        let report = SalesReport::new(day.previous_day().unwrap(), day.next_day().unwrap(), stored);
        let placed: Vec<u64> = report.days.iter().map(|(_, c)| c.orders_placed).collect();
        assert_eq!(placed, [0, 3, 0]);
        assert_eq!(report.totals.orders_placed, 3);
    }
}
