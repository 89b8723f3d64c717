//! Payments: opening one provider payment per order whatever the retries, and
//! what provider events do to orders, replayed, reordered, and racing the expiry
//! job (an order is never both cancelled and charged).

use super::{NOW, POLICY, run, staff, who};
use crate::memory::MemoryShop;
use crate::memory::payments::MemoryGateway;
use tillbox::app::catalog::products;
use tillbox::app::error::CommonError;
use tillbox::app::orders;
use tillbox::app::payments::{self, Outcome, PaymentEvent, PaymentsError, ProviderEvent, Receipt};
use tillbox::domain::NewProduct;
use tillbox::domain::money::MoneyInput;
use tillbox::domain::{Order, OrderRequest, OrderStatus, PaymentStatus, Principal, Provider, Role, Transition};
use time::Duration;

const ANN: &str = "0193a0b2-7c4e-7d1a-9f3e-000000000001";

fn ann() -> Principal {
    who(Role::Customer, ANN)
}

/// A shop with a 12.00 EUR mug in stock and an order of two placed `age` ago.
fn shop_with_order(age: Duration) -> (MemoryShop, Order) {
    let shop = MemoryShop::default();
    let input = NewProduct::active("MUG", "Mug", MoneyInput::new(1200, "EUR"), 5);
    let mug = run(products::create(&shop, Some(&staff()), input, NOW)).unwrap();
    let request = OrderRequest::parse(&[(mug.id, None, 2)], None).unwrap();
    let order = run(orders::place(&shop, &POLICY, &ann(), request, NOW - age)).unwrap();
    (shop, order)
}

fn open(shop: &MemoryShop, gateway: &MemoryGateway, order: &Order) -> String {
    run(payments::start(shop, Some(gateway), &ann(), order.id, NOW)).unwrap().provider_id
}

fn succeeded(order: &Order, provider_id: &str, amount: i64, event_id: &str) -> ProviderEvent {
    let event =
        PaymentEvent::Succeeded { order_id: order.id, provider_id: provider_id.into(), amount, currency: "EUR".into() };
    ProviderEvent { id: event_id.into(), event }
}

fn status(shop: &MemoryShop, order: &Order) -> OrderStatus {
    shop.orders.borrow()[&order.id].status
}

fn count(shop: &MemoryShop, name: &str) -> usize {
    shop.event_names().iter().filter(|n| **n == name).count()
}

#[test]
fn an_order_gets_one_payment_for_its_exact_total_however_often_it_is_asked() {
    let (shop, order) = shop_with_order(Duration::ZERO);
    let gateway = MemoryGateway::default();
    let first = run(payments::start(&shop, Some(&gateway), &ann(), order.id, NOW)).unwrap();
    assert_eq!((first.amount, first.currency.code(), first.publishable_key.as_str()), (2400, "EUR", "pk_test_memory"));
    let again = run(payments::start(&shop, Some(&gateway), &ann(), order.id, NOW)).unwrap();
    assert_eq!(again, first);
    assert_eq!(gateway.intents.borrow().len(), 1, "a retry opens no second payment at the provider");

    let bob = who(Role::Customer, "0193a0b2-7c4e-7d1a-9f3e-000000000002");
    let other = run(payments::start(&shop, Some(&gateway), &bob, order.id, NOW));
    assert!(matches!(other, Err(PaymentsError::Common(CommonError::NotFound))), "{other:?}");
    let by_staff = run(payments::start(&shop, Some(&gateway), &staff(), order.id, NOW));
    assert!(matches!(by_staff, Err(PaymentsError::Common(CommonError::Forbidden { .. }))), "{by_staff:?}");
    let manual = run(payments::start(&shop, None::<&MemoryGateway>, &ann(), order.id, NOW));
    assert!(matches!(manual, Err(PaymentsError::ManualPayments)), "{manual:?}");

    run(orders::change(&shop, &staff(), order.id, Transition::MarkPaid, NOW)).unwrap();
    let paid = run(payments::start(&shop, Some(&gateway), &ann(), order.id, NOW)).unwrap_err();
    assert_eq!(paid.to_string(), "an order that is paid cannot be paid");
}

#[test]
fn a_success_reported_twenty_times_pays_the_order_once() {
    let (shop, order) = shop_with_order(Duration::ZERO);
    let gateway = MemoryGateway::default();
    let intent = open(&shop, &gateway, &order);
    for _ in 0..20 {
        let outcome = run(payments::settle(&shop, &gateway, &succeeded(&order, &intent, 2400, "evt_1"), NOW)).unwrap();
        assert_eq!(outcome, Outcome::Paid);
    }
    assert_eq!(status(&shop, &order), OrderStatus::Paid);
    assert_eq!(shop.orders.borrow()[&order.id].version, 2, "moved once");
    assert_eq!(count(&shop, "order.paid"), 1);
    assert_eq!(shop.payments.borrow()[&(order.id, 1)].status, PaymentStatus::Succeeded);
    assert!(gateway.refunds.borrow().is_empty());
}

