//! Discount codes: a percentage or a fixed amount off an order's subtotal, within a
//! validity window, up to a total number of uses, optionally once per customer.

use super::money::{Currency, MAX_AMOUNT};
use super::timestamp::Timestamp;
use super::validation::{Checker, Invalid};
use time::format_description::well_known::Rfc3339;

/// What customers type: stored upper-case so `welcome10` and `WELCOME10` are one code.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DiscountCode(String);

impl DiscountCode {
    pub fn parse(value: &str) -> Result<Self, String> {
        let valid = (3..=32).contains(&value.len())
            && value.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_'));
        if valid {
            Ok(Self(value.to_ascii_uppercase()))
        } else {
            Err("must be 3-32 characters of A-Z, 0-9, '-' or '_'".into())
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DiscountValue {
    /// Whole percent off the subtotal, 1-100; optionally only for one currency.
    Percentage { percent: u8, currency: Option<Currency> },
    /// Minor units off the subtotal, never more than the subtotal.
    Fixed { amount: i64, currency: Currency },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Discount {
    pub code: DiscountCode,
    pub value: DiscountValue,
    pub starts_at: Option<Timestamp>,
    pub ends_at: Option<Timestamp>,
    /// Total uses allowed across all customers; `None` is unlimited.
    pub usage_limit: Option<u32>,
    /// Orders placed with the code, minus those cancelled. The store enforces
    /// `uses < usage_limit` in the order's transaction, so races cannot exceed it.
    pub uses: u32,
    pub once_per_customer: bool,
    pub active: bool,
    pub version: u64,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

pub const MAX_USAGE_LIMIT: i64 = 10_000_000;

impl Discount {
    /// The minor units this code takes off `subtotal` at `now`, or why it does not apply.
    /// Percentages round half up; the result never exceeds the subtotal.
    pub fn amount_off(&self, subtotal: i64, currency: Currency, now: Timestamp) -> Result<i64, String> {
        if !self.active {
            return Err("is not active".into());
        }
        if self.starts_at.is_some_and(|s| now < s) {
            return Err("is not valid yet".into());
        }
        if self.ends_at.is_some_and(|e| now >= e) {
            return Err("has expired".into());
        }
        if self.usage_limit.is_some_and(|limit| self.uses >= limit) {
            return Err("has been used up".into());
        }
        let (off, only_in) = match self.value {
            DiscountValue::Percentage { percent, currency } => ((subtotal * i64::from(percent) + 50) / 100, currency),
            DiscountValue::Fixed { amount, currency } => (amount, Some(currency)),
        };
        if only_in.is_some_and(|c| c != currency) {
            return Err(format!("applies to orders in {} only", only_in.map_or("", Currency::code)));
        }
        Ok(off.min(subtotal))
    }
}

/// A new discount code as staff gave it: [`NewDiscount::into_discount`] checks it.
#[derive(Debug, Clone)]
pub struct NewDiscount {
    pub code: String,
    /// `percentage` or `fixed`.
    pub kind: String,
    pub percent: Option<i64>,
    pub amount: Option<i64>,
    pub currency: Option<String>,
    pub starts_at: Option<String>,
    pub ends_at: Option<String>,
    pub usage_limit: Option<i64>,
    pub once_per_customer: bool,
    pub active: bool,
}

impl NewDiscount {
    /// An active percentage code with no window, limit or once-per-customer rule.
    pub fn percentage(code: impl Into<String>, percent: i64) -> Self {
        Self {
            code: code.into(),
            kind: "percentage".into(),
            percent: Some(percent),
            amount: None,
            currency: None,
            starts_at: None,
            ends_at: None,
            usage_limit: None,
            once_per_customer: false,
            active: true,
        }
    }
}

/// Changes to a discount: `None` leaves a field as it is; `Some(None)` clears a
/// window end or the usage limit. The value is fixed once created (orders refer to it).
#[derive(Debug, Clone, Default)]
pub struct DiscountChanges {
    pub starts_at: Option<Option<String>>,
    pub ends_at: Option<Option<String>>,
    pub usage_limit: Option<Option<i64>>,
    pub once_per_customer: Option<bool>,
    pub active: Option<bool>,
}

fn instant(value: &str) -> Result<Timestamp, String> {
    Timestamp::parse(value, &Rfc3339)
        .map(|t| t.to_offset(time::UtcOffset::UTC))
        .map_err(|_| "must be an RFC 3339 date-time, e.g. 2026-12-01T00:00:00Z".into())
}

fn usage_limit(value: i64) -> Result<u32, String> {
    if (1..=MAX_USAGE_LIMIT).contains(&value) {
        Ok(value as u32)
    } else {
        Err(format!("must be a whole number from 1 to {MAX_USAGE_LIMIT}"))
    }
}

fn check_window(c: &mut Checker, starts_at: Option<Timestamp>, ends_at: Option<Timestamp>) {
    if let (Some(start), Some(end)) = (starts_at, ends_at)
        && end <= start
    {
        c.check::<()>("ends_at", Err("must be after starts_at".into()));
    }
}

impl NewDiscount {
    pub fn into_discount(self, now: Timestamp) -> Result<Discount, Invalid> {
        let mut c = Checker::default();
        let code = c.check("code", DiscountCode::parse(&self.code));
        let currency = match self.currency.as_deref().map(Currency::parse).transpose() {
            Ok(currency) => currency,
            Err(message) => c.check::<Option<Currency>>("currency", Err(message)).flatten(),
        };
        let value = match self.kind.as_str() {
            "percentage" => {
                if self.amount.is_some() {
                    c.check::<()>("amount", Err("is for kind `fixed`; a percentage takes `percent`".into()));
                }
                let percent = self.percent.filter(|p| (1..=100).contains(p)).map(|p| p as u8);
                c.check("percent", percent.ok_or_else(|| "must be a whole number from 1 to 100".to_owned()))
                    .map(|percent| DiscountValue::Percentage { percent, currency })
            }
            "fixed" => {
                if self.percent.is_some() {
                    c.check::<()>("percent", Err("is for kind `percentage`; a fixed discount takes `amount`".into()));
                }
                let amount = self.amount.filter(|a| (1..=MAX_AMOUNT).contains(a));
                let amount =
                    c.check("amount", amount.ok_or_else(|| format!("must be minor units from 1 to {MAX_AMOUNT}")));
                let currency = c.check(
                    "currency",
                    currency.ok_or_else(|| "is required for a fixed discount (ISO 4217, e.g. EUR)".to_owned()),
                );
                amount.zip(currency).map(|(amount, currency)| DiscountValue::Fixed { amount, currency })
            }
            _ => c.check("kind", Err("must be `percentage` or `fixed`".into())),
        };
        let starts_at = self.starts_at.as_deref().and_then(|v| c.check("starts_at", instant(v)));
        let ends_at = self.ends_at.as_deref().and_then(|v| c.check("ends_at", instant(v)));
        check_window(&mut c, starts_at, ends_at);
        let usage_limit = self.usage_limit.and_then(|v| c.check("usage_limit", usage_limit(v)));
        c.finish()?;
        let (Some(code), Some(value)) = (code, value) else {
            unreachable!("Checker::finish returns Err when a field failed")
        };
        Ok(Discount {
            code,
            value,
            starts_at,
            ends_at,
            usage_limit,
            uses: 0,
            once_per_customer: self.once_per_customer,
            active: self.active,
            version: 1,
            created_at: now,
            updated_at: now,
        })
    }
}

impl Discount {
    /// Applies a partial update and returns the next version. `uses` is left as read:
    /// the store never writes it from here, so concurrent orders are not undone.
    pub fn apply(&self, changes: DiscountChanges, now: Timestamp) -> Result<Discount, Invalid> {
        let mut next = self.clone();
        let mut c = Checker::default();
        if let Some(value) = changes.starts_at {
            next.starts_at = value.as_deref().and_then(|v| c.check("starts_at", instant(v)));
        }
        if let Some(value) = changes.ends_at {
            next.ends_at = value.as_deref().and_then(|v| c.check("ends_at", instant(v)));
        }
        if let Some(value) = changes.usage_limit {
            next.usage_limit = value.and_then(|v| c.check("usage_limit", usage_limit(v)));
        }
        if let Some(value) = changes.once_per_customer {
            next.once_per_customer = value;
        }
        if let Some(value) = changes.active {
            next.active = value;
        }
        check_window(&mut c, next.starts_at, next.ends_at);
        c.finish()?;
        next.version = self.version + 1;
        next.updated_at = now;
        Ok(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    const NOW: Timestamp = datetime!(2026-11-21 10:00 UTC);

    fn discount(code: &str, kind: &str, rest: NewDiscount) -> Result<Discount, Invalid> {
        NewDiscount { code: code.into(), kind: kind.into(), ..rest }.into_discount(NOW)
    }

    fn new() -> NewDiscount {
        NewDiscount {
            code: String::new(),
            kind: String::new(),
            percent: None,
            amount: None,
            currency: None,
            starts_at: None,
            ends_at: None,
            usage_limit: None,
            once_per_customer: false,
            active: true,
        }
    }

    fn eur() -> Currency {
        Currency::parse("EUR").unwrap()
    }

    #[test]
    fn percentages_round_half_up_and_never_exceed_the_subtotal() {
        let ten = discount("ten", "percentage", NewDiscount { percent: Some(10), ..new() }).unwrap();
        assert_eq!(ten.code.as_str(), "TEN");
        assert_eq!(ten.amount_off(1995, eur(), NOW), Ok(200));
        let fixed = NewDiscount { amount: Some(500), currency: Some("EUR".into()), ..new() };
        let fixed = discount("five", "fixed", fixed).unwrap();
        assert_eq!(fixed.amount_off(300, eur(), NOW), Ok(300));
        assert!(fixed.amount_off(3000, Currency::parse("USD").unwrap(), NOW).is_err());
    }

    #[test]
    fn windows_limits_and_the_active_flag_are_honoured() {
        let winter = NewDiscount {
            percent: Some(20),
            starts_at: Some("2026-12-01T00:00:00+01:00".into()),
            ends_at: Some("2027-01-01T00:00:00Z".into()),
            usage_limit: Some(2),
            ..new()
        };
        let d = discount("WINTER", "percentage", winter).unwrap();
        assert_eq!(d.starts_at, Some(datetime!(2026-11-30 23:00 UTC)));
        assert_eq!(d.amount_off(1000, eur(), NOW).unwrap_err(), "is not valid yet");
        let december = datetime!(2026-12-10 00:00 UTC);
        assert_eq!(d.amount_off(1000, eur(), december), Ok(200));
        assert_eq!(d.amount_off(1000, eur(), datetime!(2027-01-01 00:00 UTC)).unwrap_err(), "has expired");
        let used_up = Discount { uses: 2, ..d.clone() };
        assert_eq!(used_up.amount_off(1000, eur(), december).unwrap_err(), "has been used up");
        let off = d.apply(DiscountChanges { active: Some(false), ..Default::default() }, NOW).unwrap();
        assert_eq!((off.version, off.amount_off(1000, eur(), december)), (2, Err("is not active".into())));
    }

    #[test]
    fn every_invalid_field_is_named() {
        let wrong = NewDiscount { percent: Some(5), starts_at: Some("tomorrow".into()), usage_limit: Some(0), ..new() };
        let Invalid(errors) = discount("x", "fixed", wrong).unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["code", "percent", "amount", "currency", "starts_at", "usage_limit"]);
        let backwards = NewDiscount {
            percent: Some(5),
            starts_at: Some("2027-01-01T00:00:00Z".into()),
            ends_at: Some("2026-01-01T00:00:00Z".into()),
            ..new()
        };
        let Invalid(errors) = discount("abc", "percentage", backwards).unwrap_err();
        assert_eq!(errors[0].field, "ends_at");
    }
}
