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
    async fn calculate(&self, request: &TaxRequest) -> Result<Option<TaxResult>, StoreError> {
        let rules = self.tax_settings.borrow().rules_for_request(request);
        Ok(rules.map(|rules| tax::calculate(&rules, request)))
    }
}

/// The document sequences: a number is given with its document, once.
impl tillbox::app::receipts::ports::DocumentNumbers for MemoryShop {
    async fn invoice_number(&self, order: tillbox::domain::OrderId) -> Result<u64, StoreError> {
        let mut orders = self.orders.borrow_mut();
        let order = orders.get_mut(&order).ok_or(StoreError::NotFound)?;
        if let Some(number) = order.invoice_number {
            return Ok(number);
        }
        let mut counters = self.counters.borrow_mut();
        let next = counters.entry("invoice").or_default();
        *next += 1;
        order.invoice_number = Some(*next);
        order.version += 1;
        Ok(*next)
    }

    async fn credit_note_number(&self, order: tillbox::domain::OrderId, refund: &str) -> Result<u64, StoreError> {
        if !self.refunds.borrow().contains_key(&(order, refund.to_owned())) {
            return Err(StoreError::NotFound);
        }
        let mut numbers = self.credit_notes.borrow_mut();
        if let Some(number) = numbers.get(&(order, refund.to_owned())) {
            return Ok(*number);
        }
        let mut counters = self.counters.borrow_mut();
        let next = counters.entry("credit_note").or_default();
        *next += 1;
        numbers.insert((order, refund.to_owned()), *next);
        Ok(*next)
    }
}
