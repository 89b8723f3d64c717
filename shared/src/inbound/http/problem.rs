//! RFC 9457 problem details with a stable machine-readable `code`.

use crate::app::accounts::AccountsError;
use crate::app::carts::CartsError;
use crate::app::catalog::CatalogError;
use crate::app::error::CommonError;
use crate::app::orders::OrdersError;
use crate::app::payments::PaymentsError;
use crate::app::payments::ports::ProviderError;
use crate::app::receipts::ReceiptsError;
use crate::app::returns::ReturnsError;
use crate::app::store::StoreError;
use crate::app::webhooks::WebhooksError;
use crate::domain::access_token::AuthError;
use crate::domain::returns::ReturnRefused;
use crate::domain::{FieldError, Invalid, RefundRefused};
use lambda_http::http::StatusCode;
use lambda_http::{Body, Response};
use serde::Serialize;

/// The HTTP layer's one error type: everything a handler can fail with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub status: StatusCode,
    /// Stable identifier clients can branch on; the `detail` text may change.
    pub code: &'static str,
    pub detail: String,
    pub errors: Vec<FieldError>,
    headers: Vec<(&'static str, String)>,
}

/// An RFC 9457 problem details body (`application/problem+json`).
#[derive(Serialize, utoipa::ToSchema)]
pub(super) struct Problem<'a> {
    /// Always `about:blank`: `code` says what went wrong.
    #[serde(rename = "type")]
    kind: &'static str,
    /// The HTTP status's reason phrase.
    title: &'static str,
    status: u16,
    /// Stable and machine-readable: branch on this, not on `detail`.
    #[schema(example = "validation_failed")]
    code: &'static str,
    /// For people; the wording may change.
    detail: &'a str,
    /// The first input at fault: a body field's dotted path, a query parameter or a header.
    #[serde(skip_serializing_if = "Option::is_none")]
    field: Option<&'a str>,
    /// Every input at fault, when there are several.
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    errors: &'a [FieldError],
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, detail: impl Into<String>) -> Self {
        Self { status, code, detail: detail.into(), errors: Vec::new(), headers: Vec::new() }
    }

    /// A problem with one named input field.
    pub fn field(status: StatusCode, code: &'static str, field: &str, message: impl Into<String>) -> Self {
        let message = message.into();
        Self {
            errors: vec![FieldError::new(field, message.clone())],
            ..Self::new(status, code, format!("{field}: {message}"))
        }
    }

    pub fn with_header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    pub fn not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", "no such resource")
    }

    pub fn unauthorized(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "unauthorized", detail).with_header("www-authenticate", "Bearer")
    }

    pub fn invalid(Invalid(errors): Invalid) -> Self {
        let detail = errors.iter().map(|e| format!("{}: {}", e.field, e.message)).collect::<Vec<_>>().join("; ");
        Self { errors, ..Self::new(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed", detail) }
    }

    /// Query parameters, like every listing's: 400 `invalid_query`, naming each
    /// parameter.
    pub fn invalid_query(invalid: Invalid) -> Self {
        Self { status: StatusCode::BAD_REQUEST, code: "invalid_query", ..Self::invalid(invalid) }
    }

    /// The status's reason phrase, as RFC 9110 names it (it renamed 413 and 422;
    /// `http` keeps the older names).
    fn title(&self) -> &'static str {
        match self.status {
            StatusCode::PAYLOAD_TOO_LARGE => "Content Too Large",
            StatusCode::UNPROCESSABLE_ENTITY => "Unprocessable Content",
            status => status.canonical_reason().unwrap_or("Internal Server Error"),
        }
    }

    pub fn into_response(mut self) -> Response<Body> {
        if self.status.is_server_error() {
            // The real detail (a corrupt item's key, an SDK message) goes to the log,
            // which carries the request id; the client gets a generic one.
            tracing::error!(code = self.code, detail = %self.detail, "request failed");
            if self.code == "internal" {
                self.detail = "an internal error occurred; it has been logged".to_owned();
            }
        }
        let problem = Problem {
            kind: "about:blank",
            title: self.title(),
            status: self.status.as_u16(),
            code: self.code,
            detail: &self.detail,
            field: self.errors.first().map(|e| e.field.as_str()),
            errors: &self.errors,
        };
        let mut response = Response::builder().status(self.status).header("content-type", "application/problem+json");
        for (name, value) in &self.headers {
            response = response.header(*name, value);
        }
        let body = serde_json::to_string(&problem).expect("problems serialise");
        response.body(Body::Text(body)).expect("status and headers are valid")
    }
}

impl From<AuthError> for ApiError {
    fn from(error: AuthError) -> Self {
        Self::unauthorized(error.to_string())
    }
}

