//! Taxes: the rates that apply where an order goes, and the tax inside (or on
//! top of) each line and the shipping, computed in integer minor units.
//!
//! **Rounding.** Tax is computed per line and rounded half up ("commercial"
//! rounding) to a minor unit, then summed. Per line, because every line of an
//! invoice must be right on its own (a customer or an auditor checks a line, not
//! the basket), because EU law leaves the line-or-invoice question to member
//! states and line-level is the common practice (Shopify, Vendure's default,
//! Stripe's tax rates), and because refunding one line then gives back exactly
//! the tax that line carried. Half up, because it is the rounding German,
//! French and UK tax offices expect on invoices and the one Stripe applies.
//! Because each total is a sum of already rounded integers, the totals add up
//! to the cent by construction; the property tests below check it.

use super::address::Country;

/// A tax rate in thousandths of a percent: 19 % is 19 000, 6.875 % is 6 875.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TaxRate(u32);

/// Hundred percent in [`TaxRate`] units.
const WHOLE: i128 = 100_000;

impl TaxRate {
    pub const ZERO: Self = Self(0);

    /// `"19"`, `"7.7"`, `"6.875"` percent: 0 to 100 with at most three decimals.
    pub fn parse(percent: &str) -> Result<Self, String> {
        let refused = || format!("`{percent}` is not a percentage like 19, 7.7 or 6.875");
        let (whole, fraction) = percent.trim().split_once('.').unwrap_or((percent.trim(), ""));
        if whole.is_empty() || whole.len() > 3 || fraction.len() > 3 {
            return Err(refused());
        }
        if !whole.chars().chain(fraction.chars()).all(|c| c.is_ascii_digit()) {
            return Err(refused());
        }
        let whole: u32 = whole.parse().map_err(|_| refused())?;
        let fraction: u32 = format!("{fraction:0<3}").parse().map_err(|_| refused())?;
        let rate = whole * 1000 + fraction;
        if rate > 100_000 {
            return Err(refused());
        }
        Ok(Self(rate))
    }

    pub const fn from_thousandths(thousandths_of_percent: u32) -> Self {
        Self(thousandths_of_percent)
    }

    pub fn thousandths(self) -> u32 {
        self.0
    }

    /// `19`, `7.7`, `6.875`: what [`TaxRate::parse`] reads back.
    pub fn percent(self) -> String {
        let (whole, fraction) = (self.0 / 1000, self.0 % 1000);
        if fraction == 0 {
            return whole.to_string();
        }
        format!("{whole}.{fraction:03}").trim_end_matches('0').to_owned()
    }

    /// The tax on top of a net amount: net × rate, half up.
    pub fn on(self, net: i64) -> i64 {
        half_up(i128::from(net) * i128::from(self.0), WHOLE)
    }

    /// The tax inside a gross amount: gross × rate / (1 + rate), half up.
    pub fn inside(self, gross: i64) -> i64 {
        let rate = i128::from(self.0);
        half_up(i128::from(gross) * rate, WHOLE + rate)
    }
}

/// `numerator / denominator` rounded half up, for a non-negative numerator.
fn half_up(numerator: i128, denominator: i128) -> i64 {
    i64::try_from((2 * numerator + denominator) / (2 * denominator)).expect("a tax is smaller than its amount")
}

/// Which of a country's rates a product is taxed at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaxCategory {
    #[default]
    Standard,
    /// Food, books and the like where the country has a reduced rate.
    Reduced,
    /// Exempt or zero-rated goods.
    Zero,
}

impl TaxCategory {
    pub const ALL: [Self; 3] = [Self::Standard, Self::Reduced, Self::Zero];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Standard => "standard",
            Self::Reduced => "reduced",
            Self::Zero => "zero",
        }
    }

    pub fn parse(value: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|c| c.as_str() == value)
            .ok_or_else(|| format!("`{value}` is not a tax category: standard, reduced or zero"))
    }
}

/// How shipping is taxed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ShippingTax {
    /// At the destination's standard rate.
    #[default]
    Standard,
    /// At the highest rate of the order's lines: shipping follows the goods
    /// (the rule many EU tax offices apply to a single delivery).
    HighestLineRate,
    /// Not taxed (as in many US states when shipping is stated separately).
    Exempt,
}

