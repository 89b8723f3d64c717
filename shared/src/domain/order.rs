//! Orders: what a customer bought, at which prices, and where it is in its life.
//!
//! Prices, currency and discount are computed here from the catalog as read by the
//! server; the client only names products and quantities.

use super::discount::{Discount, DiscountCode};
use super::id::{OrderId, ProductId};
use super::money::Currency;
use super::product::{MAX_QUANTITY, Product};
use super::timestamp::Timestamp;
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

/// A checked order request: 1 to [`MAX_LINES`] distinct products, each in a
/// quantity from 1 to [`MAX_QUANTITY`], and perhaps a well-formed discount code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderRequest {
    lines: Vec<(ProductId, u32)>,
    discount_code: Option<DiscountCode>,
}

impl OrderRequest {
    /// `lines` as the client listed them; errors name `lines[i].quantity`,
    /// `lines[i].product_id` and `discount_code`, all of them at once.
    pub fn parse(lines: &[(ProductId, i64)], discount_code: Option<&str>) -> Result<Self, Invalid> {
        let mut c = Checker::default();
        if lines.is_empty() || lines.len() > MAX_LINES {
            c.check::<()>("lines", Err(format!("must hold 1 to {MAX_LINES} lines")));
        }
        let mut checked = Vec::with_capacity(lines.len());
        for (i, (product_id, quantity)) in lines.iter().enumerate() {
            // One transaction cannot touch a product twice, and two lines of one
            // product are one line with the summed quantity to the customer anyway.
            if lines[..i].iter().any(|(earlier, _)| earlier == product_id) {
                c.check::<()>(&format!("lines[{i}].product_id"), Err("appears in an earlier line".into()));
            }
            let quantity = (1..=MAX_QUANTITY)
                .contains(quantity)
                .then_some(*quantity as u32)
                .ok_or_else(|| format!("must be a whole number from 1 to {MAX_QUANTITY}"));
            if let Some(quantity) = c.check(&format!("lines[{i}].quantity"), quantity) {
                checked.push((*product_id, quantity));
            }
        }
        let discount_code = match discount_code.map(DiscountCode::parse).transpose() {
            Ok(code) => code,
            Err(message) => c.check::<Option<DiscountCode>>("discount_code", Err(message)).flatten(),
        };
        c.finish()?;
        Ok(Self { lines: checked, discount_code })
    }

    pub fn lines(&self) -> &[(ProductId, u32)] {
        &self.lines
    }