#[test]
fn a_payment_of_another_amount_is_flagged_for_staff_and_does_not_pay_the_order() {
    let (shop, order) = shop_with_order(Duration::ZERO);
    let gateway = MemoryGateway::default();
    let intent = open(&shop, &gateway, &order);
    let outcome = run(payments::settle(&shop, &gateway, &succeeded(&order, &intent, 100, "evt_1"), NOW)).unwrap();
    assert_eq!(outcome, Outcome::Flagged);
    assert_eq!(status(&shop, &order), OrderStatus::PendingPayment);
    assert_eq!(shop.audits.borrow().last().unwrap().action, "payment.amount_mismatch");

    let unknown = succeeded(&order, "pi_not_ours", 2400, "evt_2");
    assert_eq!(run(payments::settle(&shop, &gateway, &unknown, NOW)).unwrap(), Outcome::Ignored);
    assert_eq!(status(&shop, &order), OrderStatus::PendingPayment);
}

#[test]
fn a_late_decline_after_the_success_changes_nothing() {
    let (shop, order) = shop_with_order(Duration::ZERO);
    let gateway = MemoryGateway::default();
    let intent = open(&shop, &gateway, &order);
    let declined = ProviderEvent {
        id: "evt_0".into(),
        event: PaymentEvent::Failed { order_id: order.id, provider_id: intent.clone(), reason: "card_declined".into() },
    };
    run(payments::settle(&shop, &gateway, &succeeded(&order, &intent, 2400, "evt_1"), NOW)).unwrap();
    assert_eq!(run(payments::settle(&shop, &gateway, &declined, NOW)).unwrap(), Outcome::Declined);
    assert_eq!(status(&shop, &order), OrderStatus::Paid);
    assert_eq!(shop.payments.borrow()[&(order.id, 1)].status, PaymentStatus::Succeeded);

    let (shop, order) = shop_with_order(Duration::ZERO);
    let intent = open(&shop, &gateway, &order);
    let declined = ProviderEvent {
        id: "evt_0".into(),
        event: PaymentEvent::Failed { order_id: order.id, provider_id: intent, reason: "card_declined".into() },
    };
    run(payments::settle(&shop, &gateway, &declined, NOW)).unwrap();
    assert_eq!(status(&shop, &order), OrderStatus::PendingPayment, "a decline leaves the order payable");
    assert!(matches!(shop.payments.borrow()[&(order.id, 1)].status, PaymentStatus::Failed { .. }));
}

#[test]
fn a_payment_landing_on_an_expired_order_is_refunded_once_and_the_customer_told() {
    let (shop, order) = shop_with_order(Duration::minutes(90));
    let gateway = MemoryGateway::default();
    let intent = open(&shop, &gateway, &order);
    assert_eq!(run(orders::expire_unpaid(&shop, Duration::minutes(60), NOW)).unwrap().cancelled, 1);

    for _ in 0..3 {
        let outcome = run(payments::settle(&shop, &gateway, &succeeded(&order, &intent, 2400, "evt_1"), NOW)).unwrap();
        assert_eq!(outcome, Outcome::Refunded);
    }
    assert_eq!(status(&shop, &order), OrderStatus::Cancelled, "never both cancelled and charged");
    assert_eq!(*gateway.refunds.borrow(), [(intent, 2400)], "refunded in full, once");
    assert_eq!(shop.payments.borrow()[&(order.id, 1)].refundable(), 0);
    assert_eq!(count(&shop, "order.refunded"), 1);
    assert_eq!(count(&shop, "order.paid"), 0);
    assert!(shop.audits.borrow().iter().any(|a| a.action == "payment.refunded"));
}

#[test]
fn an_order_paid_before_the_expiry_job_runs_is_not_cancelled() {
    let (shop, order) = shop_with_order(Duration::minutes(90));
    let gateway = MemoryGateway::default();
    let intent = open(&shop, &gateway, &order);
    run(payments::settle(&shop, &gateway, &succeeded(&order, &intent, 2400, "evt_1"), NOW)).unwrap();
    let expired = run(orders::expire_unpaid(&shop, Duration::minutes(60), NOW)).unwrap();
    assert_eq!(expired.cancelled, 0);
    assert_eq!(status(&shop, &order), OrderStatus::Paid);
    assert_eq!(shop.stock_of(shop.orders.borrow()[&order.id].lines[0].product_id), 3, "the stock stays sold");
    assert!(gateway.refunds.borrow().is_empty());
}

