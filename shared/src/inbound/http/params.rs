//! The parameters many operations share, as the OpenAPI document describes them.
//! The edge reads them in [`super::request`] and [`super::idempotency`]; these
//! types only document them.

use crate::domain::{EventId, ExportId, OrderId, ProductId, UserId, VariantId, WebhookEndpointId};
use utoipa::IntoParams;

/// `limit` and `cursor`, as every listing takes them.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// How many items to return.
    #[param(minimum = 1, maximum = 100, default = 20)]
    pub limit: Option<u16>,
    /// The `next_cursor` of the previous page; only valid for the same listing.
    #[param(min_length = 1, max_length = 2048, pattern = "^[A-Za-z0-9_-]+$")]
    pub cursor: Option<String>,
}

/// `Idempotency-Key` where a create moves money or stock: without one the
/// request is refused.
#[derive(IntoParams)]
#[into_params(parameter_in = Header)]
pub struct IdempotencyKeyRequired {
    /// A new unique key (e.g. a UUID) per request, the same one when retrying it:
    /// a retry replays the first answer (`Idempotent-Replayed: true`) for 24 hours.
    #[param(rename = "Idempotency-Key", min_length = 1, max_length = 255, pattern = "^[!-~]+$")]
    pub key: String,
}

/// `Idempotency-Key` where a retry is harmless without one but a key makes it
/// replay the first answer.
#[derive(IntoParams)]
#[into_params(parameter_in = Header)]
pub struct IdempotencyKeyOptional {
    /// A new unique key (e.g. a UUID) per request, the same one when retrying it:
    /// a retry replays the first answer (`Idempotent-Replayed: true`) for 24 hours.
    #[param(rename = "Idempotency-Key", min_length = 1, max_length = 255, pattern = "^[!-~]+$")]
    pub key: Option<String>,
}

/// `If-Match` where a change must name the version it was made to (else 428).
#[derive(IntoParams)]
#[into_params(parameter_in = Header)]
pub struct IfMatchRequired {
    /// The `ETag` of the version you read, e.g. `"3"`.
    #[param(rename = "If-Match", pattern = "^(W/)?\"?[0-9]{1,19}\"?$")]
    pub version: String,
}

/// `Order-Token`: a guest's signed link to one order, instead of a bearer token.
#[derive(IntoParams)]
#[into_params(parameter_in = Header)]
pub struct OrderToken {
    /// The order link a guest checkout answered (`Order-Token` header) or the
    /// confirmation e-mail carries; opens only its own order, for 30 days.
    #[param(rename = "Order-Token", max_length = 4096)]
    pub token: Option<String>,
}

/// `If-Match` for optimistic concurrency: the change applies only to that version.
#[derive(IntoParams)]
#[into_params(parameter_in = Header)]
pub struct IfMatch {
    /// The `ETag` of the version you read, e.g. `"3"`.
    #[param(rename = "If-Match", pattern = "^(W/)?\"?[0-9]{1,19}\"?$")]
    pub version: Option<String>,
}

/// `{id}` of a product.
#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
pub struct ProductPath {
    /// The product's id.
    pub id: ProductId,
}

/// `{id}` of a product and `{variant_id}` of one of its variants.
#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
pub struct VariantPath {
    /// The product's id.
    pub id: ProductId,
    /// The variant's id.
    pub variant_id: VariantId,
}

/// `{id}` of an order.
#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
pub struct OrderPath {
    /// The order's id.
    pub id: OrderId,
}

/// `{id}` of a user.
#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
pub struct UserPath {
    /// The user's id.
    pub id: UserId,
}

/// `{id}` of an export.
#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
pub struct ExportPath {
    /// The export's id.
    pub id: ExportId,
}

/// `{id}` of a webhook endpoint.
#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
pub struct WebhookEndpointPath {
    /// The endpoint's id.
    pub id: WebhookEndpointId,
}

/// `{id}` of a webhook endpoint and `{delivery_id}` of one of its deliveries.
#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
pub struct DeliveryPath {
    /// The endpoint's id.
    pub id: WebhookEndpointId,
    /// The delivery's id (its event's).
    pub delivery_id: EventId,
}

/// `{code}` of a discount.
#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
pub struct DiscountPath {
    /// The discount code.
    pub code: String,
}

/// `{file}` of the documentation page.
#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
pub struct DocsFilePath {
    /// `swagger-ui-bundle.js`, `swagger-ui.css` or `init.js`.
    pub file: String,
}
