//! Admin stats: the counters the stats job keeps from the order events, read back
//! per day. `infra/local/tests/test_stats.py` runs the same through the fan-out,
//! the job and `GET /admin/stats`, with the outbox re-published.

use super::{NOW, POLICY, ann, run, staff, who};
use crate::memory::MemoryShop;
use tillbox::app::catalog::products;
use tillbox::app::error::CommonError;
use tillbox::app::orders;
use tillbox::app::payments;
use tillbox::app::stats::{self, StatsQuery};
use tillbox::domain::NewProduct;
use tillbox::domain::money::MoneyInput;
use tillbox::domain::{CancelReason, Event, OrderRequest, ProductId, Role, Transition};

fn product(shop: &MemoryShop, sku: &str, price: i64) -> ProductId {
    let input = NewProduct::active(sku, sku, MoneyInput::new(price, "EUR"), 100);
    run(products::create(shop, Some(&staff()), input, NOW)).unwrap().id
}

fn today() -> StatsQuery {
    StatsQuery::parse(None, None, None, NOW.date()).unwrap()
}

/// Every event in the outbox, handed to the stats job as the queue would;
/// returns how many were counted by this pass.
fn count_all(shop: &MemoryShop) -> usize {
    let events: Vec<Event> = shop.events.borrow().clone();
    events.iter().filter(|event| run(stats::record(shop, event, NOW)).unwrap().is_some()).count()
}

#[test]
fn a_days_sales_add_up_the_same_however_often_the_events_arrive() {
    let shop = MemoryShop::default();
    let (mug, tee) = (product(&shop, "MUG", 1200), product(&shop, "TEE", 2000));
    let place = |lines: &[(ProductId, i64)]| {
        let request =
            OrderRequest::parse(&lines.iter().map(|(id, q)| (*id, None, *q)).collect::<Vec<_>>(), None).unwrap();
        run(orders::place(&shop, &POLICY, &ann(), request, NOW)).unwrap()
    };
    let first = place(&[(mug, 3)]);
    let second = place(&[(mug, 1), (tee, 1)]);
    let third = place(&[(tee, 1)]);
    for order in [&first, &second] {
        run(orders::change(&shop, &staff(), order.id, Transition::MarkPaid, NOW)).unwrap();
    }
    run(orders::change(&shop, &staff(), third.id, Transition::Cancel(CancelReason::Staff), NOW)).unwrap();
    let refund = tillbox::domain::RefundRequest::parse(500, "chipped", &[]).unwrap();
    let none: Option<&crate::memory::payments::MemoryGateway> = None;
    run(payments::refund(&shop, none, &staff(), first.id, &refund, "refund-1", NOW)).unwrap();

    assert_eq!(count_all(&shop), 3 + 2 + 1 + 1, "placed, paid, cancelled, refunded");
    let once = run(stats::report(&shop, &who(Role::Admin, "admin-1"), today())).unwrap();
    assert_eq!(count_all(&shop), 0, "a replay counts nothing");
    let twice = run(stats::report(&shop, &who(Role::Admin, "admin-1"), today())).unwrap();
    assert_eq!(once, twice, "replaying every event changes nothing");

    let totals = &once.totals;
    assert_eq!((totals.orders_placed, totals.orders_paid, totals.orders_cancelled, totals.refunds), (3, 2, 1, 1));
    let eur = &totals.currencies["EUR"];
    assert_eq!((eur.revenue, eur.refunded, eur.orders_paid), (3600 + 3200, 500, 2));
    assert_eq!(eur.average_order_value(), 3400);
    let top = totals.top_products("EUR");
    let by_units: Vec<_> = top.by_units.iter().map(|(id, sales)| (*id, sales.units, sales.revenue)).collect();
    assert_eq!(by_units, [(mug, 4, 4800), (tee, 1, 2000)], "the cancelled order sold nothing");
    assert_eq!(once.days.len(), 30, "every day of the default range is listed");
    assert_eq!(once.days.last().unwrap().1, once.totals, "all of it happened today");
}

#[test]
fn only_admins_read_stats_and_ranges_are_checked() {
    let shop = MemoryShop::default();
    let refused = run(stats::report(&shop, &staff(), today())).unwrap_err();
    assert!(matches!(refused, CommonError::Forbidden { needs: Role::Admin }));

    let today = NOW.date();
    let query =
        |from: &str, to: &str, granularity: Option<&str>| StatsQuery::parse(Some(from), Some(to), granularity, today);
    assert!(query("2026-01-01", "2026-12-31", None).is_ok(), "a year is allowed");
    let fields = |result: Result<StatsQuery, tillbox::domain::Invalid>| {
        result.unwrap_err().0.into_iter().map(|e| e.field).collect::<Vec<_>>()
    };
    assert_eq!(fields(query("2025-01-01", "2026-12-31", None)), ["from"], "more than 366 days");
    assert_eq!(fields(query("2026-11-22", "2026-11-21", None)), ["from"], "from after to");
    assert_eq!(fields(query("22/11/2026", "2026-11-31", Some("hour"))), ["to", "from", "granularity"]);
}
