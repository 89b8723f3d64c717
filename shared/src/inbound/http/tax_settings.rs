//! `/tax-settings`: whether prices include tax, how shipping is taxed, where
//! the shop sells from, and rates that replace or add to the built-in table.
//! Staff read them; admins replace them at their version.

use super::context::TableAccess;
use super::now;
use super::problem::ApiError;
use super::request::{RequestExtras, json_body, signed_in};
use super::response::{Reply, versioned};
use crate::app::checkout;
use crate::domain::tax::{Jurisdiction, ShippingTax, TaxRate, TaxSettings};
use crate::domain::{Country, FieldError, Invalid};
use lambda_http::Request;
use lambda_http::http::StatusCode;
use serde::{Deserialize, Serialize};

/// The tax settings. Rates are percentages as decimal strings (`"19"`,
/// `"6.875"`). A destination without an entry here uses Tillbox's built-in
/// rates (EU, UK, CH, NO VAT; US state base sales tax; Canadian GST/HST);
/// US and Canadian prices are before tax unless an entry says otherwise.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TaxSettingsBody {
    /// `true`: catalog prices and shipping include tax (EU style); `false`: tax
    /// is added at checkout (US style).
    prices_include_tax: bool,
    /// How shipping is taxed: `standard` (the destination's standard rate),
    /// `highest_line_rate` (follows the goods) or `exempt`.
    #[serde(default)]
    shipping: ShippingTax,
    /// Where the shop sells from (ISO 3166-1 alpha-2): orders with no address
    /// are taxed here; `null`: not taxed.
    #[serde(default)]
    #[schema(pattern = "^[A-Z]{2}$")]
    origin_country: Option<String>,
    #[serde(default)]
    #[schema(max_items = 300)]
    rates: Vec<RateBody>,
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct RateBody {
    #[schema(pattern = "^[A-Z]{2}$")]
    country: String,
    /// A US state or Canadian province code, for a rate of its own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    region: Option<String>,
    #[schema(pattern = "^[0-9]{1,3}(\\.[0-9]{1,3})?$", example = "19")]
    standard: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(pattern = "^[0-9]{1,3}(\\.[0-9]{1,3})?$", example = "7")]
    reduced: Option<String>,
    /// Overrides the shop's `prices_include_tax` here.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    prices_include_tax: Option<bool>,
    /// Overrides the shop's shipping rule here.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    shipping: Option<ShippingTax>,
}

impl TaxSettingsBody {
    fn new(t: &TaxSettings) -> Self {
        Self {
            prices_include_tax: t.prices_include_tax,
            shipping: t.shipping,
            origin_country: t.origin.map(|c| c.code().to_owned()),
            rates: t
                .jurisdictions
                .iter()
                .map(|j| RateBody {
                    country: j.country.code().to_owned(),
                    region: j.region.clone(),
                    standard: j.standard.percent(),
                    reduced: j.reduced.map(TaxRate::percent),
                    prices_include_tax: j.prices_include_tax,
                    shipping: j.shipping,
                })
                .collect(),
        }
    }

    fn into_domain(self) -> Result<TaxSettings, Invalid> {
        fn check<T>(errors: &mut Vec<FieldError>, field: String, result: Result<T, String>) -> Option<T> {
            result.map_err(|message| errors.push(FieldError::new(field, message))).ok()
        }
        let mut errors = Vec::new();
        let origin = self.origin_country.and_then(|c| check(&mut errors, "origin_country".into(), Country::parse(&c)));
        let mut jurisdictions = Vec::with_capacity(self.rates.len());
        for (i, rate) in self.rates.into_iter().enumerate() {
            let country = check(&mut errors, format!("rates[{i}].country"), Country::parse(&rate.country));
            let standard = check(&mut errors, format!("rates[{i}].standard"), TaxRate::parse(&rate.standard));
            let reduced = match rate.reduced {
                None => Some(None),
                Some(r) => check(&mut errors, format!("rates[{i}].reduced"), TaxRate::parse(&r)).map(Some),
            };
            let region = rate.region.map(|r| r.trim().to_ascii_uppercase()).filter(|r| !r.is_empty());
            let region = match region {
                Some(r) if r.len() > 3 || !r.bytes().all(|b| b.is_ascii_alphanumeric()) => check(
                    &mut errors,
                    format!("rates[{i}].region"),
                    Err("must be a state or province code like NY or ON".into()),
                ),
                other => Some(other),
            };
            if let (Some(country), Some(standard), Some(reduced), Some(region)) = (country, standard, reduced, region) {
                jurisdictions.push(Jurisdiction {
                    country,
                    region,
                    standard,
                    reduced,
                    prices_include_tax: rate.prices_include_tax,
                    shipping: rate.shipping,
                });
            }
        }
        if !errors.is_empty() {
            return Err(Invalid(errors));
        }
        Ok(TaxSettings {
            prices_include_tax: self.prices_include_tax,
            origin,
            shipping: self.shipping,
            jurisdictions,
            version: 0,
        })
    }
}

/// `GET /tax-settings` (staff).
#[utoipa::path(
    get,
    path = "/tax-settings",
    operation_id = "tax_settings_get",
    tag = "checkout",
    security(("bearer" = ["staff"])),
    responses(
        (status = 200, description = "The settings; `ETag` is the version `PUT` needs in `If-Match` \
            (`\"0\"`: never saved, the defaults apply).", body = TaxSettingsBody),
    ),
)]
pub async fn get(ctx: &TableAccess, request: Request) -> Result<Reply, ApiError> {
    let principal = signed_in(&request, &ctx.verifier, &ctx.table).await?;
    let settings = checkout::tax_settings(&ctx.table, &principal).await?;
    Ok(versioned(StatusCode::OK, &TaxSettingsBody::new(&settings), settings.version))
}

/// `PUT /tax-settings` (admin): replaces the settings. Orders placed before
/// keep the taxes they were placed with.
#[utoipa::path(
    put,
    path = "/tax-settings",
    operation_id = "tax_settings_replace",
    tag = "checkout",
    security(("bearer" = ["admin"])),
    params(super::params::IfMatch),
    request_body = TaxSettingsBody,
    responses(
        (status = 200, description = "Replaced.", body = TaxSettingsBody),
        (status = 412, description = "Problem `code`: `version_mismatch`: changed since the `If-Match` version."),
        (status = 422, description = "Problem naming the field: `rates[0].standard`, `rates[1].country`, …"),
    ),
)]
pub async fn replace(ctx: &TableAccess, request: Request) -> Result<Reply, ApiError> {
    let principal = signed_in(&request, &ctx.verifier, &ctx.table).await?;
    let expected = request.if_match()?;
    let body: TaxSettingsBody = json_body(&request)?;
    let settings = body.into_domain().map_err(crate::app::error::CommonError::from)?;
    let settings = checkout::replace_tax_settings(&ctx.table, &principal, settings, expected, now()).await?;
    Ok(versioned(StatusCode::OK, &TaxSettingsBody::new(&settings), settings.version))
}
