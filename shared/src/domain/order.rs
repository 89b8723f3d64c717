//! Orders: what a customer bought, at which prices, and where it is in its life.
//!
//! Prices, currency and discount are computed here from the catalog as read by the
//! server; the client only names products and quantities.

use super::address::Address;
use super::discount::{Discount, DiscountCode};
use super::id::{OrderId, ProductId, ShippingMethodId, VariantId};
use super::money::Currency;
use super::product::{MAX_QUANTITY, Product};
use super::shipping::{Parcel, Quote};
use super::tax::{self, TaxByRate, TaxCategory, TaxRate, TaxRequest, TaxResult, Taxed};
use super::timestamp::Timestamp;
use super::user::Email;
use super::validation::{Checker, FieldError, Invalid, text};
use serde::{Deserialize, Serialize};

impl OrderId {
    /// The first block of the id: enough for a person to tell orders apart (e-mail
    /// subjects, receipt file names).
    pub fn short(self) -> String {
        self.to_string().chars().take(8).collect()
    }
}

/// Lines per order. One order is one DynamoDB transaction (at most 100 actions):
/// a stock update per line plus the order, the discount, its use and the event.
pub const MAX_LINES: usize = 50;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderStatus {
    PendingPayment,
    Paid,
    Fulfilled,
    Cancelled,
    /// Everything paid was given back (set by refunds, never by a [`Transition`]).
    Refunded,
    /// Some of what was paid was given back.
    PartiallyRefunded,
}

impl OrderStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::PendingPayment => "pending_payment",
            Self::Paid => "paid",
            Self::Fulfilled => "fulfilled",
            Self::Cancelled => "cancelled",
            Self::Refunded => "refunded",
            Self::PartiallyRefunded => "partially_refunded",
        }
    }

    pub const ALL: [Self; 6] =
        [Self::PendingPayment, Self::Paid, Self::Fulfilled, Self::Cancelled, Self::Refunded, Self::PartiallyRefunded];

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == value)
    }
}

/// What one line of an order asks for: a variant of a product, or a product
/// sold one way (what clients from before variants send).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineRequest {
    pub product_id: ProductId,
    pub variant_id: Option<VariantId>,
    pub quantity: u32,
}

/// A checked order request: 1 to [`MAX_LINES`] lines, each in a quantity from 1
/// to [`MAX_QUANTITY`], and perhaps a well-formed discount code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderRequest {
    lines: Vec<LineRequest>,
    discount_code: Option<DiscountCode>,
    delivery: Delivery,
}

/// Where an order goes and who hears about it: all optional for an order that
/// is not sent anywhere (a download, a pickup); a shipping address asks for a
/// shipping method the shop offers there.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Delivery {
    pub email: Option<Email>,
    pub shipping_address: Option<Address>,
    pub billing_address: Option<Address>,
    pub shipping_method: Option<ShippingMethodId>,
}

impl OrderRequest {
    /// `lines` as the client listed them (product, variant, quantity); errors name
    /// `lines[i].quantity`, `lines[i].variant_id` and `discount_code`, all at once.
    pub fn parse(lines: &[(ProductId, Option<VariantId>, i64)], discount_code: Option<&str>) -> Result<Self, Invalid> {
        let mut c = Checker::default();
        if lines.is_empty() || lines.len() > MAX_LINES {
            c.check::<()>("lines", Err(format!("must hold 1 to {MAX_LINES} lines")));
        }
        let mut checked = Vec::with_capacity(lines.len());
        for (i, (product_id, variant_id, quantity)) in lines.iter().enumerate() {
            // Two lines of one variant are one line with the summed quantity to
            // the customer anyway; [`Order::price`] finds those that only resolve
            // to the same variant.
            if lines[..i].iter().any(|(p, v, _)| p == product_id && v == variant_id) {
                let field = if variant_id.is_some() { "variant_id" } else { "product_id" };
                c.check::<()>(&format!("lines[{i}].{field}"), Err("appears in an earlier line".into()));
            }
            let quantity = (1..=MAX_QUANTITY)
                .contains(quantity)
                .then_some(*quantity as u32)
                .ok_or_else(|| format!("must be a whole number from 1 to {MAX_QUANTITY}"));
            if let Some(quantity) = c.check(&format!("lines[{i}].quantity"), quantity) {
                checked.push(LineRequest { product_id: *product_id, variant_id: *variant_id, quantity });
            }
        }
        let discount_code = match discount_code.map(DiscountCode::parse).transpose() {
            Ok(code) => code,
            Err(message) => c.check::<Option<DiscountCode>>("discount_code", Err(message)).flatten(),
        };
        c.finish()?;
        Ok(Self { lines: checked, discount_code, delivery: Delivery::default() })
    }

