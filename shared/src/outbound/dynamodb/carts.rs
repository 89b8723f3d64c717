//! [`CartStore`] on the table: one item per cart (lines inside, TTL on
//! `expires_at`), and per customer a pointer to their open cart, written in the
//! same transaction as the cart it names, conditioned on the cart it replaces,
//! so two tabs creating a cart at once end up with one.

use super::events::outbox_item;
use super::items::{Item, Reader, address_value, epoch, item, n, s, ts};
use super::keys::{self, EXPIRES_AT, GSI2, GSI2PK, GSI2SK, PK, SK};
use super::{IndexPage, Table, built, cancellation_reasons, failed_condition, unavailable, version_conflict};
use crate::app::carts::ports::CartStore;
use crate::app::store::{Page, StoreError};
use crate::domain::cart::CartLine;
use crate::domain::{Cart, CartHolder, CartId, CartStatus, Currency, DiscountCode, Email, Event, Money, Timestamp};
use aws_sdk_dynamodb::types::{AttributeValue, Put, TransactWriteItem};

pub(super) fn cart_item(c: &Cart) -> Item {
    let lines = c
        .lines
        .iter()
        .map(|l| {
            AttributeValue::M(item([
                ("product_id", s(l.product_id.to_string())),
                ("variant_id", s(l.variant_id.to_string())),
                ("quantity", n(l.quantity)),
                ("price_amount", n(l.price_when_added.amount)),
                ("currency", s(l.price_when_added.currency.code())),
            ]))
        })
        .collect();
    let mut cart = item([
        (PK, s(keys::cart_pk(c.id))),
        (SK, s(keys::CART_SK)),
        ("entity", s("cart")),
        ("id", s(c.id.to_string())),
        ("lines", AttributeValue::L(lines)),
        ("version", n(c.version)),
        ("created_at", ts(c.created_at)),
        ("updated_at", ts(c.updated_at)),
        (EXPIRES_AT, epoch(c.expires_at)),
    ]);
    match &c.holder {
        CartHolder::Customer(subject) => cart.insert("customer".into(), s(subject)),
        CartHolder::Anonymous { token_hash } => cart.insert("token_hash".into(), s(token_hash)),
    };
    match c.status {
        CartStatus::Open => cart.insert("status".into(), s("open")),
        CartStatus::CheckedOut(order) => {
            cart.insert("order_id".into(), s(order.to_string()));
            cart.insert("status".into(), s("checked_out"))
        }
        CartStatus::MergedInto(into) => {
            cart.insert("merged_into".into(), s(into.to_string()));
            cart.insert("status".into(), s("merged"))
        }
    };
    if let Some(email) = &c.email {
        cart.insert("email".into(), s(email.as_str()));
    }
    if let Some(code) = &c.discount_code {
        cart.insert("discount_code".into(), s(code.as_str()));
    }
    if let Some(address) = &c.shipping_address {
        cart.insert("shipping_address".into(), address_value(address));
    }
    if let Some(address) = &c.billing_address {
        cart.insert("billing_address".into(), address_value(address));
    }
    if let Some(method) = c.shipping_method {
        cart.insert("shipping_method_id".into(), s(method.to_string()));
    }
    if let Some(at) = c.abandoned_at {
        cart.insert("abandoned_at".into(), ts(at));
    }
    // Listed for the abandoned-cart job only while it could become abandoned.
    let could_be_abandoned = c.is_open() && !c.lines.is_empty() && c.email.is_some() && c.abandoned_at.is_none();
    if could_be_abandoned {
        cart.insert(GSI2PK.into(), s(keys::IDLE_CARTS));
        cart.insert(GSI2SK.into(), s(keys::created_sort_key(c.updated_at, c.id)));
    }
    cart
}

