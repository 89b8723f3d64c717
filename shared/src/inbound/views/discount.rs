//! Discount codes as staff see them.

use crate::domain::{Discount, DiscountValue, format_timestamp};
use serde::Serialize;

/// A discount code as staff see it, with how often it has been used.
#[derive(Serialize, utoipa::ToSchema)]
pub struct DiscountView<'a> {
    code: &'a str,
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    percent: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    amount: Option<i64>,
    #[schema(required = true)]
    currency: Option<&'static str>,
    #[schema(required = true)]
    starts_at: Option<String>,
    #[schema(required = true)]
    ends_at: Option<String>,
    #[schema(required = true)]
    usage_limit: Option<u32>,
    uses: u32,
    once_per_customer: bool,
    active: bool,
    version: u64,
    created_at: String,
    updated_at: String,
}

impl<'a> DiscountView<'a> {
    pub fn new(d: &'a Discount) -> Self {
        let (kind, percent, amount, currency) = match d.value {
            DiscountValue::Percentage { percent, currency } => ("percentage", Some(percent), None, currency),
            DiscountValue::Fixed { amount, currency } => ("fixed", None, Some(amount), Some(currency)),
        };
        Self {
            code: d.code.as_str(),
            kind,
            percent,
            amount,
            currency: currency.map(|c| c.code()),
            starts_at: d.starts_at.map(format_timestamp),
            ends_at: d.ends_at.map(format_timestamp),
            usage_limit: d.usage_limit,
            uses: d.uses,
            once_per_customer: d.once_per_customer,
            active: d.active,
            version: d.version,
            created_at: format_timestamp(d.created_at),
            updated_at: format_timestamp(d.updated_at),
        }
    }
}