#[test]
fn a_webhook_is_queued_once_and_one_that_could_not_be_queued_is_taken_on_retry() {
    let shop = MemoryShop::default();
    let receive = |id: &str| run(payments::receive(&shop, &shop, Provider::Stripe, id, "{}", NOW));
    assert_eq!(receive("evt_1").unwrap(), Receipt::Queued);
    assert_eq!(receive("evt_1").unwrap(), Receipt::Duplicate);
    shop.queue_down.set(true);
    assert!(receive("evt_2").is_err());
    shop.queue_down.set(false);
    assert_eq!(receive("evt_2").unwrap(), Receipt::Queued, "an event that could not be queued is not remembered");
    assert_eq!(shop.payment_queue.borrow().len(), 2);
}

fn refund_request(amount: i64, restock: &[(tillbox::domain::ProductId, i64)]) -> tillbox::domain::RefundRequest {
    tillbox::domain::RefundRequest::parse(
        amount,
        "damaged in transit",
        &restock.iter().map(|(id, q)| (*id, None, *q)).collect::<Vec<_>>(),
    )
    .unwrap()
}

#[test]
fn staff_refund_a_hand_paid_order_in_parts_and_never_beyond_what_was_paid() {
    let (shop, order) = shop_with_order(Duration::ZERO);
    let none: Option<&MemoryGateway> = None;
    let mug = order.lines[0].product_id;
    run(orders::change(&shop, &staff(), order.id, Transition::MarkPaid, NOW)).unwrap();
    let stock = shop.stock_of(mug);

    let refund = |amount, restock: &[(tillbox::domain::ProductId, i64)], key: &str| {
        run(payments::refund(&shop, none, &staff(), order.id, &refund_request(amount, restock), key, NOW))
    };
    let first = refund(1000, &[(mug, 1)], "key-1").unwrap();
    assert_eq!(
        (first.order.status, first.order.refunded, first.refund.amount, first.replayed),
        (OrderStatus::PartiallyRefunded, 1000, 1000, false)
    );
    assert_eq!(shop.stock_of(mug), stock + 1, "the returned mug is back in stock, in the same write");

    let too_much = refund(1401, &[], "key-2");
    assert!(
        matches!(
            too_much,
            Err(PaymentsError::Refused(tillbox::domain::RefundRefused::ExceedsRefundable { refundable: 1400 }))
        ),
        "{too_much:?}"
    );
    let too_many = refund(100, &[(mug, 2)], "key-3");
    assert!(
        matches!(too_many, Err(PaymentsError::Refused(tillbox::domain::RefundRefused::Restock(_)))),
        "2 sold, 1 back already"
    );
    assert_eq!(
        (shop.orders.borrow()[&order.id].refunded, shop.stock_of(mug)),
        (1000, stock + 1),
        "refusals wrote nothing"
    );

    let after = refund(1400, &[(mug, 1)], "key-4").unwrap().order;
    assert_eq!((after.status, after.refunded), (OrderStatus::Refunded, 2400));
    assert_eq!(count(&shop, "order.refunded"), 2, "each refund tells the customer");
    let refused = refund(1, &[], "key-5");
    assert!(matches!(
        refused,
        Err(PaymentsError::Refused(tillbox::domain::RefundRefused::NotRefundable(OrderStatus::Refunded)))
    ));
}

#[test]
fn a_provider_refund_moves_the_money_once_even_when_the_first_try_times_out() {
    let (shop, order) = shop_with_order(Duration::ZERO);
    let gateway = MemoryGateway::default();
    let pi = open(&shop, &gateway, &order);
    run(payments::settle(&shop, &gateway, &succeeded(&order, &pi, 2400, "evt_paid"), NOW)).unwrap();

    gateway.unreachable.set(true);
    let request = refund_request(500, &[]);
    let timed_out = run(payments::refund(&shop, Some(&gateway), &staff(), order.id, &request, "key-1", NOW));
    assert!(matches!(timed_out, Err(PaymentsError::Provider(_))), "{timed_out:?}");
    assert_eq!(shop.orders.borrow()[&order.id].refunded, 500, "the balance is held while the outcome is unknown");
    assert_eq!(count(&shop, "order.refunded"), 0, "nobody is told before the provider confirms");

    gateway.unreachable.set(false);
    let finished = run(payments::refund(&shop, Some(&gateway), &staff(), order.id, &request, "key-1", NOW)).unwrap();
    let (after, refund) = (finished.order, finished.refund);
    let again = run(payments::refund(&shop, Some(&gateway), &staff(), order.id, &request, "key-1", NOW)).unwrap();
    assert_eq!((again.refund, again.replayed), (refund, true));
    assert_eq!(*gateway.refunds.borrow(), vec![(pi, 500)], "one refund at the provider for three tries");
    assert_eq!((after.refunded, after.status), (500, OrderStatus::PartiallyRefunded));
    assert_eq!(count(&shop, "order.refunded"), 1);
}