impl ShippingTax {
    pub const ALL: [Self; 3] = [Self::Standard, Self::HighestLineRate, Self::Exempt];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Standard => "standard",
            Self::HighestLineRate => "highest_line_rate",
            Self::Exempt => "exempt",
        }
    }

    pub fn parse(value: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|c| c.as_str() == value)
            .ok_or_else(|| format!("`{value}` is not a shipping tax rule: standard, highest_line_rate or exempt"))
    }
}

/// The rates of one country, or of one region of it (a US state, a Canadian
/// province), and whether prices shown there include tax.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Jurisdiction {
    pub country: Country,
    /// A US state or Canadian province code; `None` for the whole country.
    pub region: Option<String>,
    pub standard: TaxRate,
    /// `None`: the country has no reduced rate, reduced goods pay the standard one.
    pub reduced: Option<TaxRate>,
    /// Overrides the store's setting here: US and Canadian prices are shown
    /// before tax even in a shop whose European prices include it.
    pub prices_include_tax: Option<bool>,
    pub shipping: Option<ShippingTax>,
}

impl Jurisdiction {
    pub fn rate(&self, category: TaxCategory) -> TaxRate {
        match category {
            TaxCategory::Standard => self.standard,
            TaxCategory::Reduced => self.reduced.unwrap_or(self.standard),
            TaxCategory::Zero => TaxRate::ZERO,
        }
    }
}

/// The rates Tillbox knows without configuration: standard and main reduced
/// VAT rates of the EU, the UK, Switzerland and Norway; US state base sales tax
/// (local taxes are not included: a shop adds them in its settings or uses a
/// tax provider); Canadian GST/HST, with provincial sales tax where it is
/// charged on top. Thousandths of a percent.
const BUILT_IN: &[(&str, Option<&str>, u32, Option<u32>)] = &[
    ("AT", None, 20_000, Some(10_000)),
    ("BE", None, 21_000, Some(6_000)),
    ("BG", None, 20_000, Some(9_000)),
    ("CY", None, 19_000, Some(5_000)),
    ("CZ", None, 21_000, Some(12_000)),
    ("DE", None, 19_000, Some(7_000)),
    ("DK", None, 25_000, None),
    ("EE", None, 24_000, Some(9_000)),
    ("ES", None, 21_000, Some(10_000)),
    ("FI", None, 25_500, Some(14_000)),
    ("FR", None, 20_000, Some(5_500)),
    ("GR", None, 24_000, Some(13_000)),
    ("HR", None, 25_000, Some(13_000)),
    ("HU", None, 27_000, Some(5_000)),
    ("IE", None, 23_000, Some(13_500)),
    ("IT", None, 22_000, Some(10_000)),
    ("LT", None, 21_000, Some(9_000)),
    ("LU", None, 17_000, Some(8_000)),
    ("LV", None, 21_000, Some(12_000)),
    ("MT", None, 18_000, Some(5_000)),
    ("NL", None, 21_000, Some(9_000)),
    ("PL", None, 23_000, Some(8_000)),
    ("PT", None, 23_000, Some(6_000)),
    ("RO", None, 21_000, Some(11_000)),
    ("SE", None, 25_000, Some(12_000)),
    ("SI", None, 22_000, Some(9_500)),
    ("SK", None, 23_000, Some(19_000)),
    ("GB", None, 20_000, Some(5_000)),
    ("CH", None, 8_100, Some(2_600)),
    ("NO", None, 25_000, Some(15_000)),
    ("US", None, 0, None),
    ("US", Some("AL"), 4_000, None),
    ("US", Some("AZ"), 5_600, None),
    ("US", Some("AR"), 6_500, None),
    ("US", Some("CA"), 7_250, None),
    ("US", Some("CO"), 2_900, None),
    ("US", Some("CT"), 6_350, None),
    ("US", Some("DC"), 6_000, None),
    ("US", Some("FL"), 6_000, None),
    ("US", Some("GA"), 4_000, None),
    ("US", Some("HI"), 4_000, None),
    ("US", Some("ID"), 6_000, None),
    ("US", Some("IL"), 6_250, None),
    ("US", Some("IN"), 7_000, None),
    ("US", Some("IA"), 6_000, None),
    ("US", Some("KS"), 6_500, None),
    ("US", Some("KY"), 6_000, None),
    ("US", Some("LA"), 5_000, None),
    ("US", Some("ME"), 5_500, None),
    ("US", Some("MD"), 6_000, None),
    ("US", Some("MA"), 6_250, None),
    ("US", Some("MI"), 6_000, None),
    ("US", Some("MN"), 6_875, None),
    ("US", Some("MS"), 7_000, None),
    ("US", Some("MO"), 4_225, None),
    ("US", Some("NE"), 5_500, None),
    ("US", Some("NV"), 6_850, None),
    ("US", Some("NJ"), 6_625, None),
    ("US", Some("NM"), 4_875, None),
    ("US", Some("NY"), 4_000, None),
    ("US", Some("NC"), 4_750, None),
    ("US", Some("ND"), 5_000, None),
    ("US", Some("OH"), 5_750, None),
    ("US", Some("OK"), 4_500, None),
    ("US", Some("PA"), 6_000, None),
    ("US", Some("RI"), 7_000, None),
    ("US", Some("SC"), 6_000, None),
    ("US", Some("SD"), 4_200, None),
    ("US", Some("TN"), 7_000, None),
    ("US", Some("TX"), 6_250, None),
    ("US", Some("UT"), 6_100, None),
    ("US", Some("VT"), 6_000, None),
    ("US", Some("VA"), 5_300, None),
    ("US", Some("WA"), 6_500, None),
    ("US", Some("WV"), 6_000, None),
    ("US", Some("WI"), 5_000, None),
    ("US", Some("WY"), 4_000, None),
    ("CA", None, 5_000, None),
    ("CA", Some("BC"), 12_000, None),
    ("CA", Some("MB"), 12_000, None),
    ("CA", Some("NB"), 15_000, None),
    ("CA", Some("NL"), 15_000, None),
    ("CA", Some("NS"), 14_000, None),
    ("CA", Some("ON"), 13_000, None),
    ("CA", Some("PE"), 15_000, None),
    ("CA", Some("QC"), 14_975, None),
    ("CA", Some("SK"), 11_000, None),
];

