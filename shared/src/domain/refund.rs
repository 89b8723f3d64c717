//! Refunds: money given back on a paid order, in full or in part, perhaps with
//! some of its goods put back in stock.
//!
//! A refund is recorded (and the order's refundable balance reduced) before the
//! provider is asked to move the money, in one write conditional on the order's
//! version: two staff refunding at once cannot give back more than was paid.
//! The provider call then carries a key derived from the refund, so finishing a
//! refund after a crash or a retry moves the money once.

use super::id::{OrderId, ProductId, VariantId};
use super::money::Currency;
use super::order::{Order, OrderStatus};
use super::timestamp::Timestamp;
use super::validation::{FieldError, Invalid};

/// Longest `reason`, in characters: a note for staff and the customer's e-mail.
pub const MAX_REASON_CHARS: usize = 500;

/// A checked refund request: a positive amount, a reason, and the goods going
/// back in stock (distinct lines, positive quantities).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefundRequest {
    amount: i64,
    reason: String,
    restock: Vec<RestockRequest>,
}

/// Units of an order's line to put back in stock: the line of `variant_id`, or
/// the only line of `product_id` when no variant is named.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RestockRequest {
    pub product_id: ProductId,
    pub variant_id: Option<VariantId>,
    pub quantity: u32,
}

/// Units of one variant a refund put back in stock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Restock {
    pub product_id: ProductId,
    pub variant_id: VariantId,
    pub quantity: u32,
}

impl RestockRequest {
    /// The index of the line of `order` this names, or why none.
    fn line_in(&self, order: &Order) -> Result<usize, &'static str> {
        let mut of_product = order
            .lines
            .iter()
            .enumerate()
            .filter(|(_, l)| l.product_id == self.product_id && self.variant_id.is_none_or(|v| v == l.variant_id));
        match (of_product.next(), of_product.next()) {
            (Some((at, _)), None) => Ok(at),
            (None, _) => Err("is not in this order"),
            (Some(_), Some(_)) => Err("has several lines in this order: name the variant_id"),
        }
    }
}

impl RefundRequest {
    /// Errors name `amount`, `reason` and `restock[i].quantity`/`restock[i].product_id`, all at once.
    pub fn parse(amount: i64, reason: &str, restock: &[(ProductId, Option<VariantId>, i64)]) -> Result<Self, Invalid> {
        let mut errors = Vec::new();
        if amount < 1 {
            errors.push(FieldError::new("amount", "must be a positive number of minor units"));
        }
        let reason = reason.trim();
        if reason.is_empty() || reason.chars().count() > MAX_REASON_CHARS {
            errors.push(FieldError::new("reason", format!("must be 1 to {MAX_REASON_CHARS} characters")));
        }
        let mut lines = Vec::with_capacity(restock.len());
        for (i, (product_id, variant_id, quantity)) in restock.iter().enumerate() {
            if restock[..i].iter().any(|(p, v, _)| p == product_id && v == variant_id) {
                errors.push(FieldError::new(format!("restock[{i}].product_id"), "is listed twice"));
            }
            match u32::try_from(*quantity) {
                Ok(q) if q > 0 => {
                    lines.push(RestockRequest { product_id: *product_id, variant_id: *variant_id, quantity: q })
                }
                _ => errors.push(FieldError::new(format!("restock[{i}].quantity"), "must be a positive whole number")),
            }
        }
        if !errors.is_empty() {
            return Err(Invalid(errors));
        }
        Ok(Self { amount, reason: reason.to_owned(), restock: lines })
    }

    pub fn amount(&self) -> i64 {
        self.amount
    }

    pub fn reason(&self) -> &str {
        &self.reason
    }

    pub fn restock(&self) -> &[RestockRequest] {
        &self.restock
    }

    /// What goes back in stock, line by line of `order` (which [`Self::apply`]
    /// accepted).
    pub fn restocks(&self, order: &Order) -> Vec<Restock> {
        self.restock
            .iter()
            .filter_map(|r| {
                let line = &order.lines[r.line_in(order).ok()?];
                Some(Restock { product_id: line.product_id, variant_id: line.variant_id, quantity: r.quantity })
            })
            .collect()
    }

