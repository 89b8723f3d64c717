//! [`ShippingStore`], [`TaxStore`] and the built-in [`TaxCalculator`] on the
//! table. Each document is one item holding a map (`document`) beside its
//! `version`; a save is a put at the version it was read at, in one
//! transaction with its audit record.

use super::Table;
use super::events::audit_item;
use super::items::{Item, Reader, item, n, s};
use super::keys::{self, PK, SK};
use crate::app::checkout::ports::{ShippingStore, TaxCalculator, TaxStore};
use crate::app::store::StoreError;
use crate::domain::shipping::{Rate, ShippingMethod, ShippingZone, ShippingZones, WeightTier};
use crate::domain::tax::{self, Jurisdiction, ShippingTax, TaxRate, TaxRequest, TaxResult, TaxSettings};
use crate::domain::{AuditRecord, Country, Currency};
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize)]
struct ZoneDoc {
    id: String,
    name: String,
    countries: Vec<String>,
    methods: Vec<MethodDoc>,
}

#[derive(Serialize, Deserialize)]
struct MethodDoc {
    id: String,
    name: String,
    currency: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    flat_amount: Option<i64>,
    /// `[up_to_grams, amount]` pairs.
    #[serde(skip_serializing_if = "Option::is_none")]
    weight_tiers: Option<Vec<(u32, i64)>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    free_from: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    delivery_days: Option<(u16, u16)>,
}

#[derive(Serialize, Deserialize)]
struct TaxDoc {
    prices_include_tax: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    origin: Option<String>,
    shipping: ShippingTax,
    jurisdictions: Vec<JurisdictionDoc>,
}

#[derive(Serialize, Deserialize)]
struct JurisdictionDoc {
    country: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<String>,
    /// Thousandths of a percent.
    standard: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    reduced: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    prices_include_tax: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    shipping: Option<ShippingTax>,
}

fn zones_doc(zones: &ShippingZones) -> Vec<ZoneDoc> {
    zones
        .zones
        .iter()
        .map(|z| ZoneDoc {
            id: z.id.to_string(),
            name: z.name.clone(),
            countries: z.countries.iter().map(|c| c.code().to_owned()).collect(),
            methods: z
                .methods
                .iter()
                .map(|m| MethodDoc {
                    id: m.id.to_string(),
                    name: m.name.clone(),
                    currency: m.currency.code().to_owned(),
                    flat_amount: match m.rate {
                        Rate::Flat(amount) => Some(amount),
                        Rate::WeightTiers(_) => None,
                    },
                    weight_tiers: match &m.rate {
                        Rate::Flat(_) => None,
                        Rate::WeightTiers(tiers) => Some(tiers.iter().map(|t| (t.up_to_grams, t.amount)).collect()),
                    },
                    free_from: m.free_from,
                    delivery_days: m.delivery_days,
                })
                .collect(),
        })
        .collect()
}

fn corrupt(what: &str) -> StoreError {
    StoreError::Corrupt(format!("settings document: {what}"))
}

fn zones_from(docs: Vec<ZoneDoc>, version: u64) -> Result<ShippingZones, StoreError> {
    let country = |c: &str| Country::parse(c).map_err(|_| corrupt("country"));
    let zones = docs
        .into_iter()
        .map(|z| {
            Ok(ShippingZone {
                id: z.id.parse().map_err(|_| corrupt("zone id"))?,
                name: z.name,
                countries: z.countries.iter().map(|c| country(c)).collect::<Result<_, _>>()?,
                methods: z
                    .methods
                    .into_iter()
                    .map(|m| {
                        let rate = match (m.flat_amount, m.weight_tiers) {
                            (Some(amount), _) => Rate::Flat(amount),
                            (None, Some(tiers)) => Rate::WeightTiers(
                                tiers
                                    .into_iter()
                                    .map(|(up_to_grams, amount)| WeightTier { up_to_grams, amount })
                                    .collect(),
                            ),
                            (None, None) => return Err(corrupt("method without a rate")),
                        };
                        Ok(ShippingMethod {
                            id: m.id.parse().map_err(|_| corrupt("method id"))?,
                            name: m.name,
                            currency: Currency::parse(&m.currency).map_err(|_| corrupt("currency"))?,
                            rate,
                            free_from: m.free_from,
                            delivery_days: m.delivery_days,
                        })
                    })
                    .collect::<Result<_, StoreError>>()?,
            })
        })
        .collect::<Result<_, StoreError>>()?;
    Ok(ShippingZones { zones, version })
}