/// The failures every context shares, mapped here once.
impl From<CommonError> for ApiError {
    fn from(error: CommonError) -> Self {
        let detail = error.to_string();
        match error {
            CommonError::Invalid(invalid) => Self::invalid(invalid),
            CommonError::Forbidden { .. } => Self::new(StatusCode::FORBIDDEN, "forbidden", detail),
            CommonError::NotFound => Self::not_found(),
            CommonError::StaleVersion { current, .. } => {
                Self::new(StatusCode::PRECONDITION_FAILED, "version_mismatch", detail)
                    .with_header("etag", format!("\"{current}\""))
            }
            CommonError::BadCursor => {
                Self::field(StatusCode::BAD_REQUEST, "invalid_query", "cursor", "is not a cursor from this listing")
            }
            CommonError::Store(error) => Self::from(error),
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::Unavailable(detail) => {
                tracing::error!(%detail, "storage unavailable");
                Self::new(StatusCode::SERVICE_UNAVAILABLE, "unavailable", "storage is unavailable; retry shortly")
                    .with_header("retry-after", "1")
            }
            other => Self::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", other.to_string()),
        }
    }
}

impl From<CatalogError> for ApiError {
    fn from(error: CatalogError) -> Self {
        let detail = error.to_string();
        match error {
            CatalogError::SkuTaken { field, .. } => Self::field(StatusCode::CONFLICT, "sku_taken", &field, detail),
            CatalogError::TooManyImages(_) => Self::new(StatusCode::CONFLICT, "too_many_images", detail),
            CatalogError::Common(common) => common.into(),
        }
    }
}

impl From<AccountsError> for ApiError {
    fn from(error: AccountsError) -> Self {
        let detail = error.to_string();
        match error {
            AccountsError::InvalidCredentials => Self::new(StatusCode::UNAUTHORIZED, "invalid_credentials", detail),
            AccountsError::EmailNotVerified => Self::new(StatusCode::FORBIDDEN, "email_not_verified", detail),
            AccountsError::AccountDisabled => Self::new(StatusCode::FORBIDDEN, "account_disabled", detail),
            AccountsError::InvalidRefreshToken => {
                Self::field(StatusCode::UNAUTHORIZED, "invalid_refresh_token", "refresh_token", detail)
            }
            AccountsError::RefreshTokenReused => {
                Self::field(StatusCode::UNAUTHORIZED, "refresh_token_reused", "refresh_token", detail)
            }
            AccountsError::InvalidToken => Self::field(StatusCode::BAD_REQUEST, "invalid_token", "token", detail),
            AccountsError::WrongPassword => {
                Self::field(StatusCode::FORBIDDEN, "wrong_password", "current_password", detail)
            }
            AccountsError::RateLimited { retry_after } => {
                Self::new(StatusCode::TOO_MANY_REQUESTS, "rate_limited", detail)
                    .with_header("retry-after", retry_after.to_string())
            }
            AccountsError::CannotChangeSelf => Self::new(StatusCode::CONFLICT, "cannot_change_self", detail),
            AccountsError::SessionEnded => {
                Self::new(StatusCode::UNAUTHORIZED, "session_ended", detail).with_header("www-authenticate", "Bearer")
            }
            AccountsError::Common(common) => common.into(),
        }
    }
}

impl From<CartsError> for ApiError {
    fn from(error: CartsError) -> Self {
        let detail = error.to_string();
        match error {
            CartsError::NotHolder => Self::new(StatusCode::NOT_FOUND, "not_found", detail),
            CartsError::Expired => Self::new(StatusCode::GONE, "cart_expired", detail),
            CartsError::Closed { .. } => Self::new(StatusCode::CONFLICT, "cart_closed", detail),
            CartsError::OutOfStock { .. } => Self::field(StatusCode::CONFLICT, "out_of_stock", "quantity", detail),
            CartsError::SignInToCheckOut => Self::unauthorized(detail),
            CartsError::Order(error) => error.into(),
            CartsError::Common(common) => common.into(),
        }
    }
}

impl From<OrdersError> for ApiError {
    fn from(error: OrdersError) -> Self {
        let detail = error.to_string();
        match error {
            OrdersError::OutOfStock { .. } => Self::field(StatusCode::CONFLICT, "out_of_stock", "lines", detail),
            OrdersError::ProductChanged { .. } => Self::field(StatusCode::CONFLICT, "product_changed", "lines", detail),
            OrdersError::IllegalTransition(refusal) if refusal.disputed => {
                Self::new(StatusCode::CONFLICT, "payment_disputed", detail)
            }
            OrdersError::IllegalTransition(_) => Self::new(StatusCode::CONFLICT, "illegal_transition", detail),
            OrdersError::CodeTaken => Self::field(StatusCode::CONFLICT, "discount_code_taken", "code", detail),
            OrdersError::TooManyOpenOrders { .. } => Self::new(StatusCode::CONFLICT, "too_many_open_orders", detail),
            OrdersError::CartChanged => Self::new(StatusCode::CONFLICT, "cart_changed", detail),
            OrdersError::RateLimited { retry_after } => {
                Self::new(StatusCode::TOO_MANY_REQUESTS, "rate_limited", detail)
                    .with_header("retry-after", retry_after.to_string())
            }
            OrdersError::Common(common) => common.into(),
        }
    }
}