    /// `order` after giving back this request's amount and restocking what it
    /// lists: only a paid (or shipped, or partly refunded) order, never more than
    /// is left, and never more units back in stock than were sold.
    pub fn apply(&self, order: &Order, now: Timestamp) -> Result<Order, RefundRefused> {
        if !matches!(order.status, OrderStatus::Paid | OrderStatus::Fulfilled | OrderStatus::PartiallyRefunded) {
            return Err(RefundRefused::NotRefundable(order.status));
        }
        if self.amount > order.refundable() {
            return Err(RefundRefused::ExceedsRefundable { refundable: order.refundable() });
        }
        let mut next = order.clone();
        let mut errors = Vec::new();
        let mut named = Vec::with_capacity(self.restock.len());
        for (i, wanted) in self.restock.iter().enumerate() {
            let field = if wanted.variant_id.is_some() { "variant_id" } else { "product_id" };
            let at = match wanted.line_in(order) {
                Ok(at) if named.contains(&at) => {
                    errors.push(FieldError::new(format!("restock[{i}].{field}"), "names a line named earlier"));
                    continue;
                }
                Ok(at) => at,
                Err(message) => {
                    errors.push(FieldError::new(format!("restock[{i}].{field}"), message));
                    continue;
                }
            };
            named.push(at);
            let line = &mut next.lines[at];
            if wanted.quantity > line.quantity - line.restocked {
                errors.push(FieldError::new(
                    format!("restock[{i}].quantity"),
                    format!("at most {} more can go back in stock", line.quantity - line.restocked),
                ));
            } else {
                line.restocked += wanted.quantity;
            }
        }
        if !errors.is_empty() {
            return Err(RefundRefused::Restock(Invalid(errors)));
        }
        next.refunded += self.amount;
        next.status = if next.refunded == next.total { OrderStatus::Refunded } else { OrderStatus::PartiallyRefunded };
        next.version = order.version + 1;
        next.updated_at = now;
        Ok(next)
    }
}

/// Why an order cannot be refunded as asked; nothing was written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RefundRefused {
    #[error("an order that is {} cannot be refunded", .0.as_str())]
    NotRefundable(OrderStatus),
    #[error("at most {refundable} minor units of this order can still be refunded")]
    ExceedsRefundable { refundable: i64 },
    #[error("{0}")]
    Restock(Invalid),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefundStatus {
    /// Recorded, the order's balance reduced; the provider has not confirmed yet.
    Pending,
    /// The money is back with the customer (or, for manual payments, staff say so).
    Succeeded,
    /// The provider refused it: the order's balance was given back, the money
    /// never moved.
    Failed,
}

