//! `/orders/{id}/payment`: what a storefront needs to let the customer pay.

use super::context::Payments;
use super::now;
use super::problem::ApiError;
use super::request::{RequestExtras, order_reader};
use super::response::{Reply, json};
use crate::app::payments::{self, OpenedPayment};
use crate::domain::OrderId;
use lambda_http::Request;
use lambda_http::http::StatusCode;
use serde::Serialize;

/// The provider's payment, as Stripe.js takes it:
/// `stripe.confirmPayment({clientSecret})` after `Stripe(publishable_key)`.
#[derive(Serialize, utoipa::ToSchema)]
struct PaymentView<'a> {
    provider: &'static str,
    provider_payment_id: &'a str,
    client_secret: &'a str,
    publishable_key: &'a str,
    amount: i64,
    currency: &'static str,
}

impl<'a> PaymentView<'a> {
    fn new(opened: &'a OpenedPayment) -> Self {
        Self {
            provider: opened.provider,
            provider_payment_id: &opened.provider_id,
            client_secret: &opened.client_secret,
            publishable_key: &opened.publishable_key,
            amount: opened.amount,
            currency: opened.currency.code(),
        }
    }
}

/// `POST /orders/{id}/payment` (the order's owner): opens the order's payment at
/// the provider, or answers the one already open. Safe to repeat without an
/// `Idempotency-Key`: the order has one payment and the provider de-duplicates.
#[utoipa::path(
    post,
    path = "/orders/{id}/payment",
    operation_id = "orders_payment",
    tag = "orders",
    security(("bearer" = [])),
    params(super::params::OrderPath, super::params::OrderToken),
    responses(
        (status = 200, description = "The payment to confirm with Stripe.js.", body = PaymentView),
        (status = 409, description = "Problem `code`: `order_not_payable`, `manual_payments`, \
            `payment_disputed`, `nothing_to_pay`."),
        (status = 502, description = "Problem `code`: `provider_refused`."),
        (status = 503, description = "Problem `code`: `provider_unavailable`."),
    ),
)]
pub async fn start(ctx: &Payments, request: Request) -> Result<Reply, ApiError> {
    let id: OrderId = request.path_param("id")?;
    let principal = order_reader(&request, &ctx.verifier, &ctx.table, id).await?;
    let opened = payments::start(&ctx.table, ctx.gateway.as_ref(), &principal, id, now()).await?;
    Ok(json(StatusCode::OK, &PaymentView::new(&opened)))
}