/// Where prices are shown before tax whatever the store's setting says.
const PRICES_BEFORE_TAX: [&str; 2] = ["US", "CA"];

/// The built-in rates of `country` (and `region`, where it has its own).
pub fn built_in(country: Country, region: Option<&str>) -> Option<Jurisdiction> {
    let found = |r: Option<&str>| BUILT_IN.iter().find(|(c, reg, ..)| *c == country.code() && *reg == r);
    let (_, region, standard, reduced) = region.and_then(|r| found(Some(r))).or_else(|| found(None))?;
    Some(Jurisdiction {
        country,
        region: region.map(str::to_owned),
        standard: TaxRate(*standard),
        reduced: reduced.map(TaxRate),
        prices_include_tax: PRICES_BEFORE_TAX.contains(&country.code()).then_some(false),
        shipping: None,
    })
}

/// The store's tax settings: whether its prices include tax, how shipping is
/// taxed, and rates that replace or add to the built-in ones.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaxSettings {
    pub prices_include_tax: bool,
    /// Where the shop sells from: orders with no address (a pickup, a
    /// download) are taxed here. `None`: such orders are not taxed.
    pub origin: Option<Country>,
    pub shipping: ShippingTax,
    /// At most one per country and region; a region's entry wins over its country's.
    pub jurisdictions: Vec<Jurisdiction>,
    /// 0 while nothing was ever saved (the defaults apply).
    pub version: u64,
}

/// Jurisdictions one settings document may hold.
pub const MAX_JURISDICTIONS: usize = 300;

impl Default for TaxSettings {
    /// EU style: prices include tax, shipping at the standard rate, built-in rates.
    fn default() -> Self {
        Self {
            prices_include_tax: true,
            origin: None,
            shipping: ShippingTax::Standard,
            jurisdictions: Vec::new(),
            version: 0,
        }
    }
}

