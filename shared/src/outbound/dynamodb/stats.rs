//! [`SalesStats`] on the table: one partition per day, `STATS#<yyyy-mm-dd>`, with
//! the day's counters (`DAY`) and one item per product and currency sold that day.
//! Counters only ever grow by `ADD`, in the transaction that marks the event
//! counted, so two jobs counting different events never overwrite each other.

use super::events::delivery_item;
use super::items::{Item, Reader, n, s};
use super::keys::{self, PK, SK};
use super::{Table, built, cancellation_reasons, failed_condition, unavailable};
use crate::app::stats::SalesStats;
use crate::app::store::StoreError;
use crate::domain::stats::{CurrencySales, ProductSales, SalesCounts};
use crate::domain::{Event, Timestamp};
use aws_sdk_dynamodb::types::{AttributeValue, TransactWriteItem, Update};
use std::collections::BTreeMap;
use time::Date;

/// The job's name in the delivery log: its marks say which events were counted.
const CONSUMER: &str = "stats";
/// Days read at once when a report spans many.
const PARALLEL_DAYS: usize = 16;

const DAY_COUNTERS: [&str; 4] = ["orders_placed", "orders_paid", "orders_cancelled", "refunds"];

fn currency_attribute(measure: &str, currency: &str) -> String {
    format!("{measure}#{currency}")
}

impl Table {
    fn add_to(
        &self,
        pk: &str,
        sk: String,
        set: &[(&str, AttributeValue)],
        add: &[(String, i64)],
    ) -> Result<TransactWriteItem, StoreError> {
        let mut update = Update::builder().table_name(&self.name).key(PK, s(pk)).key(SK, s(sk));
        let mut sets = Vec::new();
        for (i, (name, value)) in set.iter().enumerate() {
            sets.push(format!("#s{i} = :s{i}"));
            update = update
                .expression_attribute_names(format!("#s{i}"), *name)
                .expression_attribute_values(format!(":s{i}"), value.clone());
        }
        let mut adds = Vec::new();
        for (i, (name, value)) in add.iter().enumerate() {
            adds.push(format!("#a{i} :a{i}"));
            update = update
                .expression_attribute_names(format!("#a{i}"), name)
                .expression_attribute_values(format!(":a{i}"), n(value));
        }
        let expression = format!("SET {} ADD {}", sets.join(", "), adds.join(", "));
        Ok(TransactWriteItem::builder().update(built(update.update_expression(expression).build())?).build())
    }

    async fn read_day(&self, day: Date) -> Result<Option<SalesCounts>, StoreError> {
        let items = self.partition(keys::stats_pk(day), None).await?;
        if items.is_empty() {
            return Ok(None);
        }
        let mut counts = SalesCounts::default();
        for item in &items {
            read_into(&mut counts, item)?;
        }
        Ok(Some(counts))
    }
}

fn read_into(counts: &mut SalesCounts, item: &Item) -> Result<(), StoreError> {
    let r = Reader(item);
    let sk = r.s(SK)?;
    if sk == keys::STATS_DAY_SK {
        counts.orders_placed = r.opt_n("orders_placed")?.unwrap_or(0);
        counts.orders_paid = r.opt_n("orders_paid")?.unwrap_or(0);
        counts.orders_cancelled = r.opt_n("orders_cancelled")?.unwrap_or(0);
        counts.refunds = r.opt_n("refunds")?.unwrap_or(0);
        for name in item.keys() {
            let Some((measure, currency)) = name.split_once('#') else { continue };
            let sales: &mut CurrencySales = counts.currencies.entry(currency.to_owned()).or_default();
            match measure {
                "gross" => sales.gross = r.n(name)?,
                "revenue" => sales.revenue = r.n(name)?,
                "tax" => sales.tax = r.n(name)?,
                "shipping" => sales.shipping = r.n(name)?,
                "refunded" => sales.refunded = r.n(name)?,
                "orders_paid" => sales.orders_paid = r.n(name)?,
                _ => {}
            }
        }
        // Days counted before taxes and shipping held only `revenue`: what was paid.
        for (currency, sales) in counts.currencies.iter_mut() {
            if !item.contains_key(&currency_attribute("gross", currency)) {
                sales.gross = sales.revenue;
            }
        }
    } else if sk.starts_with(keys::STATS_PRODUCT_PREFIX) {
        let product = r.parsed("product_id", |v| v.parse().ok())?;
        let sales = ProductSales { name: r.s("name")?.to_owned(), units: r.n("units")?, revenue: r.n("revenue")? };
        counts.products.insert((r.s("currency")?.to_owned(), product), sales);
    }
    Ok(())
}

impl SalesStats for Table {
    async fn count(&self, event: &Event, day: Date, counts: &SalesCounts, now: Timestamp) -> Result<bool, StoreError> {
        let pk = keys::stats_pk(day);
        let mut actions = vec![self.put_new(delivery_item(CONSUMER, event, now))?];
        let totals = [counts.orders_placed, counts.orders_paid, counts.orders_cancelled, counts.refunds];
        let mut add: Vec<(String, i64)> =
            DAY_COUNTERS.iter().zip(totals).map(|(name, value)| ((*name).to_owned(), value as i64)).collect();
        for (currency, sales) in &counts.currencies {
            add.push((currency_attribute("gross", currency), sales.gross));
            add.push((currency_attribute("revenue", currency), sales.revenue));
            add.push((currency_attribute("tax", currency), sales.tax));
            add.push((currency_attribute("shipping", currency), sales.shipping));
            add.push((currency_attribute("refunded", currency), sales.refunded));
            add.push((currency_attribute("orders_paid", currency), sales.orders_paid as i64));
        }
        let day_text = day.to_string();
        actions.push(self.add_to(
            &pk,
            keys::STATS_DAY_SK.to_owned(),
            &[("entity", s("stats")), ("day", s(&day_text))],
            &add,
        )?);
        for ((currency, product), sales) in &counts.products {
            let set = [
                ("entity", s("stats_product")),
                ("name", s(&sales.name)),
                ("product_id", s(product.to_string())),
                ("currency", s(currency)),
            ];
            let add = [("units".to_owned(), sales.units as i64), ("revenue".to_owned(), sales.revenue)];
            actions.push(self.add_to(&pk, keys::stats_product_sk(currency, *product), &set, &add)?);
        }
        match self.transact(actions).await {
            Ok(()) => Ok(true),
            Err(error) => match cancellation_reasons(&error) {
                Some(reasons) if failed_condition(reasons, 0) => Ok(false),
                _ => Err(unavailable(error)),
            },
        }
    }

    async fn days(&self, from: Date, to: Date) -> Result<BTreeMap<Date, SalesCounts>, StoreError> {
        let wanted: Vec<Date> = crate::domain::days(from, to).collect();
        let mut found = BTreeMap::new();
        for chunk in wanted.chunks(PARALLEL_DAYS) {
            let mut reads = tokio::task::JoinSet::new();
            for day in chunk {
                let (table, day) = (self.clone(), *day);
                reads.spawn(async move { (day, table.read_day(day).await) });
            }
            while let Some(done) = reads.join_next().await {
                let (day, counts) = done.map_err(|e| StoreError::Unavailable(e.to_string()))?;
                if let Some(counts) = counts? {
                    found.insert(day, counts);
                }
            }
        }
        Ok(found)
    }
}