    /// The request sent to `delivery`.
    pub fn delivered(self, delivery: Delivery) -> Self {
        Self { delivery, ..self }
    }

    pub fn delivery(&self) -> &Delivery {
        &self.delivery
    }

    pub fn lines(&self) -> &[LineRequest] {
        &self.lines
    }

    /// The products the lines name, once each, for one batched read.
    pub fn product_ids(&self) -> Vec<ProductId> {
        let mut ids: Vec<_> = self.lines.iter().map(|l| l.product_id).collect();
        ids.sort();
        ids.dedup();
        ids
    }

    pub fn discount_code(&self) -> Option<&DiscountCode> {
        self.discount_code.as_ref()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderLine {
    pub product_id: ProductId,
    /// The variant whose stock the line took.
    pub variant_id: VariantId,
    pub sku: String,
    /// The product's name and the variant's option values: `Tee (M / navy)`.
    pub name: String,
    /// Minor units, as the catalog priced the product when the order was placed.
    pub unit_price: i64,
    pub quantity: u32,
    pub total: i64,
    /// Units put back in stock by refunds, never more than `quantity`.
    pub restocked: u32,
    pub tax_category: TaxCategory,
    /// Grams per unit (0: not given), for the parcel's weight.
    pub weight_grams: u32,
    /// This line's share of the order's discount, in minor units.
    pub discount: i64,
    pub tax_rate: TaxRate,
    /// The tax inside (prices include tax) or on top of `total - discount`.
    pub tax: i64,
}

impl OrderLine {
    /// What the customer pays for the line: after its discount, with its tax.
    pub fn gross(&self, prices_include_tax: bool) -> i64 {
        let amount = self.total - self.discount;
        if prices_include_tax { amount } else { amount + self.tax }
    }

    /// The gross paid for `quantity` of the line's units when `before` of them
    /// were already given back: a share computed on the cumulative count, so
    /// giving every unit back in any number of steps returns exactly the gross.
    pub fn gross_of_units(&self, before: u32, quantity: u32, prices_include_tax: bool) -> i64 {
        let gross = i128::from(self.gross(prices_include_tax));
        let share = |units: u32| (gross * i128::from(units) / i128::from(self.quantity.max(1))) as i64;
        share(before + quantity) - share(before)
    }
}

/// The shipping method an order was sent with, as priced at checkout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShippingCharge {
    pub method_id: ShippingMethodId,
    pub name: String,
    /// In the same basis as the prices: tax inside when prices include tax.
    pub amount: i64,
    pub tax_rate: TaxRate,
    pub tax: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppliedDiscount {
    pub code: DiscountCode,
    /// Minor units taken off the subtotal.
    pub amount: i64,
    /// Whether the code records this customer's use (so a cancel gives it back).
    pub once_per_customer: bool,
}

/// How an order was sent: [`Shipment::check`] checks what staff typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shipment {
    pub carrier: String,
    pub tracking_number: String,
}

impl Shipment {
    pub fn check(self) -> Result<Shipment, Invalid> {
        let mut c = Checker::default();
        let carrier = c.check("carrier", text(&self.carrier, 1, 100));
        let tracking_number = c.check("tracking_number", text(&self.tracking_number, 1, 100));
        c.finish()?;
        Ok(Shipment { carrier: carrier.unwrap_or_default(), tracking_number: tracking_number.unwrap_or_default() })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CancelReason {
    Customer,
    Staff,
    /// Not paid within the configured time; cancelled by the expiry job.
    Expired,
}

impl CancelReason {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Customer => "customer",
            Self::Staff => "staff",
            Self::Expired => "expired",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        [Self::Customer, Self::Staff, Self::Expired].into_iter().find(|r| r.as_str() == value)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Order {
    pub id: OrderId,
    /// The token subject of the customer who placed it: a user id for accounts
    /// (development tokens may name anyone).
    pub customer: String,
    pub status: OrderStatus,
    pub lines: Vec<OrderLine>,
    pub currency: Currency,
    pub subtotal: i64,
    pub discount: Option<AppliedDiscount>,
    pub shipping: Option<ShippingCharge>,
    /// Whether line prices and shipping include `tax` (EU style) or `tax` comes
    /// on top of them (US style).
    pub prices_include_tax: bool,
    /// The sum of the lines' and the shipping's tax.
    pub tax: i64,
    /// What the customer pays: subtotal − discount + shipping (+ tax when
    /// prices exclude it).
    pub total: i64,
    /// Minor units given back by refunds, never more than `total`.
    pub refunded: i64,
    /// Where confirmations go: the guest's address, or the customer's.
    pub email: Option<Email>,
    pub shipping_address: Option<Address>,
    pub billing_address: Option<Address>,
    /// The invoice's number once the order is paid (gapless per shop).
    pub invoice_number: Option<u64>,
    pub shipment: Option<Shipment>,
    pub cancel_reason: Option<CancelReason>,
    pub version: u64,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub paid_at: Option<Timestamp>,
    /// What paid it: [`MANUAL_PAYMENT`] (staff marked it paid) or the provider's
    /// payment id, so a second payment for a paid order is recognised and refunded.
    pub paid_by: Option<String>,
    pub fulfilled_at: Option<Timestamp>,
    pub cancelled_at: Option<Timestamp>,
    /// The customer's bank disputes the payment and the dispute is not closed:
    /// the goods stay in the warehouse and no refund can be made, since the bank
    /// may take the money back whatever the shop does.
    pub disputed: bool,
}

/// What an order's `customer` starts with when a guest placed it.
const GUEST_PREFIX: &str = "guest:";

/// Who a guest is to the order limits and, once they sign up, to the account
/// that claims their orders: a pseudonym of their e-mail address (never the
/// address itself, which stays out of keys and logs).
pub fn guest_customer(email: &Email) -> String {
    format!("{GUEST_PREFIX}{}", &super::secret::token_hash(&email.as_str().to_lowercase())[..32])
}

/// Whether `customer` is a guest's pseudonym rather than an account.
pub fn is_guest_customer(customer: &str) -> bool {
    customer.starts_with(GUEST_PREFIX)
}

/// [`Order::paid_by`] of an order staff marked paid.
pub const MANUAL_PAYMENT: &str = "manual";

/// Why an order cannot be placed as asked, before anything is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PricingError {
    Invalid(Invalid),
    OutOfStock { product_id: ProductId, variant_id: VariantId, available: u32 },
}

impl Order {
    /// Whether a guest (no account) placed it.
    pub fn is_guest(&self) -> bool {
        is_guest_customer(&self.customer)
    }

    /// What is left to refund.
    pub fn refundable(&self) -> i64 {
        self.total - self.refunded
    }

    /// The order held (`true`) while its payment is disputed, or released when
    /// the dispute closed.
    pub fn held_for_dispute(&self, disputed: bool, now: Timestamp) -> Order {
        Order { disputed, version: self.version + 1, updated_at: now, ..self.clone() }
    }

    /// The order after a refund of `amount` the provider refused: the balance is
    /// refundable again. Goods it put back in stock stay there (they came back).
    pub fn refund_refused(&self, amount: i64, now: Timestamp) -> Order {
        let mut next = self.clone();
        next.refunded = (self.refunded - amount).max(0);
        next.status = match (next.refunded, self.fulfilled_at) {
            (0, Some(_)) => OrderStatus::Fulfilled,
            (0, None) => OrderStatus::Paid,
            _ => OrderStatus::PartiallyRefunded,
        };
        next.version = self.version + 1;
        next.updated_at = now;
        next
    }

    /// Prices `request` from the catalog as read now. `products` holds what the
    /// store returned for [`OrderRequest::product_ids`] (an unknown id is absent).
    /// `discount` is the code's record if the request named one and it exists.
    pub fn price(
        request: &OrderRequest,
        products: &[Product],
        discount: Option<&Discount>,
        customer: &str,
        now: Timestamp,
    ) -> Result<Order, PricingError> {
        let mut errors = Vec::new();
        let mut lines: Vec<OrderLine> = Vec::with_capacity(request.lines().len());
        let mut currency = None;
        for (i, wanted) in request.lines().iter().enumerate() {
            let Some(product) = products.iter().find(|p| p.id == wanted.product_id && p.is_public()) else {
                errors.push(FieldError::new(format!("lines[{i}].product_id"), "is not a product on sale"));
                continue;
            };
            let variant = match wanted.variant_id {
                Some(id) => {
                    product.variant(id).filter(|v| product.sells(v)).ok_or("is not a variant of this product on sale")
                }
                None => product.sole_variant().ok_or("is required: this product comes in several variants"),
            };
            let variant = match variant {
                Ok(variant) => variant,
                Err(message) => {
                    errors.push(FieldError::new(format!("lines[{i}].variant_id"), message));
                    continue;
                }
            };
            if lines.iter().any(|l| l.variant_id == variant.id) {
                errors.push(FieldError::new(format!("lines[{i}].variant_id"), "appears in an earlier line"));
                continue;
            }
            let price = product.price_of(variant);
            if *currency.get_or_insert(price.currency) != price.currency {
                errors.push(FieldError::new(format!("lines[{i}].product_id"), "is priced in another currency"));
                continue;
            }
            if wanted.quantity > variant.max_per_order {
                let most = variant.max_per_order;
                errors.push(FieldError::new(
                    format!("lines[{i}].quantity"),
                    format!("at most {most} of this product per order"),
                ));
                continue;
            }
            if variant.stock < wanted.quantity {
                return Err(PricingError::OutOfStock {
                    product_id: product.id,
                    variant_id: variant.id,
                    available: variant.stock,
                });
            }
            lines.push(OrderLine {
                product_id: product.id,
                variant_id: variant.id,
                sku: variant.sku.as_str().to_owned(),
                name: product.line_name(variant),
                unit_price: price.amount,
                quantity: wanted.quantity,
                total: price.amount * i64::from(wanted.quantity),
                restocked: 0,
                tax_category: product.tax_category,
                weight_grams: variant.weight_grams,
                discount: 0,
                tax_rate: TaxRate::ZERO,
                tax: 0,
            });
        }
        let (Some(currency), true) = (currency, errors.is_empty()) else {
            return Err(PricingError::Invalid(Invalid(errors)));
        };
        let subtotal = lines.iter().map(|l| l.total).sum();
        let discount = match (request.discount_code(), discount) {
            (None, _) => None,
            (Some(_), None) => return Err(discount_refused(UNUSABLE_CODE)),
            (Some(_), Some(d)) => Some(AppliedDiscount {
                code: d.code.clone(),
                amount: d.amount_off(subtotal, currency, now).map_err(|_| discount_refused(UNUSABLE_CODE))?,
                once_per_customer: d.once_per_customer,
            }),
        };
        let total = subtotal - discount.as_ref().map_or(0, |d| d.amount);
        Ok(Order {
            id: OrderId::generate(),
            customer: customer.to_owned(),
            status: OrderStatus::PendingPayment,
            lines,
            currency,
            subtotal,
            discount,
            shipping: None,
            prices_include_tax: true,
            tax: 0,
            total,
            refunded: 0,
            email: request.delivery.email.clone(),
            shipping_address: request.delivery.shipping_address.clone(),
            billing_address: request.delivery.billing_address.clone(),
            invoice_number: None,
            shipment: None,
            cancel_reason: None,
            version: 1,
            created_at: now,
            updated_at: now,
            paid_at: None,
            paid_by: None,
            fulfilled_at: None,
            cancelled_at: None,
            disputed: false,
        })
    }

    /// The goods as a parcel: their weight and what they cost after the discount.
    pub fn parcel(&self) -> Parcel {
        Parcel {
            weight_grams: self.lines.iter().map(|l| u64::from(l.weight_grams) * u64::from(l.quantity)).sum(),
            goods: self.subtotal - self.discount.as_ref().map_or(0, |d| d.amount),
            currency: self.currency,
        }
    }

    /// What to tax: where the order goes (the shipping address, else the
    /// billing address; neither: where the shop sells from), its lines after
    /// their share of the discount, and `shipping`.
    pub fn tax_request(&self, shipping: Option<&Quote>) -> TaxRequest {
        let destination = self
            .shipping_address
            .as_ref()
            .or(self.billing_address.as_ref())
            .map(|address| (address.country(), address.region().map(str::to_owned)));
        let discount = self.discount.as_ref().map_or(0, |d| d.amount);
        let shares = tax::allocate(discount, &self.lines.iter().map(|l| l.total).collect::<Vec<_>>());
        TaxRequest {
            destination,
            lines: self.lines.iter().zip(&shares).map(|(l, share)| (l.total - share, l.tax_category)).collect(),
            shipping: shipping.map_or(0, |q| q.amount),
        }
    }

    /// The order with its shipping and taxes: each line's discount share and
    /// tax, the shipping charge, and the totals they add up to. `taxes` answers
    /// [`Order::tax_request`] (`None`: nothing is taxed).
    pub fn charged(mut self, shipping: Option<&Quote>, taxes: Option<&TaxResult>) -> Order {
        let discount = self.discount.as_ref().map_or(0, |d| d.amount);
        let shares = tax::allocate(discount, &self.lines.iter().map(|l| l.total).collect::<Vec<_>>());
        let untaxed = |amount| Taxed { net: amount, tax: 0, gross: amount, rate: TaxRate::ZERO };
        for (i, (line, share)) in self.lines.iter_mut().zip(shares).enumerate() {
            let taxed = taxes.map_or(untaxed(line.total - share), |t| t.lines[i]);
            line.discount = share;
            line.tax_rate = taxed.rate;
            line.tax = taxed.tax;
        }
        let shipping_amount = shipping.map_or(0, |q| q.amount);
        let shipping_tax = taxes.map_or(untaxed(shipping_amount), |t| t.shipping);
        self.shipping = shipping.map(|q| ShippingCharge {
            method_id: q.method_id,
            name: q.name.clone(),
            amount: q.amount,
            tax_rate: shipping_tax.rate,
            tax: shipping_tax.tax,
        });
        self.prices_include_tax = taxes.is_none_or(|t| t.prices_include_tax);
        self.tax = self.lines.iter().map(|l| l.tax).sum::<i64>() + shipping_tax.tax;
        self.total = self.subtotal - discount + shipping_amount + if self.prices_include_tax { 0 } else { self.tax };
        self
    }

    /// Tax summed by rate over the lines and the shipping, as an invoice shows it.
    pub fn tax_by_rate(&self) -> Vec<TaxByRate> {
        let line = |amount: i64, rate, tax| {
            if self.prices_include_tax {
                Taxed { net: amount - tax, tax, gross: amount, rate }
            } else {
                Taxed { net: amount, tax, gross: amount + tax, rate }
            }
        };
        let lines = self.lines.iter().map(|l| line(l.total - l.discount, l.tax_rate, l.tax));
        let shipping = self.shipping.iter().map(|s| line(s.amount, s.tax_rate, s.tax));
        tax::by_rate(lines.chain(shipping))
    }

    /// The shipping charge with its tax (0 without shipping).
    pub fn shipping_gross(&self) -> i64 {
        self.shipping.as_ref().map_or(0, |s| if self.prices_include_tax { s.amount } else { s.amount + s.tax })
    }

    /// The next version after `transition`, or why the order's state forbids it.
    pub fn apply(&self, transition: &Transition, now: Timestamp) -> Result<Order, IllegalTransition> {
        let mut next = self.clone();
        match (self.status, transition) {
            (OrderStatus::PendingPayment, Transition::MarkPaid) => {
                next.status = OrderStatus::Paid;
                next.paid_at = Some(now);
                next.paid_by = Some(MANUAL_PAYMENT.to_owned());
            }
            (OrderStatus::PendingPayment, Transition::Settle { payment }) => {
                next.status = OrderStatus::Paid;
                next.paid_at = Some(now);
                next.paid_by = Some(payment.clone());
            }
            (OrderStatus::Paid, Transition::Fulfil(_)) if self.disputed => {
                return Err(IllegalTransition { from: self.status, action: "fulfilled", disputed: true });
            }
            (OrderStatus::Paid, Transition::Fulfil(shipment)) => {
                next.status = OrderStatus::Fulfilled;
                next.shipment = Some(shipment.clone());
                next.fulfilled_at = Some(now);
            }
            (OrderStatus::PendingPayment, Transition::Cancel(reason)) => {
                next.status = OrderStatus::Cancelled;
                next.cancel_reason = Some(*reason);
                next.cancelled_at = Some(now);
            }
            (from, transition) => {
                return Err(IllegalTransition { from, action: transition.past_participle(), disputed: false });
            }
        }
        next.version = self.version + 1;
        next.updated_at = now;
        Ok(next)
    }
}

/// What a customer learns about any code that does not apply, unknown, inactive,
/// expired, used up or in another currency alike: telling them apart would help
/// guess codes.
pub const UNUSABLE_CODE: &str = "is not a discount code this order can use";

fn discount_refused(message: impl Into<String>) -> PricingError {
    PricingError::Invalid(Invalid(vec![FieldError::new("discount_code", message)]))
}

/// A move of an order from one state to another.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Transition {
    /// Payment arrived (the manual provider: staff say so).
    MarkPaid,
    /// The provider took `payment` (its id) for the order.
    Settle { payment: String },
    /// Handed to a carrier.
    Fulfil(Shipment),
    /// Stock and any discount use go back.
    Cancel(CancelReason),
}

impl Transition {
    pub fn name(&self) -> &'static str {
        match self {
            Self::MarkPaid => "mark-paid",
            Self::Settle { .. } => "settle",
            Self::Fulfil(_) => "fulfil",
            Self::Cancel(_) => "cancel",
        }
    }