#[test]
fn customers_cannot_refund_and_unpaid_orders_cannot_be_refunded() {
    let (shop, order) = shop_with_order(Duration::ZERO);
    let none: Option<&MemoryGateway> = None;
    let request = refund_request(100, &[]);
    let by_customer = run(payments::refund(&shop, none, &ann(), order.id, &request, "k", NOW));
    assert!(matches!(by_customer, Err(PaymentsError::Common(CommonError::Forbidden { .. }))), "{by_customer:?}");
    let unpaid = run(payments::refund(&shop, none, &staff(), order.id, &request, "k", NOW));
    assert!(matches!(
        unpaid,
        Err(PaymentsError::Refused(tillbox::domain::RefundRefused::NotRefundable(OrderStatus::PendingPayment)))
    ));
    assert!(shop.refunds.borrow().is_empty());
}

fn provider_event(id: &str, event: PaymentEvent) -> ProviderEvent {
    ProviderEvent { id: id.into(), event }
}

#[test]
fn a_refund_made_in_the_providers_dashboard_becomes_a_refund_of_the_order_once() {
    let (shop, order) = shop_with_order(Duration::ZERO);
    let gateway = MemoryGateway::default();
    let pi = open(&shop, &gateway, &order);
    run(payments::settle(&shop, &gateway, &succeeded(&order, &pi, 2400, "evt_paid"), NOW)).unwrap();
    // Tillbox refunds 500 itself: Stripe's total then says 500, which is nothing new.
    run(payments::refund(&shop, Some(&gateway), &staff(), order.id, &refund_request(500, &[]), "key-1", NOW)).unwrap();
    let reported = |total, id: &str| {
        let event = PaymentEvent::RefundedAtProvider { order_id: None, provider_id: pi.clone(), refunded_total: total };
        run(payments::settle(&shop, &gateway, &provider_event(id, event), NOW)).unwrap()
    };
    assert_eq!(reported(500, "evt_1"), Outcome::RefundRecorded);
    assert_eq!(shop.orders.borrow()[&order.id].refunded, 500);
    assert_eq!(shop.refunds.borrow().len(), 1);

    // Someone refunds 700 more in the Dashboard: Stripe reports 1200 in all.
    reported(1200, "evt_2");
    reported(1200, "evt_2");
    reported(500, "evt_1");
    let after = shop.orders.borrow()[&order.id].clone();
    assert_eq!((after.refunded, after.status), (1200, OrderStatus::PartiallyRefunded));
    assert_eq!(shop.refunds.borrow().len(), 2, "one refund for the Dashboard's 700, however often reported");
    assert_eq!(shop.payments.borrow()[&(order.id, 1)].refunded, 1200);
    assert_eq!(count(&shop, "order.refunded"), 2);
}

#[test]
fn a_dispute_flags_the_payment_and_tells_staff_once() {
    let (shop, order) = shop_with_order(Duration::ZERO);
    let gateway = MemoryGateway::default();
    let pi = open(&shop, &gateway, &order);
    run(payments::settle(&shop, &gateway, &succeeded(&order, &pi, 2400, "evt_paid"), NOW)).unwrap();
    let dispute =
        PaymentEvent::Disputed { order_id: None, provider_id: pi.clone(), amount: 2400, reason: "fraudulent".into() };
    for _ in 0..2 {
        let outcome = run(payments::settle(&shop, &gateway, &provider_event("evt_du", dispute.clone()), NOW)).unwrap();
        assert_eq!(outcome, Outcome::Disputed);
    }
    assert!(shop.payments.borrow()[&(order.id, 1)].disputed);
    assert_eq!(count(&shop, "order.disputed"), 1);
    assert_eq!(shop.audits.borrow().iter().filter(|a| a.action == "order.disputed").count(), 1);

    let unknown = PaymentEvent::Disputed {
        order_id: None,
        provider_id: "pi_other".into(),
        amount: 1,
        reason: "fraudulent".into(),
    };
    let ignored = run(payments::settle(&shop, &gateway, &provider_event("evt_x", unknown), NOW));
    assert!(matches!(ignored, Err(PaymentsError::Provider(_)) | Ok(Outcome::Ignored)), "{ignored:?}");
}

