//! What an invoice says, decided here so the PDF adapter only lays it out: who
//! sells (legal name, address, tax id), to whom (billing and shipping address),
//! its gapless number, each line with its tax rate, the discount, the shipping,
//! tax by rate, and the totals. Amounts are formatted once, as people read them.
//!
//! A paid order gets an invoice; a refund of it gets a credit note that
//! references the invoice and gives back tax in proportion to what the order
//! charged at each rate.

use super::id::{OrderId, VariantId};
use super::order::Order;
use super::payment::Payment;
use super::tax::{self, TaxRate};
use super::timestamp::Timestamp;

/// The seller as invoices must name it (template parameters `SellerLegalName`,
/// `SellerAddress`, `SellerTaxId`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Seller {
    pub legal_name: String,
    /// Printed line by line.
    pub address: Vec<String>,
    /// A VAT or sales-tax registration number.
    pub tax_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DocumentKind {
    Invoice,
    /// Gives back part of what the invoice (its number) charged.
    CreditNote {
        invoice: String,
    },
    /// What goes in the parcel: lines and quantities, no prices.
    PackingSlip,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvoiceLine {
    pub description: String,
    /// The SKU, and the tax category when it is not the standard one.
    pub detail: String,
    pub quantity: u32,
    pub unit_price: String,
    pub tax_rate: String,
    pub amount: String,
}

/// One row of the totals: a label and an amount; `strong` for the grand total.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TotalRow {
    pub label: String,
    pub amount: String,
    pub strong: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invoice {
    pub kind: DocumentKind,
    /// `INV-000042` or `CN-000007`.
    pub number: String,
    pub shop_name: String,
    pub seller: Seller,
    pub issued_at: Timestamp,
    pub order_id: OrderId,
    pub bill_to: Vec<String>,
    /// Empty for an order nobody sends.
    pub ship_to: Vec<String>,
    pub lines: Vec<InvoiceLine>,
    pub totals: Vec<TotalRow>,
    /// Below the totals: how it was paid, whether prices include tax.
    pub notes: Vec<String>,
}

/// `INV-000042`: the shop's gapless invoice sequence, as printed.
pub fn invoice_number(n: u64) -> String {
    format!("INV-{n:06}")
}

/// `CN-000007`: the shop's gapless credit-note sequence, as printed.
pub fn credit_note_number(n: u64) -> String {
    format!("CN-{n:06}")
}

fn percent(rate: TaxRate) -> String {
    format!("{} %", rate.percent())
}

fn row(label: impl Into<String>, amount: String) -> TotalRow {
    TotalRow { label: label.into(), amount, strong: false }
}

/// Who the invoice is addressed to: the billing address, else the shipping
/// address, else the customer's e-mail (an order nobody sends).
fn bill_to(order: &Order) -> Vec<String> {
    match order.billing_address.as_ref().or(order.shipping_address.as_ref()) {
        Some(address) => address.lines(),
        None => order.email.iter().map(|e| e.as_str().to_owned()).collect(),
    }
}

impl Invoice {
    /// The invoice of a paid order, numbered `number`; `None` for an order that
    /// was never paid. `payment` is the provider's, `None` when staff marked it paid.
    pub fn of(
        order: &Order,
        payment: Option<&Payment>,
        (shop_name, seller): (&str, &Seller),
        number: u64,
    ) -> Option<Self> {
        let paid_at = order.paid_at?;
        let money = |minor| order.currency.format(minor);
        let lines = order
            .lines
            .iter()
            .map(|l| InvoiceLine {
                description: l.name.clone(),
                detail: match l.tax_category {
                    tax::TaxCategory::Standard => l.sku.clone(),
                    other => format!("{} · {} rate", l.sku, other.as_str()),
                },
                quantity: l.quantity,
                unit_price: money(l.unit_price),
                tax_rate: percent(l.tax_rate),
                amount: money(l.total),
            })
            .collect();
        let mut totals = vec![row("Subtotal", money(order.subtotal))];
        if let Some(d) = &order.discount {
            totals.push(row(format!("Discount ({})", d.code.as_str()), money(-d.amount)));
        }
        if let Some(s) = &order.shipping {
            totals.push(row(format!("Shipping: {} ({})", s.name, percent(s.tax_rate)), money(s.amount)));
        }
        let by_rate = order.tax_by_rate();
        let net: i64 = by_rate.iter().map(|r| r.net).sum();
        let taxes = by_rate.iter().map(|r| row(format!("Tax {} on {}", percent(r.rate), money(r.net)), money(r.tax)));
        if order.prices_include_tax {
            totals.push(TotalRow { label: "Total".into(), amount: money(order.total), strong: true });
            totals.push(row("Net amount", money(net)));
            totals.extend(taxes.map(|t| TotalRow { label: format!("{} (included)", t.label), ..t }));
        } else {
            totals.push(row("Net amount", money(net)));
            totals.extend(taxes);
            totals.push(TotalRow { label: "Total".into(), amount: money(order.total), strong: true });
        }
        let paid = match payment {
            Some(p) => format!("Paid by card via {} ({}).", p.provider.label(), p.provider_id),
            None => "Paid to the shop directly.".to_owned(),
        };
        let basis =
            if order.prices_include_tax { "Prices include tax." } else { "Prices exclude tax; tax is added above." };
        Some(Self {
            kind: DocumentKind::Invoice,
            number: invoice_number(number),
            shop_name: shop_name.to_owned(),
            seller: seller.clone(),
            issued_at: paid_at,
            order_id: order.id,
            bill_to: bill_to(order),
            ship_to: order.shipping_address.as_ref().map(|a| a.lines()).unwrap_or_default(),
            lines,
            totals,
            notes: vec![paid, basis.to_owned()],
        })
    }

    /// The credit note, numbered `number`, for a refund of `amount` (gross) on
    /// the order invoiced as `invoice`. Tax is given back at the rate of what
    /// was refunded: the units put back in stock (`restocked`: variant and
    /// units) at their line's rate, the shipping at its rate when the rest is
    /// exactly the shipping, and any other amount (a goodwill refund) in
    /// proportion to the order's gross at each rate, split to the cent.
    pub fn credit_note(
        order: &Order,
        (amount, reason, refunded_at, restocked): (i64, &str, Timestamp, &[(VariantId, u32)]),
        (shop_name, seller): (&str, &Seller),
        (number, invoice): (u64, u64),
    ) -> Self {
        let money = |minor| order.currency.format(minor);
        let included = order.prices_include_tax;
        let mut gross_by_rate: Vec<(TaxRate, i64)> = Vec::new();
        let mut add = |rate: TaxRate, gross: i64| match gross_by_rate.iter_mut().find(|(r, _)| *r == rate) {
            Some((_, sum)) => *sum += gross,
            None => gross_by_rate.push((rate, gross)),
        };
        let units: Vec<(TaxRate, i64)> = restocked
            .iter()
            .filter_map(|(variant, quantity)| {
                let line = order.lines.iter().find(|l| l.variant_id == *variant)?;
                let share = i128::from(line.gross(included)) * i128::from(*quantity) / i128::from(line.quantity.max(1));
                Some((line.tax_rate, share as i64))
            })
            .collect();
        let known: i64 = units.iter().map(|(_, g)| g).sum();
        if known >= amount {
            // Less given back than the units cost: those units' rates, in proportion.
            let shares = tax::allocate(amount, &units.iter().map(|(_, g)| *g).collect::<Vec<_>>());
            units.iter().zip(shares).for_each(|((rate, _), share)| add(*rate, share));
        } else {
            units.iter().for_each(|(rate, gross)| add(*rate, *gross));
            let rest = amount - known;
            match &order.shipping {
                Some(shipping) if rest == order.shipping_gross() => add(shipping.tax_rate, rest),
                _ => {
                    let by_rate = order.tax_by_rate();
                    let weights: Vec<i64> = by_rate.iter().map(|r| r.net + r.tax).collect();
                    if weights.iter().sum::<i64>() == 0 {
                        add(TaxRate::ZERO, rest);
                    } else {
                        let shares = tax::allocate(rest, &weights);
                        by_rate.iter().zip(shares).for_each(|(r, share)| add(r.rate, share));
                    }
                }
            }
        }
        gross_by_rate.sort_by_key(|(rate, _)| std::cmp::Reverse(*rate));
        let mut totals = Vec::new();
        let mut net_total = 0;
        for (rate, gross) in gross_by_rate.iter().filter(|(_, g)| *g != 0) {
            let tax = rate.inside(*gross);
            net_total += gross - tax;
            if *rate != TaxRate::ZERO || order.tax > 0 {
                totals.push(row(format!("Tax {} on {}", percent(*rate), money(-(gross - tax))), money(-tax)));
            }
        }
        let rates: Vec<String> = gross_by_rate.iter().filter(|(_, g)| *g != 0).map(|(r, _)| percent(*r)).collect();
        totals.insert(0, row("Net amount", money(-net_total)));
        totals.push(TotalRow { label: "Total credited".into(), amount: money(-amount), strong: true });
        Self {
            kind: DocumentKind::CreditNote { invoice: invoice_number(invoice) },
            number: credit_note_number(number),
            shop_name: shop_name.to_owned(),
            seller: seller.clone(),
            issued_at: refunded_at,
            order_id: order.id,
            bill_to: bill_to(order),
            ship_to: Vec::new(),
            lines: vec![InvoiceLine {
                description: format!("Refund: {reason}"),
                detail: format!("Corrects invoice {}", invoice_number(invoice)),
                quantity: 1,
                unit_price: money(-amount),
                tax_rate: rates.join(", "),
                amount: money(-amount),
            }],
            totals,
            notes: vec!["The amount goes back the way it was paid.".to_owned()],
        }
    }

    /// The packing slip of a paid order: what to pick and where it goes.
    pub fn packing_slip(order: &Order, (shop_name, seller): (&str, &Seller), now: Timestamp) -> Self {
        let lines = order
            .lines
            .iter()
            .map(|l| InvoiceLine {
                description: l.name.clone(),
                detail: l.sku.clone(),
                quantity: l.quantity,
                unit_price: String::new(),
                tax_rate: String::new(),
                amount: String::new(),
            })
            .collect();
        let units: u32 = order.lines.iter().map(|l| l.quantity).sum();
        let plural = |n: usize| if n == 1 { "" } else { "s" };
        let mut notes = vec![format!(
            "{units} unit{} in {} line{}.",
            plural(units as usize),
            order.lines.len(),
            plural(order.lines.len())
        )];
        if let Some(shipping) = &order.shipping {
            notes.push(format!("Ships with: {}.", shipping.name));
        }
        Self {
            kind: DocumentKind::PackingSlip,
            number: format!("Order {}", order.id.short()),
            shop_name: shop_name.to_owned(),
            seller: seller.clone(),
            issued_at: now,
            order_id: order.id,
            bill_to: order.email.iter().map(|e| e.as_str().to_owned()).collect(),
            ship_to: order.shipping_address.as_ref().map(|a| a.lines()).unwrap_or_default(),
            lines,
            totals: Vec::new(),
            notes,
        }
    }

    /// Where a paid order's packing slip is kept in the bucket.
    pub fn packing_slip_key(order_id: OrderId) -> String {
        format!("packing-slips/{order_id}.pdf")
    }

    /// Where the order's invoice is kept in the bucket (the receipt link serves it).
    pub fn file_key(order_id: OrderId) -> String {
        format!("receipts/{order_id}.pdf")
    }

    /// Where a refund's credit note is kept in the bucket.
    pub fn credit_note_key(order_id: OrderId, refund_id: &str) -> String {
        format!("credit-notes/{order_id}/{refund_id}.pdf")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::money::MoneyInput;
    use crate::domain::order::{OrderRequest, Transition};
    use crate::domain::{Country, NewProduct, ProductId};
    use time::macros::datetime;

    const NOW: Timestamp = datetime!(2026-12-05 10:00 UTC);

    /// A German order of a book (7 %) and a shirt (19 %), taxed and paid.
    fn order() -> Order {
        let book = NewProduct {
            tax_category: Some("reduced".into()),
            ..NewProduct::active("BOOK", "Book", MoneyInput::new(1070, "EUR"), 5)
        }
        .into_product(ProductId::generate(), NOW)
        .unwrap();
        let shirt = NewProduct::active("SHIRT", "Shirt", MoneyInput::new(1190, "EUR"), 5)
            .into_product(ProductId::generate(), NOW)
            .unwrap();
        let request = OrderRequest::parse(&[(book.id, None, 1), (shirt.id, None, 1)], None).unwrap();
        let order = Order::price(&request, &[book, shirt], None, "ann", NOW).unwrap();
        let rules = tax::TaxSettings::default().rules_for(Country::parse("DE").unwrap(), None);
        let taxes = tax::calculate(&rules, &order.tax_request(None));
        order.charged(None, Some(&taxes)).apply(&Transition::MarkPaid, NOW).unwrap()
    }

    fn tax_rows(note: &Invoice) -> Vec<(String, String)> {
        note.totals.iter().filter(|t| t.label.starts_with("Tax")).map(|t| (t.label.clone(), t.amount.clone())).collect()
    }

    #[test]
    fn a_credit_note_gives_back_tax_at_the_rate_of_what_came_back() {
        let order = order();
        let seller = Seller::default();
        let book = order.lines[0].variant_id;
        let note = Invoice::credit_note(&order, (1070, "returned", NOW, &[(book, 1)]), ("Shop", &seller), (1, 1));
        assert_eq!(tax_rows(&note), [("Tax 7 % on -10.00 EUR".to_owned(), "-0.70 EUR".to_owned())]);
        assert_eq!(note.number, "CN-000001");
        // A goodwill refund, nothing restocked: in proportion to the order's gross per rate.
        let goodwill = Invoice::credit_note(&order, (226, "sorry", NOW, &[]), ("Shop", &seller), (2, 1));
        let taxes = tax_rows(&goodwill);
        assert_eq!(taxes.len(), 2, "{taxes:?}");
        assert_eq!(goodwill.totals.last().unwrap().amount, "-2.26 EUR");
    }

    #[test]
    fn an_invoice_lists_tax_by_rate_and_the_seller() {
        let order = order();
        let seller = Seller { legal_name: "Shop GmbH".into(), address: vec![], tax_id: Some("DE1".into()) };
        let invoice = Invoice::of(&order, None, ("Shop", &seller), 42).unwrap();
        assert_eq!(invoice.number, "INV-000042");
        let labels: Vec<_> = invoice.totals.iter().map(|t| t.label.as_str()).collect();
        assert_eq!(
            labels,
            ["Subtotal", "Total", "Net amount", "Tax 19 % on 10.00 EUR (included)", "Tax 7 % on 10.00 EUR (included)"]
        );
        assert!(invoice.lines[0].detail.contains("reduced rate"));
    }
}
