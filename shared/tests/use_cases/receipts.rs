//! Receipts: printed once per paid order, linked only for its owner and staff.

use super::{NOW, POLICY, run, staff, who};
use crate::memory::MemoryShop;
use tillbox::app::catalog::products;
use tillbox::app::orders;
use tillbox::app::receipts::{self, Printed, ReceiptSettings, ReceiptsError, ports::ReceiptPrinter};
use tillbox::domain::NewProduct;
use tillbox::domain::money::MoneyInput;
use tillbox::domain::{OrderRequest, Receipt, Role, Transition, VatRate};

/// Prints the receipt's text, so the test can read what it says.
struct TextPrinter;

impl ReceiptPrinter for TextPrinter {
    fn print(&self, receipt: &Receipt) -> Result<Vec<u8>, String> {
        Ok(format!("{receipt:?}").into_bytes())
    }
}

#[test]
fn a_paid_order_gets_one_receipt_that_only_its_owner_and_staff_can_fetch() {
    let shop = MemoryShop::default();
    let input = NewProduct::active("MUG", "Mug", MoneyInput::new(1200, "EUR"), 5);
    let mug = run(products::create(&shop, Some(&staff()), input, NOW)).unwrap();
    let ann = who(Role::Customer, "ann");
    let order = run(orders::place(&shop, &POLICY, &ann, OrderRequest::parse(&[(mug.id, None, 2)], None).unwrap(), NOW))
        .unwrap();
    let settings = ReceiptSettings { shop_name: "Tillbox".into(), vat: Some(VatRate::parse("20").unwrap()) };
    let print = || run(receipts::print(&shop, &shop, &TextPrinter, &settings, order.id)).unwrap();

    assert_eq!(print(), Printed::NothingToPrint, "an unpaid order has no receipt");
    assert!(matches!(run(receipts::link(&shop, &shop, &ann, order.id)), Err(ReceiptsError::NotPaid)));
    run(orders::change(&shop, &staff(), order.id, Transition::MarkPaid, NOW)).unwrap();
    assert!(matches!(run(receipts::link(&shop, &shop, &ann, order.id)), Err(ReceiptsError::NotReady)));

    assert_eq!(print(), Printed::Printed);
    assert_eq!(print(), Printed::AlreadyThere, "a redelivered order.paid prints nothing new");
    let (text, content_type) = shop.files.borrow()[&Receipt::file_key(order.id)].clone();
    let text = String::from_utf8(text).unwrap();
    assert_eq!(content_type, "application/pdf");
    assert!(text.contains("24.00 EUR") && text.contains("VAT 20% included") && text.contains("4.00 EUR"), "{text}");
    assert!(text.contains("Paid to the shop directly"), "{text}");

    let link = run(receipts::link(&shop, &shop, &ann, order.id)).unwrap();
    assert!(link.contains("expires=300"), "five minutes: {link}");
    assert!(run(receipts::link(&shop, &shop, &staff(), order.id)).is_ok());
    let stranger = run(receipts::link(&shop, &shop, &who(Role::Customer, "bob"), order.id));
    assert!(matches!(stranger, Err(ReceiptsError::Common(tillbox::app::error::CommonError::NotFound))), "{stranger:?}");
}