#[test]
fn a_refund_the_provider_refuses_gives_the_balance_back_and_a_disputed_payment_is_not_refunded() {
    let (shop, order) = shop_with_order(Duration::ZERO);
    let gateway = MemoryGateway::default();
    let pi = open(&shop, &gateway, &order);
    run(payments::settle(&shop, &gateway, &succeeded(&order, &pi, 2400, "evt_paid"), NOW)).unwrap();
    // 2000 refunded in the Dashboard; its charge.refunded has not arrived yet.
    gateway.intents.borrow_mut().get_mut(&pi).unwrap().1 = 2000;

    let request = refund_request(1000, &[]);
    let refused = run(payments::refund(&shop, Some(&gateway), &staff(), order.id, &request, "key-1", NOW));
    assert!(matches!(refused, Err(PaymentsError::Provider(_))), "{refused:?}");
    let after = shop.orders.borrow()[&order.id].clone();
    assert_eq!((after.refunded, after.status), (0, OrderStatus::Paid), "the balance is refundable again");
    assert_eq!(shop.refunds.borrow().values().next().unwrap().status, tillbox::domain::RefundStatus::Failed);
    assert_eq!(count(&shop, "order.refunded"), 0, "nobody is told money moved");
    assert!(gateway.refunds.borrow().is_empty());

    let dispute = PaymentEvent::Disputed { order_id: None, provider_id: pi, amount: 2400, reason: "fraudulent".into() };
    run(payments::settle(&shop, &gateway, &provider_event("evt_du", dispute), NOW)).unwrap();
    let disputed =
        run(payments::refund(&shop, Some(&gateway), &staff(), order.id, &refund_request(100, &[]), "key-2", NOW));
    assert!(matches!(disputed, Err(PaymentsError::Disputed)), "{disputed:?}");
}

#[test]
fn a_refund_reported_before_the_payment_lands_on_the_order_once_it_is_paid() {
    let (shop, order) = shop_with_order(Duration::ZERO);
    let gateway = MemoryGateway::default();
    let pi = open(&shop, &gateway, &order);
    let refunded =
        PaymentEvent::RefundedAtProvider { order_id: Some(order.id), provider_id: pi.clone(), refunded_total: 400 };
    run(payments::settle(&shop, &gateway, &provider_event("evt_re", refunded), NOW)).unwrap();
    assert_eq!(status(&shop, &order), OrderStatus::PendingPayment);

    run(payments::settle(&shop, &gateway, &succeeded(&order, &pi, 2400, "evt_paid"), NOW)).unwrap();
    let after = shop.orders.borrow()[&order.id].clone();
    assert_eq!((after.status, after.refunded), (OrderStatus::PartiallyRefunded, 400), "same end state in either order");
}

#[test]
fn a_card_payment_for_an_order_staff_already_marked_paid_is_refunded_and_a_replay_is_not() {
    let (shop, order) = shop_with_order(Duration::ZERO);
    let gateway = MemoryGateway::default();
    let pi = open(&shop, &gateway, &order);
    run(orders::change(&shop, &staff(), order.id, Transition::MarkPaid, NOW)).unwrap();

    let outcome = run(payments::settle(&shop, &gateway, &succeeded(&order, &pi, 2400, "evt_1"), NOW)).unwrap();
    assert_eq!(outcome, Outcome::Refunded, "paid twice: the card payment goes back");
    assert_eq!(*gateway.refunds.borrow(), vec![(pi.clone(), 2400)]);
    run(payments::settle(&shop, &gateway, &succeeded(&order, &pi, 2400, "evt_1"), NOW)).unwrap();
    assert_eq!(gateway.refunds.borrow().len(), 1, "once");
    assert_eq!(status(&shop, &order), OrderStatus::Paid);

    // The usual case: the card pays, and its own report replayed changes nothing.
    let (shop, order) = shop_with_order(Duration::ZERO);
    let pi = open(&shop, &gateway, &order);
    for _ in 0..2 {
        let outcome = run(payments::settle(&shop, &gateway, &succeeded(&order, &pi, 2400, "evt_2"), NOW)).unwrap();
        assert_eq!(outcome, Outcome::Paid);
    }
    assert_eq!(shop.orders.borrow()[&order.id].paid_by.as_deref(), Some(pi.as_str()));
    assert_eq!(gateway.refunds.borrow().len(), 1, "no refund for the order's own payment");
}

#[test]
fn a_payment_of_another_amount_goes_back_when_its_order_ends_unpaid_whichever_comes_first() {
    // The mismatched payment lands first; the customer then cancels.
    let (shop, order) = shop_with_order(Duration::ZERO);
    let gateway = MemoryGateway::default();
    let pi = open(&shop, &gateway, &order);
    let flagged = run(payments::settle(&shop, &gateway, &succeeded(&order, &pi, 100, "evt_1"), NOW)).unwrap();
    assert!(flagged == Outcome::Flagged && flagged.needs_staff());
    run(orders::change(&shop, &ann(), order.id, Transition::Cancel(tillbox::domain::CancelReason::Customer), NOW))
        .unwrap();
    let ended = run(payments::order_ended(&shop, &gateway, order.id, NOW)).unwrap();
    assert!(ended == Outcome::MismatchRefunded && ended.needs_staff(), "{ended:?}");
    assert_eq!(run(payments::order_ended(&shop, &gateway, order.id, NOW)).unwrap(), Outcome::Ignored);
    assert_eq!(*gateway.refunds.borrow(), [(pi.clone(), 100)], "the 100 taken goes back, once");
    assert_eq!(shop.payments.borrow()[&(order.id, 1)].refundable(), 0);
    assert!(gateway.cancelled.borrow().is_empty(), "a captured payment is refunded, not cancelled");

    // The order expires first; the mismatched payment lands afterwards.
    let (shop, order) = shop_with_order(Duration::minutes(90));
    let gateway = MemoryGateway::default();
    let pi = open(&shop, &gateway, &order);
    gateway.being_paid.borrow_mut().push(pi.clone());
    run(orders::expire_unpaid(&shop, Duration::minutes(60), NOW)).unwrap();
    assert_eq!(run(payments::order_ended(&shop, &gateway, order.id, NOW)).unwrap(), Outcome::Ignored);
    let late = run(payments::settle(&shop, &gateway, &succeeded(&order, &pi, 100, "evt_1"), NOW)).unwrap();
    assert_eq!(late, Outcome::MismatchRefunded);
    assert!(late.needs_staff(), "staff are alarmed");
    assert_eq!(*gateway.refunds.borrow(), [(pi, 100)]);
    assert_eq!(status(&shop, &order), OrderStatus::Cancelled);
}

