//! The checkout ports: shipping zones and tax settings (one document each, at
//! its version, with its audit record), and the built-in tax calculator.

use super::MemoryShop;
use tillbox::app::checkout::ports::{ShippingStore, TaxCalculator, TaxStore};
use tillbox::app::store::StoreError;
use tillbox::domain::AuditRecord;
use tillbox::domain::shipping::ShippingZones;
use tillbox::domain::tax::{self, TaxRequest, TaxResult, TaxSettings};

impl ShippingStore for MemoryShop {
    async fn shipping_zones(&self) -> Result<ShippingZones, StoreError> {
        Ok(self.shipping_zones.borrow().clone())
    }

    async fn save_shipping_zones(&self, zones: &ShippingZones, audit: &AuditRecord) -> Result<(), StoreError> {
        let current = self.shipping_zones.borrow().version;
        if current != zones.version - 1 {
            return Err(StoreError::VersionMismatch { current });
        }
        *self.shipping_zones.borrow_mut() = zones.clone();
        self.audits.borrow_mut().push(audit.clone());
        Ok(())
    }
}

impl TaxStore for MemoryShop {
    async fn tax_settings(&self) -> Result<TaxSettings, StoreError> {
        Ok(self.tax_settings.borrow().clone())
    }

    async fn save_tax_settings(&self, settings: &TaxSettings, audit: &AuditRecord) -> Result<(), StoreError> {
        let current = self.tax_settings.borrow().version;
        if current != settings.version - 1 {
            return Err(StoreError::VersionMismatch { current });
        }
        *self.tax_settings.borrow_mut() = settings.clone();
        self.audits.borrow_mut().push(audit.clone());
        Ok(())
    }
}

impl TaxCalculator for MemoryShop {
    async fn calculate(&self, request: &TaxRequest) -> Result<TaxResult, StoreError> {
        let rules = self.tax_settings.borrow().rules_for(request.country, request.region.as_deref());
        Ok(tax::calculate(&rules, request))
    }
}
