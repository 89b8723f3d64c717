//! The order lifecycle: what a customer, staff and the expiry job may do, and what
//! every refusal leaves untouched (stock, versions, discount uses, events).
//! `tests/orders.rs` runs the same flows through the handlers and DynamoDB, races
//! included.

use super::{NOW, POLICY, ann, run, staff, who};
use crate::memory::MemoryShop;
use tillbox::app::catalog::products;
use tillbox::app::error::CommonError;
use tillbox::app::orders::{self, OrdersError};
use tillbox::domain::NewDiscount;
use tillbox::domain::NewProduct;
use tillbox::domain::money::MoneyInput;
use tillbox::domain::{
    CancelReason, Order, OrderRequest, OrderStatus, Principal, ProductId, Role, Shipment, Timestamp, Transition,
};
use time::Duration;

fn product(shop: &MemoryShop, sku: &str, stock: u32) -> ProductId {
    let input = NewProduct::active(sku, "Mug", MoneyInput::new(1200, "EUR"), i64::from(stock));
    run(products::create(shop, Some(&staff()), input, NOW)).unwrap().id
}

fn order_of(lines: &[(ProductId, u32)], code: Option<&str>) -> OrderRequest {
    let lines: Vec<_> = lines.iter().map(|(id, q)| (*id, None, i64::from(*q))).collect();
    OrderRequest::parse(&lines, code).unwrap()
}

fn place(shop: &MemoryShop, customer: &Principal, lines: &[(ProductId, u32)], at: Timestamp) -> Order {
    run(orders::place(shop, &POLICY, customer, order_of(lines, None), at)).unwrap()
}

#[test]
fn placing_reserves_stock_and_an_order_that_does_not_fit_writes_nothing() {
    let shop = MemoryShop::default();
    let (mug, tee) = (product(&shop, "MUG", 5), product(&shop, "TEE", 1));
    let order = place(&shop, &ann(), &[(mug, 2), (tee, 1)], NOW);
    assert_eq!((order.status, order.total), (OrderStatus::PendingPayment, 3 * 1200));
    assert_eq!((shop.stock_of(mug), shop.stock_of(tee)), (3, 0));

    let refused = run(orders::place(&shop, &POLICY, &ann(), order_of(&[(mug, 1), (tee, 1)], None), NOW)).unwrap_err();
    assert!(matches!(refused, OrdersError::OutOfStock { product_id, available: 0, .. } if product_id == tee));
    assert_eq!(shop.stock_of(mug), 3, "the line that fitted was not reserved either");
    assert_eq!(shop.orders.borrow().len(), 1);
    assert_eq!(shop.event_names(), ["product.created", "product.created", "order.placed"]);
}

#[test]
fn customers_cancel_their_own_unpaid_orders_once_and_staff_move_the_rest() {
    let shop = MemoryShop::default();
    let mug = product(&shop, "MUG", 5);
    let order = place(&shop, &ann(), &[(mug, 2)], NOW);

    let bob = who(Role::Customer, "bob");
    let hidden = run(orders::change(&shop, &bob, order.id, Transition::Cancel(CancelReason::Customer), NOW));
    assert!(matches!(hidden, Err(OrdersError::Common(CommonError::NotFound))), "someone else's order does not exist");
    let paid_by_customer = run(orders::change(&shop, &ann(), order.id, Transition::MarkPaid, NOW));
    assert!(matches!(paid_by_customer, Err(OrdersError::Common(CommonError::Forbidden { needs: Role::Staff }))));
    assert_eq!(shop.orders.borrow()[&order.id].status, OrderStatus::PendingPayment);

    let cancelled = run(orders::change(&shop, &ann(), order.id, Transition::Cancel(CancelReason::Staff), NOW)).unwrap();
    assert_eq!((cancelled.status, cancelled.cancel_reason), (OrderStatus::Cancelled, Some(CancelReason::Customer)));
    assert_eq!(shop.stock_of(mug), 5, "the stock came back");
    let again = run(orders::change(&shop, &ann(), order.id, Transition::Cancel(CancelReason::Customer), NOW));
    let Err(OrdersError::IllegalTransition(refusal)) = again else { panic!("cancelled twice: {again:?}") };
    assert_eq!(refusal.to_string(), "an order that is cancelled cannot be cancelled");
    assert_eq!(shop.stock_of(mug), 5, "released once");

    let second = place(&shop, &ann(), &[(mug, 1)], NOW);
    let shipment = Shipment { carrier: "DHL".into(), tracking_number: "123".into() };
    let early = run(orders::change(&shop, &staff(), second.id, Transition::Fulfil(shipment.clone()), NOW));
    assert_eq!(early.unwrap_err().to_string(), "an order that is pending_payment cannot be fulfilled");
    run(orders::change(&shop, &staff(), second.id, Transition::MarkPaid, NOW)).unwrap();
    let fulfilled = run(orders::change(&shop, &staff(), second.id, Transition::Fulfil(shipment), NOW)).unwrap();
    assert_eq!(fulfilled.status, OrderStatus::Fulfilled);
    assert_eq!(shop.stock_of(mug), 4, "a fulfilled order keeps its stock");
    assert_eq!(shop.audits.borrow().len(), 2, "staff moves are audited, the customer's cancel is not");
    assert_eq!(
        shop.event_names(),
        ["product.created", "order.placed", "order.cancelled", "order.placed", "order.paid", "order.fulfilled"]
    );
}