    /// What the order would be once moved, as error messages say it.
    pub fn past_participle(&self) -> &'static str {
        match self {
            Self::MarkPaid => "marked paid",
            Self::Settle { .. } => "paid",
            Self::Fulfil(_) => "fulfilled",
            Self::Cancel(_) => "cancelled",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", if *.disputed {
    format!("the order's payment is disputed: it cannot be {} until the dispute is closed", .action)
} else {
    format!("an order that is {} cannot be {}", .from.as_str(), .action)
})]
pub struct IllegalTransition {
    pub from: OrderStatus,
    /// The move refused, in the past participle: "marked paid", "fulfilled", "cancelled".
    pub action: &'static str,
    /// Refused because a dispute of the payment is open, not because of the state.
    pub disputed: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::money::MoneyInput;
    use crate::domain::{NewProduct, NewVariant, ProductStatus};
    use time::macros::datetime;

    const NOW: Timestamp = datetime!(2026-11-21 10:00 UTC);

    fn product(price: i64, currency: &str, stock: i64) -> Product {
        let sku = format!("SKU-{}", uuid::Uuid::new_v4().simple());
        let price = MoneyInput { amount: price, currency: currency.into() };
        NewProduct::active(sku, "Mug", price, stock).into_product(ProductId::generate(), NOW).unwrap()
    }

