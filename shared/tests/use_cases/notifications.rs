//! The e-mail job: which events mail whom, once each, and what it skips.
//! `tests/accounts.rs` and `tests/orders.rs` run it against DynamoDB and SES.

use super::{NOW, POLICY, run, staff, who};
use crate::memory::MemoryShop;
use tillbox::app::accounts::{self, Credentials};
use tillbox::app::catalog::products;
use tillbox::app::notifications::{self, Links, Outcome};
use tillbox::domain::NewProduct;
use tillbox::domain::money::MoneyInput;
use tillbox::domain::{Event, OrderRequest, Role, Transition};

fn links() -> Links {
    Links {
        shop_name: "Tillbox".into(),
        storefront_url: "https://shop.example".into(),
        staff_email: None,
        cart_reminders: false,
    }
}

fn deliver(shop: &MemoryShop, event: &Event) -> Outcome {
    run(notifications::deliver(shop, shop, (&links(), &crate::order_links().0), event, NOW)).unwrap()
}

fn last_event(shop: &MemoryShop) -> Event {
    shop.events.borrow().last().unwrap().clone()
}

fn sign_up(shop: &MemoryShop, address: &str) {
    let credentials = Credentials { email: address.into(), password: "correct horse battery".into() };
    run(accounts::signup(shop, credentials, "192.0.2.1", NOW)).unwrap();
}

#[test]
fn each_event_is_mailed_once() {
    let shop = MemoryShop::default();
    sign_up(&shop, "ann@example.com");
    let event = last_event(&shop);
    assert_eq!(deliver(&shop, &event), Outcome::Sent);
    assert_eq!(deliver(&shop, &event), Outcome::AlreadySent);
    assert_eq!(shop.mail.borrow().len(), 1);
}

#[test]
fn order_events_mail_the_customer_who_placed_the_order_and_placing_mails_no_one() {
    let shop = MemoryShop::default();
    sign_up(&shop, "ann@example.com");
    let ann = shop.user_by_email("ann@example.com").unwrap();
    let customer = who(Role::Customer, &ann.id.to_string());
    let input = NewProduct::active("MUG", "Mug", MoneyInput::new(1200, "EUR"), 3);
    let mug = run(products::create(&shop, Some(&staff()), input, NOW)).unwrap();
    let order = OrderRequest::parse(&[(mug.id, None, 1)], None).unwrap();
    let order = run(tillbox::app::orders::place(&shop, &POLICY, &customer, order, NOW)).unwrap();
    assert_eq!(deliver(&shop, &last_event(&shop)), Outcome::Skipped, "order.placed mails no one");

    run(tillbox::app::orders::change(&shop, &staff(), order.id, Transition::MarkPaid, NOW)).unwrap();
    assert_eq!(deliver(&shop, &last_event(&shop)), Outcome::Sent);
    let mail = shop.mail.borrow();
    let (to, paid) = mail.last().unwrap();
    assert_eq!(to.as_str(), "ann@example.com");
    assert!(paid.text.contains(&order.id.to_string()), "{}", paid.text);
}

#[test]
fn disabled_users_get_no_mail() {
    let shop = MemoryShop::default();
    sign_up(&shop, "ann@example.com");
    let event = last_event(&shop);
    let ann = shop.user_by_email("ann@example.com").unwrap();
    shop.users.borrow_mut().get_mut(&ann.id).unwrap().disabled = true;
    assert_eq!(deliver(&shop, &event), Outcome::Skipped);
    assert!(shop.mail.borrow().is_empty());
    assert_eq!(deliver(&shop, &event), Outcome::AlreadySent, "a skipped event is handled, not retried");
}