#[test]
fn expiry_cancels_only_unpaid_orders_past_their_time_and_only_once() {
    let shop = MemoryShop::default();
    let mug = product(&shop, "MUG", 10);
    let stale = place(&shop, &ann(), &[(mug, 1)], NOW - Duration::minutes(90));
    let paid = place(&shop, &ann(), &[(mug, 2)], NOW - Duration::minutes(90));
    run(orders::change(&shop, &staff(), paid.id, Transition::MarkPaid, NOW - Duration::minutes(80))).unwrap();
    let fresh = place(&shop, &ann(), &[(mug, 3)], NOW - Duration::minutes(10));

    let expired = run(orders::expire_unpaid(&shop, Duration::minutes(60), NOW)).unwrap();
    assert_eq!(expired.cancelled, 1);
    let status = |o: &Order| shop.orders.borrow()[&o.id].status;
    assert_eq!(
        (status(&stale), status(&paid), status(&fresh)),
        (OrderStatus::Cancelled, OrderStatus::Paid, OrderStatus::PendingPayment)
    );
    assert_eq!(shop.stock_of(mug), 10 - 2 - 3);
    let again = run(orders::expire_unpaid(&shop, Duration::minutes(60), NOW)).unwrap();
    assert_eq!(again.cancelled, 0, "a second run finds nothing to cancel");
    assert_eq!(shop.stock_of(mug), 5, "stock released once");
}

#[test]
fn a_code_at_its_limit_is_refused_without_reserving_and_a_cancel_gives_its_use_back() {
    let shop = MemoryShop::default();
    let mug = product(&shop, "MUG", 10);
    let code = NewDiscount { usage_limit: Some(1), ..NewDiscount::percentage("ONCE", 10) };
    run(orders::create_discount(&shop, &staff(), code, NOW)).unwrap();
    let first = run(orders::place(&shop, &POLICY, &ann(), order_of(&[(mug, 1)], Some("ONCE")), NOW)).unwrap();
    assert_eq!((first.total, shop.uses_of("ONCE")), (1080, 1));

    let bob = who(Role::Customer, "bob");
    let refused = run(orders::place(&shop, &POLICY, &bob, order_of(&[(mug, 1)], Some("ONCE")), NOW)).unwrap_err();
    let OrdersError::Common(CommonError::Invalid(invalid)) = refused else { panic!("{refused:?}") };
    assert_eq!(invalid.0[0].field, "discount_code");
    assert_eq!((shop.stock_of(mug), shop.uses_of("ONCE")), (9, 1), "nothing reserved for the refused order");

    run(orders::change(&shop, &ann(), first.id, Transition::Cancel(CancelReason::Customer), NOW)).unwrap();
    assert_eq!(shop.uses_of("ONCE"), 0);
    run(orders::place(&shop, &POLICY, &bob, order_of(&[(mug, 1)], Some("ONCE")), NOW)).expect("the use came back");
}