    pub fn discount_code(&self) -> Option<&DiscountCode> {
        self.discount_code.as_ref()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderLine {
    pub product_id: ProductId,
    pub sku: String,
    pub name: String,
    /// Minor units, as the catalog priced the product when the order was placed.
    pub unit_price: i64,
    pub quantity: u32,
    pub total: i64,
    /// Units put back in stock by refunds, never more than `quantity`.
    pub restocked: u32,
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
    pub total: i64,
    /// Minor units given back by refunds, never more than `total`.
    pub refunded: i64,
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

/// [`Order::paid_by`] of an order staff marked paid.
pub const MANUAL_PAYMENT: &str = "manual";

/// Why an order cannot be placed as asked, before anything is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PricingError {
    Invalid(Invalid),
    OutOfStock { product_id: ProductId, available: u32 },
}

impl Order {
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

    /// Prices `request` from the catalog as read now. `products[i]` is what the
    /// store returned for `request.lines[i]` (`None`: no such product).
    /// `discount` is the code's record if the request named one and it exists.
    pub fn price(
        request: &OrderRequest,
        products: &[Option<Product>],
        discount: Option<&Discount>,
        customer: &str,
        now: Timestamp,
    ) -> Result<Order, PricingError> {
        let mut errors = Vec::new();
        let mut lines = Vec::with_capacity(request.lines().len());
        let mut currency = None;
        for (i, ((id, quantity), product)) in request.lines().iter().zip(products).enumerate() {
            let Some(product) = product.as_ref().filter(|p| p.is_public()) else {
                errors.push(FieldError::new(format!("lines[{i}].product_id"), "is not a product on sale"));
                continue;
            };
            if *currency.get_or_insert(product.price.currency) != product.price.currency {
                errors.push(FieldError::new(format!("lines[{i}].product_id"), "is priced in another currency"));
                continue;
            }
            if *quantity > product.max_per_order {
                let most = product.max_per_order;
                errors.push(FieldError::new(
                    format!("lines[{i}].quantity"),
                    format!("at most {most} of this product per order"),
                ));
                continue;
            }
            if product.stock < *quantity {
                return Err(PricingError::OutOfStock { product_id: *id, available: product.stock });
            }
            lines.push(OrderLine {
                product_id: *id,
                sku: product.sku.as_str().to_owned(),
                name: product.name.clone(),
                unit_price: product.price.amount,
                quantity: *quantity,
                total: product.price.amount * i64::from(*quantity),
                restocked: 0,
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
            total,
            refunded: 0,
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
    use crate::domain::{NewProduct, ProductStatus};
    use time::macros::datetime;

    const NOW: Timestamp = datetime!(2026-11-21 10:00 UTC);

    fn product(price: i64, currency: &str, stock: i64) -> Product {
        let input = NewProduct {
            sku: format!("SKU-{}", uuid::Uuid::new_v4().simple()),
            name: "Mug".into(),
            description: String::new(),
            price: MoneyInput { amount: price, currency: currency.into() },
            stock,
            max_per_order: 10,
            status: ProductStatus::Active,
            category: None,
        };
        input.into_product(ProductId::generate(), NOW).unwrap()
    }

    fn request(products: &[&Product], quantities: &[u32], code: Option<&str>) -> OrderRequest {
        let lines: Vec<_> = products.iter().zip(quantities).map(|(p, q)| (p.id, i64::from(*q))).collect();
        OrderRequest::parse(&lines, code).unwrap()
    }

    fn order() -> Order {
        let mug = product(900, "EUR", 5);
        Order::price(&request(&[&mug], &[2], None), &[Some(mug.clone())], None, "c-1", NOW).unwrap()
    }

    #[test]
    fn prices_come_from_the_catalog() {
        let mug = product(900, "EUR", 5);
        let tee = product(2500, "EUR", 1);
        let req = request(&[&mug, &tee], &[2, 1], None);
        let order = Order::price(&req, &[Some(mug.clone()), Some(tee.clone())], None, "c-1", NOW).unwrap();
        assert_eq!(order.subtotal, 4300);
        assert_eq!(order.total, 4300);
        assert_eq!(order.lines[0].total, 1800);
        assert_eq!(order.currency.code(), "EUR");
        assert_eq!(order.status, OrderStatus::PendingPayment);
    }

    #[test]
    fn stock_short_of_the_quantity_names_the_product() {
        let mug = product(900, "EUR", 1);
        let err = Order::price(&request(&[&mug], &[2], None), &[Some(mug.clone())], None, "c-1", NOW).unwrap_err();
        assert_eq!(err, PricingError::OutOfStock { product_id: mug.id, available: 1 });
    }

    #[test]
    fn unknown_drafts_and_mixed_currencies_are_named_per_line() {
        let mut draft = product(900, "EUR", 5);
        draft.status = ProductStatus::Draft;
        let eur = product(900, "EUR", 5);
        let usd = product(900, "USD", 5);
        let missing = product(1, "EUR", 1);
        let req = request(&[&eur, &draft, &usd, &missing], &[1, 1, 1, 1], None);
        let products = [Some(eur), Some(draft), Some(usd), None];
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
        let Invalid(errors) = OrderRequest::parse(&[(id, 0), (id, 2)], Some("no spaces")).unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["lines[0].quantity", "lines[1].product_id", "discount_code"]);
        assert_eq!(OrderRequest::parse(&[], None).unwrap_err().0[0].field, "lines");
        let too_many = OrderRequest::parse(&[(id, MAX_QUANTITY + 1)], None).unwrap_err();
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

    #[test]
    fn statuses_round_trip() {
        for s in ["pending_payment", "paid", "fulfilled", "cancelled", "refunded", "partially_refunded"] {
            assert_eq!(OrderStatus::parse(s).unwrap().as_str(), s);
        }
    }
}
