//! Money as integer minor units of an ISO 4217 currency: never floats.

use std::fmt;

/// Active ISO 4217 codes with their number of minor-unit digits. Kept in the binary
/// because the list changes once in years and a lookup must not cost a network call.
const CURRENCIES: &[(&str, u8)] = &[
    ("AED", 2),
    ("AFN", 2),
    ("ALL", 2),
    ("AMD", 2),
    ("ANG", 2),
    ("AOA", 2),
    ("ARS", 2),
    ("AUD", 2),
    ("AWG", 2),
    ("AZN", 2),
    ("BAM", 2),
    ("BBD", 2),
    ("BDT", 2),
    ("BGN", 2),
    ("BHD", 3),
    ("BIF", 0),
    ("BMD", 2),
    ("BND", 2),
    ("BOB", 2),
    ("BRL", 2),
    ("BSD", 2),
    ("BTN", 2),
    ("BWP", 2),
    ("BYN", 2),
    ("BZD", 2),
    ("CAD", 2),
    ("CDF", 2),
    ("CHF", 2),
    ("CLP", 0),
    ("CNY", 2),
    ("COP", 2),
    ("CRC", 2),
    ("CUP", 2),
    ("CVE", 2),
    ("CZK", 2),
    ("DJF", 0),
    ("DKK", 2),
    ("DOP", 2),
    ("DZD", 2),
    ("EGP", 2),
    ("ERN", 2),
    ("ETB", 2),
    ("EUR", 2),
    ("FJD", 2),
    ("FKP", 2),
    ("GBP", 2),
    ("GEL", 2),
    ("GHS", 2),
    ("GIP", 2),
    ("GMD", 2),
    ("GNF", 0),
    ("GTQ", 2),
    ("GYD", 2),
    ("HKD", 2),
    ("HNL", 2),
    ("HTG", 2),
    ("HUF", 2),
    ("IDR", 2),
    ("ILS", 2),
    ("INR", 2),
    ("IQD", 3),
    ("IRR", 2),
    ("ISK", 0),
    ("JMD", 2),
    ("JOD", 3),
    ("JPY", 0),
    ("KES", 2),
    ("KGS", 2),
    ("KHR", 2),
    ("KMF", 0),
    ("KPW", 2),
    ("KRW", 0),
    ("KWD", 3),
    ("KYD", 2),
    ("KZT", 2),
    ("LAK", 2),
    ("LBP", 2),
    ("LKR", 2),
    ("LRD", 2),
    ("LSL", 2),
    ("LYD", 3),
    ("MAD", 2),
    ("MDL", 2),
    ("MGA", 2),
    ("MKD", 2),
    ("MMK", 2),
    ("MNT", 2),
    ("MOP", 2),
    ("MRU", 2),
    ("MUR", 2),
    ("MVR", 2),
    ("MWK", 2),
    ("MXN", 2),
    ("MYR", 2),
    ("MZN", 2),
    ("NAD", 2),
    ("NGN", 2),
    ("NIO", 2),
    ("NOK", 2),
    ("NPR", 2),
    ("NZD", 2),
    ("OMR", 3),
    ("PAB", 2),
    ("PEN", 2),
    ("PGK", 2),
    ("PHP", 2),
    ("PKR", 2),
    ("PLN", 2),
    ("PYG", 0),
    ("QAR", 2),
    ("RON", 2),
    ("RSD", 2),
    ("RUB", 2),
    ("RWF", 0),
    ("SAR", 2),
    ("SBD", 2),
    ("SCR", 2),
    ("SDG", 2),
    ("SEK", 2),
    ("SGD", 2),
    ("SHP", 2),
    ("SLE", 2),
    ("SOS", 2),
    ("SRD", 2),
    ("SSP", 2),
    ("STN", 2),
    ("SVC", 2),
    ("SYP", 2),
    ("SZL", 2),
    ("THB", 2),
    ("TJS", 2),
    ("TMT", 2),
    ("TND", 3),
    ("TOP", 2),
    ("TRY", 2),
    ("TTD", 2),
    ("TWD", 2),
    ("TZS", 2),
    ("UAH", 2),
    ("UGX", 0),
    ("USD", 2),
    ("UYU", 2),
    ("UZS", 2),
    ("VES", 2),
    ("VND", 0),
    ("VUV", 0),
    ("WST", 2),
    ("XAF", 0),
    ("XCD", 2),
    ("XOF", 0),
    ("XPF", 0),
    ("YER", 2),
    ("ZAR", 2),
    ("ZMW", 2),
    ("ZWG", 2),
];

