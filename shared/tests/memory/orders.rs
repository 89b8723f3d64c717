//! The order ports: placing and moving orders, and discount codes.

use super::MemoryShop;
use tillbox::app::orders::ports::{
    CartClose, DiscountStore, OrderChange, OrderQuery, OrderScope, OrderStore, Placement,
};
use tillbox::app::store::{Page, StoreError};
use tillbox::domain::{
    AuditRecord, Discount, DiscountCode, Event, Order, OrderId, OrderStatus, Product, ProductStatus, VariantId,
};

/// Moves one variant's stock by `delta`, bumping the product's version as the
/// adapter's update does; `false` when the product has no such variant.
pub fn move_stock(product: &mut Product, variant: VariantId, delta: i64) -> bool {
    let Some(v) = product.variants.iter_mut().find(|v| v.id == variant) else {
        return false;
    };
    v.stock = u32::try_from(i64::from(v.stock) + delta).expect("stock stays within u32");
    product.version += 1;
    true
}

impl OrderStore for MemoryShop {
    /// All or nothing, as the adapter's transaction: every condition is checked
    /// before anything is written.
    async fn place(
        &self,
        order: &Order,
        event: &Event,
        max_open_orders: u32,
        cart: Option<CartClose<'_>>,
    ) -> Result<Placement, StoreError> {
        if let Some(close) = cart
            && self.carts.borrow().get(&close.previous.id).is_none_or(|c| c.version != close.previous.version)
        {
            return Ok(Placement::CartChanged);
        }
        let open = self
            .orders
            .borrow()
            .values()
            .filter(|o| o.customer == order.customer && o.status == OrderStatus::PendingPayment)
            .count();
        if open >= max_open_orders as usize {
            return Ok(Placement::TooManyOpenOrders);
        }
        let mut products = self.products.borrow_mut();
        for line in &order.lines {
            let changed = Placement::ProductChanged { product_id: line.product_id };
            let Some(product) = products.get(&line.product_id) else {
                return Ok(changed);
            };
            let Some(variant) = product.variant(line.variant_id) else {
                return Ok(changed);
            };
            let price = product.price_of(variant);
            if product.status != ProductStatus::Active
                || variant.archived
                || price.amount != line.unit_price
                || price.currency != order.currency
            {
                return Ok(changed);
            }
            if variant.stock < line.quantity {
                let (product_id, variant_id, available) = (line.product_id, line.variant_id, variant.stock);
                return Ok(Placement::OutOfStock { product_id, variant_id, available });
            }
        }
        let mut discounts = self.discounts.borrow_mut();
        if let Some(applied) = &order.discount {
            let code = applied.code.as_str().to_owned();
            let usable = discounts.get(&code).is_some_and(|d| d.active && d.usage_limit.is_none_or(|l| d.uses < l));
            if !usable {
                return Ok(Placement::DiscountUsedUp);
            }
            if applied.once_per_customer && self.customer_uses.borrow().contains(&(code, order.customer.clone())) {
                return Ok(Placement::DiscountAlreadyUsed);
            }
        }
        for line in &order.lines {
            let product = products.get_mut(&line.product_id).expect("checked above");
            move_stock(product, line.variant_id, -i64::from(line.quantity));
        }
        if let Some(applied) = &order.discount {
            let code = applied.code.as_str().to_owned();
            discounts.get_mut(&code).expect("checked above").uses += 1;
            if applied.once_per_customer {
                self.customer_uses.borrow_mut().insert((code, order.customer.clone()));
            }
        }
        if let Some(close) = cart {
            self.carts.borrow_mut().insert(close.next.id, close.next.clone());
        }
        self.orders.borrow_mut().insert(order.id, order.clone());
        self.events.borrow_mut().push(event.clone());
        Ok(Placement::Placed)
    }

    async fn get(&self, id: OrderId) -> Result<Option<Order>, StoreError> {
        Ok(self.orders.borrow().get(&id).cloned())
    }