/// What an order owes in one place: its rates and how they apply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaxRules {
    pub jurisdiction: Jurisdiction,
    pub prices_include_tax: bool,
    pub shipping: ShippingTax,
}

impl TaxSettings {
    /// The rules for goods sent to `country` (and `region`): the store's own
    /// entry if it has one (region before country), else the built-in rates,
    /// else no tax at all.
    pub fn rules_for(&self, country: Country, region: Option<&str>) -> TaxRules {
        let own = |r: Option<&str>| {
            self.jurisdictions.iter().find(|j| j.country == country && j.region.as_deref() == r).cloned()
        };
        let jurisdiction = region
            .and_then(|r| own(Some(r)))
            .or_else(|| built_in(country, region).filter(|j| j.region.is_some()))
            .or_else(|| own(None))
            .or_else(|| built_in(country, None))
            .unwrap_or(Jurisdiction {
                country,
                region: None,
                standard: TaxRate::ZERO,
                reduced: None,
                prices_include_tax: None,
                shipping: None,
            });
        // An entry that does not say keeps the country's custom (US and Canadian
        // prices before tax), then the store's setting.
        let custom = PRICES_BEFORE_TAX.contains(&country.code()).then_some(false);
        TaxRules {
            prices_include_tax: jurisdiction.prices_include_tax.or(custom).unwrap_or(self.prices_include_tax),
            shipping: jurisdiction.shipping.unwrap_or(self.shipping),
            jurisdiction,
        }
    }

    /// Checks a settings document: unique jurisdictions, bounded count.
    pub fn check(self) -> Result<Self, super::validation::Invalid> {
        use super::validation::{FieldError, Invalid};
        let mut errors = Vec::new();
        if self.jurisdictions.len() > MAX_JURISDICTIONS {
            errors.push(FieldError::new("rates", format!("holds at most {MAX_JURISDICTIONS} entries")));
        }
        for (i, j) in self.jurisdictions.iter().enumerate() {
            if self.jurisdictions[..i].iter().any(|k| k.country == j.country && k.region == j.region) {
                errors.push(FieldError::new(format!("rates[{i}].country"), "appears in an earlier entry"));
            }
            if j.reduced.is_some_and(|r| r > j.standard) {
                errors.push(FieldError::new(format!("rates[{i}].reduced"), "must not be above the standard rate"));
            }
        }
        if errors.is_empty() { Ok(self) } else { Err(Invalid(errors)) }
    }
}

/// One amount to tax: a line's price after its share of the discount (or the
/// shipping), in the basis the rules say prices are in, and its rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Taxable {
    pub amount: i64,
    pub rate: TaxRate,
}

/// The tax of one [`Taxable`]: `net + tax == gross` always.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Taxed {
    pub net: i64,
    pub tax: i64,
    pub gross: i64,
    pub rate: TaxRate,
}

impl Taxable {
    pub fn taxed(self, prices_include_tax: bool) -> Taxed {
        if prices_include_tax {
            let tax = self.rate.inside(self.amount);
            Taxed { net: self.amount - tax, tax, gross: self.amount, rate: self.rate }
        } else {
            let tax = self.rate.on(self.amount);
            Taxed { net: self.amount, tax, gross: self.amount + tax, rate: self.rate }
        }
    }
}

/// Tax summed by rate, as an invoice lists it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TaxByRate {
    pub rate: TaxRate,
    pub net: i64,
    pub tax: i64,
}

/// Sums `taxed` by rate, highest rate first.
pub fn by_rate(taxed: impl IntoIterator<Item = Taxed>) -> Vec<TaxByRate> {
    let mut rates: Vec<TaxByRate> = Vec::new();
    for t in taxed {
        match rates.iter_mut().find(|r| r.rate == t.rate) {
            Some(r) => {
                r.net += t.net;
                r.tax += t.tax;
            }
            None => rates.push(TaxByRate { rate: t.rate, net: t.net, tax: t.tax }),
        }
    }
    rates.sort_by_key(|r| std::cmp::Reverse(r.rate));
    rates
}

