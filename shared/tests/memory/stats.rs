use super::MemoryShop;
use std::collections::BTreeMap;
use tillbox::app::stats::SalesStats;
use tillbox::app::store::StoreError;
use tillbox::domain::stats::SalesCounts;
use tillbox::domain::{Event, Timestamp};
use time::Date;

impl SalesStats for MemoryShop {
    async fn count(&self, event: &Event, day: Date, counts: &SalesCounts, _: Timestamp) -> Result<bool, StoreError> {
        if !self.deliveries.borrow_mut().insert(("stats".to_owned(), event.id)) {
            return Ok(false);
        }
        self.sales.borrow_mut().entry(day).or_default().add(counts);
        Ok(true)
    }

    async fn days(&self, from: Date, to: Date) -> Result<BTreeMap<Date, SalesCounts>, StoreError> {
        Ok(self.sales.borrow().range(from..=to).map(|(day, counts)| (*day, counts.clone())).collect())
    }
}