    fn request(products: &[&Product], quantities: &[u32], code: Option<&str>) -> OrderRequest {
        let lines: Vec<_> = products.iter().zip(quantities).map(|(p, q)| (p.id, None, i64::from(*q))).collect();
        OrderRequest::parse(&lines, code).unwrap()
    }

    fn order() -> Order {
        let mug = product(900, "EUR", 5);
        Order::price(&request(&[&mug], &[2], None), &[mug], None, "c-1", NOW).unwrap()
    }

    #[test]
    fn prices_come_from_the_catalog() {
        let mug = product(900, "EUR", 5);
        let tee = product(2500, "EUR", 1);
        let req = request(&[&mug, &tee], &[2, 1], None);
        let order = Order::price(&req, &[mug.clone(), tee.clone()], None, "c-1", NOW).unwrap();
        assert_eq!(order.subtotal, 4300);
        assert_eq!(order.total, 4300);
        assert_eq!(order.lines[0].total, 1800);
        assert_eq!(order.lines[0].variant_id, mug.variants[0].id);
        assert_eq!(order.currency.code(), "EUR");
        assert_eq!(order.status, OrderStatus::PendingPayment);
    }

    #[test]
    fn each_variant_has_its_price_and_stock() {
        let input = NewProduct {
            options: vec![("Size".into(), vec!["S".into(), "M".into()])],
            variants: vec![
                NewVariant { options: vec![("Size".into(), "S".into())], ..NewVariant::sole("t-s", 1, 10) },
                NewVariant {
                    options: vec![("Size".into(), "M".into())],
                    price: Some(MoneyInput { amount: 3000, currency: "EUR".into() }),
                    ..NewVariant::sole("t-m", 9, 10)
                },
            ],
            ..NewProduct::active("x", "Tee", MoneyInput { amount: 2500, currency: "EUR".into() }, 0)
        };
        let tee = input.into_product(ProductId::generate(), NOW).unwrap();
        let (small, medium) = (tee.variants[0].id, tee.variants[1].id);
        let req = OrderRequest::parse(&[(tee.id, Some(small), 1), (tee.id, Some(medium), 2)], None).unwrap();
        assert_eq!(req.product_ids(), [tee.id]);
        let order = Order::price(&req, std::slice::from_ref(&tee), None, "c-1", NOW).unwrap();
        assert_eq!(order.total, 2500 + 6000);
        assert_eq!(order.lines[1].name, "Tee (M)");
        let too_many = OrderRequest::parse(&[(tee.id, Some(small), 2)], None).unwrap();
        let err = Order::price(&too_many, std::slice::from_ref(&tee), None, "c-1", NOW).unwrap_err();
        assert_eq!(err, PricingError::OutOfStock { product_id: tee.id, variant_id: small, available: 1 });
        let unnamed = OrderRequest::parse(&[(tee.id, None, 1)], None).unwrap();
        let PricingError::Invalid(Invalid(errors)) =
            Order::price(&unnamed, std::slice::from_ref(&tee), None, "c-1", NOW).unwrap_err()
        else {
            panic!("expected invalid")
        };
        assert_eq!(errors[0].field, "lines[0].variant_id");
    }

