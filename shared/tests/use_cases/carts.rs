//! Carts on the fake: building one anonymously, claiming it on sign-in,
//! checking out once, abandoned-cart reports and their reminder, and the low
//! stock a checkout can cause. `infra/local/tests/test_carts.py` runs the same
//! flows through the gateway, the binaries and DynamoDB.

use super::{NOW, POLICY, run, staff, who};
use crate::memory::MemoryShop;
use tillbox::app::accounts::{self, Credentials};
use tillbox::app::carts::{self, CartAccess, CartsError};
use tillbox::app::catalog::{products, stock};
use tillbox::app::notifications::{self, Links, Outcome};
use tillbox::domain::money::MoneyInput;
use tillbox::domain::{CartLifetime, EventKind, NewProduct, NewVariant, Product, Role};

const LIFE: CartLifetime = CartLifetime::TEMPLATE_DEFAULTS;

fn tee(shop: &MemoryShop, small: i64, medium: i64) -> Product {
    let sized = |size: &str, stock| NewVariant {
        options: vec![("Size".into(), size.into())],
        low_stock_threshold: 3,
        ..NewVariant::sole(format!("TEE-{size}"), stock, 10)
    };
    let input = NewProduct {
        options: vec![("Size".into(), vec!["S".into(), "M".into()])],
        variants: vec![sized("S", small), sized("M", medium)],
        ..NewProduct::active("x", "Tee", MoneyInput::new(2500, "EUR"), 0)
    };
    run(products::create(shop, Some(&staff()), input, NOW)).unwrap()
}

#[test]
fn an_anonymous_cart_is_claimed_on_sign_in_and_becomes_one_order() {
    let shop = MemoryShop::default();
    let tee = tee(&shop, 5, 5);
    let (small, medium) = (tee.variants[0].id, tee.variants[1].id);
    let anonymous = run(carts::create(&shop, &LIFE, None, NOW)).unwrap();
    let token = anonymous.token.clone().expect("an anonymous cart comes with its token");
    let holder = CartAccess { principal: None, token: Some(&token) };
    let id = anonymous.read.cart.id;
    run(carts::add_line(&shop, &LIFE, holder, id, (tee.id, Some(small), 2), NOW)).unwrap();
    let read = run(carts::add_line(&shop, &LIFE, holder, id, (tee.id, Some(medium), 1), NOW)).unwrap();
    assert_eq!((read.priced.subtotal, read.priced.total), (7500, 7500));
    let stranger = CartAccess { principal: None, token: Some("ct_guess") };
    assert!(matches!(run(carts::get(&shop, stranger, id, NOW)), Err(CartsError::NotHolder)));

    let ann = who(Role::Customer, "ann");
    let own = run(carts::create(&shop, &LIFE, Some(&ann), NOW)).unwrap().read.cart;
    let mine = CartAccess { principal: Some(&ann), token: None };
    run(carts::add_line(&shop, &LIFE, mine, own.id, (tee.id, Some(small), 1), NOW)).unwrap();
    let no_email = run(carts::checkout(&shop, &POLICY, (None, "198.51.100.7"), Some(&token), id, NOW));
    let Err(CartsError::Common(tillbox::app::error::CommonError::Invalid(invalid))) = no_email else {
        panic!("a guest's cart needs an e-mail address: {no_email:?}")
    };
    assert_eq!(invalid.0[0].field, "email");

    let merged = run(carts::claim(&shop, &LIFE, &ann, Some(&token), id, NOW)).unwrap();
    assert_eq!(merged.cart.id, own.id);
    let quantities: Vec<_> = merged.cart.lines.iter().map(|l| l.quantity).collect();
    assert_eq!(quantities, [3, 1], "S: 1 + 2; M from the anonymous cart");
    let again = run(carts::add_line(&shop, &LIFE, holder, id, (tee.id, Some(small), 1), NOW));
    assert!(matches!(again, Err(CartsError::Closed { order: None })), "the anonymous cart closed: {again:?}");

    let order = run(carts::checkout(&shop, &POLICY, (Some(&ann), "198.51.100.7"), None, own.id, NOW)).unwrap();
    assert_eq!(order.total, 4 * 2500);
    let stock: Vec<_> = shop.products.borrow()[&tee.id].variants.iter().map(|v| v.stock).collect();
    assert_eq!(stock, [2, 4]);
    let twice = run(carts::checkout(&shop, &POLICY, (Some(&ann), "198.51.100.7"), None, own.id, NOW));
    assert!(matches!(twice, Err(CartsError::Closed { order: Some(placed) }) if placed == order.id), "{twice:?}");
    assert_eq!(shop.orders.borrow().len(), 1, "a cart becomes one order");
    let next = run(carts::create(&shop, &LIFE, Some(&ann), NOW)).unwrap();
    assert!(next.created && next.read.cart.id != own.id, "a checked-out cart is not the customer's open cart");
}

