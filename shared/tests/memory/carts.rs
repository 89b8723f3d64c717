//! The cart port: carts and each customer's open cart.

use super::MemoryShop;
use tillbox::app::carts::ports::CartStore;
use tillbox::app::store::{Page, StoreError};
use tillbox::domain::{Cart, CartHolder, CartId, Event, Timestamp};

impl MemoryShop {
    fn at_version(&self, previous: &Cart) -> Result<(), StoreError> {
        let carts = self.carts.borrow();
        let stored = carts.get(&previous.id).ok_or(StoreError::NotFound)?;
        if stored.version != previous.version {
            return Err(StoreError::VersionMismatch { current: stored.version });
        }
        Ok(())
    }

    /// Whether `customer`'s open cart is still `replacing`.
    fn points_at(&self, customer: &str, replacing: Option<CartId>) -> bool {
        self.open_carts.borrow().get(customer).copied() == replacing
    }
}

fn customer_of(cart: &Cart) -> Option<&str> {
    match &cart.holder {
        CartHolder::Customer(subject) => Some(subject),
        CartHolder::Anonymous { .. } => None,
    }
}

impl CartStore for MemoryShop {
    async fn create_cart(&self, cart: &Cart, replacing: Option<CartId>) -> Result<bool, StoreError> {
        if let Some(customer) = customer_of(cart) {
            if !self.points_at(customer, replacing) {
                return Ok(false);
            }
            self.open_carts.borrow_mut().insert(customer.to_owned(), cart.id);
        }
        self.carts.borrow_mut().insert(cart.id, cart.clone());
        Ok(true)
    }

    async fn cart(&self, id: CartId) -> Result<Option<Cart>, StoreError> {
        Ok(self.carts.borrow().get(&id).cloned())
    }

    async fn open_cart_of(&self, customer: &str) -> Result<Option<CartId>, StoreError> {
        Ok(self.open_carts.borrow().get(customer).copied())
    }

    async fn save_cart(&self, previous: &Cart, next: &Cart) -> Result<(), StoreError> {
        self.at_version(previous)?;
        self.carts.borrow_mut().insert(next.id, next.clone());
        Ok(())
    }

    async fn adopt(&self, previous: &Cart, next: &Cart, replacing: Option<CartId>) -> Result<bool, StoreError> {
        let customer = customer_of(next).expect("an adopted cart has a customer");
        if !self.points_at(customer, replacing) {
            return Ok(false);
        }
        self.at_version(previous)?;
        self.open_carts.borrow_mut().insert(customer.to_owned(), next.id);
        self.carts.borrow_mut().insert(next.id, next.clone());
        Ok(true)
    }

    async fn merge(&self, into: (&Cart, &Cart), from: (&Cart, &Cart)) -> Result<(), StoreError> {
        self.at_version(into.0)?;
        self.at_version(from.0)?;
        let mut carts = self.carts.borrow_mut();
        carts.insert(into.1.id, into.1.clone());
        carts.insert(from.1.id, from.1.clone());
        Ok(())
    }

    async fn idle(&self, idle_since: Timestamp, _cursor: Option<&str>) -> Result<Page<Cart>, StoreError> {
        let mut items: Vec<_> = self
            .carts
            .borrow()
            .values()
            .filter(|c| c.is_open() && !c.lines.is_empty() && c.email.is_some() && c.abandoned_at.is_none())
            .filter(|c| c.updated_at <= idle_since)
            .cloned()
            .collect();
        items.sort_by_key(|c| (c.updated_at, c.id));
        Ok(Page { items, next_cursor: None })
    }

    async fn mark_abandoned(&self, previous: &Cart, next: &Cart, event: &Event) -> Result<bool, StoreError> {
        if self.at_version(previous).is_err() {
            return Ok(false);
        }
        self.carts.borrow_mut().insert(next.id, next.clone());
        self.events.borrow_mut().push(event.clone());
        Ok(true)
    }
}
