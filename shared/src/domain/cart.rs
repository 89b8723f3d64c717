//! Carts: what a shopper gathers while browsing, priced from the catalog every
//! time it is read, and placed as one order at checkout.
//!
//! A cart is held either by a signed-in customer (their token's subject) or by
//! whoever has its capability token (anonymous shoppers); only the holder may
//! read or change it. Checkout closes it in the same transaction that places
//! the order, so a cart becomes at most one order.

use super::address::Address;
use super::discount::{Discount, DiscountCode};
use super::id::{CartId, OrderId, ProductId, ShippingMethodId, VariantId};
use super::money::{Currency, Money};
use super::order::{Delivery, MAX_LINES, OrderRequest, UNUSABLE_CODE};
use super::product::{MAX_QUANTITY, Product};
use super::timestamp::Timestamp;
use super::user::Email;
use super::validation::{FieldError, Invalid};

/// Lines per cart: a cart becomes one order, which holds at most this many.
pub const MAX_CART_LINES: usize = MAX_LINES;

/// Who may read and change a cart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CartHolder {
    /// A signed-in customer: the subject of their access token.
    Customer(String),
    /// Whoever presents the token whose SHA-256 hash this is.
    Anonymous { token_hash: String },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CartStatus {
    Open,
    /// Placed as this order; nothing changes it any more.
    CheckedOut(OrderId),
    /// Merged into its new holder's cart when they signed in.
    MergedInto(CartId),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CartLine {
    pub product_id: ProductId,
    pub variant_id: VariantId,
    pub quantity: u32,
    /// The variant's price when it was added, to tell the shopper it changed.
    pub price_when_added: Money,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cart {
    pub id: CartId,
    pub holder: CartHolder,
    /// Where a reminder and the order's confirmation go: the signed-in
    /// customer's address, or the one a guest gave.
    pub email: Option<Email>,
    pub shipping_address: Option<Address>,
    pub billing_address: Option<Address>,
    pub shipping_method: Option<ShippingMethodId>,
    pub lines: Vec<CartLine>,
    pub discount_code: Option<DiscountCode>,
    pub status: CartStatus,
    pub version: u64,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    /// The cart is gone after this (refreshed by every change).
    pub expires_at: Timestamp,
    /// When `cart.abandoned` was published for it (once per cart).
    pub abandoned_at: Option<Timestamp>,
}

/// How long an untouched cart lives (template parameters `AnonymousCartDays`,
/// `CustomerCartDays`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CartLifetime {
    pub anonymous: time::Duration,
    pub customer: time::Duration,
}

impl CartLifetime {
    pub const TEMPLATE_DEFAULTS: Self = Self { anonymous: time::Duration::days(7), customer: time::Duration::days(30) };

    /// When a cart of `holder` changed at `now` expires, in whole seconds (the
    /// table's TTL is epoch seconds).
    fn end(&self, holder: &CartHolder, now: Timestamp) -> Timestamp {
        let lifetime = match holder {
            CartHolder::Customer(_) => self.customer,
            CartHolder::Anonymous { .. } => self.anonymous,
        };
        (now + lifetime).replace_nanosecond(0).expect("0 is a valid nanosecond")
    }
}

/// Why a cart cannot be changed or placed as it is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CartRefused {
    #[error("{0}")]
    Invalid(Invalid),
    /// The variant has fewer units than the line would hold.
    #[error("only {available} of this variant are left")]
    OutOfStock { available: u32 },
    /// The cart was placed or merged: it cannot change any more.
    #[error("this cart is closed")]
    Closed,
}

fn invalid(field: &str, message: impl Into<String>) -> CartRefused {
    CartRefused::Invalid(Invalid(vec![FieldError::new(field, message)]))
}

impl Cart {
    pub fn new(id: CartId, holder: CartHolder, email: Option<Email>, lifetime: &CartLifetime, now: Timestamp) -> Self {
        let expires_at = lifetime.end(&holder, now);
        Self {
            id,
            holder,
            email,
            shipping_address: None,
            billing_address: None,
            shipping_method: None,
            lines: Vec::new(),
            discount_code: None,
            status: CartStatus::Open,
            version: 1,
            created_at: now,
            updated_at: now,
            expires_at,
            abandoned_at: None,
        }
    }