impl RefundStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Succeeded => "succeeded",
            Self::Failed => "failed",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        [Self::Pending, Self::Succeeded, Self::Failed].into_iter().find(|s| s.as_str() == value)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refund {
    /// Derived from the order and the request's idempotency key ([`Refund::id_for`]).
    pub id: String,
    pub order_id: OrderId,
    pub amount: i64,
    pub currency: Currency,
    pub reason: String,
    pub restock: Vec<Restock>,
    pub status: RefundStatus,
    /// Who asked for it (a staff user id).
    pub actor: String,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl Refund {
    /// The same for every retry of one request: retries find the refund the first
    /// attempt recorded instead of recording another.
    pub fn id_for(order_id: OrderId, idempotency_key: &str) -> String {
        super::secret::token_hash(&format!("request\n{order_id}\n{idempotency_key}"))[..32].to_owned()
    }

    /// The id of the refund that brings the order to the provider's running
    /// total (a refund made in the provider's dashboard). Apart from [`Refund::id_for`]'s:
    /// an idempotency key cannot hold a line break.
    pub fn id_for_provider_total(order_id: OrderId, refunded_total: i64) -> String {
        super::secret::token_hash(&format!("provider\n{order_id}\n{refunded_total}"))[..32].to_owned()
    }

    pub fn pending(id: String, order: &Order, request: &RefundRequest, actor: &str, now: Timestamp) -> Self {
        Self {
            id,
            order_id: order.id,
            amount: request.amount,
            currency: order.currency,
            reason: request.reason.clone(),
            restock: request.restocks(order),
            status: RefundStatus::Pending,
            actor: actor.to_owned(),
            created_at: now,
            updated_at: now,
        }
    }

    /// Whether this refund is what `actor` asks for with `request`: a retry may
    /// finish it, while another caller's request, or another amount, reason or
    /// restock under the same idempotency key, is a different refund.
    pub fn answers(&self, actor: &str, request: &RefundRequest) -> bool {
        self.actor == actor
            && self.amount == request.amount
            && self.reason == request.reason
            && self.restock.len() == request.restock.len()
            && self.restock.iter().zip(&request.restock).all(|(done, asked)| {
                done.product_id == asked.product_id
                    && asked.variant_id.is_none_or(|v| v == done.variant_id)
                    && done.quantity == asked.quantity
            })
    }

    /// The key the provider de-duplicates this refund on.
    pub fn provider_key(&self) -> String {
        format!("tillbox-refund-{}", self.id)
    }

    pub fn succeeded(&self, now: Timestamp) -> Self {
        Self { status: RefundStatus::Succeeded, updated_at: now, ..self.clone() }
    }

    pub fn failed(&self, now: Timestamp) -> Self {
        Self { status: RefundStatus::Failed, updated_at: now, ..self.clone() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_parsing_names_every_bad_field() {
        let product = ProductId::generate();
        let Err(Invalid(errors)) = RefundRequest::parse(0, " ", &[(product, None, 0), (product, None, 1)]) else {
            panic!()
        };
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["amount", "reason", "restock[0].quantity", "restock[1].product_id"]);
        assert!(RefundRequest::parse(1, "x", &[(product, None, i64::from(u32::MAX) + 1)]).is_err());
    }

    #[test]
    fn a_line_named_twice_once_by_product_and_once_by_variant_is_refused() {
        let mut order = paid_order();
        let (product, variant) = (order.lines[0].product_id, order.lines[0].variant_id);
        order.lines[0].restocked = 0;
        let twice = RefundRequest::parse(100, "x", &[(product, None, 1), (product, Some(variant), 1)]).unwrap();
        let Err(RefundRefused::Restock(Invalid(errors))) = twice.apply(&order, order.created_at) else {
            panic!("the same line twice")
        };
        assert_eq!(errors[0].field, "restock[1].variant_id");
    }

    fn paid_order() -> Order {
        let line = |restocked| crate::domain::order::OrderLine {
            product_id: ProductId::generate(),
            variant_id: VariantId::generate(),
            sku: "MUG".into(),
            name: "Mug".into(),
            unit_price: 1200,
            quantity: 2,
            total: 2400,
            restocked,
            tax_category: crate::domain::tax::TaxCategory::Standard,
            weight_grams: 0,
            discount: 0,
            tax_rate: crate::domain::tax::TaxRate::ZERO,
            tax: 0,
        };
        let now = time::macros::datetime!(2026-11-22 10:00 UTC);
        Order {
            id: OrderId::generate(),
            customer: "ann".into(),
            status: OrderStatus::Paid,
            lines: vec![line(1)],
            currency: Currency::parse("EUR").unwrap(),
            subtotal: 2400,
            discount: None,
            shipping: None,
            prices_include_tax: true,
            tax: 0,
            total: 2400,
            refunded: 0,
            email: None,
            shipping_address: None,
            billing_address: None,
            invoice_number: None,
            shipment: None,
            cancel_reason: None,
            version: 3,
            created_at: now,
            updated_at: now,
            paid_at: Some(now),
            paid_by: None,
            fulfilled_at: None,
            cancelled_at: None,
            disputed: false,
        }
    }

    #[test]
    fn a_huge_restock_is_refused_not_wrapped() {
        let order = paid_order();
        let now = order.created_at;
        let product = order.lines[0].product_id;
        let huge = RefundRequest::parse(100, "x", &[(product, None, i64::from(u32::MAX))]).unwrap();
        assert!(matches!(huge.apply(&order, now), Err(RefundRefused::Restock(_))));
        let last = RefundRequest::parse(100, "x", &[(product, None, 1)]).unwrap();
        assert_eq!(last.apply(&order, now).unwrap().lines[0].restocked, 2);
    }
}
