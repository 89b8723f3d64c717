//! Cart use cases: create, read (priced from the catalog now), change lines and
//! the discount code, claim on sign-in, check out, and report abandoned carts.
//!
//! Changes are read-modify-write at the cart's version; a change that meets a
//! concurrent one (two tabs, a double click) is applied again to the newer cart,
//! so neither is lost.

mod error;
pub mod ports;

pub use error::CartsError;

use crate::app::accounts::ports::{RateLimiter, UserStore};
use crate::app::catalog::ports::ProductStore;
use crate::app::checkout::{CheckoutPricing, estimate};
use crate::app::error::CommonError;
use crate::app::orders::ports::DiscountStore;
use crate::app::orders::{OrderPolicy, OrdersError, PlacingStore, place_from};
use crate::app::store::StoreError;
use crate::domain::cart::{CartDetails, CartRefused, PricedCart};
use crate::domain::order::guest_customer;
use crate::domain::secret::{opaque_token, token_hash};
use crate::domain::shipping::{Quote, unshippable};
use crate::domain::{
    Cart, CartHolder, CartId, CartLifetime, CartStatus, Email, Event, EventKind, FieldError, Invalid, Order, Principal,
    ProductId, RateLimit, Role, Timestamp, UserId, VariantId,
};
use ports::CartStore;

/// How many times a change is applied again after meeting a concurrent one.
const ATTEMPTS: usize = 5;

/// Who is asking: the signed-in caller, and the `Cart-Token` they sent.
#[derive(Debug, Clone, Copy, Default)]
pub struct CartAccess<'a> {
    pub principal: Option<&'a Principal>,
    pub token: Option<&'a str>,
}

impl CartAccess<'_> {
    fn holds(&self, cart: &Cart) -> bool {
        let hash = self.token.map(token_hash);
        cart.is_held_by(self.principal.map(|p| p.subject.as_str()), hash.as_deref())
    }
}

/// Every port pricing a cart reads: the catalog, codes, shipping and taxes.
pub trait CartPricing: ProductStore + DiscountStore + CheckoutPricing {}

impl<T: ProductStore + DiscountStore + CheckoutPricing> CartPricing for T {}

/// A cart as read: the cart, what its lines cost now and, when every line can
/// be ordered, what checkout would charge (shipping offered and chosen, tax,
/// total) computed as checkout computes it.
#[derive(Debug, Clone)]
pub struct CartRead {
    pub cart: Cart,
    pub priced: PricedCart,
    pub shipping_options: Vec<Quote>,
    pub estimate: Option<Order>,
}

impl From<CartRefused> for CartsError {
    fn from(refused: CartRefused) -> Self {
        match refused {
            CartRefused::Invalid(invalid) => invalid.into(),
            CartRefused::OutOfStock { available } => Self::OutOfStock { available },
            // The cart closed between the read and the change.
            CartRefused::Closed => Self::Closed { order: None },
        }
    }
}

/// The address a customer's cart reminder would go to, if they have an account.
async fn email_of(store: &impl UserStore, principal: &Principal) -> Result<Option<Email>, StoreError> {
    let Ok(id) = principal.subject.parse::<UserId>() else { return Ok(None) };
    Ok(UserStore::get(store, id).await?.filter(|u| !u.disabled).map(|u| u.email))
}

/// A new cart: a signed-in customer's open cart (the one they have, if it is
/// still open: `created` is false), or an anonymous one with its capability
/// token, returned this once.
pub struct Created {
    pub read: CartRead,
    pub token: Option<String>,
    pub created: bool,
}

pub async fn create(
    store: &(impl CartStore + CartPricing + UserStore),
    lifetime: &CartLifetime,
    principal: Option<&Principal>,
    now: Timestamp,
) -> Result<Created, CartsError> {
    let Some(principal) = principal else {
        let token = format!("ct_{}", opaque_token());
        let holder = CartHolder::Anonymous { token_hash: token_hash(&token) };
        let cart = Cart::new(CartId::generate(), holder, None, lifetime, now);
        store.create_cart(&cart, None).await?;
        return Ok(Created { read: priced(store, cart, now).await?, token: Some(token), created: true });
    };
    for _ in 0..ATTEMPTS {
        let current = open_cart(store, &principal.subject, now).await?;
        if let Ok(cart) = current {
            return Ok(Created { read: priced(store, cart, now).await?, token: None, created: false });
        }
        let holder = CartHolder::Customer(principal.subject.clone());
        let cart = Cart::new(CartId::generate(), holder, email_of(store, principal).await?, lifetime, now);
        if store.create_cart(&cart, current.err().flatten()).await? {
            return Ok(Created { read: priced(store, cart, now).await?, token: None, created: true });
        }
    }
    Err(StoreError::Unavailable("the customer's open cart kept changing".into()).into())
}

