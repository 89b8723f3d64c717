//! Invoices and credit notes: printed once, numbered from gapless sequences,
//! linked only for the order's owner and staff.

use super::{NOW, POLICY, run, staff, who};
use crate::memory::MemoryShop;
use crate::memory::payments::MemoryGateway;
use tillbox::app::catalog::products;
use tillbox::app::orders;
use tillbox::app::payments;
use tillbox::app::receipts::{self, InvoiceSettings, Printed, ReceiptsError, ports::DocumentPrinter};
use tillbox::domain::money::MoneyInput;
use tillbox::domain::{Invoice, NewProduct, OrderRequest, RefundRequest, Role, Seller, Transition};

/// Prints the document's fields, so the test can read what it says.
struct TextPrinter;

impl DocumentPrinter for TextPrinter {
    fn print(&self, document: &Invoice) -> Result<Vec<u8>, String> {
        Ok(format!("{document:?}").into_bytes())
    }
}

fn settings() -> InvoiceSettings {
    let seller = Seller {
        legal_name: "Tillbox GmbH".into(),
        address: vec!["Musterstraße 1".into(), "10115 Berlin".into()],
        tax_id: Some("DE123456789".into()),
    };
    InvoiceSettings { shop_name: "Tillbox".into(), seller }
}

#[test]
fn a_paid_order_gets_one_numbered_invoice_that_only_its_owner_and_staff_can_fetch() {
    let shop = MemoryShop::default();
    let input = NewProduct::active("MUG", "Mug", MoneyInput::new(1200, "EUR"), 5);
    let mug = run(products::create(&shop, Some(&staff()), input, NOW)).unwrap();
    let ann = who(Role::Customer, "ann");
    let place = || {
        let request = OrderRequest::parse(&[(mug.id, None, 2)], None).unwrap();
        run(orders::place(&shop, &POLICY, &ann, request, NOW)).unwrap()
    };
    let (first, second) = (place(), place());
    let settings = settings();
    let print = |id| run(receipts::print(&shop, &shop, &TextPrinter, &settings, id)).unwrap();

    assert_eq!(print(first.id), Printed::NothingToPrint, "an unpaid order has no invoice");
    assert!(shop.orders.borrow()[&first.id].invoice_number.is_none(), "and takes no number");
    assert!(matches!(run(receipts::link(&shop, &shop, &ann, first.id)), Err(ReceiptsError::NotPaid)));
    for order in [&second, &first] {
        run(orders::change(&shop, &staff(), order.id, Transition::MarkPaid, NOW)).unwrap();
    }
    assert!(matches!(run(receipts::link(&shop, &shop, &ann, first.id)), Err(ReceiptsError::NotReady)));

    assert_eq!(print(second.id), Printed::Printed);
    assert_eq!(print(first.id), Printed::Printed);
    assert_eq!(print(first.id), Printed::AlreadyThere, "a redelivered order.paid prints nothing new");
    let numbers: Vec<_> = [second.id, first.id].iter().map(|id| shop.orders.borrow()[id].invoice_number).collect();
    assert_eq!(numbers, [Some(1), Some(2)], "numbered in the order they were printed, from 1, with no gap");
    let (text, content_type) = shop.files.borrow()[&Invoice::file_key(first.id)].clone();
    let text = String::from_utf8(text).unwrap();
    assert_eq!(content_type, "application/pdf");
    for expected in ["INV-000002", "Tillbox GmbH", "DE123456789", "24.00 EUR", "Paid to the shop directly"] {
        assert!(text.contains(expected), "{expected} in {text}");
    }

    let link = run(receipts::link(&shop, &shop, &ann, first.id)).unwrap();
    assert!(link.contains("expires=300"), "five minutes: {link}");
    assert!(run(receipts::link(&shop, &shop, &staff(), first.id)).is_ok());
    let stranger = run(receipts::link(&shop, &shop, &who(Role::Customer, "bob"), first.id));
    assert!(matches!(stranger, Err(ReceiptsError::Common(tillbox::app::error::CommonError::NotFound))), "{stranger:?}");

    // A refund gets a credit note referencing the invoice, from its own sequence.
    let none: Option<&MemoryGateway> = None;
    let request = RefundRequest::parse(1200, "broken", &[]).unwrap();
    let refunded = run(payments::refund(&shop, none, &staff(), first.id, &request, "key-1", NOW)).unwrap();
    let document = (first.id, refunded.refund.id.as_str());
    let credit = || run(receipts::print_credit_note(&shop, &shop, &TextPrinter, &settings, document)).unwrap();
    assert_eq!(credit(), Printed::Printed);
    assert_eq!(credit(), Printed::AlreadyThere);
    let key = Invoice::credit_note_key(first.id, &refunded.refund.id);
    let text = String::from_utf8(shop.files.borrow()[&key].0.clone()).unwrap();
    for expected in ["CN-000001", "INV-000002", "-12.00 EUR", "broken"] {
        assert!(text.contains(expected), "{expected} in {text}");
    }
}
