//! Checkout settings and pricing: the shop's shipping zones and tax settings
//! (read by anyone who checks out, changed by admins, every change audited),
//! and the step that adds shipping and tax to a priced order.

pub mod ports;

use crate::app::error::CommonError;
use crate::app::store::StoreError;
use crate::domain::order::Delivery;
use crate::domain::shipping::{Quote, ShippingZones, ZoneInput, unshippable};
use crate::domain::tax::TaxSettings;
use crate::domain::{AuditRecord, FieldError, Invalid, Order, Principal, Role, Timestamp};
use ports::{ShippingStore, TaxCalculator, TaxStore};
use serde_json::json;

fn admin_only(principal: &Principal) -> Result<(), CommonError> {
    if principal.is_admin() { Ok(()) } else { Err(CommonError::forbidden(Role::Admin)) }
}

fn stale(resource: &'static str, expected: u64, current: u64) -> CommonError {
    CommonError::StaleVersion { resource, expected, current }
}

/// Where the shop ships and at what price: public, so a storefront can say it.
pub async fn shipping_zones(store: &impl ShippingStore) -> Result<ShippingZones, CommonError> {
    Ok(store.shipping_zones().await?)
}

/// Replaces every zone at once (admins); `expected_version` from `If-Match`.
pub async fn replace_shipping_zones(
    store: &impl ShippingStore,
    principal: &Principal,
    zones: &[ZoneInput],
    expected_version: Option<u64>,
    now: Timestamp,
) -> Result<ShippingZones, CommonError> {
    admin_only(principal)?;
    let current = store.shipping_zones().await?;
    let next = ShippingZones::parse(zones, &current)?;
    if let Some(expected) = expected_version.filter(|v| *v != current.version) {
        return Err(stale("shipping zones", expected, current.version));
    }
    let summary = |z: &ShippingZones| {
        json!(
            z.zones
                .iter()
                .map(|zone| json!({"id": zone.id.to_string(), "name": zone.name,
            "countries": zone.countries.iter().map(|c| c.code().to_owned()).collect::<Vec<_>>(),
            "methods": zone.methods.len()}))
                .collect::<Vec<_>>()
        )
    };
    let audit = AuditRecord::new(
        &principal.subject,
        "shipping.updated",
        "shipping-zones",
        summary(&current),
        summary(&next),
        now,
    );
    match store.save_shipping_zones(&next, &audit).await {
        Ok(()) => Ok(next),
        Err(StoreError::VersionMismatch { current: stored }) => Err(stale("shipping zones", current.version, stored)),
        Err(other) => Err(other.into()),
    }
}

/// The tax settings (staff read them; they decide what customers pay).
pub async fn tax_settings(store: &impl TaxStore, principal: &Principal) -> Result<TaxSettings, CommonError> {
    if !principal.is_staff() {
        return Err(CommonError::forbidden(Role::Staff));
    }
    Ok(store.tax_settings().await?)
}

/// Replaces the tax settings (admins); `expected_version` from `If-Match`.
pub async fn replace_tax_settings(
    store: &impl TaxStore,
    principal: &Principal,
    settings: TaxSettings,
    expected_version: Option<u64>,
    now: Timestamp,
) -> Result<TaxSettings, CommonError> {
    admin_only(principal)?;
    let current = store.tax_settings().await?;
    let next = TaxSettings { version: current.version + 1, ..settings.check()? };
    if let Some(expected) = expected_version.filter(|v| *v != current.version) {
        return Err(stale("tax settings", expected, current.version));
    }
    let summary = |t: &TaxSettings| {
        json!({"prices_include_tax": t.prices_include_tax, "shipping": t.shipping.as_str(),
               "origin_country": t.origin.map(|c| c.code().to_owned()),
               "rates": t.jurisdictions.iter().map(|j| json!({"country": j.country.code(), "region": j.region,
                   "standard": j.standard.percent(), "reduced": j.reduced.map(|r| r.percent())})).collect::<Vec<_>>()})
    };
    let audit =
        AuditRecord::new(&principal.subject, "tax.updated", "tax-settings", summary(&current), summary(&next), now);
    match store.save_tax_settings(&next, &audit).await {
        Ok(()) => Ok(next),
        Err(StoreError::VersionMismatch { current: stored }) => Err(stale("tax settings", current.version, stored)),
        Err(other) => Err(other.into()),
    }
}

/// The methods that can send `order` to the delivery's shipping address,
/// cheapest first (none without an address).
async fn offers(store: &impl ShippingStore, order: &Order, delivery: &Delivery) -> Result<Vec<Quote>, StoreError> {
    match &delivery.shipping_address {
        None => Ok(Vec::new()),
        Some(address) => Ok(store.shipping_zones().await?.quotes(address.country(), &order.parcel())),
    }
}

/// `order` with `quote` as its shipping and its taxes where it goes.
async fn taxed(store: &impl TaxCalculator, order: Order, quote: Option<&Quote>) -> Result<Order, StoreError> {
    let taxes = store.calculate(&order.tax_request(quote)).await?;
    Ok(order.charged(quote, taxes.as_ref()))
}

/// Every port pricing checkout reads.
pub trait CheckoutPricing: ShippingStore + TaxStore + TaxCalculator {}

impl<T: ShippingStore + TaxStore + TaxCalculator> CheckoutPricing for T {}

/// Adds shipping and tax to an order priced from the catalog: quotes the
/// method the delivery names for the shipping address (refusing, before
/// anything is paid, an address no zone serves or a method not offered there),
/// then taxes lines and shipping where the order goes.
pub(crate) async fn charge(
    store: &impl CheckoutPricing,
    order: Order,
    delivery: &Delivery,
) -> Result<Order, CommonError> {
    let quotes = offers(store, &order, delivery).await?;
    let quote = match (&delivery.shipping_address, delivery.shipping_method) {
        (None, None) => None,
        (None, Some(_)) => {
            return Err(
                Invalid(vec![FieldError::new("shipping_address", "is required to choose a shipping method")]).into()
            );
        }
        (Some(address), _) if quotes.is_empty() => return Err(unshippable(address.country()).into()),
        (Some(_), method) => {
            let offered =
                || quotes.iter().map(|q| format!("{} ({})", q.method_id, q.name)).collect::<Vec<_>>().join(", ");
            let Some(method) = method else {
                let message = format!("is required: choose one of {}", offered());
                return Err(Invalid(vec![FieldError::new("shipping_method_id", message)]).into());
            };
            let Some(quote) = quotes.iter().find(|q| q.method_id == method) else {
                let message = format!("is not offered for this address and cart; choose one of {}", offered());
                return Err(Invalid(vec![FieldError::new("shipping_method_id", message)]).into());
            };
            Some(quote.clone())
        }
    };
    Ok(taxed(store, order, quote.as_ref()).await?)
}

/// What checkout would charge now, without refusing anything: the methods
/// offered and the order with the chosen one (no shipping while none is
/// chosen or the chosen one is not offered any more).
pub(crate) async fn estimate(
    store: &impl CheckoutPricing,
    order: Order,
    delivery: &Delivery,
) -> Result<(Vec<Quote>, Order), StoreError> {
    let quotes = offers(store, &order, delivery).await?;
    let chosen = quotes.iter().find(|q| Some(q.method_id) == delivery.shipping_method).cloned();
    Ok((quotes, taxed(store, order, chosen.as_ref()).await?))
}
