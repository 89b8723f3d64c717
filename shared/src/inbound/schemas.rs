//! How the domain's value types appear in the OpenAPI document. The domain knows
//! nothing of the document; the edge that puts these types on the wire (request
//! bodies, answers, parameters) describes them here, once.

use crate::domain::tax::{ShippingTax, TaxCategory};
use crate::domain::validation::FieldError;
use crate::domain::{
    AddressId, AuditId, CartId, EventId, ExportId, ImageId, OrderId, OrderStatus, ProductId, ProductStatus, ReturnId,
    Role, SessionId, ShippingMethodId, ShippingZoneId, UserId, VariantId, WebhookEndpointId,
};
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, Schema, SchemaFormat, Type};
use utoipa::{PartialSchema, ToSchema};

/// Ids are UUID strings on the wire.
macro_rules! uuid_schema {
    ($($id:ty),+) => {$(
        impl PartialSchema for $id {
            fn schema() -> RefOr<Schema> {
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .format(Some(SchemaFormat::KnownFormat(KnownFormat::Uuid)))
                    .into()
            }
        }

        impl ToSchema for $id {}
    )+};
}

uuid_schema!(
    AddressId,
    ReturnId,
    ShippingMethodId,
    ShippingZoneId,
    AuditId,
    CartId,
    EventId,
    ExportId,
    ImageId,
    OrderId,
    ProductId,
    SessionId,
    UserId,
    VariantId,
    WebhookEndpointId
);

/// Enums are their `as_str` names, which is also how serde writes them (a test
/// below holds the two together).
macro_rules! names_schema {
    ($($kind:ty),+) => {$(
        impl PartialSchema for $kind {
            fn schema() -> RefOr<Schema> {
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .enum_values(Some(<$kind>::ALL.map(<$kind>::as_str)))
                    .into()
            }
        }

        impl ToSchema for $kind {}
    )+};
}

names_schema!(OrderStatus, ProductStatus, Role, TaxCategory, ShippingTax);

impl PartialSchema for FieldError {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::Object)
            .description(Some(
                "One rejected input field, named by its dotted path in the request body\n(`price.amount`) or by \
                 the query parameter it came from.",
            ))
            .property("field", String::schema())
            .required("field")
            .property("message", String::schema())
            .required("message")
            .into()
    }
}

impl ToSchema for FieldError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documented_names_are_the_names_serde_writes() {
        for status in OrderStatus::ALL {
            assert_eq!(serde_json::to_value(status).unwrap(), status.as_str());
        }
        for status in ProductStatus::ALL {
            assert_eq!(serde_json::to_value(status).unwrap(), status.as_str());
        }
        for category in TaxCategory::ALL {
            assert_eq!(serde_json::to_value(category).unwrap(), category.as_str());
        }
        for rule in ShippingTax::ALL {
            assert_eq!(serde_json::to_value(rule).unwrap(), rule.as_str());
        }
        for role in Role::ALL {
            assert_eq!(serde_json::to_value(role).unwrap(), role.as_str());
        }
        let field = serde_json::to_value(FieldError::new("price.amount", "must be positive")).unwrap();
        assert_eq!(field, serde_json::json!({"field": "price.amount", "message": "must be positive"}));
    }
}