fn tax_doc(t: &TaxSettings) -> TaxDoc {
    TaxDoc {
        prices_include_tax: t.prices_include_tax,
        origin: t.origin.map(|c| c.code().to_owned()),
        shipping: t.shipping,
        jurisdictions: t
            .jurisdictions
            .iter()
            .map(|j| JurisdictionDoc {
                country: j.country.code().to_owned(),
                region: j.region.clone(),
                standard: j.standard.thousandths(),
                reduced: j.reduced.map(TaxRate::thousandths),
                prices_include_tax: j.prices_include_tax,
                shipping: j.shipping,
            })
            .collect(),
    }
}

fn tax_from(doc: TaxDoc, version: u64) -> Result<TaxSettings, StoreError> {
    let country = |c: &str| Country::parse(c).map_err(|_| corrupt("country"));
    Ok(TaxSettings {
        prices_include_tax: doc.prices_include_tax,
        origin: doc.origin.as_deref().map(country).transpose()?,
        shipping: doc.shipping,
        jurisdictions: doc
            .jurisdictions
            .into_iter()
            .map(|j| {
                Ok(Jurisdiction {
                    country: country(&j.country)?,
                    region: j.region,
                    standard: TaxRate::from_thousandths(j.standard),
                    reduced: j.reduced.map(TaxRate::from_thousandths),
                    prices_include_tax: j.prices_include_tax,
                    shipping: j.shipping,
                })
            })
            .collect::<Result<_, StoreError>>()?,
        version,
    })
}

impl Table {
    /// The document under `pk` and its version, if one was ever saved.
    async fn settings<T: for<'de> Deserialize<'de>>(&self, pk: &str) -> Result<Option<(T, u64)>, StoreError> {
        let Some(found) = self.get_consistent(pk.to_owned(), keys::SETTINGS_SK).await? else { return Ok(None) };
        let r = Reader(&found);
        let document = found.get("document").cloned().ok_or_else(|| r.corrupt("document", "missing"))?;
        let document = serde_dynamo::from_attribute_value(document).map_err(|_| r.corrupt("document", "unreadable"))?;
        Ok(Some((document, r.n("version")?)))
    }

    async fn save_settings<T: Serialize>(
        &self,
        pk: &str,
        document: &T,
        version: u64,
        audit: &AuditRecord,
    ) -> Result<(), StoreError> {
        let document = serde_dynamo::to_attribute_value(document).map_err(|e| corrupt(&e.to_string()))?;
        let stored: Item = item([
            (PK, s(pk)),
            (SK, s(keys::SETTINGS_SK)),
            ("entity", s("settings")),
            ("document", document),
            ("version", n(version)),
        ]);
        let write = if version == 1 { self.put_new(stored)? } else { self.put_at_version(stored, version - 1)? };
        match self.transact_versioned(vec![write, self.put_new(audit_item(audit))?]).await {
            // The first save lost to another first save.
            Err(StoreError::NotFound) if version == 1 => Err(StoreError::VersionMismatch { current: 1 }),
            other => other,
        }
    }
}

impl ShippingStore for Table {
    async fn shipping_zones(&self) -> Result<ShippingZones, StoreError> {
        match self.settings::<Vec<ZoneDoc>>(keys::SHIPPING_ZONES_PK).await? {
            None => Ok(ShippingZones::default()),
            Some((docs, version)) => zones_from(docs, version),
        }
    }

    async fn save_shipping_zones(&self, zones: &ShippingZones, audit: &AuditRecord) -> Result<(), StoreError> {
        self.save_settings(keys::SHIPPING_ZONES_PK, &zones_doc(zones), zones.version, audit).await
    }
}

impl TaxStore for Table {
    async fn tax_settings(&self) -> Result<TaxSettings, StoreError> {
        match self.settings::<TaxDoc>(keys::TAX_SETTINGS_PK).await? {
            None => Ok(TaxSettings::default()),
            Some((doc, version)) => tax_from(doc, version),
        }
    }

    async fn save_tax_settings(&self, settings: &TaxSettings, audit: &AuditRecord) -> Result<(), StoreError> {
        self.save_settings(keys::TAX_SETTINGS_PK, &tax_doc(settings), settings.version, audit).await
    }
}

/// The built-in calculator: the shop's settings over Tillbox's rate table.
impl TaxCalculator for Table {
    async fn calculate(&self, request: &TaxRequest) -> Result<Option<TaxResult>, StoreError> {
        let rules = self.tax_settings().await?.rules_for_request(request);
        Ok(rules.map(|rules| tax::calculate(&rules, request)))
    }
}