    pub fn is_open(&self) -> bool {
        self.status == CartStatus::Open
    }

    pub fn is_expired(&self, now: Timestamp) -> bool {
        self.expires_at <= now
    }

    /// Whether `subject` (a signed-in caller) or the bearer of a token hashing to
    /// `token_hash` holds the cart.
    pub fn is_held_by(&self, subject: Option<&str>, token_hash: Option<&str>) -> bool {
        match &self.holder {
            CartHolder::Customer(owner) => subject == Some(owner.as_str()),
            CartHolder::Anonymous { token_hash: held } => token_hash == Some(held.as_str()),
        }
    }

    /// Whom the cart's order would be for, as the order limits count: the
    /// customer, or a placeholder for a guest (checkout names the guest).
    pub fn holder_subject(&self) -> String {
        match &self.holder {
            CartHolder::Customer(subject) => subject.clone(),
            CartHolder::Anonymous { .. } => "guest".to_owned(),
        }
    }

    /// The next version, its life extended from `now`.
    fn touched(&self, lifetime: &CartLifetime, now: Timestamp) -> Cart {
        Cart { version: self.version + 1, updated_at: now, expires_at: lifetime.end(&self.holder, now), ..self.clone() }
    }

    fn open(&self) -> Result<(), CartRefused> {
        if self.is_open() { Ok(()) } else { Err(CartRefused::Closed) }
    }

    /// The currency of the cart's lines, if it has any.
    fn currency(&self) -> Option<Currency> {
        self.lines.first().map(|l| l.price_when_added.currency)
    }

    /// `quantity` more of a variant of `product` (`None`: the variant of a
    /// product sold one way); a variant in the cart already gets the sum.
    pub fn with_added(
        &self,
        product: &Product,
        variant: Option<VariantId>,
        quantity: i64,
        lifetime: &CartLifetime,
        now: Timestamp,
    ) -> Result<Cart, CartRefused> {
        self.open()?;
        let quantity = u32::try_from(quantity)
            .ok()
            .filter(|q| (1..=MAX_QUANTITY).contains(&i64::from(*q)))
            .ok_or_else(|| invalid("quantity", format!("must be a whole number from 1 to {MAX_QUANTITY}")))?;
        let variant = match variant {
            Some(id) => product
                .variant(id)
                .filter(|v| product.sells(v))
                .ok_or_else(|| invalid("variant_id", "is not a variant of this product on sale"))?,
            None if !product.is_public() => return Err(invalid("product_id", "is not a product on sale")),
            None => product
                .sole_variant()
                .ok_or_else(|| invalid("variant_id", "is required: this product comes in several variants"))?,
        };
        let price = product.price_of(variant);
        if let Some(currency) = self.currency().filter(|c| *c != price.currency) {
            return Err(invalid(
                "variant_id",
                format!("is priced in {}; this cart holds {}", price.currency.code(), currency.code()),
            ));
        }
        let mut next = self.touched(lifetime, now);
        let held = next.lines.iter().position(|l| l.variant_id == variant.id);
        let total = held.map_or(0, |at| next.lines[at].quantity) + quantity;
        if total > variant.max_per_order {
            let most = variant.max_per_order;
            return Err(invalid("quantity", format!("at most {most} of this variant per order")));
        }
        if total > variant.stock {
            return Err(CartRefused::OutOfStock { available: variant.stock });
        }
        match held {
            Some(at) => next.lines[at].quantity = total,
            None if next.lines.len() >= MAX_CART_LINES => {
                return Err(invalid("variant_id", format!("a cart holds at most {MAX_CART_LINES} lines")));
            }
            None => next.lines.push(CartLine {
                product_id: product.id,
                variant_id: variant.id,
                quantity,
                price_when_added: price,
            }),
        }
        Ok(next)
    }