/// Splits `total` over `weights` in proportion, to the minor unit, so the parts
/// sum to exactly `total` (largest remainder; ties go to the earlier weight).
/// Used to spread an order's discount over its lines before they are taxed.
pub fn allocate(total: i64, weights: &[i64]) -> Vec<i64> {
    let sum: i128 = weights.iter().map(|w| i128::from(*w)).sum();
    if sum == 0 {
        return vec![0; weights.len()];
    }
    let exact: Vec<(i64, i128)> = weights
        .iter()
        .map(|w| {
            let product = i128::from(total) * i128::from(*w);
            (i64::try_from(product / sum).expect("a share of the total"), product % sum)
        })
        .collect();
    let mut parts: Vec<i64> = exact.iter().map(|(q, _)| *q).collect();
    let mut left = total - parts.iter().sum::<i64>();
    let mut order: Vec<usize> = (0..weights.len()).collect();
    order.sort_by(|a, b| exact[*b].1.cmp(&exact[*a].1).then(a.cmp(b)));
    for i in order {
        if left == 0 {
            break;
        }
        parts[i] += 1;
        left -= 1;
    }
    parts
}

/// What an order asks to be taxed: where it goes (`None`: nowhere, a pickup
/// or a download, taxed where the shop sells from), each line's amount after
/// its share of the discount with the line's category, and the shipping charge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaxRequest {
    pub destination: Option<(Country, Option<String>)>,
    pub lines: Vec<(i64, TaxCategory)>,
    pub shipping: i64,
}

/// The tax of every line (in the request's order) and of the shipping.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaxResult {
    pub prices_include_tax: bool,
    pub lines: Vec<Taxed>,
    pub shipping: Taxed,
}

impl TaxSettings {
    /// The rules for `request`: where it goes, else the shop's origin; `None`
    /// when neither is known (nothing is taxed).
    pub fn rules_for_request(&self, request: &TaxRequest) -> Option<TaxRules> {
        match &request.destination {
            Some((country, region)) => Some(self.rules_for(*country, region.as_deref())),
            None => self.origin.map(|origin| self.rules_for(origin, None)),
        }
    }
}

