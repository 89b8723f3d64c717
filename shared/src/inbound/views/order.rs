//! Orders as their customers, staff and webhook receivers see them.

use super::address::AddressBody;
use crate::domain::order::{self, OrderLine as Line};
use crate::domain::tax::TaxCategory;
use crate::domain::{CancelReason, Order, ProductId, ShippingMethodId, VariantId, format_timestamp};
use serde::{Deserialize, Serialize};

/// An order as its customer and staff see it. Amounts are minor units of `currency`.
#[derive(Serialize, utoipa::ToSchema)]
pub struct OrderView<'a> {
    id: String,
    customer: &'a str,
    status: &'static str,
    currency: &'static str,
    lines: Vec<OrderLine>,
    subtotal: i64,
    #[schema(required = true)]
    discount: Option<DiscountApplied<'a>>,
    /// The shipping method and its price, as frozen at checkout; `null` for an
    /// order nobody sends.
    #[schema(required = true)]
    shipping: Option<ShippingView<'a>>,
    /// Whether line prices and shipping include `tax` (then `total` does not
    /// add it again) or `tax` comes on top.
    prices_include_tax: bool,
    /// The tax of every line and of the shipping, summed.
    tax: i64,
    /// The tax summed by rate, as the invoice shows it.
    taxes: Vec<TaxView>,
    /// What the customer pays: subtotal − discount + shipping (+ tax when
    /// prices exclude it). The payment is for exactly this.
    total: i64,
    refunded: i64,
    #[schema(required = true)]
    email: Option<&'a str>,
    #[schema(required = true)]
    shipping_address: Option<AddressBody>,
    #[schema(required = true)]
    billing_address: Option<AddressBody>,
    /// The invoice's number, from the shop's gapless sequence, once paid.
    #[schema(required = true)]
    invoice_number: Option<u64>,
    #[schema(required = true)]
    shipment: Option<Shipment>,
    #[schema(required = true)]
    cancel_reason: Option<&'static str>,
    version: u64,
    created_at: String,
    updated_at: String,
    #[schema(required = true)]
    paid_at: Option<String>,
    #[schema(required = true)]
    fulfilled_at: Option<String>,
    #[schema(required = true)]
    cancelled_at: Option<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
struct ShippingView<'a> {
    method_id: ShippingMethodId,
    name: &'a str,
    /// In the prices' basis: tax included when prices include it.
    amount: i64,
    /// Percent, as a decimal string: `19`, `6.875`.
    tax_rate: String,
    tax: i64,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct TaxView {
    /// Percent, as a decimal string: `19`, `6.875`.
    rate: String,
    /// What the rate applies to, without the tax.
    net: i64,
    tax: i64,
}

#[derive(Serialize, utoipa::ToSchema)]
struct DiscountApplied<'a> {
    code: &'a str,
    amount: i64,
}

impl<'a> OrderView<'a> {
    pub fn new(o: &'a Order) -> Self {
        Self {
            id: o.id.to_string(),
            customer: &o.customer,
            status: o.status.as_str(),
            currency: o.currency.code(),
            lines: o.lines.iter().map(OrderLine::new).collect(),
            subtotal: o.subtotal,
            discount: o.discount.as_ref().map(|d| DiscountApplied { code: d.code.as_str(), amount: d.amount }),
            shipping: o.shipping.as_ref().map(|s| ShippingView {
                method_id: s.method_id,
                name: &s.name,
                amount: s.amount,
                tax_rate: s.tax_rate.percent(),
                tax: s.tax,
            }),
            prices_include_tax: o.prices_include_tax,
            tax: o.tax,
            taxes: o
                .tax_by_rate()
                .into_iter()
                .map(|t| TaxView { rate: t.rate.percent(), net: t.net, tax: t.tax })
                .collect(),
            total: o.total,
            refunded: o.refunded,
            email: o.email.as_ref().map(|e| e.as_str()),
            shipping_address: o.shipping_address.as_ref().map(AddressBody::new),
            billing_address: o.billing_address.as_ref().map(AddressBody::new),
            invoice_number: o.invoice_number,
            shipment: o.shipment.as_ref().map(Shipment::new),
            cancel_reason: o.cancel_reason.map(CancelReason::as_str),
            version: o.version,
            created_at: format_timestamp(o.created_at),
            updated_at: format_timestamp(o.updated_at),
            paid_at: o.paid_at.map(format_timestamp),
            fulfilled_at: o.fulfilled_at.map(format_timestamp),
            cancelled_at: o.cancelled_at.map(format_timestamp),
        }
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct OrderLine {
    product_id: ProductId,
    variant_id: VariantId,
    sku: String,
    /// The product's name, with the variant's option values: `Tee (M / navy)`.
    name: String,
    /// Minor units, as the catalog priced the product when the order was placed.
    unit_price: i64,
    quantity: u32,
    total: i64,
    /// Units put back in stock by refunds, never more than `quantity`.
    restocked: u32,
    tax_category: TaxCategory,
    /// The line's share of the order's discount.
    discount: i64,
    /// Percent, as a decimal string: `19`, `6.875`.
    tax_rate: String,
    /// Inside `total - discount` when prices include tax, else on top of it.
    tax: i64,
}

impl OrderLine {
    fn new(line: &Line) -> Self {
        Self {
            product_id: line.product_id,
            variant_id: line.variant_id,
            sku: line.sku.clone(),
            name: line.name.clone(),
            unit_price: line.unit_price,
            quantity: line.quantity,
            total: line.total,
            restocked: line.restocked,
            tax_category: line.tax_category,
            discount: line.discount,
            tax_rate: line.tax_rate.percent(),
            tax: line.tax,
        }
    }
}

/// How an order was sent: the body of `POST /orders/{id}/fulfil`, and the
/// order's `shipment` once fulfilled.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Shipment {
    #[schema(min_length = 1, max_length = 100, pattern = "^[^\\x00-\\x08\\x0B-\\x1F\\x7F-\\x9F]*$")]
    carrier: String,
    #[schema(min_length = 1, max_length = 100, pattern = "^[^\\x00-\\x08\\x0B-\\x1F\\x7F-\\x9F]*$")]
    tracking_number: String,
}

impl Shipment {
    fn new(sent: &order::Shipment) -> Self {
        Self { carrier: sent.carrier.clone(), tracking_number: sent.tracking_number.clone() }
    }

    pub fn into_domain(self) -> order::Shipment {
        order::Shipment { carrier: self.carrier, tracking_number: self.tracking_number }
    }
}