#[test]
fn a_payment_of_another_amount_on_an_order_paid_otherwise_goes_back() {
    let (shop, order) = shop_with_order(Duration::ZERO);
    let gateway = MemoryGateway::default();
    let pi = open(&shop, &gateway, &order);
    run(orders::change(&shop, &staff(), order.id, Transition::MarkPaid, NOW)).unwrap();
    let outcome = run(payments::settle(&shop, &gateway, &succeeded(&order, &pi, 100, "evt_1"), NOW)).unwrap();
    assert_eq!(outcome, Outcome::MismatchRefunded);
    assert_eq!(*gateway.refunds.borrow(), [(pi, 100)]);
    assert_eq!((status(&shop, &order), shop.orders.borrow()[&order.id].refunded), (OrderStatus::Paid, 0));
}

#[test]
fn an_order_that_ends_unpaid_has_its_open_payment_cancelled_at_the_provider() {
    let (shop, order) = shop_with_order(Duration::ZERO);
    let gateway = MemoryGateway::default();
    let pi = open(&shop, &gateway, &order);
    assert_eq!(
        run(payments::order_ended(&shop, &gateway, order.id, NOW)).unwrap(),
        Outcome::Ignored,
        "an order still awaiting payment keeps its payment open"
    );
    run(orders::change(&shop, &staff(), order.id, Transition::Cancel(tillbox::domain::CancelReason::Staff), NOW))
        .unwrap();
    for _ in 0..2 {
        run(payments::order_ended(&shop, &gateway, order.id, NOW)).unwrap();
    }
    assert_eq!(*gateway.cancelled.borrow(), [pi.as_str()]);
    assert_eq!(shop.payments.borrow()[&(order.id, 1)].status, PaymentStatus::Cancelled);
    assert_eq!(shop.audits.borrow().iter().filter(|a| a.action == "payment.cancelled").count(), 1);
    let declined = PaymentEvent::Failed { order_id: order.id, provider_id: pi, reason: "card_declined".into() };
    run(payments::settle(&shop, &gateway, &provider_event("evt_late", declined), NOW)).unwrap();
    assert_eq!(shop.payments.borrow()[&(order.id, 1)].status, PaymentStatus::Cancelled, "a late decline stays late");
    assert!(gateway.refunds.borrow().is_empty());
}

#[test]
fn a_recorded_capture_never_moves_and_a_contradicting_report_is_audited_not_applied() {
    // Flagged first: a later report of the right amount does not pay the order.
    let (shop, order) = shop_with_order(Duration::ZERO);
    let gateway = MemoryGateway::default();
    let pi = open(&shop, &gateway, &order);
    run(payments::settle(&shop, &gateway, &succeeded(&order, &pi, 100, "evt_1"), NOW)).unwrap();
    let outcome = run(payments::settle(&shop, &gateway, &succeeded(&order, &pi, 2400, "evt_2"), NOW)).unwrap();
    assert!(outcome == Outcome::Contradicted && outcome.needs_staff(), "{outcome:?}");
    assert_eq!(status(&shop, &order), OrderStatus::PendingPayment, "not paid by a contradicting report");
    assert!(matches!(shop.payments.borrow()[&(order.id, 1)].status, PaymentStatus::AmountMismatch { amount: 100, .. }));
    assert_eq!(shop.audits.borrow().last().unwrap().action, "payment.report_contradicted");

    // Paid first: a later mismatched report changes neither the payment nor the order.
    let (shop, order) = shop_with_order(Duration::ZERO);
    let pi = open(&shop, &gateway, &order);
    run(payments::settle(&shop, &gateway, &succeeded(&order, &pi, 2400, "evt_1"), NOW)).unwrap();
    let outcome = run(payments::settle(&shop, &gateway, &succeeded(&order, &pi, 5, "evt_2"), NOW)).unwrap();
    assert_eq!(outcome, Outcome::Contradicted);
    assert_eq!(shop.payments.borrow()[&(order.id, 1)].status, PaymentStatus::Succeeded);
    assert_eq!(status(&shop, &order), OrderStatus::Paid);
    // The genuine report replayed is still just a replay.
    let replay = run(payments::settle(&shop, &gateway, &succeeded(&order, &pi, 2400, "evt_1"), NOW)).unwrap();
    assert_eq!(replay, Outcome::Paid);
}