    /// The line of `variant` set to `quantity` (0 removes it); `None` when the
    /// cart has no such line.
    pub fn with_quantity(
        &self,
        product: Option<&Product>,
        variant: VariantId,
        quantity: i64,
        lifetime: &CartLifetime,
        now: Timestamp,
    ) -> Option<Result<Cart, CartRefused>> {
        let at = self.lines.iter().position(|l| l.variant_id == variant)?;
        if let Err(closed) = self.open() {
            return Some(Err(closed));
        }
        if quantity == 0 {
            let mut next = self.touched(lifetime, now);
            next.lines.remove(at);
            return Some(Ok(next));
        }
        let Some(quantity) = u32::try_from(quantity).ok().filter(|q| (1..=MAX_QUANTITY).contains(&i64::from(*q)))
        else {
            return Some(Err(invalid("quantity", format!("must be a whole number from 0 to {MAX_QUANTITY}"))));
        };
        let on_sale = product.and_then(|p| p.variant(variant).filter(|v| p.sells(v)));
        if let Some(v) = on_sale {
            if quantity > v.max_per_order {
                let most = v.max_per_order;
                return Some(Err(invalid("quantity", format!("at most {most} of this variant per order"))));
            }
            if quantity > self.lines[at].quantity && quantity > v.stock {
                return Some(Err(CartRefused::OutOfStock { available: v.stock }));
            }
        } else if quantity > self.lines[at].quantity {
            return Some(Err(invalid("variant_id", "is not on sale any more: it can only be removed")));
        }
        let mut next = self.touched(lifetime, now);
        next.lines[at].quantity = quantity;
        Some(Ok(next))
    }

    /// The code applied, if `discount` (its record, if it exists) takes something
    /// off this cart now; the same one message as orders for any code that does not.
    pub fn with_discount(
        &self,
        code: &str,
        discount: Option<&Discount>,
        priced: &PricedCart,
        lifetime: &CartLifetime,
        now: Timestamp,
    ) -> Result<Cart, CartRefused> {
        self.open()?;
        let code = DiscountCode::parse(code).map_err(|message| invalid("code", message))?;
        let currency = priced.currency.ok_or_else(|| invalid("code", "add something to the cart first"))?;
        let applies = discount.is_some_and(|d| d.amount_off(priced.subtotal, currency, now).is_ok());
        if !applies {
            return Err(invalid("code", UNUSABLE_CODE));
        }
        let mut next = self.touched(lifetime, now);
        next.discount_code = Some(code);
        Ok(next)
    }

    pub fn without_discount(&self, lifetime: &CartLifetime, now: Timestamp) -> Result<Cart, CartRefused> {
        self.open()?;
        let mut next = self.touched(lifetime, now);
        next.discount_code = None;
        Ok(next)
    }

    /// This cart with `other`'s lines added (a shopper signing in with an
    /// anonymous cart): quantities summed and capped at what `products` allow
    /// per order, lines beyond [`MAX_CART_LINES`] or in another currency left
    /// out. This cart's discount code stays; else `other`'s comes along.
    pub fn merged(&self, other: &Cart, products: &[Product], lifetime: &CartLifetime, now: Timestamp) -> Cart {
        let mut next = self.touched(lifetime, now);
        for line in &other.lines {
            let cap = products
                .iter()
                .find(|p| p.id == line.product_id)
                .and_then(|p| p.variant(line.variant_id))
                .map_or(line.quantity, |v| v.max_per_order);
            let fits = next.lines.len() < MAX_CART_LINES
                && next.currency().is_none_or(|c| c == line.price_when_added.currency);
            match next.lines.iter_mut().find(|l| l.variant_id == line.variant_id) {
                Some(held) => held.quantity = (held.quantity + line.quantity).min(cap.max(held.quantity)),
                None if fits => next.lines.push(CartLine { quantity: line.quantity.min(cap), ..line.clone() }),
                None => {}
            }
        }
        if next.discount_code.is_none() {
            next.discount_code = other.discount_code.clone();
        }
        next
    }

    /// An anonymous cart becoming `customer`'s (they signed in and had none open).
    pub fn adopted(&self, customer: &str, email: Option<Email>, lifetime: &CartLifetime, now: Timestamp) -> Cart {
        let holder = CartHolder::Customer(customer.to_owned());
        let next = Cart { holder, email, ..self.clone() };
        next.touched(lifetime, now)
    }

    /// The cart merged into `into`: closed.
    pub fn merged_into(&self, into: CartId, now: Timestamp) -> Cart {
        Cart { status: CartStatus::MergedInto(into), version: self.version + 1, updated_at: now, ..self.clone() }
    }

    /// The cart placed as `order`: closed.
    pub fn checked_out(&self, order: OrderId, now: Timestamp) -> Cart {
        Cart { status: CartStatus::CheckedOut(order), version: self.version + 1, updated_at: now, ..self.clone() }
    }

