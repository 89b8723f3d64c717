//! Money on the wire, the same shape in requests and answers.

use crate::domain::money::{Currency, Money, MoneyInput as UncheckedMoney};
use serde::{Deserialize, Serialize};

/// Money on the wire: `{"amount": 1999, "currency": "EUR"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MoneyInput {
    /// Minor units (cents for EUR): an integer, never a decimal.
    #[schema(minimum = 0, maximum = 1_000_000_000_000.0)]
    pub amount: i64,
    #[schema(schema_with = currency_schema)]
    pub currency: String,
}

/// The API documents exactly the codes [`Currency::parse`] accepts.
fn currency_schema() -> utoipa::openapi::Object {
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::String)
        .description(Some("An ISO 4217 code, upper case."))
        .enum_values(Some(Currency::codes()))
        .build()
}

/// [`currency_schema`] where a body may leave the currency out or give `null`.
pub fn optional_currency_schema() -> utoipa::openapi::Object {
    use utoipa::openapi::schema::{SchemaType, Type};
    let codes = Currency::codes().map(serde_json::Value::from).chain([serde_json::Value::Null]);
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(SchemaType::from_iter([Type::String, Type::Null]))
        .description(Some("An ISO 4217 code, upper case."))
        .enum_values(Some(codes))
        .build()
}

impl MoneyInput {
    pub fn into_domain(self) -> UncheckedMoney {
        UncheckedMoney { amount: self.amount, currency: self.currency }
    }
}

impl From<Money> for MoneyInput {
    fn from(money: Money) -> Self {
        Self { amount: money.amount, currency: money.currency.code().to_owned() }
    }
}
