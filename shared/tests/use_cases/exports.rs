//! Order exports: who may ask, what the CSV holds, how it is written in parts
//! while orders are read a page at a time, and what a failing bucket leaves.
//! `infra/local/tests/test_exports.py` runs the same through the gateway, the job,
//! S3 multipart uploads and the presigned link.

use super::{NOW, POLICY, ann, run, staff, who};
use crate::memory::MemoryShop;
use tillbox::app::catalog::products;
use tillbox::app::error::CommonError;
use tillbox::app::exports;
use tillbox::app::orders;
use tillbox::domain::NewProduct;
use tillbox::domain::export::{ExportRequest, ExportState};
use tillbox::domain::money::MoneyInput;
use tillbox::domain::{EventKind, Order, OrderRequest, Principal, ProductId, Role, Transition};
use time::Duration;

fn admin() -> Principal {
    who(Role::Admin, "admin-1")
}

fn product(shop: &MemoryShop, sku: &str, name: &str) -> ProductId {
    let input = NewProduct::active(sku, name, MoneyInput::new(1250, "EUR"), 1000);
    run(products::create(shop, Some(&staff()), input, NOW)).unwrap().id
}

/// `count` orders, a minute apart, the last at `NOW`; every third paid.
fn orders(shop: &MemoryShop, count: i64, lines: &[(ProductId, i64)]) -> Vec<Order> {
    (0..count)
        .map(|i| {
            let at = NOW - Duration::minutes(count - 1 - i);
            let customer = who(Role::Customer, &format!("customer-{i}"));
            let request =
                OrderRequest::parse(&lines.iter().map(|(id, q)| (*id, None, *q)).collect::<Vec<_>>(), None).unwrap();
            let order = run(orders::place(shop, &POLICY, &customer, request, at)).unwrap();
            if i % 3 == 0 {
                run(orders::change(shop, &staff(), order.id, Transition::MarkPaid, at)).unwrap()
            } else {
                order
            }
        })
        .collect()
}

fn window(status: Option<&str>) -> ExportRequest {
    ExportRequest {
        from: "2026-11-01T00:00:00Z".into(),
        to: "2026-11-23T00:00:00Z".into(),
        status: status.map(Into::into),
    }
}

fn csv(shop: &MemoryShop, key: &str) -> String {
    String::from_utf8(shop.files.borrow()[key].0.clone()).unwrap()
}

#[test]
fn an_export_writes_one_row_per_line_newest_first_in_parts() {
    let shop = MemoryShop::default();
    let (mug, ruler) = (product(&shop, "MUG", "=cmd|' /C calc'!A0"), product(&shop, "RULER", "12\" ruler, steel"));
    let placed = orders(&shop, 250, &[(mug, 2), (ruler, 1)]);

    let export = run(exports::request(&shop, &admin(), &window(None), NOW)).unwrap();
    assert_eq!(export.state, ExportState::Queued);
    assert_eq!(
        shop.events.borrow().last().map(|e| e.kind.clone()),
        Some(EventKind::ExportRequested { export_id: export.id })
    );
    assert_eq!(shop.audits.borrow().last().unwrap().action, "export.requested");

    // Parts of 8 KiB: the 500 rows (~100 KiB) take many, each saved as progress.
    run(exports::run(&shop, &shop, export.id, 8 * 1024, || NOW)).unwrap();
    let done = shop.exports.borrow()[&export.id].clone();
    assert_eq!((done.state, done.orders, done.rows, done.attempts), (ExportState::Done, 250, 500, 1));
    let saves = shop.export_saves.borrow();
    assert!(saves.len() > 5, "progress was saved as parts went out: {}", saves.len());
    assert!(saves.windows(2).all(|w| w[0].rows <= w[1].rows), "progress only grows");

    let text = csv(&shop, &done.file_key());
    let lines: Vec<&str> = text.split_terminator("\r\n").collect();
    assert_eq!(lines.len(), 1 + 500, "a header and one row per line item");
    assert!(lines[0].starts_with("order_id,created_at,status,customer,currency,line,"));
    let newest = placed.last().unwrap();
    assert!(lines[1].starts_with(&format!("{},", newest.id)), "newest first: {}", lines[1]);
    assert!(lines[1].contains(",EUR,1,"), "{}", lines[1]);
    assert!(lines[1].contains(",12.50,2,25.00,0.00,0,0.00,37.50,"), "money as decimals: {}", lines[1]);
    assert!(lines[1].contains(",0.00,0.00,true,37.50,"), "no shipping, no tax, then the total: {}", lines[1]);
    assert!(lines[1].contains(",'=cmd|' /C calc'!A0,"), "a formula is defused: {}", lines[1]);
    assert!(lines[2].contains(",\"12\"\" ruler, steel\","), "quoted as RFC 4180 says: {}", lines[2]);
    let ids: Vec<&str> = lines[1..].iter().step_by(2).map(|l| &l[..36]).collect();
    let expected: Vec<String> = placed.iter().rev().map(|o| o.id.to_string()).collect();
    assert_eq!(ids, expected, "every order once, across the status listings, newest first");

    let (_, link) = run(exports::status(&shop, &shop, &admin(), export.id, NOW)).unwrap();
    let link = link.expect("a done export has a link");
    assert!(link.url.contains("disposition=Attachment"), "saved as a file, never rendered: {}", link.url);
    assert_eq!(link.expires_at, NOW + Duration::minutes(10));
    let (_, later) = run(exports::status(&shop, &shop, &admin(), export.id, NOW + Duration::days(8))).unwrap();
    assert_eq!(later, None, "no link once the file is gone");

    drop(saves);
    run(exports::run(&shop, &shop, export.id, 8 * 1024, || NOW)).unwrap();
    assert_eq!(shop.exports.borrow()[&export.id].attempts, 1, "a duplicate message does not write it again");
}

