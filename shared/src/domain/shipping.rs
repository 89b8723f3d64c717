//! Shipping: the zones a shop sends to (sets of countries), the methods each
//! zone offers and what they cost for a given parcel.
//!
//! The whole set is one document, read in one request at checkout and replaced
//! as a whole at its version, so "a country is in at most one zone" is checked
//! on the whole set and never races.

use super::address::Country;
use super::id::{ShippingMethodId, ShippingZoneId};
use super::money::{Currency, MAX_AMOUNT};
use super::validation::{Checker, FieldError, Invalid};

pub const MAX_ZONES: usize = 50;
pub const MAX_METHODS_PER_ZONE: usize = 20;
pub const MAX_WEIGHT_TIERS: usize = 20;

/// What a method charges before any free-shipping threshold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rate {
    /// The same amount for any parcel.
    Flat(i64),
    /// By the parcel's weight: the first tier whose `up_to_grams` holds it. A
    /// parcel heavier than the last tier is not offered this method.
    WeightTiers(Vec<WeightTier>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WeightTier {
    pub up_to_grams: u32,
    pub amount: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShippingMethod {
    pub id: ShippingMethodId,
    pub name: String,
    pub currency: Currency,
    pub rate: Rate,
    /// Free when the goods (after discount) cost at least this.
    pub free_from: Option<i64>,
    /// Working days to deliver, as the shop promises them: (from, to).
    pub delivery_days: Option<(u16, u16)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShippingZone {
    pub id: ShippingZoneId,
    pub name: String,
    pub countries: Vec<Country>,
    pub methods: Vec<ShippingMethod>,
}

/// Every zone of the shop, at its version (0 while none was ever saved).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ShippingZones {
    pub zones: Vec<ShippingZone>,
    pub version: u64,
}

/// What is being sent: its weight and what its goods cost, in the cart's currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Parcel {
    pub weight_grams: u64,
    pub goods: i64,
    pub currency: Currency,
}

/// A method offered for a parcel, with its price.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quote {
    pub method_id: ShippingMethodId,
    pub name: String,
    pub amount: i64,
    pub delivery_days: Option<(u16, u16)>,
}

impl ShippingMethod {
    /// What this method charges for `parcel`, or `None` if it cannot take it
    /// (another currency, too heavy for its tiers).
    pub fn quote(&self, parcel: &Parcel) -> Option<Quote> {
        if self.currency != parcel.currency {
            return None;
        }
        let charge = match &self.rate {
            Rate::Flat(amount) => *amount,
            Rate::WeightTiers(tiers) => tiers.iter().find(|t| u64::from(t.up_to_grams) >= parcel.weight_grams)?.amount,
        };
        let free = self.free_from.is_some_and(|from| parcel.goods >= from);
        Some(Quote {
            method_id: self.id,
            name: self.name.clone(),
            amount: if free { 0 } else { charge },
            delivery_days: self.delivery_days,
        })
    }
}

impl ShippingZones {
    pub fn zone_of(&self, country: Country) -> Option<&ShippingZone> {
        self.zones.iter().find(|z| z.countries.contains(&country))
    }

    /// The methods that can send `parcel` to `country`, cheapest first; empty
    /// when no zone serves the country or none of its methods takes the parcel.
    pub fn quotes(&self, country: Country, parcel: &Parcel) -> Vec<Quote> {
        let mut quotes: Vec<Quote> = self
            .zone_of(country)
            .map(|z| z.methods.iter().filter_map(|m| m.quote(parcel)).collect())
            .unwrap_or_default();
        quotes.sort_by_key(|q| q.amount);
        quotes
    }

