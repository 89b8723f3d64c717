//! What checkout needs from storage: the shop's shipping zones and tax
//! settings (one document each, replaced whole at its version), and a tax
//! calculator.

use crate::app::store::StoreError;
use crate::domain::AuditRecord;
use crate::domain::shipping::ShippingZones;
use crate::domain::tax::{TaxRequest, TaxResult, TaxSettings};

pub trait ShippingStore {
    /// The zones; version 0 and none while nothing was saved.
    fn shipping_zones(&self) -> impl Future<Output = Result<ShippingZones, StoreError>>;
    /// Stores `zones` if the stored ones are still at `zones.version - 1`
    /// (else [`StoreError::VersionMismatch`]), with the audit record.
    fn save_shipping_zones(
        &self,
        zones: &ShippingZones,
        audit: &AuditRecord,
    ) -> impl Future<Output = Result<(), StoreError>>;
}

pub trait TaxStore {
    /// The settings; the defaults at version 0 while nothing was saved.
    fn tax_settings(&self) -> impl Future<Output = Result<TaxSettings, StoreError>>;
    /// Stores `settings` if the stored ones are still at `settings.version - 1`.
    fn save_tax_settings(
        &self,
        settings: &TaxSettings,
        audit: &AuditRecord,
    ) -> impl Future<Output = Result<(), StoreError>>;
}

/// Computes an order's taxes. The built-in adapter applies the shop's settings
/// and Tillbox's rate table (`crate::domain::tax`); a tax provider (Stripe Tax,
/// say) is another implementation, and the use cases do not change. `None`:
/// nothing is taxed (no destination, and the shop set no origin).
pub trait TaxCalculator {
    fn calculate(&self, request: &TaxRequest) -> impl Future<Output = Result<Option<TaxResult>, StoreError>>;
}