/// Taxes `request` by `rules`: each line at its category's rate, the shipping
/// by the shipping rule.
pub fn calculate(rules: &TaxRules, request: &TaxRequest) -> TaxResult {
    let included = rules.prices_include_tax;
    let lines: Vec<Taxed> = request
        .lines
        .iter()
        .map(|(amount, category)| Taxable { amount: *amount, rate: rules.jurisdiction.rate(*category) }.taxed(included))
        .collect();
    let shipping_rate = match rules.shipping {
        ShippingTax::Standard => rules.jurisdiction.standard,
        ShippingTax::HighestLineRate => lines.iter().map(|l| l.rate).max().unwrap_or(TaxRate::ZERO),
        ShippingTax::Exempt => TaxRate::ZERO,
    };
    let shipping = Taxable { amount: request.shipping, rate: shipping_rate }.taxed(included);
    TaxResult { prices_include_tax: included, lines, shipping }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small deterministic generator, so the properties run thousands of cases
    /// with no extra dependency and fail the same way every time.
    struct Cases(u64);

    impl Cases {
        fn next(&mut self, below: u64) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0 % below
        }
    }

    #[test]
    fn rates_parse_and_print_back() {
        for (text, units) in [("19", 19_000), ("7.7", 7_700), ("6.875", 6_875), ("0", 0), ("100", 100_000)] {
            let rate = TaxRate::parse(text).unwrap();
            assert_eq!(rate.thousandths(), units);
            assert_eq!(rate.percent(), text);
        }
        for bad in ["", "-1", "19%", "1.2345", "100.001", "abc", "1e2"] {
            assert!(TaxRate::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn tax_rounds_half_up_per_amount() {
        let de = TaxRate::parse("19").unwrap();
        // 19.99 EUR gross holds 3.1917… → 3.19 EUR.
        assert_eq!(de.inside(1999), 319);
        // 10.50 net at 19 % is 1.995 → 2.00 (half up).
        assert_eq!(de.on(1050), 200);
        let ny = TaxRate::parse("4").unwrap();
        assert_eq!(ny.on(1250), 50);
        assert_eq!(
            Taxable { amount: 1190, rate: de }.taxed(true),
            Taxed { net: 1000, tax: 190, gross: 1190, rate: de }
        );
    }

    #[test]
    fn a_region_entry_wins_over_its_country_and_the_built_in_table() {
        let us = Country::parse("US").unwrap();
        let mut settings = TaxSettings::default();
        let ny = settings.rules_for(us, Some("NY"));
        assert_eq!((ny.jurisdiction.standard.percent(), ny.prices_include_tax), ("4".into(), false));
        settings.jurisdictions.push(Jurisdiction {
            country: us,
            region: Some("NY".into()),
            standard: TaxRate::parse("8.875").unwrap(),
            reduced: None,
            prices_include_tax: None,
            shipping: Some(ShippingTax::Exempt),
        });
        let ny = settings.rules_for(us, Some("NY"));
        assert_eq!(ny.jurisdiction.standard.percent(), "8.875");
        assert_eq!((ny.prices_include_tax, ny.shipping), (false, ShippingTax::Exempt));
        let de = settings.rules_for(Country::parse("DE").unwrap(), None);
        assert_eq!((de.jurisdiction.rate(TaxCategory::Reduced).percent(), de.prices_include_tax), ("7".into(), true));
        let nowhere = settings.rules_for(Country::parse("AQ").unwrap(), None);
        assert_eq!(nowhere.jurisdiction.standard, TaxRate::ZERO);
    }

    #[test]
    fn property_net_plus_tax_is_gross_for_every_amount_and_rate() {
        let mut cases = Cases(0x5eed);
        for _ in 0..20_000 {
            let amount = cases.next(10_000_000) as i64;
            let rate = TaxRate(cases.next(30_001) as u32);
            for included in [true, false] {
                let t = Taxable { amount, rate }.taxed(included);
                assert_eq!(t.net + t.tax, t.gross, "{amount} at {rate:?}");
                assert!(t.tax >= 0 && t.tax <= t.gross);
                // Within half a minor unit of the exact tax, amount × rate / denominator.
                let denominator = if included { WHOLE + i128::from(rate.0) } else { WHOLE };
                let error = (2 * i128::from(t.tax) * denominator - 2 * i128::from(amount) * i128::from(rate.0)).abs();
                assert!(error <= denominator, "{amount} at {rate:?}: tax {}", t.tax);
            }
        }
    }

    #[test]
    fn property_allocated_parts_sum_to_the_total_and_follow_the_weights() {
        let mut cases = Cases(0xa110c);
        for _ in 0..20_000 {
            let n = 1 + cases.next(8) as usize;
            let weights: Vec<i64> = (0..n).map(|_| cases.next(100_000) as i64).collect();
            let sum: i64 = weights.iter().sum();
            let total = if sum == 0 { 0 } else { cases.next(sum as u64 + 1) as i64 };
            let parts = allocate(total, &weights);
            assert_eq!(parts.iter().sum::<i64>(), total, "{weights:?} {total}");
            for (part, weight) in parts.iter().zip(&weights) {
                assert!(*part <= *weight, "a line never gets more discount than it costs");
                let exact = i128::from(total) * i128::from(*weight);
                assert!((i128::from(*part) * i128::from(sum) - exact).abs() < i128::from(sum));
            }
        }
    }

    #[test]
    fn property_tax_by_rate_sums_to_the_line_taxes() {
        let mut cases = Cases(0xb7);
        let rates = [TaxRate(19_000), TaxRate(7_000), TaxRate(0), TaxRate(6_875)];
        for _ in 0..5_000 {
            let lines: Vec<Taxed> = (0..1 + cases.next(10))
                .map(|_| {
                    let rate = rates[cases.next(4) as usize];
                    Taxable { amount: cases.next(1_000_000) as i64, rate }.taxed(cases.next(2) == 0)
                })
                .collect();
            let grouped = by_rate(lines.iter().copied());
            assert_eq!(grouped.iter().map(|g| g.tax).sum::<i64>(), lines.iter().map(|l| l.tax).sum::<i64>());
            assert_eq!(grouped.iter().map(|g| g.net).sum::<i64>(), lines.iter().map(|l| l.net).sum::<i64>());
        }
    }
}