    /// Checks a whole new set of zones. A zone or method that names the `id` of
    /// one in `current` keeps it (orders and carts refer to method ids); one
    /// without gets a new id.
    pub fn parse(inputs: &[ZoneInput], current: &ShippingZones) -> Result<ShippingZones, Invalid> {
        let mut c = Checker::default();
        if inputs.len() > MAX_ZONES {
            c.check::<()>("zones", Err(format!("holds at most {MAX_ZONES} zones")));
        }
        let mut zones = Vec::with_capacity(inputs.len());
        let mut seen: Vec<Country> = Vec::new();
        for (z, input) in inputs.iter().enumerate() {
            let at = |field: &str| format!("zones[{z}].{field}");
            let known = |id: &Option<String>| -> Result<Option<ShippingZoneId>, String> {
                let Some(id) = id else { return Ok(None) };
                let id = id.parse().map_err(|_| "is not a zone id".to_owned())?;
                current
                    .zones
                    .iter()
                    .any(|zone| zone.id == id)
                    .then_some(Some(id))
                    .ok_or("is not a zone of this shop".into())
            };
            let id = c.check(&at("id"), known(&input.id)).flatten().unwrap_or_else(ShippingZoneId::generate);
            if zones.iter().any(|zone: &ShippingZone| zone.id == id) {
                c.check::<()>(&at("id"), Err("appears in an earlier zone".into()));
            }
            let name = c.check(&at("name"), super::validation::text(&input.name, 1, 100));
            if input.countries.is_empty() {
                c.check::<()>(&at("countries"), Err("must hold at least one country".into()));
            }
            let mut countries = Vec::with_capacity(input.countries.len());
            for (i, code) in input.countries.iter().enumerate() {
                let field = format!("zones[{z}].countries[{i}]");
                let Some(country) = c.check(&field, Country::parse(code)) else { continue };
                if seen.contains(&country) {
                    c.check::<()>(
                        &field,
                        Err(format!("{country} is already in another zone (or earlier in this one)")),
                    );
                    continue;
                }
                seen.push(country);
                countries.push(country);
            }
            if input.methods.len() > MAX_METHODS_PER_ZONE {
                c.check::<()>(&at("methods"), Err(format!("holds at most {MAX_METHODS_PER_ZONE} methods")));
            }
            let mut methods = Vec::with_capacity(input.methods.len());
            for (m, method) in input.methods.iter().enumerate() {
                let prefix = format!("zones[{z}].methods[{m}]");
                let existing = current.zones.iter().flat_map(|zone| &zone.methods);
                if let Some(method) = method.check(&prefix, existing, &mut c) {
                    if methods.iter().any(|other: &ShippingMethod| other.id == method.id) {
                        c.check::<()>(&format!("{prefix}.id"), Err("appears in an earlier method".into()));
                    }
                    methods.push(method);
                }
            }
            if let Some(name) = name {
                zones.push(ShippingZone { id, name, countries, methods });
            }
        }
        c.finish()?;
        Ok(ShippingZones { zones, version: current.version + 1 })
    }
}

/// A zone as staff send it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ZoneInput {
    pub id: Option<String>,
    pub name: String,
    pub countries: Vec<String>,
    pub methods: Vec<MethodInput>,
}

/// A method as staff send it: exactly one of `flat_amount` and `weight_tiers`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MethodInput {
    pub id: Option<String>,
    pub name: String,
    pub currency: String,
    pub flat_amount: Option<i64>,
    /// `(up_to_grams, amount)`, lightest first.
    pub weight_tiers: Option<Vec<(i64, i64)>>,
    pub free_from: Option<i64>,
    pub delivery_days: Option<(i64, i64)>,
}

fn amount(value: i64) -> Result<i64, String> {
    (0..=MAX_AMOUNT)
        .contains(&value)
        .then_some(value)
        .ok_or_else(|| format!("must be an integer number of minor units between 0 and {MAX_AMOUNT}"))
}

impl MethodInput {
    fn check<'a>(
        &self,
        prefix: &str,
        mut existing: impl Iterator<Item = &'a ShippingMethod>,
        c: &mut Checker,
    ) -> Option<ShippingMethod> {
        let at = |field: &str| format!("{prefix}.{field}");
        let id = match &self.id {
            None => Some(ShippingMethodId::generate()),
            Some(id) => c.check(
                &at("id"),
                id.parse::<ShippingMethodId>()
                    .ok()
                    .filter(|id| existing.any(|m| m.id == *id))
                    .ok_or_else(|| "is not a shipping method of this shop".to_owned()),
            ),
        };
        let name = c.check(&at("name"), super::validation::text(&self.name, 1, 100));
        let currency = c.check(&at("currency"), Currency::parse(&self.currency));
        let rate = match (self.flat_amount, &self.weight_tiers) {
            (Some(flat), None) => c.check(&at("flat_amount"), amount(flat)).map(Rate::Flat),
            (None, Some(tiers)) => {
                let mut checked: Vec<WeightTier> = Vec::with_capacity(tiers.len());
                if tiers.is_empty() || tiers.len() > MAX_WEIGHT_TIERS {
                    c.check::<()>(&at("weight_tiers"), Err(format!("must hold 1 to {MAX_WEIGHT_TIERS} tiers")));
                }
                for (i, (up_to, price)) in tiers.iter().enumerate() {
                    let field = format!("{prefix}.weight_tiers[{i}]");
                    let up_to = u32::try_from(*up_to)
                        .ok()
                        .filter(|g| *g > 0)
                        .filter(|g| checked.last().is_none_or(|last| *g > last.up_to_grams))
                        .ok_or_else(|| "must be a whole number of grams above the previous tier's".to_owned());
                    let up_to = c.check(&format!("{field}.up_to_grams"), up_to);
                    let price = c.check(&format!("{field}.amount"), amount(*price));
                    if let (Some(up_to_grams), Some(amount)) = (up_to, price) {
                        checked.push(WeightTier { up_to_grams, amount });
                    }
                }
                Some(Rate::WeightTiers(checked))
            }
            _ => c.check(&at("flat_amount"), Err("give either flat_amount or weight_tiers".to_owned())),
        };
        let free_from = self.free_from.and_then(|f| c.check(&at("free_from"), amount(f)));
        let delivery_days = match self.delivery_days {
            None => None,
            Some((from, to)) => c.check(
                &at("delivery_days"),
                u16::try_from(from)
                    .ok()
                    .zip(u16::try_from(to).ok())
                    .filter(|(from, to)| from <= to && *to <= 365)
                    .ok_or_else(|| "must be from ≤ to, whole days up to 365".to_owned()),
            ),
        };
        Some(ShippingMethod { id: id?, name: name?, currency: currency?, rate: rate?, free_from, delivery_days })
    }
}

