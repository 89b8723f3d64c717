//! What a receipt says, decided here so the PDF adapter only lays it out: the
//! shop, the order, each line, the discount, the total, the VAT included in it
//! (when the shop configures a rate) and how it was paid. Amounts are formatted
//! once, as the customer reads them.

use super::id::OrderId;
use super::order::Order;
use super::payment::Payment;
use super::timestamp::Timestamp;

/// A VAT rate included in the prices, in basis points (20 % = 2000).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VatRate(u32);

impl VatRate {
    /// `"20"`, `"7.7"` or `"5.25"` percent; above 0 and at most 100.
    pub fn parse(percent: &str) -> Result<Self, String> {
        let refused = || format!("`{percent}` is not a percentage like 20 or 7.7");
        let (whole, fraction) = percent.trim().split_once('.').unwrap_or((percent.trim(), ""));
        if whole.is_empty()
            || fraction.len() > 2
            || !(whole.chars().chain(fraction.chars()).all(|c| c.is_ascii_digit()))
        {
            return Err(refused());
        }
        let whole: u32 = whole.parse().map_err(|_| refused())?;
        let fraction: u32 = format!("{fraction:0<2}").parse().map_err(|_| refused())?;
        let basis_points = whole.checked_mul(100).and_then(|w| w.checked_add(fraction)).ok_or_else(refused)?;
        if basis_points == 0 || basis_points > 10_000 {
            return Err(refused());
        }
        Ok(Self(basis_points))
    }

    /// The VAT inside a gross amount, rounded half up to a minor unit:
    /// gross × rate / (1 + rate).
    pub fn included_in(self, gross: i64) -> i64 {
        let (gross, rate) = (i128::from(gross), i128::from(self.0));
        let denominator = 10_000 + rate;
        i64::try_from((2 * gross * rate + denominator) / (2 * denominator)).expect("smaller than the gross amount")
    }

    /// `20%`, `7.7%`, `5.25%`.
    pub fn label(self) -> String {
        let (whole, fraction) = (self.0 / 100, self.0 % 100);
        match fraction {
            0 => format!("{whole}%"),
            f if f % 10 == 0 => format!("{whole}.{}%", f / 10),
            f => format!("{whole}.{f:02}%"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceiptLine {
    pub description: String,
    pub quantity: u32,
    pub unit_price: String,
    pub total: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    pub shop_name: String,
    pub order_id: OrderId,
    /// When the payment arrived (UTC).
    pub paid_at: Timestamp,
    pub lines: Vec<ReceiptLine>,
    pub subtotal: String,
    /// The code and the amount taken off.
    pub discount: Option<(String, String)>,
    pub total: String,
    /// "VAT 20% included" and its amount.
    pub vat: Option<(String, String)>,
    pub payment_method: String,
}

impl Receipt {
    /// The receipt of a paid order; `None` for an order that was never paid.
    /// `payment` is the provider's payment, `None` when staff marked it paid.
    pub fn of(order: &Order, payment: Option<&Payment>, shop_name: &str, vat: Option<VatRate>) -> Option<Self> {
        let paid_at = order.paid_at?;
        let money = |minor| order.currency.format(minor);
        Some(Self {
            shop_name: shop_name.to_owned(),
            order_id: order.id,
            paid_at,
            lines: order
                .lines
                .iter()
                .map(|l| ReceiptLine {
                    description: format!("{} ({})", l.name, l.sku),
                    quantity: l.quantity,
                    unit_price: money(l.unit_price),
                    total: money(l.total),
                })
                .collect(),
            subtotal: money(order.subtotal),
            discount: order.discount.as_ref().map(|d| (d.code.as_str().to_owned(), money(-d.amount))),
            total: money(order.total),
            vat: vat.map(|rate| (format!("VAT {} included", rate.label()), money(rate.included_in(order.total)))),
            payment_method: match payment {
                Some(p) => format!("Card via {} ({})", p.provider.label(), p.provider_id),
                None => "Paid to the shop directly".to_owned(),
            },
        })
    }

    /// Where the receipt's PDF is kept in the bucket.
    pub fn file_key(order_id: OrderId) -> String {
        format!("receipts/{order_id}.pdf")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vat_rates_parse_and_round_half_up() {
        assert_eq!(VatRate::parse("20").unwrap().included_in(2400), 400);
        assert_eq!(VatRate::parse("7.7").unwrap().included_in(1000), 71, "1000 × 0.077 / 1.077 = 71.49");
        assert_eq!(VatRate::parse("5.25").unwrap().label(), "5.25%");
        assert_eq!(VatRate::parse("7.70").unwrap().label(), "7.7%");
        assert_eq!(VatRate::parse("19").unwrap().included_in(119), 19);
        for bad in ["", "0", "-5", "abc", "7.777", "101", "1e3", "."] {
            assert!(VatRate::parse(bad).is_err(), "{bad}");
        }
    }
}