fn cart_from(found: &Item) -> Result<Cart, StoreError> {
    let r = Reader(found);
    let lines = r.maps("lines", |line| {
        Ok(CartLine {
            product_id: line.parsed("product_id", |v| v.parse().ok())?,
            variant_id: line.parsed("variant_id", |v| v.parse().ok())?,
            quantity: line.n("quantity")?,
            price_when_added: Money {
                amount: line.n("price_amount")?,
                currency: line.parsed("currency", |v| Currency::parse(v).ok())?,
            },
        })
    })?;
    let holder = match (r.opt_s("customer")?, r.opt_s("token_hash")?) {
        (Some(subject), _) => CartHolder::Customer(subject.to_owned()),
        (None, Some(hash)) => CartHolder::Anonymous { token_hash: hash.to_owned() },
        (None, None) => return Err(r.corrupt("customer", "missing, and so is token_hash")),
    };
    let status = match r.s("status")? {
        "open" => CartStatus::Open,
        "checked_out" => CartStatus::CheckedOut(r.parsed("order_id", |v| v.parse().ok())?),
        "merged" => CartStatus::MergedInto(r.parsed("merged_into", |v| v.parse().ok())?),
        _ => return Err(r.corrupt("status", "not a known value")),
    };
    Ok(Cart {
        id: r.parsed("id", |v| v.parse().ok())?,
        holder,
        email: r
            .opt_s("email")?
            .map(|e| Email::parse(e).map_err(|_| r.corrupt("email", "not an address")))
            .transpose()?,
        shipping_address: r.opt_address("shipping_address")?,
        billing_address: r.opt_address("billing_address")?,
        shipping_method: r
            .opt_s("shipping_method_id")?
            .map(|_| r.parsed("shipping_method_id", |v| v.parse().ok()))
            .transpose()?,
        lines,
        discount_code: r
            .opt_s("discount_code")?
            .map(|c| DiscountCode::parse(c).map_err(|_| r.corrupt("discount_code", "not a code")))
            .transpose()?,
        status,
        version: r.n("version")?,
        created_at: r.ts("created_at")?,
        updated_at: r.ts("updated_at")?,
        expires_at: r.epoch(EXPIRES_AT)?,
        abandoned_at: r.opt_s("abandoned_at")?.map(|_| r.ts("abandoned_at")).transpose()?,
    })
}

impl Table {
    /// Points `customer`'s open cart at `cart`, only while it still points at
    /// `replacing` (`None`: nowhere).
    fn point_open_cart(
        &self,
        customer: &str,
        cart: CartId,
        replacing: Option<CartId>,
    ) -> Result<TransactWriteItem, StoreError> {
        let pointer = item([
            (PK, s(keys::open_orders_pk(customer))),
            (SK, s(keys::OPEN_CART_SK)),
            ("entity", s("open_cart")),
            ("cart_id", s(cart.to_string())),
        ]);
        let put = Put::builder().table_name(&self.name).set_item(Some(pointer));
        let put = match replacing {
            None => put.condition_expression("attribute_not_exists(PK)"),
            Some(old) => put
                .condition_expression("cart_id = :replacing")
                .expression_attribute_values(":replacing", s(old.to_string())),
        };
        Ok(TransactWriteItem::builder().put(built(put.build())?).build())
    }

    /// Runs `actions` whose action at `pointer_at` moves a pointer: `Ok(false)`
    /// when that condition failed; a version conflict at 0 is reported as such.
    async fn write_with_pointer(&self, actions: Vec<TransactWriteItem>, pointer_at: usize) -> Result<bool, StoreError> {
        let error = match self.transact(actions).await {
            Ok(()) => return Ok(true),
            Err(e) => e,
        };
        let Some(reasons) = cancellation_reasons(&error) else {
            return Err(unavailable(error));
        };
        if failed_condition(reasons, pointer_at) {
            return Ok(false);
        }
        if let Some(conflict) = version_conflict(reasons, 0) {
            return Err(conflict);
        }
        Err(unavailable(error))
    }
}

fn customer_of(cart: &Cart) -> Option<&str> {
    match &cart.holder {
        CartHolder::Customer(subject) => Some(subject),
        CartHolder::Anonymous { .. } => None,
    }
}

impl CartStore for Table {
    async fn create_cart(&self, cart: &Cart, replacing: Option<CartId>) -> Result<bool, StoreError> {
        let mut actions = vec![self.put_new(cart_item(cart))?];
        if let Some(customer) = customer_of(cart) {
            actions.push(self.point_open_cart(customer, cart.id, replacing)?);
        }
        self.write_with_pointer(actions, 1).await
    }

    async fn cart(&self, id: CartId) -> Result<Option<Cart>, StoreError> {
        let found = self.get_consistent(keys::cart_pk(id), keys::CART_SK).await?;
        found.as_ref().map(cart_from).transpose()
    }