impl From<PaymentsError> for ApiError {
    fn from(error: PaymentsError) -> Self {
        let detail = error.to_string();
        match error {
            PaymentsError::NotPayable(_) => Self::new(StatusCode::CONFLICT, "order_not_payable", detail),
            PaymentsError::ManualPayments => Self::new(StatusCode::CONFLICT, "manual_payments", detail),
            PaymentsError::Disputed => Self::new(StatusCode::CONFLICT, "payment_disputed", detail),
            PaymentsError::KeyReused => {
                Self::field(StatusCode::UNPROCESSABLE_ENTITY, "idempotency_key_reused", "Idempotency-Key", detail)
            }
            PaymentsError::NothingToPay => Self::new(StatusCode::CONFLICT, "nothing_to_pay", detail),
            PaymentsError::Refused(RefundRefused::NotRefundable(_)) => {
                Self::new(StatusCode::CONFLICT, "order_not_refundable", detail)
            }
            PaymentsError::Refused(RefundRefused::ExceedsRefundable { .. }) => {
                Self::field(StatusCode::CONFLICT, "exceeds_refundable", "amount", detail)
            }
            PaymentsError::Refused(RefundRefused::Restock(invalid)) => Self::invalid(invalid),
            PaymentsError::Provider(ProviderError::Unavailable(reason)) => {
                tracing::error!(%reason, "payment provider unavailable");
                Self::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "provider_unavailable",
                    "the payment provider is unavailable; retry shortly",
                )
                .with_header("retry-after", "2")
            }
            PaymentsError::Provider(ProviderError::Refused(reason)) => {
                tracing::error!(%reason, "payment provider refused a request");
                Self::new(StatusCode::BAD_GATEWAY, "provider_refused", "the payment provider refused the request")
            }
            PaymentsError::Orders(orders) => orders.into(),
            PaymentsError::Common(common) => common.into(),
        }
    }
}

impl From<ReturnsError> for ApiError {
    fn from(error: ReturnsError) -> Self {
        let detail = error.to_string();
        match error {
            ReturnsError::Refused(ReturnRefused::Invalid(invalid)) => Self::invalid(invalid),
            ReturnsError::Refused(ReturnRefused::NotReturnable(_)) => {
                Self::new(StatusCode::CONFLICT, "order_not_returnable", detail)
            }
            ReturnsError::Refused(ReturnRefused::IllegalTransition { .. }) => {
                Self::new(StatusCode::CONFLICT, "illegal_transition", detail)
            }
            ReturnsError::Refund(refund) => refund.into(),
            ReturnsError::RefundFailed => Self::new(StatusCode::CONFLICT, "refund_failed", detail),
            ReturnsError::Common(common) => common.into(),
        }
    }
}

impl From<ReceiptsError> for ApiError {
    fn from(error: ReceiptsError) -> Self {
        let detail = error.to_string();
        match error {
            ReceiptsError::NotPaid => Self::new(StatusCode::CONFLICT, "order_not_paid", detail),
            ReceiptsError::NotReady => {
                Self::new(StatusCode::CONFLICT, "receipt_not_ready", detail).with_header("retry-after", "2")
            }
            ReceiptsError::Printing(reason) => {
                tracing::error!(%reason, "receipt could not be printed");
                Self::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "the receipt could not be printed")
            }
            ReceiptsError::Common(common) => common.into(),
        }
    }
}

impl From<WebhooksError> for ApiError {
    fn from(error: WebhooksError) -> Self {
        let detail = error.to_string();
        match error {
            WebhooksError::UnreachableUrl(reason) => {
                Self::field(StatusCode::UNPROCESSABLE_ENTITY, "url_not_allowed", "url", reason)
            }
            WebhooksError::EndpointDisabled => Self::new(StatusCode::CONFLICT, "endpoint_disabled", detail),
            WebhooksError::Common(common) => common.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_are_rfc_9110_reason_phrases() {
        let titles = [
            (400, "Bad Request"),
            (401, "Unauthorized"),
            (403, "Forbidden"),
            (404, "Not Found"),
            (409, "Conflict"),
            (412, "Precondition Failed"),
            (413, "Content Too Large"),
            (415, "Unsupported Media Type"),
            (422, "Unprocessable Content"),
            (428, "Precondition Required"),
            (429, "Too Many Requests"),
            (500, "Internal Server Error"),
            (502, "Bad Gateway"),
            (503, "Service Unavailable"),
        ];
        for (status, title) in titles {
            let error = ApiError::new(StatusCode::from_u16(status).unwrap(), "code", "detail");
            assert_eq!(error.title(), title, "{status}");
        }
    }

    #[test]
    fn a_500_keeps_internal_detail_out_of_the_answer() {
        let corrupt = StoreError::Corrupt("ORDER#0193: attribute `lines` is missing".into());
        let response = ApiError::from(corrupt).into_response();
        assert_eq!(response.status(), 500);
        let Body::Text(body) = response.body() else { panic!("a problem body") };
        assert!(!body.contains("ORDER#"), "{body}");
        assert!(body.contains("it has been logged"), "{body}");
    }
}
