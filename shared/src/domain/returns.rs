//! Returns: a customer sends some of an order's units back within the shop's
//! return window; staff approve or reject the request, then mark what arrived,
//! which goes back in stock and is refunded through the order's refund (tax
//! included, and the shipping when staff choose).
//!
//! `requested → approved → received`, or `requested → rejected`. What a return
//! gives back is computed here from the order's frozen lines, so the refunds of
//! every return of a line add up to exactly what the line cost.

use super::id::{OrderId, ProductId, ReturnId, VariantId};
use super::order::{Order, OrderStatus};
use super::timestamp::Timestamp;
use super::validation::{Checker, FieldError, Invalid, text};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReturnStatus {
    Requested,
    Approved,
    Rejected,
    /// The goods arrived: restocked and refunded.
    Received,
}

impl ReturnStatus {
    pub const ALL: [Self; 4] = [Self::Requested, Self::Approved, Self::Rejected, Self::Received];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Requested => "requested",
            Self::Approved => "approved",
            Self::Rejected => "rejected",
            Self::Received => "received",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == value)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReturnLine {
    pub product_id: ProductId,
    pub variant_id: VariantId,
    /// Units the customer sends back.
    pub quantity: u32,
    /// Units that arrived (set when received; at most `quantity`).
    pub received: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Return {
    pub id: ReturnId,
    pub order_id: OrderId,
    /// The order's customer (a return is theirs to read).
    pub customer: String,
    pub status: ReturnStatus,
    pub lines: Vec<ReturnLine>,
    pub reason: String,
    /// Why staff rejected it.
    pub note: Option<String>,
    /// What was refunded when it was received.
    pub refund_amount: Option<i64>,
    /// The refund that gave the money back (its id on the order).
    pub refund_id: Option<String>,
    pub shipping_refunded: bool,
    pub version: u64,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// A line as a caller asks for it: the product, its variant (optional when
/// the order has one line of the product) and how many units.
pub type LineAsked = (ProductId, Option<VariantId>, i64);

/// Lines one return may hold; an order holds at most this many.
const MAX_RETURN_LINES: usize = super::order::MAX_LINES;

/// Why a return cannot be made or moved.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReturnRefused {
    #[error("{0}")]
    Invalid(Invalid),
    /// The order was not fulfilled, or the window closed.
    #[error("{0}")]
    NotReturnable(String),
    #[error("a return that is {} cannot be {}", .from.as_str(), .action)]
    IllegalTransition { from: ReturnStatus, action: &'static str },
}

impl Return {
    /// A customer's (or staff's, for them) request to send `lines` of `order`
    /// back: the order must be fulfilled within `window` of now, and no unit
    /// may be returned twice (`others` are the order's earlier returns).
    pub fn request(
        order: &Order,
        others: &[Return],
        lines: &[LineAsked],
        reason: &str,
        window: time::Duration,
        now: Timestamp,
    ) -> Result<Return, ReturnRefused> {
        let fulfilled_at = match (order.status, order.fulfilled_at) {
            (OrderStatus::Fulfilled | OrderStatus::PartiallyRefunded, Some(at)) => at,
            _ => return Err(ReturnRefused::NotReturnable("only a fulfilled order can be returned".into())),
        };
        if now > fulfilled_at + window {
            let days = window.whole_days();
            return Err(ReturnRefused::NotReturnable(format!("returns close {days} days after the order shipped")));
        }
        let mut c = Checker::default();
        let reason = c.check("reason", text(reason, 1, 500));
        if lines.is_empty() || lines.len() > MAX_RETURN_LINES {
            c.check::<()>("lines", Err(format!("must hold 1 to {MAX_RETURN_LINES} lines")));
        }
        let mut checked: Vec<ReturnLine> = Vec::with_capacity(lines.len());
        for (i, (product_id, variant_id, quantity)) in lines.iter().enumerate() {
            let line = order
                .lines
                .iter()
                .find(|l| l.product_id == *product_id && variant_id.is_none_or(|v| v == l.variant_id));
            let Some(line) = line.filter(|l| {
                variant_id.is_some() || order.lines.iter().filter(|o| o.product_id == l.product_id).count() == 1
            }) else {
                let field = if variant_id.is_some() { "variant_id" } else { "product_id" };
                c.check::<()>(&format!("lines[{i}].{field}"), Err("is not a line of this order".into()));
                continue;
            };
            if checked.iter().any(|l| l.variant_id == line.variant_id) {
                c.check::<()>(&format!("lines[{i}].variant_id"), Err("appears in an earlier line".into()));
                continue;
            }
            // Units a return holds: what arrived once received, what was asked before.
            let claimed: u32 = others
                .iter()
                .filter(|r| r.status != ReturnStatus::Rejected)
                .flat_map(|r| r.lines.iter().map(move |l| (r.status, l)))
                .filter(|(_, l)| l.variant_id == line.variant_id)
                .map(|(status, l)| if status == ReturnStatus::Received { l.received } else { l.quantity })
                .sum();
            let left = line.quantity.saturating_sub(claimed.max(line.restocked));
            let quantity = u32::try_from(*quantity)
                .ok()
                .filter(|q| (1..=left).contains(q))
                .ok_or_else(|| format!("must be from 1 to {left}: the units of this line not returned yet"));
            if let Some(quantity) = c.check(&format!("lines[{i}].quantity"), quantity) {
                checked.push(ReturnLine {
                    product_id: line.product_id,
                    variant_id: line.variant_id,
                    quantity,
                    received: 0,
                });
            }
        }
        c.finish().map_err(ReturnRefused::Invalid)?;
        Ok(Return {
            id: ReturnId::generate(),
            order_id: order.id,
            customer: order.customer.clone(),
            status: ReturnStatus::Requested,
            lines: checked,
            reason: reason.unwrap_or_default(),
            note: None,
            refund_amount: None,
            refund_id: None,
            shipping_refunded: false,
            version: 1,
            created_at: now,
            updated_at: now,
        })
    }

    fn moved(&self, to: ReturnStatus, action: &'static str, now: Timestamp) -> Result<Return, ReturnRefused> {
        let allowed = matches!(
            (self.status, to),
            (ReturnStatus::Requested, ReturnStatus::Approved | ReturnStatus::Rejected)
                | (ReturnStatus::Approved, ReturnStatus::Received)
        );
        if !allowed {
            return Err(ReturnRefused::IllegalTransition { from: self.status, action });
        }
        Ok(Return { status: to, version: self.version + 1, updated_at: now, ..self.clone() })
    }

    pub fn approved(&self, now: Timestamp) -> Result<Return, ReturnRefused> {
        self.moved(ReturnStatus::Approved, "approved", now)
    }

    pub fn rejected(&self, note: &str, now: Timestamp) -> Result<Return, ReturnRefused> {
        let note = text(note, 1, 500).map_err(|m| ReturnRefused::Invalid(Invalid(vec![FieldError::new("note", m)])))?;
        Ok(Return { note: Some(note), ..self.moved(ReturnStatus::Rejected, "rejected", now)? })
    }

    /// The return once its goods arrived: `received` units per variant (all
    /// requested units when `None`), the refund computed from `order`'s lines:
    /// each unit's share of what its line cost after discount, tax included,
    /// plus the shipping charge when `refund_shipping` (and no earlier return
    /// of the order refunded it; `others`).
    pub fn received(
        &self,
        order: &Order,
        others: &[Return],
        received: Option<&[(VariantId, i64)]>,
        refund_shipping: bool,
        now: Timestamp,
    ) -> Result<Return, ReturnRefused> {
        let mut next = self.moved(ReturnStatus::Received, "received", now)?;
        let mut c = Checker::default();
        match received {
            None => next.lines.iter_mut().for_each(|l| l.received = l.quantity),
            Some(given) => {
                for (i, (variant, quantity)) in given.iter().enumerate() {
                    let Some(line) = next.lines.iter_mut().find(|l| l.variant_id == *variant) else {
                        c.check::<()>(&format!("lines[{i}].variant_id"), Err("is not a line of this return".into()));
                        continue;
                    };
                    let most = line.quantity;
                    let quantity = u32::try_from(*quantity)
                        .ok()
                        .filter(|q| *q <= most)
                        .ok_or_else(|| format!("must be from 0 to {most}: the units requested"));
                    if let Some(quantity) = c.check(&format!("lines[{i}].quantity"), quantity) {
                        line.received = quantity;
                    }
                }
            }
        }
        c.finish().map_err(ReturnRefused::Invalid)?;
        let shipping_taken = others.iter().any(|r| r.id != self.id && r.shipping_refunded);
        next.shipping_refunded = refund_shipping && !shipping_taken && order.shipping.is_some();
        let goods: i64 = next
            .lines
            .iter()
            .filter_map(|returned| {
                let line = order.lines.iter().find(|l| l.variant_id == returned.variant_id)?;
                Some(line.gross_of_units(line.restocked, returned.received, order.prices_include_tax))
            })
            .sum();
        let shipping = if next.shipping_refunded { order.shipping_gross() } else { 0 };
        next.refund_amount = Some((goods + shipping).min(order.refundable()));
        Ok(next)
    }

    /// The units that go back in stock: `(product, variant, quantity)`.
    pub fn restock(&self) -> Vec<(ProductId, Option<VariantId>, i64)> {
        self.lines
            .iter()
            .filter(|l| l.received > 0)
            .map(|l| (l.product_id, Some(l.variant_id), i64::from(l.received)))
            .collect()
    }

    /// The idempotency key of the return's refund: one refund per return, however
    /// often receiving it is retried.
    pub fn refund_key(&self) -> String {
        format!("return-{}", self.id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::money::MoneyInput;
    use crate::domain::order::{OrderRequest, Shipment, Transition};
    use crate::domain::{NewProduct, Product};
    use time::macros::datetime;

    const SHIPPED: Timestamp = datetime!(2026-11-20 10:00 UTC);
    const WINDOW: time::Duration = time::Duration::days(30);

    fn fulfilled() -> (Order, Product) {
        let mug = NewProduct::active("MUG-1", "Mug", MoneyInput { amount: 1000, currency: "EUR".into() }, 10)
            .into_product(ProductId::generate(), SHIPPED)
            .unwrap();
        let request = OrderRequest::parse(&[(mug.id, None, 3)], None).unwrap();
        let order = Order::price(&request, std::slice::from_ref(&mug), None, "ann", SHIPPED).unwrap();
        let order = order.apply(&Transition::MarkPaid, SHIPPED).unwrap();
        let shipment = Shipment { carrier: "DHL".into(), tracking_number: "1".into() };
        (order.apply(&Transition::Fulfil(shipment), SHIPPED).unwrap(), mug)
    }

    #[test]
    fn a_return_is_requested_within_the_window_for_units_not_returned_yet() {
        let (order, mug) = fulfilled();
        let now = SHIPPED + time::Duration::days(3);
        let first = Return::request(&order, &[], &[(mug.id, None, 2)], "too small", WINDOW, now).unwrap();
        assert_eq!((first.status, first.lines[0].quantity), (ReturnStatus::Requested, 2));
        let again = Return::request(&order, std::slice::from_ref(&first), &[(mug.id, None, 2)], "x", WINDOW, now);
        let Err(ReturnRefused::Invalid(Invalid(errors))) = again else { panic!("{again:?}") };
        assert_eq!(errors[0].field, "lines[0].quantity", "only one unit is left to return");
        let late = Return::request(&order, &[], &[(mug.id, None, 1)], "x", WINDOW, SHIPPED + time::Duration::days(31));
        assert!(matches!(late, Err(ReturnRefused::NotReturnable(_))));
        let rejected = first.rejected("worn", now).unwrap();
        assert!(Return::request(&order, &[rejected], &[(mug.id, None, 3)], "x", WINDOW, now).is_ok());
    }

    #[test]
    fn receiving_refunds_each_unit_s_share_and_the_shipping_once() {
        let (order, mug) = fulfilled();
        let now = SHIPPED + time::Duration::days(3);
        let requested = Return::request(&order, &[], &[(mug.id, None, 2)], "broken", WINDOW, now).unwrap();
        assert!(matches!(
            requested.received(&order, &[], None, false, now),
            Err(ReturnRefused::IllegalTransition { .. })
        ));
        let approved = requested.approved(now).unwrap();
        let received = approved.received(&order, &[], Some(&[(order.lines[0].variant_id, 1)]), true, now).unwrap();
        assert_eq!(
            (received.refund_amount, received.restock()),
            (Some(1000), vec![(mug.id, Some(order.lines[0].variant_id), 1)])
        );
        assert!(!received.shipping_refunded, "the order has no shipping");
        assert!(approved.rejected("x", now).is_err(), "an approved return is not rejected");
    }
}
