//! `/orders` endpoints. Placing an order and moving it run through the one
//! idempotency mechanism: a retry with the same `Idempotency-Key` replays the
//! first response instead of acting twice.

use super::context::TableAccess;
use super::idempotency::{KeyPolicy, idempotent};
use super::now;
use super::problem::ApiError;
use super::request::{RequestExtras, json_body, order_reader, page_limit, signed_in, timestamp_param};
use super::response::{Reply, json, versioned};
use crate::app::orders::{self, ports::OrderQuery, ports::OrderScope};
use crate::domain::order::Delivery;
use crate::domain::{
    Address, Invalid, Order, OrderId, OrderRequest, OrderStatus, Principal, ProductId, ShippingMethodId, Transition,
    VariantId,
};
use crate::inbound::views::{AddressBody, OrderView, PageView, Shipment};
use lambda_http::Request;
use lambda_http::http::StatusCode;

/// The body of `POST /orders`: which products, how many, and perhaps a code.
/// Prices and currency are never taken from the client.
#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewOrder {
    #[schema(min_items = 1, max_items = 50)]
    lines: Vec<NewOrderLine>,
    #[serde(default)]
    #[schema(pattern = "^[A-Za-z0-9_-]{3,32}$")]
    discount_code: Option<String>,
    /// Where the order is sent; leave out for an order nobody sends (a
    /// download, a pickup). Refused (422 naming `shipping_address.country`)
    /// when no shipping zone serves the country.
    #[serde(default)]
    shipping_address: Option<AddressBody>,
    /// For the invoice; the shipping address is used for tax when this is left out.
    #[serde(default)]
    billing_address: Option<AddressBody>,
    /// Required with a shipping address: a method its zone offers for this order
    /// (`GET /shipping-zones`, or a cart's `shipping_options`).
    #[serde(default)]
    shipping_method_id: Option<ShippingMethodId>,
}

#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewOrderLine {
    product_id: ProductId,
    /// Which variant; may be left out for a product sold one way (no options).
    #[serde(default)]
    variant_id: Option<VariantId>,
    #[schema(minimum = 1, maximum = 1000)]
    quantity: i64,
}

impl NewOrder {
    fn try_into_domain(self) -> Result<OrderRequest, Invalid> {
        let lines: Vec<_> = self.lines.iter().map(|line| (line.product_id, line.variant_id, line.quantity)).collect();
        let request = OrderRequest::parse(&lines, self.discount_code.as_deref());
        let address =
            |given: Option<AddressBody>, field: &str| given.map(|a| Address::parse(&a.into_input(), field)).transpose();
        let shipping_address = address(self.shipping_address, "shipping_address");
        let billing_address = address(self.billing_address, "billing_address");
        match (request, shipping_address, billing_address) {
            (Ok(request), Ok(shipping_address), Ok(billing_address)) => Ok(request.delivered(Delivery {
                email: None,
                shipping_address,
                billing_address,
                shipping_method: self.shipping_method_id,
            })),
            (request, shipping, billing) => {
                let errors = [request.err(), shipping.err(), billing.err()].into_iter().flatten();
                Err(Invalid(errors.flat_map(|Invalid(e)| e).collect()))
            }
        }
    }
}

fn order_reply(status: StatusCode, order: &Order) -> Reply {
    versioned(status, &OrderView::new(order), order.version)
}

/// `POST /orders` (signed in; `Idempotency-Key` required).
#[utoipa::path(
    post,
    path = "/orders",
    operation_id = "orders_create",
    tag = "orders",
    security(("bearer" = [])),
    params(super::params::IdempotencyKeyRequired),
    request_body = NewOrder,
    responses(
        (status = 201, description = "Placed: stock is held until it is paid or \
            cancelled.", body = OrderView, headers(("Location" = String, description = "The order's URL."))),
        (status = 409, description = "Problem `code`: `out_of_stock`, `product_changed`, `too_many_open_orders`."),
        (status = 429, description = "Problem `code`: `rate_limited`."),
    ),
)]
pub async fn create(ctx: &TableAccess, request: Request) -> Result<Reply, ApiError> {
    let principal = signed_in(&request, &ctx.verifier, &ctx.table).await?;
    idempotent(&ctx.table, &request, &principal.subject, KeyPolicy::Required, || async {
        let input: NewOrder = json_body(&request)?;
        let order_request = input.try_into_domain().map_err(ApiError::invalid)?;
        let order = orders::place(&ctx.table, &ctx.orders, &principal, order_request, now()).await?;
        crate::telemetry::metrics::count("OrdersPlaced", &[]);
        let mut reply = order_reply(StatusCode::CREATED, &order);
        let location = format!("/orders/{}", order.id).parse().expect("a uuid path is a valid header value");
        reply.headers_mut().insert("location", location);
        Ok(reply)
    })
    .await
}