    #[test]
    fn stock_short_of_the_quantity_names_the_product() {
        let mug = product(900, "EUR", 1);
        let err =
            Order::price(&request(&[&mug], &[2], None), std::slice::from_ref(&mug), None, "c-1", NOW).unwrap_err();
        assert_eq!(err, PricingError::OutOfStock { product_id: mug.id, variant_id: mug.variants[0].id, available: 1 });
    }

    #[test]
    fn unknown_drafts_and_mixed_currencies_are_named_per_line() {
        let mut draft = product(900, "EUR", 5);
        draft.status = ProductStatus::Draft;
        let eur = product(900, "EUR", 5);
        let usd = product(900, "USD", 5);
        let missing = product(1, "EUR", 1);
        let req = request(&[&eur, &draft, &usd, &missing], &[1, 1, 1, 1], None);
        let products = [eur, draft, usd];
        let PricingError::Invalid(Invalid(errors)) = Order::price(&req, &products, None, "c-1", NOW).unwrap_err()
        else {
            panic!("expected invalid")
        };
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["lines[1].product_id", "lines[2].product_id", "lines[3].product_id"]);
    }

    #[test]
    fn requests_are_checked_field_by_field() {
        let id = ProductId::generate();
        let Invalid(errors) = OrderRequest::parse(&[(id, None, 0), (id, None, 2)], Some("no spaces")).unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["lines[0].quantity", "lines[1].product_id", "discount_code"]);
        assert_eq!(OrderRequest::parse(&[], None).unwrap_err().0[0].field, "lines");
        let too_many = OrderRequest::parse(&[(id, None, MAX_QUANTITY + 1)], None).unwrap_err();
        assert_eq!(too_many.0[0].field, "lines[0].quantity");
    }

    fn shipment_again() -> Shipment {
        Shipment { carrier: "DHL".into(), tracking_number: "123".into() }
    }

    #[test]
    fn the_state_machine_allows_only_its_edges() {
        let pending = order();
        let paid = pending.apply(&Transition::MarkPaid, NOW).unwrap();
        assert_eq!((paid.status, paid.version, paid.paid_at), (OrderStatus::Paid, 2, Some(NOW)));
        let shipment = Shipment { carrier: "DHL".into(), tracking_number: "123".into() };
        let fulfilled = paid.apply(&Transition::Fulfil(shipment.clone()), NOW).unwrap();
        assert_eq!(fulfilled.status, OrderStatus::Fulfilled);
        let cancelled = pending.apply(&Transition::Cancel(CancelReason::Customer), NOW).unwrap();
        assert_eq!(cancelled.cancel_reason, Some(CancelReason::Customer));

        let illegal = [
            (&pending, Transition::Fulfil(shipment.clone())),
            (&paid, Transition::MarkPaid),
            (&paid, Transition::Cancel(CancelReason::Staff)),
            (&fulfilled, Transition::MarkPaid),
            (&fulfilled, Transition::Fulfil(shipment.clone())),
            (&fulfilled, Transition::Cancel(CancelReason::Staff)),
            (&cancelled, Transition::MarkPaid),
            (&cancelled, Transition::Fulfil(shipment)),
            (&cancelled, Transition::Cancel(CancelReason::Expired)),
        ];
        for (order, transition) in illegal {
            let err = order.apply(&transition, NOW).unwrap_err();
            assert_eq!(err.from, order.status, "{} from {:?}", transition.name(), order.status);
        }
        let refused = |order: &Order, transition| order.apply(&transition, NOW).unwrap_err().to_string();
        assert_eq!(refused(&paid, Transition::MarkPaid), "an order that is paid cannot be marked paid");
        assert_eq!(
            refused(&pending, Transition::Fulfil(shipment_again())),
            "an order that is pending_payment cannot be fulfilled"
        );
        assert_eq!(
            refused(&fulfilled, Transition::Cancel(CancelReason::Staff)),
            "an order that is fulfilled cannot be cancelled"
        );
        for status in [OrderStatus::Refunded, OrderStatus::PartiallyRefunded] {
            let refunded = Order { status, ..pending.clone() };
            assert!(refunded.apply(&Transition::Cancel(CancelReason::Staff), NOW).is_err());
            assert!(refunded.apply(&Transition::MarkPaid, NOW).is_err());
        }
    }

    fn quote(amount: i64) -> Quote {
        Quote { method_id: ShippingMethodId::generate(), name: "Standard".into(), amount, delivery_days: None }
    }

    fn rules(country: &str, region: Option<&str>) -> tax::TaxRules {
        let country = super::super::address::Country::parse(country).unwrap();
        tax::TaxSettings::default().rules_for(country, region)
    }

    #[test]
    fn a_german_order_includes_19_percent_on_goods_and_shipping() {
        let mug = product(1999, "EUR", 5);
        let tee = product(2500, "EUR", 5);
        let order = Order::price(&request(&[&mug, &tee], &[2, 1], None), &[mug, tee], None, "c-1", NOW).unwrap();
        let ship = quote(490);
        let request = order.tax_request(Some(&ship));
        let taxes = tax::calculate(&rules("DE", None), &request);
        let order = order.charged(Some(&ship), Some(&taxes));
        // 39.98 gross holds 6.38 VAT; 25.00 holds 3.99; 4.90 shipping holds 0.78.
        assert_eq!(order.lines.iter().map(|l| l.tax).collect::<Vec<_>>(), [638, 399]);
        assert_eq!(order.shipping.as_ref().unwrap().tax, 78);
        assert_eq!((order.tax, order.total, order.prices_include_tax), (638 + 399 + 78, 3998 + 2500 + 490, true));
        let by_rate = order.tax_by_rate();
        assert_eq!((by_rate.len(), by_rate[0].tax, by_rate[0].net), (1, 1115, 6988 - 1115));
    }

    #[test]
    fn a_new_york_order_adds_tax_on_top_after_the_discount() {
        let lamp = product(4999, "USD", 5);
        let order = Order::price(&request(&[&lamp], &[2], None), &[lamp], None, "c-1", NOW).unwrap();
        let code = DiscountCode::parse("TEN").unwrap();
        let order = Order { discount: Some(AppliedDiscount { code, amount: 1000, once_per_customer: false }), ..order };
        let free = quote(0);
        let request = order.tax_request(Some(&free));
        let taxes = tax::calculate(&rules("US", Some("NY")), &request);
        let order = order.charged(Some(&free), Some(&taxes));
        // 89.98 at 4 % is 3.5992 → 3.60, on top.
        assert_eq!((order.tax, order.total, order.prices_include_tax), (360, 9998 - 1000 + 360, false));
    }

    #[test]
    fn property_charged_totals_add_up_to_the_cent() {
        let mut seed: u64 = 0xc0ffee;
        let mut next = |below: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % below
        };
        let rates = [19_000, 7_000, 0, 6_875, 20_000, 8_875];
        for case in 0..3_000 {
            let n = 1 + next(6) as usize;
            let products: Vec<Product> = (0..n).map(|_| product(next(100_000) as i64, "EUR", 1000)).collect();
            let refs: Vec<&Product> = products.iter().collect();
            let quantities: Vec<u32> = (0..n).map(|_| 1 + next(5) as u32).collect();
            let order = Order::price(&request(&refs, &quantities, None), &products, None, "c", NOW).unwrap();
            let subtotal = order.subtotal;
            let discount_amount = next(subtotal as u64 + 1) as i64;
            let order = Order {
                discount: Some(AppliedDiscount {
                    code: DiscountCode::parse("PROP").unwrap(),
                    amount: discount_amount,
                    once_per_customer: false,
                }),
                ..order
            };
            let ship = quote(next(2_000) as i64);
            let included = case % 2 == 0;
            let jurisdiction = tax::Jurisdiction {
                country: super::super::address::Country::parse("DE").unwrap(),
                region: None,
                standard: TaxRate::from_thousandths(rates[next(6) as usize]),
                reduced: Some(TaxRate::from_thousandths(rates[next(6) as usize])),
                prices_include_tax: Some(included),
                shipping: Some(tax::ShippingTax::ALL[next(3) as usize]),
            };
            let rules =
                tax::TaxRules { prices_include_tax: included, shipping: jurisdiction.shipping.unwrap(), jurisdiction };
            let mut request = order.tax_request(Some(&ship));
            for (i, line) in request.lines.iter_mut().enumerate() {
                line.1 = TaxCategory::ALL[(i + case) % 3];
            }
            let taxes = tax::calculate(&rules, &request);
            let charged = order.charged(Some(&ship), Some(&taxes));
            let lines_gross: i64 = charged.lines.iter().map(|l| l.gross(included)).sum();
            assert_eq!(charged.total, lines_gross + charged.shipping_gross(), "case {case}");
            assert_eq!(charged.lines.iter().map(|l| l.discount).sum::<i64>(), discount_amount);
            let by_rate = charged.tax_by_rate();
            assert_eq!(by_rate.iter().map(|r| r.tax).sum::<i64>(), charged.tax);
            let net: i64 = by_rate.iter().map(|r| r.net).sum();
            assert_eq!(net + charged.tax, charged.total, "net + tax = gross, case {case}");
            if included {
                assert_eq!(charged.total, subtotal - discount_amount + ship.amount);
            }
            // Giving every unit back in steps returns exactly what was paid for the line.
            for line in &charged.lines {
                let steps: i64 = (0..line.quantity).map(|k| line.gross_of_units(k, 1, included)).sum();
                assert_eq!(steps, line.gross(included));
            }
        }
    }

    #[test]
    fn statuses_round_trip() {
        for s in ["pending_payment", "paid", "fulfilled", "cancelled", "refunded", "partially_refunded"] {
            assert_eq!(OrderStatus::parse(s).unwrap().as_str(), s);
        }
    }
}