    /// The cart once `cart.abandoned` is published for it.
    pub fn abandoned(&self, now: Timestamp) -> Cart {
        Cart { abandoned_at: Some(now), version: self.version + 1, ..self.clone() }
    }

    /// Whether the abandoned-cart job should publish `cart.abandoned` for it: open,
    /// with lines and an address, untouched since `idle_since`, and never before.
    pub fn is_abandoned(&self, idle_since: Timestamp, now: Timestamp) -> bool {
        self.is_open()
            && !self.lines.is_empty()
            && self.email.is_some()
            && self.abandoned_at.is_none()
            && self.updated_at <= idle_since
            && !self.is_expired(now)
    }

    /// The cart with its checkout details changed (merge-patch: `None` keeps a
    /// field, `Some(None)` clears it). A new address forgets the chosen method,
    /// which was priced for the old one, unless a method comes with it.
    pub fn with_details(
        &self,
        details: CartDetails,
        lifetime: &CartLifetime,
        now: Timestamp,
    ) -> Result<Cart, CartRefused> {
        self.open()?;
        let mut next = self.touched(lifetime, now);
        if let Some(email) = details.email {
            next.email = email;
        }
        if let Some(address) = details.shipping_address {
            if address != next.shipping_address {
                next.shipping_method = None;
            }
            next.shipping_address = address;
        }
        if let Some(address) = details.billing_address {
            next.billing_address = address;
        }
        if let Some(method) = details.shipping_method {
            if method.is_some() && next.shipping_address.is_none() {
                return Err(invalid("shipping_address", "is required to choose a shipping method"));
            }
            next.shipping_method = method;
        }
        Ok(next)
    }

    /// Where the order goes, as the cart holds it.
    pub fn delivery(&self) -> Delivery {
        Delivery {
            email: self.email.clone(),
            shipping_address: self.shipping_address.clone(),
            billing_address: self.billing_address.clone(),
            shipping_method: self.shipping_method,
        }
    }

    /// The order request checkout places: each line by its variant, the code
    /// and the delivery.
    pub fn order_request(&self) -> Result<OrderRequest, CartRefused> {
        self.open()?;
        if self.lines.is_empty() {
            return Err(invalid("lines", "the cart is empty"));
        }
        let lines: Vec<_> =
            self.lines.iter().map(|l| (l.product_id, Some(l.variant_id), i64::from(l.quantity))).collect();
        OrderRequest::parse(&lines, self.discount_code.as_ref().map(DiscountCode::as_str))
            .map(|request| request.delivered(self.delivery()))
            .map_err(CartRefused::Invalid)
    }

    /// The products the lines name, once each.
    pub fn product_ids(&self) -> Vec<ProductId> {
        let mut ids: Vec<_> = self.lines.iter().map(|l| l.product_id).collect();
        ids.sort();
        ids.dedup();
        ids
    }

    /// The cart priced from the catalog as read now (`products` holds those of
    /// [`Self::product_ids`] that exist) and the code's record, if any.
    pub fn price(&self, products: &[Product], discount: Option<&Discount>, now: Timestamp) -> PricedCart {
        let currency = self.currency();
        let lines: Vec<_> = self
            .lines
            .iter()
            .map(|line| {
                let product = products.iter().find(|p| p.id == line.product_id);
                let variant = product.and_then(|p| p.variant(line.variant_id).map(|v| (p, v)));
                match variant {
                    Some((p, v)) => {
                        let price = p.price_of(v);
                        PricedLine {
                            line: line.clone(),
                            sku: v.sku.as_str().to_owned(),
                            name: p.line_name(v),
                            unit_price: price,
                            total: price.amount * i64::from(line.quantity),
                            // A product repriced in another currency cannot join this cart's order.
                            available: p.sells(v) && v.stock >= line.quantity && Some(price.currency) == currency,
                            price_changed: price != line.price_when_added,
                        }
                    }
                    None => PricedLine {
                        line: line.clone(),
                        sku: String::new(),
                        name: String::new(),
                        unit_price: line.price_when_added,
                        total: 0,
                        available: false,
                        price_changed: false,
                    },
                }
            })
            .collect();
        let subtotal = lines.iter().filter(|l| l.available).map(|l| l.total).sum();
        let discount = match (&self.discount_code, discount, currency) {
            (Some(code), Some(d), Some(currency)) => match d.amount_off(subtotal, currency, now) {
                Ok(amount) => Some(PricedDiscount { code: code.clone(), amount: Some(amount) }),
                Err(_) => Some(PricedDiscount { code: code.clone(), amount: None }),
            },
            (Some(code), _, _) => Some(PricedDiscount { code: code.clone(), amount: None }),
            (None, _, _) => None,
        };
        let total = subtotal - discount.as_ref().and_then(|d| d.amount).unwrap_or(0);
        PricedCart { lines, currency, subtotal, discount, total }
    }
}