/// `GET /orders`: a customer's own orders; staff pass `status` (every order in it)
/// or `customer` (one customer's). `from`/`to` bound the creation time, `[from, to)`.
#[utoipa::path(
    get,
    path = "/orders",
    operation_id = "orders_list",
    tag = "orders",
    security(("bearer" = [])),
    params(
        ("status" = Option<crate::domain::OrderStatus>, Query, description = "Only orders in this status; staff \
            must give it or `customer`."),
        ("customer" = Option<String>, Query, min_length = 1, max_length = 200, description = "Staff: one customer's orders (their user id)."),
        ("from" = Option<String>, Query, format = DateTime, description = "Created at or after (RFC 3339)."),
        ("to" = Option<String>, Query, format = DateTime, description = "Created before (RFC 3339)."),
        super::params::PageParams,
    ),
    responses(
        (status = 200, description = "A page of orders, newest first.", body = PageView<OrderView>),
    ),
)]
pub async fn list(ctx: &TableAccess, request: Request) -> Result<Reply, ApiError> {
    let principal = signed_in(&request, &ctx.verifier, &ctx.table).await?;
    let status = request
        .query_param("status")
        .map(|value| {
            OrderStatus::parse(&value).ok_or_else(|| {
                ApiError::field(
                    StatusCode::BAD_REQUEST,
                    "invalid_query",
                    "status",
                    "must be pending_payment, paid, fulfilled, cancelled, refunded or partially_refunded",
                )
            })
        })
        .transpose()?;
    let customer = request
        .query_param("customer")
        .map(|customer| {
            let length = customer.chars().count();
            (1..=200).contains(&length).then_some(customer).ok_or_else(|| {
                ApiError::field(StatusCode::BAD_REQUEST, "invalid_query", "customer", "must be a user id")
            })
        })
        .transpose()?;
    let scope = match (principal.is_staff(), customer, status) {
        (true, Some(customer), status) => OrderScope::Customer { customer, status },
        (true, None, Some(status)) => OrderScope::Status(status),
        (true, None, None) => {
            return Err(ApiError::field(
                StatusCode::BAD_REQUEST,
                "invalid_query",
                "status",
                "staff list one status at a time, or one customer's orders with customer=<user id>",
            ));
        }
        (false, _, status) => OrderScope::Customer { customer: principal.subject.clone(), status },
    };
    let query = OrderQuery {
        scope,
        from: timestamp_param(&request, "from")?,
        to: timestamp_param(&request, "to")?,
        limit: page_limit(&request)?,
        cursor: request.query_param("cursor"),
    };
    let page = orders::list(&ctx.table, &principal, query).await?;
    let items = page.items.iter().map(OrderView::new).collect();
    Ok(json(StatusCode::OK, &PageView { items, next_cursor: page.next_cursor }))
}

/// `GET /orders/{id}`: the owner or staff; anyone else gets 404.
#[utoipa::path(
    get,
    path = "/orders/{id}",
    operation_id = "orders_get",
    tag = "orders",
    security(("bearer" = [])),
    params(super::params::OrderPath, super::params::OrderToken),
    responses(
        (status = 200, description = "The order (its customer, a guest with its link, or staff).", body = OrderView),
    ),
)]
pub async fn get(ctx: &TableAccess, request: Request) -> Result<Reply, ApiError> {
    let id: OrderId = request.path_param("id")?;
    let principal = order_reader(&request, &ctx.verifier, &ctx.table, id).await?;
    let order = orders::get(&ctx.table, &principal, id).await?;
    Ok(order_reply(StatusCode::OK, &order))
}

/// Runs one transition; an `Idempotency-Key`, when sent, makes retries replay.
async fn transition(
    ctx: &TableAccess,
    request: &Request,
    read: impl FnOnce(&Request) -> Result<Transition, ApiError>,
) -> Result<Reply, ApiError> {
    let principal: Principal = signed_in(request, &ctx.verifier, &ctx.table).await?;
    let id: OrderId = request.path_param("id")?;
    idempotent(&ctx.table, request, &principal.subject, KeyPolicy::Optional, || async {
        let transition = read(request)?;
        let order = orders::change(&ctx.table, &principal, id, transition, now()).await?;
        Ok(order_reply(StatusCode::OK, &order))
    })
    .await
}

/// `POST /orders/{id}/cancel`: the owner or staff, while payment is awaited.
#[utoipa::path(
    post,
    path = "/orders/{id}/cancel",
    operation_id = "orders_cancel",
    tag = "orders",
    security(("bearer" = [])),
    params(
        super::params::OrderPath,
        super::params::IdempotencyKeyOptional,
    ),
    responses(
        (status = 200, description = "Cancelled; its stock is back.", body = OrderView),
        (status = 409, description = "Problem `code`: `illegal_transition`."),
    ),
)]
pub async fn cancel(ctx: &TableAccess, request: Request) -> Result<Reply, ApiError> {
    // The use case records whether the customer or staff cancelled.
    transition(ctx, &request, |_| Ok(Transition::Cancel(crate::domain::CancelReason::Customer))).await
}

/// `POST /orders/{id}/mark-paid` (staff): the manual payment provider.
#[utoipa::path(
    post,
    path = "/orders/{id}/mark-paid",
    operation_id = "orders_mark_paid",
    tag = "orders",
    security(("bearer" = ["staff"])),
    params(
        super::params::OrderPath,
        super::params::IdempotencyKeyOptional,
    ),
    responses(
        (status = 200, description = "Paid.", body = OrderView),
        (status = 409, description = "Problem `code`: `illegal_transition`."),
    ),
)]
pub async fn mark_paid(ctx: &TableAccess, request: Request) -> Result<Reply, ApiError> {
    transition(ctx, &request, |_| Ok(Transition::MarkPaid)).await
}

/// `POST /orders/{id}/fulfil` (staff): `{"carrier", "tracking_number"}`.
#[utoipa::path(
    post,
    path = "/orders/{id}/fulfil",
    operation_id = "orders_fulfil",
    tag = "orders",
    security(("bearer" = ["staff"])),
    params(
        super::params::OrderPath,
        super::params::IdempotencyKeyOptional,
    ),
    request_body = Shipment,
    responses(
        (status = 200, description = "Shipped.", body = OrderView),
        (status = 409, description = "Problem `code`: `illegal_transition`."),
    ),
)]
pub async fn fulfil(ctx: &TableAccess, request: Request) -> Result<Reply, ApiError> {
    transition(ctx, &request, |request| {
        let shipment = json_body::<Shipment>(request)?.into_domain();
        Ok(Transition::Fulfil(shipment.check().map_err(ApiError::invalid)?))
    })
    .await
}