#[test]
fn a_refund_key_answers_only_its_own_caller_and_body() {
    let (shop, order) = shop_with_order(Duration::ZERO);
    let gateway = MemoryGateway::default();
    let pi = open(&shop, &gateway, &order);
    run(payments::settle(&shop, &gateway, &succeeded(&order, &pi, 2400, "evt_paid"), NOW)).unwrap();
    let staff_a = who(Role::Staff, "staff-a");
    let staff_b = who(Role::Staff, "staff-b");
    let refund = |by: &Principal, amount| {
        run(payments::refund(&shop, Some(&gateway), by, order.id, &refund_request(amount, &[]), "K", NOW))
    };
    let first = refund(&staff_a, 100).unwrap();
    assert!(!first.replayed);
    let other_caller = refund(&staff_b, 500);
    assert!(matches!(other_caller, Err(PaymentsError::KeyReused)), "{other_caller:?}");
    let other_body = refund(&staff_a, 500);
    assert!(matches!(other_body, Err(PaymentsError::KeyReused)), "{other_body:?}");
    let replay = refund(&staff_a, 100).unwrap();
    assert_eq!((replay.refund, replay.replayed), (first.refund, true));
    assert_eq!(*gateway.refunds.borrow(), [(pi, 100)], "one refund moved money");
    assert_eq!(shop.orders.borrow()[&order.id].refunded, 100);
}

#[test]
fn a_hand_paid_order_is_refunded_by_hand_after_a_duplicate_card_payment_went_back() {
    let (shop, order) = shop_with_order(Duration::ZERO);
    let gateway = MemoryGateway::default();
    let pi = open(&shop, &gateway, &order);
    run(orders::change(&shop, &staff(), order.id, Transition::MarkPaid, NOW)).unwrap();
    let duplicate = run(payments::settle(&shop, &gateway, &succeeded(&order, &pi, 2400, "evt_1"), NOW)).unwrap();
    assert_eq!(duplicate, Outcome::Refunded);
    // Stripe then reports its refund of that duplicate: no refund of the order.
    let reported = PaymentEvent::RefundedAtProvider { order_id: None, provider_id: pi.clone(), refunded_total: 2400 };
    run(payments::settle(&shop, &gateway, &provider_event("evt_2", reported), NOW)).unwrap();
    let after = shop.orders.borrow()[&order.id].clone();
    assert_eq!((after.status, after.refunded), (OrderStatus::Paid, 0), "the order's own payment is untouched");
    assert_eq!(count(&shop, "order.refunded"), 1, "only the surplus went back");

    let done = run(payments::refund(&shop, Some(&gateway), &staff(), order.id, &refund_request(2400, &[]), "k-1", NOW))
        .unwrap();
    assert_eq!(
        (done.order.status, done.refund.status),
        (OrderStatus::Refunded, tillbox::domain::RefundStatus::Succeeded)
    );
    assert_eq!(*gateway.refunds.borrow(), [(pi, 2400)], "only the duplicate went back through the provider");
}