/// Changes to a cart's checkout details: `None` keeps a field, `Some(None)`
/// clears it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CartDetails {
    pub email: Option<Option<Email>>,
    pub shipping_address: Option<Option<Address>>,
    pub billing_address: Option<Option<Address>>,
    pub shipping_method: Option<Option<ShippingMethodId>>,
}

/// A cart line as the catalog prices it now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PricedLine {
    pub line: CartLine,
    /// Empty when the product is gone.
    pub sku: String,
    pub name: String,
    pub unit_price: Money,
    pub total: i64,
    /// On sale with enough stock for the line.
    pub available: bool,
    /// The price differs from when the line was added.
    pub price_changed: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PricedDiscount {
    pub code: DiscountCode,
    /// `None`: the code does not apply to the cart as it is now (expired, used
    /// up, below its minimum); checkout would refuse it.
    pub amount: Option<i64>,
}

/// What the cart would cost if placed now: lines that are not available are
/// left out of the subtotal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PricedCart {
    pub lines: Vec<PricedLine>,
    pub currency: Option<Currency>,
    pub subtotal: i64,
    pub discount: Option<PricedDiscount>,
    pub total: i64,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::money::MoneyInput;
    use crate::domain::{NewProduct, NewVariant};
    use time::macros::datetime;

    const NOW: Timestamp = datetime!(2026-12-05 10:00 UTC);
    const LIFE: CartLifetime = CartLifetime::TEMPLATE_DEFAULTS;

    fn tee() -> Product {
        let sized = |size: &str, stock| NewVariant {
            options: vec![("Size".into(), size.into())],
            ..NewVariant::sole(format!("TEE-{size}"), stock, 3)
        };
        let input = NewProduct {
            options: vec![("Size".into(), vec!["S".into(), "M".into()])],
            variants: vec![sized("S", 2), sized("M", 10)],
            ..NewProduct::active("x", "Tee", MoneyInput::new(2500, "EUR"), 0)
        };
        input.into_product(ProductId::generate(), NOW).unwrap()
    }

    fn mug(currency: &str) -> Product {
        let input = NewProduct::active(format!("MUG-{currency}"), "Mug", MoneyInput::new(900, currency), 50);
        input.into_product(ProductId::generate(), NOW).unwrap()
    }

    fn anonymous() -> Cart {
        Cart::new(CartId::generate(), CartHolder::Anonymous { token_hash: "h".into() }, None, &LIFE, NOW)
    }

    fn field(refused: CartRefused) -> String {
        match refused {
            CartRefused::Invalid(Invalid(errors)) => errors[0].field.clone(),
            other => panic!("expected invalid, got {other:?}"),
        }
    }

    #[test]
    fn the_same_variant_twice_is_one_line_within_its_limit_and_stock() {
        let tee = tee();
        let medium = tee.variants[1].id;
        let cart = anonymous().with_added(&tee, Some(medium), 2, &LIFE, NOW).unwrap();
        let cart = cart.with_added(&tee, Some(medium), 1, &LIFE, NOW).unwrap();
        assert_eq!((cart.lines.len(), cart.lines[0].quantity, cart.version), (1, 3, 3));
        assert_eq!(field(cart.with_added(&tee, Some(medium), 1, &LIFE, NOW).unwrap_err()), "quantity");
        let small = tee.variants[0].id;
        assert_eq!(
            cart.with_added(&tee, Some(small), 3, &LIFE, NOW).unwrap_err(),
            CartRefused::OutOfStock { available: 2 }
        );
        assert_eq!(field(cart.with_added(&tee, None, 1, &LIFE, NOW).unwrap_err()), "variant_id");
        assert_eq!(field(cart.with_added(&mug("USD"), None, 1, &LIFE, NOW).unwrap_err()), "variant_id");
        assert_eq!(field(cart.with_added(&tee, Some(VariantId::generate()), 1, &LIFE, NOW).unwrap_err()), "variant_id");
    }

    #[test]
    fn a_cart_is_priced_from_the_catalog_now() {
        let mut tee = tee();
        let medium = tee.variants[1].id;
        let cart = anonymous().with_added(&tee, Some(medium), 2, &LIFE, NOW).unwrap();
        let mug = mug("EUR");
        let cart = cart.with_added(&mug, None, 1, &LIFE, NOW).unwrap();
        tee.variants[1].price = Some(Money { amount: 2000, currency: Currency::parse("EUR").unwrap() });
        let priced = cart.price(&[tee.clone(), mug.clone()], None, NOW);
        assert_eq!((priced.subtotal, priced.total), (2 * 2000 + 900, 4900));
        assert!(priced.lines[0].price_changed && !priced.lines[1].price_changed);
        assert_eq!(priced.lines[0].name, "Tee (M)");
        tee.variants[1].stock = 1;
        let short = cart.price(&[tee, mug], None, NOW);
        assert!(!short.lines[0].available);
        assert_eq!(short.subtotal, 900, "what cannot be bought is not counted");
        let gone = cart.price(&[], None, NOW);
        assert!(gone.lines.iter().all(|l| !l.available));
    }

    #[test]
    fn quantities_change_and_zero_removes() {
        let tee = tee();
        let medium = tee.variants[1].id;
        let cart = anonymous().with_added(&tee, Some(medium), 2, &LIFE, NOW).unwrap();
        let one = cart.with_quantity(Some(&tee), medium, 1, &LIFE, NOW).unwrap().unwrap();
        assert_eq!(one.lines[0].quantity, 1);
        assert!(cart.with_quantity(Some(&tee), medium, 0, &LIFE, NOW).unwrap().unwrap().lines.is_empty());
        assert_eq!(field(cart.with_quantity(Some(&tee), medium, 4, &LIFE, NOW).unwrap().unwrap_err()), "quantity");
        assert!(cart.with_quantity(Some(&tee), tee.variants[0].id, 1, &LIFE, NOW).is_none());
    }

    #[test]
    fn merging_sums_and_caps_and_closed_carts_do_not_change() {
        let tee = tee();
        let medium = tee.variants[1].id;
        let customer = Cart::new(CartId::generate(), CartHolder::Customer("ann".into()), None, &LIFE, NOW);
        let customer = customer.with_added(&tee, Some(medium), 2, &LIFE, NOW).unwrap();
        let guest = anonymous().with_added(&tee, Some(medium), 2, &LIFE, NOW).unwrap();
        let guest = guest.with_added(&mug("EUR"), None, 1, &LIFE, NOW).unwrap();
        let merged = customer.merged(&guest, std::slice::from_ref(&tee), &LIFE, NOW);
        assert_eq!(merged.lines[0].quantity, 3, "2 + 2, capped at 3 per order");
        assert_eq!(merged.lines.len(), 2);
        let closed = guest.merged_into(merged.id, NOW);
        assert_eq!(closed.with_added(&tee, Some(medium), 1, &LIFE, NOW).unwrap_err(), CartRefused::Closed);
        assert_eq!(closed.order_request().unwrap_err(), CartRefused::Closed);
    }

    #[test]
    fn only_an_idle_open_cart_with_lines_and_an_address_is_abandoned_once() {
        let tee = tee();
        let email = Email::parse("ann@example.com").ok();
        let cart = Cart::new(CartId::generate(), CartHolder::Customer("ann".into()), email, &LIFE, NOW);
        let later = NOW + time::Duration::hours(5);
        let idle_since = later - time::Duration::hours(4);
        assert!(!cart.is_abandoned(idle_since, later), "empty");
        let cart = cart.with_added(&tee, Some(tee.variants[1].id), 1, &LIFE, NOW).unwrap();
        assert!(cart.is_abandoned(idle_since, later));
        assert!(!cart.abandoned(later).is_abandoned(idle_since, later), "once per cart");
        assert!(!cart.is_abandoned(NOW - time::Duration::hours(1), later), "touched since");
    }
}