/// An ISO 4217 currency code known to Tillbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Currency(&'static str);

impl Currency {
    pub fn parse(code: &str) -> Result<Self, String> {
        CURRENCIES
            .iter()
            .find(|(known, _)| *known == code)
            .map(|(known, _)| Self(known))
            .ok_or_else(|| format!("`{code}` is not an ISO 4217 currency code (upper case, e.g. EUR)"))
    }

    pub fn code(self) -> &'static str {
        self.0
    }

    /// Every code [`Currency::parse`] accepts.
    pub fn codes() -> impl Iterator<Item = &'static str> {
        CURRENCIES.iter().map(|(code, _)| *code)
    }

    /// `minor` units as people read them: `1234` EUR as `12.34 EUR`, `500` JPY as
    /// `500 JPY`, `-250` EUR as `-2.50 EUR`.
    pub fn format(self, minor: i64) -> String {
        format!("{} {self}", self.decimal(minor))
    }

    /// `minor` units as a plain decimal: `1234` EUR as `12.34`, `500` JPY as `500`.
    pub fn decimal(self, minor: i64) -> String {
        let digits = u32::from(self.minor_unit_digits());
        let sign = if minor < 0 { "-" } else { "" };
        let magnitude = minor.unsigned_abs();
        if digits == 0 {
            return format!("{sign}{magnitude}");
        }
        let scale = 10_u64.pow(digits);
        format!("{sign}{}.{:0width$}", magnitude / scale, magnitude % scale, width = digits as usize)
    }

    /// Digits after the decimal point: 2 for EUR, 0 for JPY, 3 for KWD.
    pub fn minor_unit_digits(self) -> u8 {
        CURRENCIES.iter().find(|(known, _)| *known == self.0).map_or(2, |(_, digits)| *digits)
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

/// The largest amount accepted anywhere: ten billion major units of a two-digit
/// currency, far above any price and far below `i64` overflow when summed.
pub const MAX_AMOUNT: i64 = 1_000_000_000_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Money {
    /// Integer minor units: 1999 is 19.99 EUR, 1999 is 1999 JPY.
    pub amount: i64,
    pub currency: Currency,
}

/// Money as a caller gave it, not yet checked: [`Money::price`] checks it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MoneyInput {
    /// Minor units (cents for EUR).
    pub amount: i64,
    /// An ISO 4217 code.
    pub currency: String,
}

impl MoneyInput {
    pub fn new(amount: i64, currency: impl Into<String>) -> Self {
        Self { amount, currency: currency.into() }
    }
}

impl Money {
    /// A price: zero or more, never above [`MAX_AMOUNT`].
    pub fn price(input: &MoneyInput) -> Result<Self, (&'static str, String)> {
        let currency = Currency::parse(&input.currency).map_err(|e| ("currency", e))?;
        if !(0..=MAX_AMOUNT).contains(&input.amount) {
            return Err(("amount", format!("must be an integer number of minor units between 0 and {MAX_AMOUNT}")));
        }
        Ok(Self { amount: input.amount, currency })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn currencies_know_their_minor_units() {
        assert_eq!(Currency::parse("EUR").unwrap().minor_unit_digits(), 2);
        assert_eq!(Currency::parse("JPY").unwrap().minor_unit_digits(), 0);
        assert_eq!(Currency::parse("KWD").unwrap().minor_unit_digits(), 3);
    }

    #[test]
    fn unknown_or_lower_case_currencies_are_refused() {
        assert!(Currency::parse("eur").is_err());
        assert!(Currency::parse("XXZ").is_err());
        assert!(Currency::parse("").is_err());
    }

    #[test]
    fn prices_are_bounded_integers() {
        let ok = MoneyInput { amount: 1999, currency: "EUR".into() };
        assert_eq!(Money::price(&ok).unwrap().amount, 1999);
        let negative = MoneyInput { amount: -1, currency: "EUR".into() };
        assert_eq!(Money::price(&negative).unwrap_err().0, "amount");
        let huge = MoneyInput { amount: MAX_AMOUNT + 1, currency: "EUR".into() };
        assert_eq!(Money::price(&huge).unwrap_err().0, "amount");
    }
}
