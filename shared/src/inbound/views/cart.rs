//! Carts as their holders see them: priced from the catalog now.

use super::address::AddressBody;
use super::money::MoneyInput;
use crate::app::carts::CartRead;
use crate::domain::{CartStatus, ProductId, ShippingMethodId, VariantId, format_timestamp};
use serde::Serialize;

/// A cart and what it would cost if checked out now. Amounts are minor units of
/// `currency` (`null` while the cart is empty).
#[derive(Serialize, utoipa::ToSchema)]
pub struct CartView {
    id: String,
    /// `open`, `checked_out` or `merged`.
    status: &'static str,
    /// The order it became, once checked out.
    #[serde(skip_serializing_if = "Option::is_none")]
    order_id: Option<String>,
    /// The cart it was merged into when its holder signed in.
    #[serde(skip_serializing_if = "Option::is_none")]
    merged_into: Option<String>,
    /// Whether a signed-in customer holds it (else whoever has its `Cart-Token`).
    signed_in: bool,
    #[schema(required = true)]
    currency: Option<&'static str>,
    lines: Vec<CartLineView>,
    /// The lines that can be bought now.
    subtotal: i64,
    #[schema(required = true)]
    discount: Option<CartDiscountView>,
    #[schema(required = true)]
    email: Option<String>,
    #[schema(required = true)]
    shipping_address: Option<AddressBody>,
    #[schema(required = true)]
    billing_address: Option<AddressBody>,
    /// The methods that can send this cart to its shipping address, cheapest
    /// first, with what each costs it now (free ones at 0).
    shipping_options: Vec<ShippingOptionView>,
    /// The chosen method as priced now; `null` until one is chosen (and while
    /// the chosen one is not offered for the cart as it is).
    #[schema(required = true)]
    shipping: Option<ShippingOptionView>,
    /// Whether prices and shipping include `tax`.
    prices_include_tax: bool,
    /// The tax checkout would charge now (0 while a line cannot be ordered).
    tax: i64,
    /// What checkout would charge now: subtotal − discount + shipping (+ tax
    /// when prices exclude it).
    total: i64,
    version: u64,
    created_at: String,
    updated_at: String,
    /// The cart is gone after this unless it changes again.
    expires_at: String,
}

#[derive(Serialize, utoipa::ToSchema)]
struct CartLineView {
    product_id: ProductId,
    variant_id: VariantId,
    sku: String,
    /// The product's name with the variant's option values: `Tee (M / navy)`.
    name: String,
    quantity: u32,
    /// What one costs now.
    unit_price: MoneyInput,
    total: i64,
    /// On sale with enough stock for the quantity: checkout would take it.
    available: bool,
    /// The price is not what it was when the line was added.
    price_changed: bool,
    price_when_added: MoneyInput,
}

#[derive(Serialize, utoipa::ToSchema)]
struct ShippingOptionView {
    method_id: ShippingMethodId,
    name: String,
    amount: i64,
    /// Working days, as the shop promises them: `[from, to]`.
    #[schema(required = true)]
    delivery_days: Option<(u16, u16)>,
}

#[derive(Serialize, utoipa::ToSchema)]
struct CartDiscountView {
    code: String,
    /// Taken off the subtotal now; `null` when the code does not apply to the
    /// cart as it is (checkout would refuse it: remove it or change the cart).
    #[schema(required = true)]
    amount: Option<i64>,
}

impl CartView {
    pub fn new(read: &CartRead) -> Self {
        let (cart, priced) = (&read.cart, &read.priced);
        let (status, order_id, merged_into) = match cart.status {
            CartStatus::Open => ("open", None, None),
            CartStatus::CheckedOut(order) => ("checked_out", Some(order.to_string()), None),
            CartStatus::MergedInto(into) => ("merged", None, Some(into.to_string())),
        };
        Self {
            id: cart.id.to_string(),
            status,
            order_id,
            merged_into,
            signed_in: matches!(cart.holder, crate::domain::CartHolder::Customer(_)),
            currency: priced.currency.map(|c| c.code()),
            lines: priced
                .lines
                .iter()
                .map(|l| CartLineView {
                    product_id: l.line.product_id,
                    variant_id: l.line.variant_id,
                    sku: l.sku.clone(),
                    name: l.name.clone(),
                    quantity: l.line.quantity,
                    unit_price: l.unit_price.into(),
                    total: l.total,
                    available: l.available,
                    price_changed: l.price_changed,
                    price_when_added: l.line.price_when_added.into(),
                })
                .collect(),
            subtotal: priced.subtotal,
            discount: priced
                .discount
                .as_ref()
                .map(|d| CartDiscountView { code: d.code.as_str().to_owned(), amount: d.amount }),
            email: cart.email.as_ref().map(|e| e.as_str().to_owned()),
            shipping_address: cart.shipping_address.as_ref().map(AddressBody::new),
            billing_address: cart.billing_address.as_ref().map(AddressBody::new),
            shipping_options: read
                .shipping_options
                .iter()
                .map(|q| ShippingOptionView {
                    method_id: q.method_id,
                    name: q.name.clone(),
                    amount: q.amount,
                    delivery_days: q.delivery_days,
                })
                .collect(),
            shipping: read.estimate.as_ref().and_then(|o| o.shipping.as_ref()).map(|s| ShippingOptionView {
                method_id: s.method_id,
                name: s.name.clone(),
                amount: s.amount,
                delivery_days: read
                    .shipping_options
                    .iter()
                    .find(|q| q.method_id == s.method_id)
                    .and_then(|q| q.delivery_days),
            }),
            prices_include_tax: read.estimate.as_ref().is_none_or(|o| o.prices_include_tax),
            tax: read.estimate.as_ref().map_or(0, |o| o.tax),
            total: read.estimate.as_ref().map_or(priced.total, |o| o.total),
            version: cart.version,
            created_at: format_timestamp(cart.created_at),
            updated_at: format_timestamp(cart.updated_at),
            expires_at: format_timestamp(cart.expires_at),
        }
    }
}