    async fn change(&self, change: OrderChange<'_>) -> Result<(), StoreError> {
        let mut orders = self.orders.borrow_mut();
        let stored = orders.get(&change.previous.id).ok_or(StoreError::NotFound)?;
        if stored.version != change.previous.version {
            return Err(StoreError::VersionMismatch { current: stored.version });
        }
        if change.release {
            let mut products = self.products.borrow_mut();
            for line in &change.previous.lines {
                if let Some(product) = products.get_mut(&line.product_id) {
                    move_stock(product, line.variant_id, i64::from(line.quantity - line.restocked));
                }
            }
            if let Some(applied) = &change.previous.discount {
                let code = applied.code.as_str().to_owned();
                if let Some(discount) = self.discounts.borrow_mut().get_mut(&code) {
                    discount.uses -= 1;
                }
                self.customer_uses.borrow_mut().remove(&(code, change.previous.customer.clone()));
            }
        }
        orders.insert(change.next.id, change.next.clone());
        self.events.borrow_mut().push(change.event.clone());
        self.audits.borrow_mut().extend(change.audit.cloned());
        Ok(())
    }

    async fn reassign(&self, previous: &Order, next: &Order) -> Result<(), StoreError> {
        let mut orders = self.orders.borrow_mut();
        let current = orders.get(&previous.id).ok_or(StoreError::NotFound)?;
        if current.version != previous.version {
            return Err(StoreError::VersionMismatch { current: current.version });
        }
        orders.insert(next.id, next.clone());
        Ok(())
    }

    async fn list(&self, query: &OrderQuery) -> Result<Page<Order>, StoreError> {
        let mut items: Vec<Order> = self
            .orders
            .borrow()
            .values()
            .filter(|o| match &query.scope {
                OrderScope::Customer { customer, status } => {
                    &o.customer == customer && status.is_none_or(|s| o.status == s)
                }
                OrderScope::Status(status) => o.status == *status,
            })
            .filter(|o| query.from.is_none_or(|from| o.created_at >= from))
            .filter(|o| query.to.is_none_or(|to| o.created_at < to))
            .cloned()
            .collect();
        items.sort_by_key(|o| std::cmp::Reverse((o.created_at, o.id)));
        // The cursor is an offset into the listing.
        let start: usize = query.cursor.as_deref().map_or(Ok(0), str::parse).map_err(|_| StoreError::BadCursor)?;
        let end = (start + usize::from(query.limit)).min(items.len());
        let next_cursor = (end < items.len()).then(|| end.to_string());
        Ok(Page { items: items.get(start..end).unwrap_or_default().to_vec(), next_cursor })
    }
}

impl DiscountStore for MemoryShop {
    async fn create(&self, discount: &Discount, audit: &AuditRecord) -> Result<bool, StoreError> {
        let mut all = self.discounts.borrow_mut();
        if all.contains_key(discount.code.as_str()) {
            return Ok(false);
        }
        all.insert(discount.code.as_str().to_owned(), discount.clone());
        self.audits.borrow_mut().push(audit.clone());
        Ok(true)
    }

    async fn get(&self, code: &DiscountCode) -> Result<Option<Discount>, StoreError> {
        Ok(self.discounts.borrow().get(code.as_str()).cloned())
    }

    async fn update(&self, previous: &Discount, next: &Discount, audit: &AuditRecord) -> Result<(), StoreError> {
        let mut all = self.discounts.borrow_mut();
        let stored = all.get_mut(previous.code.as_str()).ok_or(StoreError::NotFound)?;
        if stored.version != previous.version {
            return Err(StoreError::VersionMismatch { current: stored.version });
        }
        let uses = stored.uses;
        *stored = Discount { uses, ..next.clone() };
        self.audits.borrow_mut().push(audit.clone());
        Ok(())
    }

    async fn list(&self, limit: u16, _cursor: Option<&str>) -> Result<Page<Discount>, StoreError> {
        let items = self.discounts.borrow().values().take(usize::from(limit)).cloned().collect();
        Ok(Page { items, next_cursor: None })
    }
}
