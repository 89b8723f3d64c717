//! Postal addresses on the wire: the same shape in requests (a cart's or an
//! order's addresses) and in answers (what was stored, normalised).

use crate::domain::{Address, AddressInput};
use serde::{Deserialize, Serialize};

/// A postal address. `country` is an ISO 3166-1 alpha-2 code; `region` (the
/// two-letter state or province) is required for US and CA; `postal_code` is
/// required, and its format checked, for the countries that have one (DE, FR,
/// GB, NL, US, CA and others). Text fields may not hold control characters.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddressBody {
    #[schema(min_length = 1, max_length = 100)]
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 100)]
    pub company: Option<String>,
    #[schema(min_length = 1, max_length = 200)]
    pub line1: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 200)]
    pub line2: Option<String>,
    #[schema(min_length = 1, max_length = 100)]
    pub city: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 100)]
    pub region: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 16)]
    pub postal_code: Option<String>,
    #[schema(pattern = "^[A-Z]{2}$", example = "DE")]
    pub country: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 32)]
    pub phone: Option<String>,
}

impl AddressBody {
    pub fn new(address: &Address) -> Self {
        let a = address.to_input();
        Self {
            name: a.name,
            company: a.company,
            line1: a.line1,
            line2: a.line2,
            city: a.city,
            region: a.region,
            postal_code: a.postal_code,
            country: a.country,
            phone: a.phone,
        }
    }

    pub fn into_input(self) -> AddressInput {
        AddressInput {
            name: self.name,
            company: self.company,
            line1: self.line1,
            line2: self.line2,
            city: self.city,
            region: self.region,
            postal_code: self.postal_code,
            country: self.country,
            phone: self.phone,
        }
    }
}