/// Why a cart or order cannot be shipped as asked: always before payment.
pub fn unshippable(country: Country) -> Invalid {
    Invalid(vec![FieldError::new("shipping_address.country", format!("this shop does not ship to {country}"))])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eur() -> Currency {
        Currency::parse("EUR").unwrap()
    }

    fn zones() -> ShippingZones {
        let input = [
            ZoneInput {
                name: "Germany".into(),
                countries: vec!["DE".into()],
                methods: vec![
                    MethodInput {
                        name: "Standard".into(),
                        currency: "EUR".into(),
                        flat_amount: Some(490),
                        free_from: Some(5000),
                        delivery_days: Some((2, 4)),
                        ..MethodInput::default()
                    },
                    MethodInput {
                        name: "Parcel".into(),
                        currency: "EUR".into(),
                        weight_tiers: Some(vec![(1000, 590), (5000, 990)]),
                        ..MethodInput::default()
                    },
                ],
                ..ZoneInput::default()
            },
            ZoneInput { name: "Benelux".into(), countries: vec!["NL".into(), "BE".into()], ..ZoneInput::default() },
        ];
        ShippingZones::parse(&input, &ShippingZones::default()).unwrap()
    }

    #[test]
    fn methods_are_priced_by_weight_and_free_above_a_threshold() {
        let zones = zones();
        let de = Country::parse("DE").unwrap();
        let parcel = Parcel { weight_grams: 1200, goods: 3000, currency: eur() };
        let quotes = zones.quotes(de, &parcel);
        assert_eq!(
            quotes.iter().map(|q| (q.name.as_str(), q.amount)).collect::<Vec<_>>(),
            [("Standard", 490), ("Parcel", 990)]
        );
        let free = zones.quotes(de, &Parcel { goods: 5000, ..parcel });
        assert_eq!(free[0].amount, 0);
        let heavy = zones.quotes(de, &Parcel { weight_grams: 5001, ..parcel });
        assert_eq!(heavy.len(), 1, "too heavy for the tiers");
        let usd = Parcel { currency: Currency::parse("USD").unwrap(), ..parcel };
        assert!(zones.quotes(de, &usd).is_empty());
        assert!(zones.quotes(Country::parse("FR").unwrap(), &parcel).is_empty());
    }

    #[test]
    fn ids_are_kept_when_named_and_countries_belong_to_one_zone() {
        let current = zones();
        let again = ZoneInput {
            id: Some(current.zones[0].id.to_string()),
            name: "DE".into(),
            countries: vec!["DE".into()],
            methods: vec![MethodInput {
                id: Some(current.zones[0].methods[1].id.to_string()),
                name: "Parcel".into(),
                currency: "EUR".into(),
                flat_amount: Some(1),
                ..MethodInput::default()
            }],
        };
        let next = ShippingZones::parse(std::slice::from_ref(&again), &current).unwrap();
        assert_eq!(
            (next.zones[0].id, next.zones[0].methods[0].id),
            (current.zones[0].id, current.zones[0].methods[1].id)
        );
        assert_eq!(next.version, current.version + 1);

        let clash =
            ZoneInput { id: None, name: "Also DE".into(), countries: vec!["de".into(), "DE".into()], methods: vec![] };
        let Invalid(errors) = ShippingZones::parse(&[again, clash], &current).unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["zones[1].countries[0]", "zones[1].countries[1]"]);
    }

    #[test]
    fn methods_are_checked_field_by_field() {
        let bad = ZoneInput {
            name: "X".into(),
            countries: vec!["FR".into()],
            methods: vec![
                MethodInput { name: "".into(), currency: "eur".into(), ..MethodInput::default() },
                MethodInput {
                    name: "Tiers".into(),
                    currency: "EUR".into(),
                    weight_tiers: Some(vec![(500, 100), (500, -1)]),
                    delivery_days: Some((5, 2)),
                    ..MethodInput::default()
                },
            ],
            ..ZoneInput::default()
        };
        let Invalid(errors) = ShippingZones::parse(&[bad], &ShippingZones::default()).unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "zones[0].methods[0].name",
                "zones[0].methods[0].currency",
                "zones[0].methods[0].flat_amount",
                "zones[0].methods[1].weight_tiers[1].up_to_grams",
                "zones[0].methods[1].weight_tiers[1].amount",
                "zones[0].methods[1].delivery_days",
            ]
        );
    }
}