#[test]
fn an_expired_cart_cannot_be_read_or_changed() {
    let shop = MemoryShop::default();
    let tee = tee(&shop, 5, 5);
    let created = run(carts::create(&shop, &LIFE, None, NOW)).unwrap();
    let holder = CartAccess { principal: None, token: created.token.as_deref() };
    let later = NOW + time::Duration::days(8);
    let read = run(carts::get(&shop, holder, created.read.cart.id, later));
    assert!(matches!(read, Err(CartsError::Expired)), "{read:?}");
    let change =
        run(carts::add_line(&shop, &LIFE, holder, created.read.cart.id, (tee.id, Some(tee.variants[0].id), 1), later));
    assert!(matches!(change, Err(CartsError::Expired)));
}

#[test]
fn an_idle_cart_is_reported_once_and_its_customer_reminded_if_the_shop_wants() {
    let shop = MemoryShop::default();
    let tee = tee(&shop, 5, 5);
    let credentials = Credentials { email: "ann@example.com".into(), password: "correct horse battery".into() };
    run(accounts::signup(&shop, credentials, "192.0.2.1", NOW)).unwrap();
    let user = shop.user_by_email("ann@example.com").unwrap();
    let ann = who(Role::Customer, &user.id.to_string());
    let cart = run(carts::create(&shop, &LIFE, Some(&ann), NOW)).unwrap().read.cart;
    let access = CartAccess { principal: Some(&ann), token: None };
    run(carts::add_line(&shop, &LIFE, access, cart.id, (tee.id, Some(tee.variants[0].id), 1), NOW)).unwrap();

    let idle_since = |now: tillbox::domain::Timestamp| now - time::Duration::hours(4);
    let soon = NOW + time::Duration::hours(3);
    assert_eq!(run(carts::report_abandoned(&shop, idle_since(soon), soon)).unwrap(), 0, "not idle long enough");
    let later = NOW + time::Duration::hours(5);
    assert_eq!(run(carts::report_abandoned(&shop, idle_since(later), later)).unwrap(), 1);
    assert_eq!(run(carts::report_abandoned(&shop, idle_since(later), later)).unwrap(), 0, "once per cart");
    let event = shop.events.borrow().last().unwrap().clone();
    assert_eq!(event.kind, EventKind::CartAbandoned { cart_id: cart.id });

    let links = |cart_reminders| Links {
        shop_name: "Tillbox".into(),
        storefront_url: "https://shop.example".into(),
        staff_email: None,
        cart_reminders,
    };
    let mails = shop.mail.borrow().len();
    assert_eq!(
        run(notifications::deliver(&shop, &shop, (&links(false), &crate::order_links().0), &event, later)).unwrap(),
        Outcome::Skipped
    );
    let mut again = event.clone();
    again.id = tillbox::domain::EventId::generate();
    assert_eq!(
        run(notifications::deliver(&shop, &shop, (&links(true), &crate::order_links().0), &again, later)).unwrap(),
        Outcome::Sent
    );
    let sent = shop.mail.borrow();
    assert_eq!(sent.len(), mails + 1);
    assert_eq!(sent.last().unwrap().0.as_str(), "ann@example.com");
    assert!(sent.last().unwrap().1.subject.contains("your cart is waiting"));
}

#[test]
fn a_checkout_that_takes_a_variant_below_its_threshold_reports_it_once() {
    let shop = MemoryShop::default();
    let before = tee(&shop, 5, 5);
    let ann = who(Role::Customer, "ann");
    let cart = run(carts::create(&shop, &LIFE, Some(&ann), NOW)).unwrap().read.cart;
    let access = CartAccess { principal: Some(&ann), token: None };
    run(carts::add_line(&shop, &LIFE, access, cart.id, (before.id, Some(before.variants[1].id), 3), NOW)).unwrap();
    run(carts::checkout(&shop, &POLICY, (Some(&ann), "198.51.100.7"), None, cart.id, NOW)).unwrap();
    let after = shop.products.borrow()[&before.id].clone();
    assert_eq!(run(stock::report_low_stock(&shop, &before, &after, NOW)).unwrap(), 1);
    assert_eq!(run(stock::report_low_stock(&shop, &before, &after, NOW)).unwrap(), 1, "the same change again…");
    let low: Vec<_> = shop.events.borrow().iter().filter(|e| e.kind.name() == "inventory.low").cloned().collect();
    assert_eq!(low.len(), 1, "…publishes nothing new");
    let EventKind::InventoryLow { sku, stock, threshold, .. } = &low[0].kind else { unreachable!() };
    assert_eq!((sku.as_str(), *stock, *threshold), ("TEE-M", 2, 3));
}