#[test]
fn a_disputed_order_is_held_until_the_dispute_closes_and_a_lost_one_leaves_nothing_to_refund() {
    let (shop, order) = shop_with_order(Duration::ZERO);
    let gateway = MemoryGateway::default();
    let pi = open(&shop, &gateway, &order);
    run(payments::settle(&shop, &gateway, &succeeded(&order, &pi, 2400, "evt_paid"), NOW)).unwrap();
    let dispute =
        PaymentEvent::Disputed { order_id: None, provider_id: pi.clone(), amount: 1000, reason: "fraudulent".into() };
    run(payments::settle(&shop, &gateway, &provider_event("evt_du", dispute), NOW)).unwrap();
    let shipment = tillbox::domain::Shipment { carrier: "DHL".into(), tracking_number: "123".into() };
    let fulfil = || run(orders::change(&shop, &staff(), order.id, Transition::Fulfil(shipment.clone()), NOW));
    let held = fulfil();
    assert!(matches!(&held, Err(orders::OrdersError::IllegalTransition(refusal)) if refusal.disputed), "{held:?}");
    assert_eq!(status(&shop, &order), OrderStatus::Paid);

    let closed = |status: &str, id: &str| {
        let event = PaymentEvent::DisputeClosed {
            order_id: None,
            provider_id: pi.clone(),
            status: status.into(),
            amount: 1000,
        };
        run(payments::settle(&shop, &gateway, &provider_event(id, event), NOW)).unwrap()
    };
    for _ in 0..2 {
        assert_eq!(closed("lost", "evt_closed"), Outcome::DisputeClosed { lost: true });
    }
    let payment = shop.payments.borrow()[&(order.id, 1)].clone();
    assert_eq!((payment.disputed, payment.charged_back, payment.refundable()), (false, 1000, 1400));
    assert!(!shop.orders.borrow()[&order.id].disputed);
    let too_much =
        run(payments::refund(&shop, Some(&gateway), &staff(), order.id, &refund_request(1401, &[]), "k", NOW));
    assert!(
        matches!(
            too_much,
            Err(PaymentsError::Refused(tillbox::domain::RefundRefused::ExceedsRefundable { refundable: 1400 }))
        ),
        "{too_much:?}"
    );
    run(payments::refund(&shop, Some(&gateway), &staff(), order.id, &refund_request(1400, &[]), "k2", NOW)).unwrap();
    assert_eq!(*gateway.refunds.borrow(), [(pi.clone(), 1400)]);

    // A won dispute releases the order for fulfilment and keeps its money refundable.
    let (shop, order) = shop_with_order(Duration::ZERO);
    let pi = open(&shop, &gateway, &order);
    run(payments::settle(&shop, &gateway, &succeeded(&order, &pi, 2400, "evt_paid"), NOW)).unwrap();
    let dispute = PaymentEvent::Disputed { order_id: None, provider_id: pi.clone(), amount: 2400, reason: "x".into() };
    run(payments::settle(&shop, &gateway, &provider_event("evt_du", dispute), NOW)).unwrap();
    let won = PaymentEvent::DisputeClosed { order_id: None, provider_id: pi, status: "won".into(), amount: 2400 };
    assert_eq!(
        run(payments::settle(&shop, &gateway, &provider_event("evt_won", won), NOW)).unwrap(),
        Outcome::DisputeClosed { lost: false }
    );
    assert_eq!(shop.payments.borrow()[&(order.id, 1)].refundable(), 2400);
    let shipment = tillbox::domain::Shipment { carrier: "DHL".into(), tracking_number: "123".into() };
    run(orders::change(&shop, &staff(), order.id, Transition::Fulfil(shipment), NOW)).unwrap();
    assert_eq!(status(&shop, &order), OrderStatus::Fulfilled);
}

#[test]
fn a_dispute_reported_after_its_close_holds_nothing_and_money_owed_goes_back_once_it_closes() {
    // The close arrives first (a redrive, or events out of order): the late opening changes nothing.
    let (shop, order) = shop_with_order(Duration::ZERO);
    let gateway = MemoryGateway::default();
    let pi = open(&shop, &gateway, &order);
    run(payments::settle(&shop, &gateway, &succeeded(&order, &pi, 2400, "evt_paid"), NOW)).unwrap();
    let closed =
        PaymentEvent::DisputeClosed { order_id: None, provider_id: pi.clone(), status: "won".into(), amount: 2400 };
    let opened = PaymentEvent::Disputed { order_id: None, provider_id: pi.clone(), amount: 2400, reason: "x".into() };
    run(payments::settle(&shop, &gateway, &provider_event("evt_closed", closed), NOW)).unwrap();
    run(payments::settle(&shop, &gateway, &provider_event("evt_opened", opened), NOW)).unwrap();
    assert!(!shop.orders.borrow()[&order.id].disputed, "the order is not held by a dispute that is over");
    assert!(!shop.payments.borrow()[&(order.id, 1)].disputed);

    // The dispute is reported before the capture lands on the expired order: the
    // payment is not refunded while disputed (Stripe would refuse), and is once the
    // dispute closes.
    let (shop, order) = shop_with_order(Duration::minutes(90));
    let pi = open(&shop, &gateway, &order);
    run(orders::expire_unpaid(&shop, Duration::minutes(60), NOW)).unwrap();
    let opened = PaymentEvent::Disputed { order_id: None, provider_id: pi.clone(), amount: 2400, reason: "x".into() };
    run(payments::settle(&shop, &gateway, &provider_event("evt_du", opened), NOW)).unwrap();
    let late = run(payments::settle(&shop, &gateway, &succeeded(&order, &pi, 2400, "evt_paid"), NOW)).unwrap();
    assert_eq!(late, Outcome::Disputed, "no refund while disputed");
    assert!(gateway.refunds.borrow().is_empty());
    let won =
        PaymentEvent::DisputeClosed { order_id: None, provider_id: pi.clone(), status: "won".into(), amount: 2400 };
    for _ in 0..2 {
        run(payments::settle(&shop, &gateway, &provider_event("evt_won", won.clone()), NOW)).unwrap();
    }
    assert_eq!(*gateway.refunds.borrow(), [(pi, 2400)], "refunded once the dispute closed, once");
}