#[test]
fn a_status_filter_exports_only_that_status_and_an_empty_export_has_its_header() {
    let shop = MemoryShop::default();
    let mug = product(&shop, "MUG", "Mug");
    orders(&shop, 9, &[(mug, 1)]);
    let paid = run(exports::request(&shop, &admin(), &window(Some("paid")), NOW)).unwrap();
    run(exports::run(&shop, &shop, paid.id, exports::PART_SIZE, || NOW)).unwrap();
    let text = csv(&shop, &shop.exports.borrow()[&paid.id].file_key());
    assert_eq!(text.split_terminator("\r\n").count(), 1 + 3);
    assert!(text.split_terminator("\r\n").skip(1).all(|row| row.contains(",paid,")));

    let empty = ExportRequest { from: "2026-01-01T00:00:00Z".into(), to: "2026-02-01T00:00:00Z".into(), status: None };
    let empty = run(exports::request(&shop, &admin(), &empty, NOW)).unwrap();
    run(exports::run(&shop, &shop, empty.id, exports::PART_SIZE, || NOW)).unwrap();
    assert_eq!(shop.exports.borrow()[&empty.id].orders, 0);
    assert_eq!(csv(&shop, &empty.file_key()).split_terminator("\r\n").count(), 1, "just the header");
}

#[test]
fn a_failing_bucket_is_retried_then_the_export_fails_and_nothing_half_written_remains() {
    let shop = MemoryShop::default();
    let mug = product(&shop, "MUG", "Mug");
    orders(&shop, 3, &[(mug, 1)]);
    let export = run(exports::request(&shop, &admin(), &window(None), NOW)).unwrap();
    shop.parts_fail.set(true);
    for attempt in 1..=2 {
        assert!(run(exports::run(&shop, &shop, export.id, exports::PART_SIZE, || NOW)).is_err(), "retried");
        assert_eq!(shop.exports.borrow()[&export.id].attempts, attempt);
    }
    run(exports::run(&shop, &shop, export.id, exports::PART_SIZE, || NOW)).unwrap();
    let failed = shop.exports.borrow()[&export.id].clone();
    assert_eq!((failed.state, failed.attempts), (ExportState::Failed, 3));
    assert!(shop.multipart.borrow().is_empty(), "every upload begun was aborted");
    assert!(!shop.files.borrow().contains_key(&failed.file_key()));
    assert_eq!(run(exports::status(&shop, &shop, &admin(), export.id, NOW)).unwrap().1, None);
}

#[test]
fn a_run_that_never_reported_back_ends_the_export_as_failed_and_a_superseded_run_writes_nothing() {
    let shop = MemoryShop::default();
    let mug = product(&shop, "MUG", "Mug");
    orders(&shop, 2, &[(mug, 1)]);
    let export = run(exports::request(&shop, &admin(), &window(None), NOW)).unwrap();
    // Three runs started and none finished (each ran out of Lambda's time).
    let timed_out = (0..3).fold(export.clone(), |e, _| e.started(NOW));
    shop.exports.borrow_mut().insert(export.id, timed_out);
    run(exports::run(&shop, &shop, export.id, exports::PART_SIZE, || NOW)).unwrap();
    let failed = shop.exports.borrow()[&export.id].clone();
    assert_eq!((failed.state, failed.attempts), (ExportState::Failed, 3));
    assert!(shop.multipart.borrow().is_empty(), "no fourth run was started");

    // A run that finds its export taken over by a newer run stops, and its saves are refused.
    let second = run(exports::request(&shop, &admin(), &window(None), NOW)).unwrap();
    let newer = second.started(NOW);
    shop.exports.borrow_mut().insert(second.id, newer.clone());
    let stale = run(tillbox::app::exports::ports::ExportStore::save(&shop, &second.done(9, 9, NOW), second.attempts));
    assert!(matches!(stale, Err(tillbox::app::store::StoreError::VersionMismatch { current: 1 })));
    assert_eq!(shop.exports.borrow()[&second.id], newer);
}

#[test]
fn only_admins_export_and_a_bad_request_names_its_field() {
    let shop = MemoryShop::default();
    for who in [staff(), ann()] {
        let refused = run(exports::request(&shop, &who, &window(None), NOW)).unwrap_err();
        assert!(matches!(refused, CommonError::Forbidden { needs: Role::Admin }));
    }
    let bad = ExportRequest { from: "2026-11-22T00:00:00Z".into(), to: "2026-11-01T00:00:00Z".into(), status: None };
    let CommonError::Invalid(invalid) = run(exports::request(&shop, &admin(), &bad, NOW)).unwrap_err() else {
        panic!("expected invalid input")
    };
    assert_eq!(invalid.0[0].field, "from");
    assert!(shop.exports.borrow().is_empty() && shop.events.borrow().is_empty(), "nothing written");
    let missing = run(exports::status(&shop, &shop, &admin(), tillbox::domain::ExportId::generate(), NOW));
    assert!(matches!(missing, Err(CommonError::NotFound)));
}