/// The customer's open cart, or (as the error) the id their pointer holds now
/// (a closed or expired cart, or `None`), for the next cart to replace.
async fn open_cart(
    store: &impl CartStore,
    customer: &str,
    now: Timestamp,
) -> Result<Result<Cart, Option<CartId>>, StoreError> {
    let Some(id) = store.open_cart_of(customer).await? else { return Ok(Err(None)) };
    Ok(match store.cart(id).await? {
        Some(cart) if cart.is_open() && !cart.is_expired(now) => Ok(cart),
        _ => Err(Some(id)),
    })
}

/// The cart, if `access` holds it and it has not expired.
async fn held(store: &impl CartStore, access: CartAccess<'_>, id: CartId, now: Timestamp) -> Result<Cart, CartsError> {
    // Someone else's cart does not exist, as far as the caller can tell, so an
    // id tells a stranger nothing.
    let cart = store.cart(id).await?.filter(|cart| access.holds(cart)).ok_or(CartsError::NotHolder)?;
    if cart.is_expired(now) {
        return Err(CartsError::Expired);
    }
    Ok(cart)
}

fn closed(cart: &Cart) -> Option<CartsError> {
    match cart.status {
        CartStatus::Open => None,
        CartStatus::CheckedOut(order) => Some(CartsError::Closed { order: Some(order) }),
        CartStatus::MergedInto(_) => Some(CartsError::Closed { order: None }),
    }
}

async fn priced(store: &impl CartPricing, cart: Cart, now: Timestamp) -> Result<CartRead, CartsError> {
    let products = store.get_many(&cart.product_ids()).await?;
    let discount = match &cart.discount_code {
        Some(code) => DiscountStore::get(store, code).await?,
        None => None,
    };
    let priced = cart.price(&products, discount.as_ref(), now);
    // What the order would be: only when checkout could place it as it is.
    let order = cart.order_request().ok().filter(|_| priced.lines.iter().all(|l| l.available)).and_then(|request| {
        let subject = cart.holder_subject();
        Order::price(&request, &products, discount.as_ref(), &subject, now).ok()
    });
    let (shipping_options, estimate) = match order {
        Some(order) => {
            let (quotes, order) = estimate(store, order, &cart.delivery()).await?;
            (quotes, Some(order))
        }
        None => (Vec::new(), None),
    };
    Ok(CartRead { cart, priced, shipping_options, estimate })
}

/// The cart priced from the catalog now.
pub async fn get(
    store: &(impl CartStore + CartPricing),
    access: CartAccess<'_>,
    id: CartId,
    now: Timestamp,
) -> Result<CartRead, CartsError> {
    let cart = held(store, access, id, now).await?;
    priced(store, cart, now).await
}

/// Applies `change` to the held, open cart, again on a newer version if a
/// concurrent change wrote first; returns the cart priced.
async fn change<F: Future<Output = Result<Cart, CartsError>>>(
    store: &(impl CartStore + CartPricing),
    access: CartAccess<'_>,
    id: CartId,
    now: Timestamp,
    change: impl Fn(Cart) -> F,
) -> Result<CartRead, CartsError> {
    for _ in 0..ATTEMPTS {
        let cart = held(store, access, id, now).await?;
        if let Some(refused) = closed(&cart) {
            return Err(refused);
        }
        let next = change(cart.clone()).await?;
        match store.save_cart(&cart, &next).await {
            Ok(()) => return priced(store, next, now).await,
            Err(StoreError::VersionMismatch { .. }) => continue,
            Err(other) => return Err(other.into()),
        }
    }
    Err(StoreError::Unavailable("the cart kept changing; retry".into()).into())
}

/// Adds `quantity` of a variant (merged with a line of it already there).
pub async fn add_line(
    store: &(impl CartStore + CartPricing),
    lifetime: &CartLifetime,
    access: CartAccess<'_>,
    id: CartId,
    (product_id, variant_id, quantity): (ProductId, Option<VariantId>, i64),
    now: Timestamp,
) -> Result<CartRead, CartsError> {
    change(store, access, id, now, |cart| async move {
        let product = ProductStore::get(store, product_id).await?.filter(|p| p.is_public());
        let Some(product) = product else {
            let field = crate::domain::FieldError::new("product_id", "is not a product on sale");
            return Err(crate::domain::Invalid(vec![field]).into());
        };
        Ok(cart.with_added(&product, variant_id, quantity, lifetime, now)?)
    })
    .await
}