#[test]
fn unusable_codes_all_read_the_same_and_guessing_them_is_limited_per_customer() {
    let shop = MemoryShop::default();
    let mug = product(&shop, "MUG", 100);
    let ended = NewDiscount { ends_at: Some("2026-09-01T00:00:00Z".into()), ..NewDiscount::percentage("SUMMER", 10) };
    run(orders::create_discount(&shop, &staff(), ended, NOW - Duration::days(200))).unwrap();
    let off = NewDiscount::percentage("PAUSED", 10);
    run(orders::create_discount(&shop, &staff(), off, NOW)).unwrap();
    let paused = tillbox::domain::DiscountCode::parse("PAUSED").unwrap();
    shop.discounts.borrow_mut().get_mut(paused.as_str()).unwrap().active = false;

    let message = |code: &str| {
        let refused = run(orders::place(&shop, &POLICY, &ann(), order_of(&[(mug, 1)], Some(code)), NOW)).unwrap_err();
        let OrdersError::Common(CommonError::Invalid(invalid)) = refused else { panic!("{refused:?}") };
        assert_eq!(invalid.0[0].field, "discount_code");
        invalid.0[0].message.clone()
    };
    let unknown = message("NOSUCHCODE");
    assert_eq!(message("SUMMER"), unknown, "expired reads like unknown");
    assert_eq!(message("PAUSED"), unknown, "inactive reads like unknown");

    let limit = tillbox::domain::rate_limit::DISCOUNT_TRIES_PER_CUSTOMER;
    for i in 3..limit.max {
        message(&format!("GUESS{i}"));
    }
    let limited = run(orders::place(&shop, &POLICY, &ann(), order_of(&[(mug, 1)], Some("GUESS99")), NOW)).unwrap_err();
    assert!(matches!(limited, OrdersError::RateLimited { .. }), "{limited:?}");
    let bob = who(Role::Customer, "bob");
    assert!(
        run(orders::place(&shop, &POLICY, &bob, order_of(&[(mug, 1)], Some("NOSUCHCODE")), NOW))
            .is_err_and(|e| !matches!(e, OrdersError::RateLimited { .. })),
        "per customer"
    );
    place(&shop, &ann(), &[(mug, 1)], NOW);
}

#[test]
fn one_customer_cannot_hoard_the_stock_in_unpaid_orders() {
    let shop = MemoryShop::default();
    let mug = product(&shop, "MUG", 100);
    let held: Vec<Order> = (0..POLICY.max_open_orders).map(|_| place(&shop, &ann(), &[(mug, 1)], NOW)).collect();
    let fourth = run(orders::place(&shop, &POLICY, &ann(), order_of(&[(mug, 1)], None), NOW)).unwrap_err();
    assert!(matches!(fourth, OrdersError::TooManyOpenOrders { max: 3 }), "{fourth:?}");
    assert_eq!(shop.stock_of(mug), 97, "the refused order reserved nothing");
    place(&shop, &who(Role::Customer, "bob"), &[(mug, 1)], NOW);
    run(orders::change(&shop, &ann(), held[0].id, Transition::Cancel(CancelReason::Customer), NOW)).unwrap();
    place(&shop, &ann(), &[(mug, 1)], NOW);

    let too_many = run(orders::place(&shop, &POLICY, &who(Role::Customer, "cy"), order_of(&[(mug, 11)], None), NOW));
    let Err(OrdersError::Common(CommonError::Invalid(invalid))) = too_many else { panic!("{too_many:?}") };
    assert_eq!(invalid.0[0].field, "lines[0].quantity", "10 per order unless the product allows more");
    let mut bulk = NewProduct::active("BULK", "Pens", MoneyInput::new(100, "EUR"), 500);
    bulk.variants[0].max_per_order = 200;
    let pens = run(products::create(&shop, Some(&staff()), bulk, NOW)).unwrap().id;
    place(&shop, &who(Role::Customer, "cy"), &[(pens, 150)], NOW);

    let hasty = tillbox::app::orders::OrderPolicy { max_open_orders: 100, orders_per_hour: 2 };
    let dee = who(Role::Customer, "dee");
    for _ in 0..2 {
        run(orders::place(&shop, &hasty, &dee, order_of(&[(mug, 1)], None), NOW)).unwrap();
    }
    let third = run(orders::place(&shop, &hasty, &dee, order_of(&[(mug, 1)], None), NOW)).unwrap_err();
    assert!(matches!(third, OrdersError::RateLimited { .. }), "{third:?}");
}
