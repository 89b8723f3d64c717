//! `/orders/{id}/refunds`: staff give money back.

use super::context::Payments;
use super::idempotency::{KEY_HEADER, KeyPolicy, REPLAYED_HEADER, idempotent};
use super::now;
use super::problem::ApiError;
use super::request::{RequestExtras, json_body, signed_in};
use super::response::{Reply, json};
use crate::app::payments;
use crate::domain::{Invalid, OrderId, ProductId, Refund, RefundRequest, VariantId, format_timestamp};
use crate::inbound::views::OrderView;
use lambda_http::Request;
use lambda_http::http::StatusCode;
use serde::{Deserialize, Serialize};

/// The body of `POST /orders/{id}/refunds`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRefund {
    /// Minor units of the order's currency.
    #[schema(minimum = 1, maximum = 1_000_000_000_000.0)]
    amount: i64,
    #[schema(min_length = 1, max_length = 500, pattern = "^[^\\x00-\\x08\\x0B-\\x1F\\x7F-\\x9F]*$")]
    reason: String,
    /// Goods coming back into stock; none by default.
    #[serde(default)]
    #[schema(max_items = 50)]
    restock: Vec<RestockLine>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RestockLine {
    product_id: ProductId,
    /// The variant's line; may be left out when the order has one line of the product.
    #[serde(default)]
    variant_id: Option<VariantId>,
    #[schema(minimum = 1, maximum = 1000)]
    quantity: i64,
}

impl NewRefund {
    fn try_into_domain(self) -> Result<RefundRequest, Invalid> {
        let restock: Vec<_> =
            self.restock.iter().map(|line| (line.product_id, line.variant_id, line.quantity)).collect();
        RefundRequest::parse(self.amount, &self.reason, &restock)
    }
}

#[derive(Serialize, utoipa::ToSchema)]
struct RestockView {
    product_id: String,
    variant_id: String,
    quantity: u32,
}

#[derive(Serialize, utoipa::ToSchema)]
struct RefundView<'a> {
    id: &'a str,
    amount: i64,
    currency: &'static str,
    reason: &'a str,
    restock: Vec<RestockView>,
    status: &'static str,
    created_at: String,
    order: OrderView<'a>,
}

/// `POST /orders/{id}/refunds` (staff; `Idempotency-Key` required): 201 with the
/// refund and the order as it is afterwards.
#[utoipa::path(
    post,
    path = "/orders/{id}/refunds",
    operation_id = "orders_refunds_create",
    tag = "orders",
    security(("bearer" = ["staff"])),
    params(
        super::params::OrderPath,
        super::params::IdempotencyKeyRequired,
    ),
    request_body = NewRefund,
    responses(
        (status = 201, description = "Refunded; the order as it is now is inside.", body = RefundView),
        (status = 409, description = "Problem `code`: `order_not_refundable`, `exceeds_refundable`, \
            `payment_disputed`, `manual_payments`."),
        (status = 502, description = "Problem `code`: `provider_refused`."),
        (status = 503, description = "Problem `code`: `provider_unavailable`."),
    ),
)]
pub async fn create(ctx: &Payments, request: Request) -> Result<Reply, ApiError> {
    let principal = signed_in(&request, &ctx.verifier, &ctx.table).await?;
    let id: OrderId = request.path_param("id")?;
    idempotent(&ctx.table, &request, &principal.subject, KeyPolicy::Required, || async {
        let input: NewRefund = json_body(&request)?;
        let refund_request = input.try_into_domain().map_err(ApiError::invalid)?;
        // `idempotent` runs this only with a well-formed key.
        let key = request.headers().get(KEY_HEADER).and_then(|v| v.to_str().ok()).unwrap_or_default();
        let done =
            payments::refund(&ctx.table, ctx.gateway.as_ref(), &principal, id, &refund_request, key, now()).await?;
        let mut reply = json(StatusCode::CREATED, &view(&done.refund, OrderView::new(&done.order)));
        if done.replayed {
            // Recorded by an earlier request whose idempotency record has expired.
            reply.headers_mut().insert(REPLAYED_HEADER, lambda_http::http::HeaderValue::from_static("true"));
        }
        Ok(reply)
    })
    .await
}

fn view<'a>(refund: &'a Refund, order: OrderView<'a>) -> RefundView<'a> {
    RefundView {
        id: &refund.id,
        amount: refund.amount,
        currency: refund.currency.code(),
        reason: &refund.reason,
        restock: refund
            .restock
            .iter()
            .map(|r| RestockView {
                product_id: r.product_id.to_string(),
                variant_id: r.variant_id.to_string(),
                quantity: r.quantity,
            })
            .collect(),
        status: refund.status.as_str(),
        created_at: format_timestamp(refund.created_at),
        order,
    }
}