    async fn open_cart_of(&self, customer: &str) -> Result<Option<CartId>, StoreError> {
        let found = self.get_consistent(keys::open_orders_pk(customer), keys::OPEN_CART_SK).await?;
        found.as_ref().map(|pointer| Reader(pointer).parsed("cart_id", |v| v.parse().ok())).transpose()
    }

    async fn save_cart(&self, previous: &Cart, next: &Cart) -> Result<(), StoreError> {
        self.transact_versioned(vec![self.put_at_version(cart_item(next), previous.version)?]).await
    }

    async fn adopt(&self, previous: &Cart, next: &Cart, replacing: Option<CartId>) -> Result<bool, StoreError> {
        let customer =
            customer_of(next).ok_or_else(|| StoreError::Unavailable("an adopted cart has a customer".into()))?;
        let actions = vec![
            self.put_at_version(cart_item(next), previous.version)?,
            self.point_open_cart(customer, next.id, replacing)?,
        ];
        self.write_with_pointer(actions, 1).await
    }

    async fn merge(&self, into: (&Cart, &Cart), from: (&Cart, &Cart)) -> Result<(), StoreError> {
        let actions = vec![
            self.put_at_version(cart_item(into.1), into.0.version)?,
            self.put_at_version(cart_item(from.1), from.0.version)?,
        ];
        let error = match self.transact(actions).await {
            Ok(()) => return Ok(()),
            Err(e) => e,
        };
        // Either cart moved on: the caller reads both again.
        match cancellation_reasons(&error).and_then(|r| version_conflict(r, 0).or_else(|| version_conflict(r, 1))) {
            Some(conflict) => Err(conflict),
            None => Err(unavailable(error)),
        }
    }

    async fn idle(&self, idle_since: Timestamp, cursor: Option<&str>) -> Result<Page<Cart>, StoreError> {
        let page = IndexPage {
            index: GSI2,
            pk_name: GSI2PK,
            sk_name: GSI2SK,
            partition: keys::IDLE_CARTS.to_owned(),
            newest_first: false,
            limit: 100,
            cursor,
        };
        // `<updated_at>#<id>` below `<idle_since>$` ('$' sorts after '#'): every
        // cart last changed at or before `idle_since`.
        let before = format!("{}$", crate::domain::format_timestamp(idle_since));
        self.page(
            page,
            |query| {
                query
                    .key_condition_expression("#pk = :pk AND #sk < :before")
                    .expression_attribute_names("#sk", GSI2SK)
                    .expression_attribute_values(":before", s(before))
            },
            cart_from,
        )
        .await
    }

    async fn mark_abandoned(&self, previous: &Cart, next: &Cart, event: &Event) -> Result<bool, StoreError> {
        let actions = vec![self.put_at_version(cart_item(next), previous.version)?, self.put_new(outbox_item(event))?];
        match self.transact_versioned(actions).await {
            Ok(()) => Ok(true),
            Err(StoreError::VersionMismatch { .. }) => Ok(false),
            Err(other) => Err(other),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cart_round_trips_and_is_listed_as_idle_only_while_it_may_be_abandoned() {
        let now = time::macros::datetime!(2026-12-05 10:00 UTC);
        let lifetime = crate::domain::CartLifetime::TEMPLATE_DEFAULTS;
        let email = Email::parse("ann@example.com").ok();
        let mut cart = Cart::new(CartId::generate(), CartHolder::Customer("ann".into()), email, &lifetime, now);
        assert_eq!(cart_from(&cart_item(&cart)).unwrap(), cart);
        assert!(!cart_item(&cart).contains_key(GSI2PK), "an empty cart is never abandoned");
        cart.lines.push(CartLine {
            product_id: crate::domain::ProductId::generate(),
            variant_id: crate::domain::VariantId::generate(),
            quantity: 2,
            price_when_added: Money { amount: 2500, currency: Currency::parse("EUR").unwrap() },
        });
        cart.discount_code = DiscountCode::parse("SPRING").ok();
        assert_eq!(cart_from(&cart_item(&cart)).unwrap(), cart);
        assert!(cart_item(&cart).contains_key(GSI2PK));
        let done = cart.checked_out(crate::domain::OrderId::generate(), now);
        assert_eq!(cart_from(&cart_item(&done)).unwrap(), done);
        assert!(!cart_item(&done).contains_key(GSI2PK));
    }
}
