//! The upgrade to variants (`tillbox-admin migrate-variants`): products written
//! before variants get their one variant stored, keeping every SKU, stock
//! count, image and version. Idempotent and resumable: each product is rewritten
//! in one conditional write, and a second run finds nothing left to do.

use super::ports::{ProductUpgrade, Upgraded};
use crate::app::store::StoreError;

/// What a run did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct UpgradeReport {
    /// Products rewritten by this run.
    pub upgraded: usize,
    /// Products found old but upgraded meanwhile (a concurrent run).
    pub skipped: usize,
}

pub async fn upgrade_products(store: &impl ProductUpgrade) -> Result<UpgradeReport, StoreError> {
    let mut report = UpgradeReport::default();
    for id in store.legacy_products().await? {
        match store.upgrade(id).await? {
            Upgraded::Now => report.upgraded += 1,
            Upgraded::Before => report.skipped += 1,
        }
    }
    Ok(report)
}
