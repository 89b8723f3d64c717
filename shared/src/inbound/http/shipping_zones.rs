//! `/shipping-zones`: where the shop ships and what each method costs. Anyone
//! may read them (a storefront says where it delivers); admins replace the
//! whole set at its version.

use super::context::TableAccess;
use super::now;
use super::problem::ApiError;
use super::request::{RequestExtras, json_body, signed_in};
use super::response::{Reply, versioned};
use crate::app::checkout;
use crate::domain::ShippingMethodId;
use crate::domain::shipping::{MethodInput, Rate, ShippingZones, ZoneInput};
use lambda_http::Request;
use lambda_http::http::StatusCode;
use serde::{Deserialize, Serialize};

/// Every zone, as stored and as `PUT` takes it back (ids keep zones and
/// methods; leave `id` out for a new one).
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ShippingZonesBody {
    /// At most 50; each country in at most one zone.
    #[schema(max_items = 50)]
    zones: Vec<ZoneBody>,
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct ZoneBody {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(format = Uuid)]
    id: Option<String>,
    #[schema(min_length = 1, max_length = 100)]
    name: String,
    /// ISO 3166-1 alpha-2 codes.
    #[schema(min_items = 1)]
    countries: Vec<String>,
    #[serde(default)]
    #[schema(max_items = 20)]
    methods: Vec<MethodBody>,
}

/// A shipping method: exactly one of `flat_amount` and `weight_tiers`, in
/// minor units of `currency` (and in the prices' tax basis).
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct MethodBody {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<ShippingMethodId>)]
    id: Option<String>,
    #[schema(min_length = 1, max_length = 100)]
    name: String,
    #[schema(pattern = "^[A-Z]{3}$")]
    currency: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 0, maximum = 1_000_000_000_000.0)]
    flat_amount: Option<i64>,
    /// Lightest first: a parcel pays the first tier that holds its weight (the
    /// variants' `weight_grams` times quantity); heavier than the last, the
    /// method is not offered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_items = 20)]
    weight_tiers: Option<Vec<WeightTierBody>>,
    /// Free when the goods, after discount, cost at least this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 0, maximum = 1_000_000_000_000.0)]
    free_from: Option<i64>,
    /// Working days to deliver: `[from, to]`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Vec<i64>>, min_items = 2, max_items = 2)]
    delivery_days: Option<(i64, i64)>,
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct WeightTierBody {
    #[schema(minimum = 1, maximum = 4_294_967_295_i64)]
    up_to_grams: i64,
    #[schema(minimum = 0, maximum = 1_000_000_000_000.0)]
    amount: i64,
}

impl ShippingZonesBody {
    fn new(stored: &ShippingZones) -> Self {
        let zones = stored
            .zones
            .iter()
            .map(|z| ZoneBody {
                id: Some(z.id.to_string()),
                name: z.name.clone(),
                countries: z.countries.iter().map(|c| c.code().to_owned()).collect(),
                methods: z
                    .methods
                    .iter()
                    .map(|m| MethodBody {
                        id: Some(m.id.to_string()),
                        name: m.name.clone(),
                        currency: m.currency.code().to_owned(),
                        flat_amount: match m.rate {
                            Rate::Flat(amount) => Some(amount),
                            Rate::WeightTiers(_) => None,
                        },
                        weight_tiers: match &m.rate {
                            Rate::Flat(_) => None,
                            Rate::WeightTiers(tiers) => Some(
                                tiers
                                    .iter()
                                    .map(|t| WeightTierBody { up_to_grams: i64::from(t.up_to_grams), amount: t.amount })
                                    .collect(),
                            ),
                        },
                        free_from: m.free_from,
                        delivery_days: m.delivery_days.map(|(a, b)| (i64::from(a), i64::from(b))),
                    })
                    .collect(),
            })
            .collect();
        Self { zones }
    }

    fn into_inputs(self) -> Vec<ZoneInput> {
        self.zones
            .into_iter()
            .map(|z| ZoneInput {
                id: z.id,
                name: z.name,
                countries: z.countries,
                methods: z
                    .methods
                    .into_iter()
                    .map(|m| MethodInput {
                        id: m.id,
                        name: m.name,
                        currency: m.currency,
                        flat_amount: m.flat_amount,
                        weight_tiers: m
                            .weight_tiers
                            .map(|t| t.into_iter().map(|t| (t.up_to_grams, t.amount)).collect()),
                        free_from: m.free_from,
                        delivery_days: m.delivery_days,
                    })
                    .collect(),
            })
            .collect()
    }
}

/// `GET /shipping-zones`: every zone and its methods (public).
#[utoipa::path(
    get,
    path = "/shipping-zones",
    operation_id = "shipping_zones_get",
    tag = "checkout",
    security(()),
    responses(
        (status = 200, description = "Every zone; `ETag` is the version `PUT` needs in `If-Match` (`\"0\"` \
            before the first).",
            body = ShippingZonesBody),
    ),
)]
pub async fn get(ctx: &TableAccess, _request: Request) -> Result<Reply, ApiError> {
    let zones = checkout::shipping_zones(&ctx.table).await?;
    Ok(versioned(StatusCode::OK, &ShippingZonesBody::new(&zones), zones.version))
}

/// `PUT /shipping-zones` (admin): replaces every zone and method at once.
#[utoipa::path(
    put,
    path = "/shipping-zones",
    operation_id = "shipping_zones_replace",
    tag = "checkout",
    security(("bearer" = ["admin"])),
    params(super::params::IfMatch),
    request_body = ShippingZonesBody,
    responses(
        (status = 200, description = "Replaced; zones and methods sent without `id` got one.",
            body = ShippingZonesBody),
        (status = 412, description = "Problem `code`: `version_mismatch`: changed since the `If-Match` version."),
        (status = 422, description = "Problem naming the field: `zones[0].countries[1]` (unknown, or already \
            in a zone), `zones[0].methods[0].flat_amount`, …"),
    ),
)]
pub async fn replace(ctx: &TableAccess, request: Request) -> Result<Reply, ApiError> {
    let principal = signed_in(&request, &ctx.verifier, &ctx.table).await?;
    let expected = request.if_match()?;
    let body: ShippingZonesBody = json_body(&request)?;
    let zones = checkout::replace_shipping_zones(&ctx.table, &principal, &body.into_inputs(), expected, now()).await?;
    Ok(versioned(StatusCode::OK, &ShippingZonesBody::new(&zones), zones.version))
}