/// Sets the quantity of a variant's line; 0 removes it.
pub async fn set_quantity(
    store: &(impl CartStore + CartPricing),
    lifetime: &CartLifetime,
    access: CartAccess<'_>,
    (id, variant): (CartId, VariantId),
    quantity: i64,
    now: Timestamp,
) -> Result<CartRead, CartsError> {
    change(store, access, id, now, |cart| async move {
        let line = cart.lines.iter().find(|l| l.variant_id == variant).ok_or(CommonError::NotFound)?;
        let product = ProductStore::get(store, line.product_id).await?;
        let next = cart.with_quantity(product.as_ref(), variant, quantity, lifetime, now);
        Ok(next.ok_or(CommonError::NotFound)??)
    })
    .await
}

/// Applies a discount code, if it takes something off the cart now. Tries are
/// limited as through orders: per customer, or per address (`client`) for
/// anonymous carts, which anyone can make as many of as they like.
pub async fn apply_discount(
    store: &(impl CartStore + CartPricing + RateLimiter),
    lifetime: &CartLifetime,
    (access, client): (CartAccess<'_>, &str),
    id: CartId,
    code: &str,
    now: Timestamp,
) -> Result<CartRead, CartsError> {
    held(store, access, id, now).await?;
    let caller = access.principal.map_or_else(|| format!("ip:{client}"), |p| p.subject.clone());
    if let Some(retry_after) = store.over(crate::domain::rate_limit::DISCOUNT_TRIES_PER_CUSTOMER, &caller, now).await? {
        return Err(OrdersError::RateLimited { retry_after }.into());
    }
    change(store, access, id, now, |cart| async move {
        // The subtotal the code would apply to; the cart's current code plays no part.
        let products = store.get_many(&cart.product_ids()).await?;
        let discount = match crate::domain::DiscountCode::parse(code) {
            Ok(parsed) => DiscountStore::get(store, &parsed).await?,
            Err(_) => None,
        };
        let before = cart.price(&products, None, now);
        Ok(cart.with_discount(code, discount.as_ref(), &before, lifetime, now)?)
    })
    .await
}

pub async fn remove_discount(
    store: &(impl CartStore + CartPricing),
    lifetime: &CartLifetime,
    access: CartAccess<'_>,
    id: CartId,
    now: Timestamp,
) -> Result<CartRead, CartsError> {
    change(store, access, id, now, |cart| async move { Ok(cart.without_discount(lifetime, now)?) }).await
}

/// A signed-in customer takes over the anonymous cart they built before signing
/// in (its `Cart-Token` proves it): merged into their open cart (quantities
/// summed and capped), or made their open cart when they have none. Claiming a
/// cart they hold already returns it as it is.
pub async fn claim(
    store: &(impl CartStore + CartPricing + UserStore),
    lifetime: &CartLifetime,
    principal: &Principal,
    token: Option<&str>,
    id: CartId,
    now: Timestamp,
) -> Result<CartRead, CartsError> {
    for _ in 0..ATTEMPTS {
        let anonymous = held(store, CartAccess { principal: Some(principal), token }, id, now).await?;
        if let Some(refused) = closed(&anonymous) {
            return Err(refused);
        }
        if anonymous.holder == CartHolder::Customer(principal.subject.clone()) {
            return priced(store, anonymous, now).await;
        }
        let written = match open_cart(store, &principal.subject, now).await? {
            Err(replacing) => {
                let adopted = anonymous.adopted(&principal.subject, email_of(store, principal).await?, lifetime, now);
                match store.adopt(&anonymous, &adopted, replacing).await {
                    Ok(true) => Ok(adopted),
                    Ok(false) => continue,
                    Err(e) => Err(e),
                }
            }
            Ok(own) => {
                let products = store.get_many(&anonymous.product_ids()).await?;
                let merged = own.merged(&anonymous, &products, lifetime, now);
                let closed = anonymous.merged_into(own.id, now);
                store.merge((&own, &merged), (&anonymous, &closed)).await.map(|()| merged)
            }
        };
        match written {
            Ok(cart) => return priced(store, cart, now).await,
            Err(StoreError::VersionMismatch { .. }) => continue,
            Err(other) => return Err(other.into()),
        }
    }
    Err(StoreError::Unavailable("the carts kept changing; retry".into()).into())
}

/// Sets the cart's e-mail, addresses and shipping method. An address the
/// shop does not ship to, or a method of another zone, is refused here, before
/// checkout; whether the method takes the cart's parcel is checked at checkout
/// (the cart may still change).
pub async fn set_details(
    store: &(impl CartStore + CartPricing),
    lifetime: &CartLifetime,
    access: CartAccess<'_>,
    id: CartId,
    details: CartDetails,
    now: Timestamp,
) -> Result<CartRead, CartsError> {
    let zones = store.shipping_zones().await?;
    change(store, access, id, now, |cart| {
        let details = details.clone();
        let zones = &zones;
        async move {
            let next = cart.with_details(details, lifetime, now)?;
            if let Some(address) = &next.shipping_address {
                let Some(zone) = zones.zone_of(address.country()) else {
                    return Err(unshippable(address.country()).into());
                };
                if next.shipping_method.is_some_and(|m| !zone.methods.iter().any(|offered| offered.id == m)) {
                    let field = FieldError::new("shipping_method_id", "is not a shipping method to this address");
                    return Err(Invalid(vec![field]).into());
                }
            }
            Ok(next)
        }
    })
    .await
}

/// Guest checkouts one address (IP) may start per hour: guests need no
/// account, so this and the per-e-mail order limit are what stop a script.
const GUEST_CHECKOUTS_PER_SOURCE: RateLimit = RateLimit { name: "guest-checkout-ip", max: 20, window_seconds: 60 * 60 };

/// Places the cart as an order and closes it, in the transaction that reserves
/// the stock: concurrent checkouts of one cart make one order. A signed-in
/// customer checks out their cart; a guest checks out an anonymous cart that
/// holds an e-mail address (`source` is their network address, for the
/// per-source limit).
pub async fn checkout(
    store: &(impl CartStore + PlacingStore),
    policy: &OrderPolicy,
    (principal, source): (Option<&Principal>, &str),
    token: Option<&str>,
    id: CartId,
    now: Timestamp,
) -> Result<Order, CartsError> {
    let cart = held(store, CartAccess { principal, token }, id, now).await?;
    if let Some(refused) = closed(&cart) {
        return Err(refused);
    }
    let buyer = match (principal, &cart.holder) {
        // A signed-in caller with an anonymous cart's token buys as themselves.
        (Some(principal), _) => principal.clone(),
        (_, CartHolder::Anonymous { .. }) => {
            let Some(email) = &cart.email else {
                let field =
                    FieldError::new("email", "is required to check out as a guest (or sign in and claim the cart)");
                return Err(Invalid(vec![field]).into());
            };
            if let Some(retry_after) = store.over(GUEST_CHECKOUTS_PER_SOURCE, source, now).await? {
                return Err(OrdersError::RateLimited { retry_after }.into());
            }
            Principal { subject: guest_customer(email), role: Role::Customer, session: None }
        }
        (None, CartHolder::Customer(_)) => return Err(CartsError::SignInToCheckOut),
    };
    let request = cart.order_request()?;
    match place_from(store, policy, &buyer, request, Some(&cart), now).await {
        Ok(order) => Ok(order),
        // A concurrent checkout that won took the stock too, so this one may fail
        // on the stock, not the cart: a closed cart is the answer then.
        Err(refused) => match store.cart(id).await?.as_ref().and_then(closed) {
            Some(closed) => Err(closed),
            None => Err(refused.into()),
        },
    }
}

/// Publishes `cart.abandoned` once for each cart idle since `idle_since`
/// (open, with lines and an address); returns how many.
pub async fn report_abandoned(
    store: &impl CartStore,
    idle_since: Timestamp,
    now: Timestamp,
) -> Result<usize, StoreError> {
    let mut reported = 0;
    let mut cursor = None;
    loop {
        let page = store.idle(idle_since, cursor.as_deref()).await?;
        for cart in page.items.iter().filter(|c| c.is_abandoned(idle_since, now)) {
            let event = Event::new(EventKind::CartAbandoned { cart_id: cart.id }, now);
            if store.mark_abandoned(cart, &cart.abandoned(now), &event).await? {
                reported += 1;
            }
        }
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => return Ok(reported),
        }
    }
}
