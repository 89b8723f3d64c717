//! Low stock: `inventory.low` for each variant whose stock falls below its
//! threshold, found by comparing a product before and after a write (the table's
//! stream gives both), so racing orders each see the exact stock they left.

use crate::app::accounts::ports::EventOutbox;
use crate::app::store::StoreError;
use crate::domain::{Event, EventId, EventKind, Product, Timestamp};

/// Publishes `inventory.low` for every variant `after` took below its threshold;
/// returns how many. The events' ids derive from the product's version, so
/// handling the same change again publishes nothing new.
pub async fn report_low_stock(
    outbox: &impl EventOutbox,
    before: &Product,
    after: &Product,
    now: Timestamp,
) -> Result<usize, StoreError> {
    let mut published = 0;
    for variant in after.fell_below_threshold(before) {
        let kind = EventKind::InventoryLow {
            product_id: after.id,
            variant_id: variant.id,
            sku: variant.sku.as_str().to_owned(),
            stock: variant.stock,
            threshold: variant.low_stock_threshold,
        };
        let fact = format!("inventory.low\n{}\n{}\n{}", after.id, variant.id, after.version);
        let event = Event { id: EventId::derived(&fact), ..Event::new(kind, now) };
        outbox.publish(&event).await?;
        published += 1;
    }
    Ok(published)
}
