//! `POST/GET/PATCH /discounts`: staff manage discount codes; every change is audited.

use super::error::OrdersError;
use super::ports::DiscountStore;
use crate::app::error::CommonError;
use crate::app::store::{Page, StoreError};
use crate::domain::discount::DiscountValue;
use crate::domain::{AuditRecord, Discount, DiscountChanges, DiscountCode, NewDiscount, Principal, Role, Timestamp};
use serde_json::json;

fn staff_only(principal: &Principal) -> Result<(), OrdersError> {
    if principal.is_staff() { Ok(()) } else { Err(CommonError::forbidden(Role::Staff).into()) }
}

fn stale(expected: u64, current: u64) -> OrdersError {
    CommonError::StaleVersion { resource: "discount", expected, current }.into()
}

/// What an audit record shows of a discount: its settings, not the running count.
fn audited(d: &Discount) -> serde_json::Value {
    let (kind, value, currency) = match d.value {
        DiscountValue::Percentage { percent, currency } => ("percentage", i64::from(percent), currency),
        DiscountValue::Fixed { amount, currency } => ("fixed", amount, Some(currency)),
    };
    json!({"code": d.code.as_str(), "kind": kind, "value": value, "currency": currency.map(|c| c.code()),
           "starts_at": d.starts_at.map(crate::domain::format_timestamp),
           "ends_at": d.ends_at.map(crate::domain::format_timestamp),
           "usage_limit": d.usage_limit, "once_per_customer": d.once_per_customer, "active": d.active})
}

pub async fn create_discount(
    store: &impl DiscountStore,
    principal: &Principal,
    input: NewDiscount,
    now: Timestamp,
) -> Result<Discount, OrdersError> {
    staff_only(principal)?;
    let discount = input.into_discount(now)?;
    let target = format!("discount:{}", discount.code.as_str());
    let audit = AuditRecord::new(&principal.subject, "discount.created", target, json!(null), audited(&discount), now);
    if !store.create(&discount, &audit).await? {
        return Err(OrdersError::CodeTaken);
    }
    Ok(discount)
}

pub async fn list_discounts(
    store: &impl DiscountStore,
    principal: &Principal,
    limit: u16,
    cursor: Option<&str>,
) -> Result<Page<Discount>, OrdersError> {
    staff_only(principal)?;
    Ok(store.list(limit, cursor).await?)
}

pub async fn update_discount(
    store: &impl DiscountStore,
    principal: &Principal,
    code: &DiscountCode,
    expected_version: Option<u64>,
    changes: DiscountChanges,
    now: Timestamp,
) -> Result<Discount, OrdersError> {
    staff_only(principal)?;
    let current = store.get(code).await?.ok_or(CommonError::NotFound)?;
    // Invalid changes first, whatever the version (RFC 9110 §13.2.1).
    let next = current.apply(changes, now)?;
    if let Some(expected) = expected_version.filter(|v| *v != current.version) {
        return Err(stale(expected, current.version));
    }
    let target = format!("discount:{}", code.as_str());
    let audit =
        AuditRecord::new(&principal.subject, "discount.updated", target, audited(&current), audited(&next), now);
    match store.update(&current, &next, &audit).await {
        Ok(()) => Ok(next),
        Err(StoreError::VersionMismatch { current: stored }) => Err(stale(current.version, stored)),
        Err(other) => Err(other.into()),
    }
}
