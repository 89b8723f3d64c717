//! `/carts` endpoints. A signed-in customer's cart is theirs (their bearer token
//! opens it); an anonymous cart opens with the `Cart-Token` `POST /carts` returned
//! (docs/architecture.md, "Carts").

use super::context::{Carts, Checkout};
use super::idempotency::{KeyPolicy, idempotent};
use super::merge_patch::present;
use super::now;
use super::problem::ApiError;
use super::request::{ORDER_TOKEN_HEADER, RequestExtras, caller, json_body, signed_in};
use super::response::{Reply, versioned};
use crate::app::carts::{self, CartAccess, CartRead};
use crate::app::orders::ports::OrderStore;
use crate::domain::cart::CartDetails;
use crate::domain::{
    Address, AddressId, CartId, Email, FieldError, Invalid, Principal, ProductId, ShippingMethodId, VariantId,
};
use crate::inbound::views::{AddressBody, CartView, OrderView};
use lambda_http::Request;
use lambda_http::http::StatusCode;
use serde::{Deserialize, Serialize};

/// The header holding an anonymous cart's capability token.
pub const CART_TOKEN_HEADER: &str = "cart-token";

/// The `Cart-Token` header, if sent; one that cannot be a token Tillbox issued
/// (`ct_` and base64url) is refused rather than ignored.
fn cart_token(request: &Request) -> Result<Option<&str>, ApiError> {
    let Some(value) = request.headers().get(CART_TOKEN_HEADER) else { return Ok(None) };
    // Whitespace around a header's value is not part of it (RFC 9110 §5.5), and
    // an empty one is no token.
    let value = value.to_str().map(str::trim);
    if value.as_ref().is_ok_and(|v| v.is_empty()) {
        return Ok(None);
    }
    let token = value.ok().and_then(|v| v.strip_prefix("ct_").map(|rest| (v, rest)));
    match token {
        Some((token, rest))
            if (1..=100).contains(&rest.len())
                && rest.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') =>
        {
            Ok(Some(token))
        }
        _ => Err(ApiError::field(
            StatusCode::BAD_REQUEST,
            "malformed_header",
            "Cart-Token",
            "must be the token POST /carts returned (ct_ and base64url)",
        )),
    }
}

/// The cart with its version as the ETag.
fn cart_reply(status: StatusCode, read: &CartRead) -> Reply {
    versioned(status, &CartView::new(read), read.cart.version)
}

/// `{id}` of a cart, and the `Cart-Token` header an anonymous cart needs.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Path)]
pub struct CartPath {
    /// The cart's id.
    pub id: CartId,
}

/// `Cart-Token`: an anonymous cart's capability, as `POST /carts` returned it.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Header)]
pub struct CartTokenHeader {
    /// Needed for an anonymous cart; a signed-in customer's cart needs their
    /// bearer token instead. Empty is the same as absent.
    #[param(rename = "Cart-Token", pattern = "^(ct_[A-Za-z0-9_-]{1,100})?$")]
    pub token: Option<String>,
}

/// `{id}` of a cart and `{variant_id}` of one of its lines.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Path)]
pub struct CartLinePath {
    /// The cart's id.
    pub id: CartId,
    /// The variant of the line.
    pub variant_id: VariantId,
}

/// The answer to `POST /carts` for an anonymous shopper: the cart and, this
/// once, its token.
#[derive(Serialize, utoipa::ToSchema)]
struct NewCartView {
    /// Send as `Cart-Token` with every request for this cart; it is shown only
    /// here. Absent for a signed-in customer's cart.
    #[serde(skip_serializing_if = "Option::is_none")]
    token: Option<String>,
    #[serde(flatten)]
    cart: CartView,
}

async fn access(ctx: &Carts, request: &Request) -> Result<Option<Principal>, ApiError> {
    caller(request, &ctx.verifier, &ctx.table).await
}

/// `POST /carts`: a cart for anyone. Signed in: the customer's open cart (200
/// when they have one, 201 when it is new). Anonymous: a new cart and its token.
#[utoipa::path(
    post,
    path = "/carts",
    operation_id = "carts_create",
    tag = "carts",
    security((), ("bearer" = [])),
    responses(
        (status = 201, description = "A new cart; anonymous carts come with their `token`.", body = NewCartView,
            headers(("Location" = String, description = "The cart's URL."))),
        (status = 200, description = "The signed-in customer's open cart.", body = NewCartView),
    ),
)]
pub async fn create(ctx: &Carts, request: Request) -> Result<Reply, ApiError> {
    let principal = access(ctx, &request).await?;
    let created = carts::create(&ctx.table, &ctx.lifetime, principal.as_ref(), now()).await?;
    let read = &created.read;
    let status = if created.created { StatusCode::CREATED } else { StatusCode::OK };
    let mut reply =
        versioned(status, &NewCartView { token: created.token.clone(), cart: CartView::new(read) }, read.cart.version);
    let location = format!("/carts/{}", read.cart.id).parse().expect("a uuid path is a valid header value");
    reply.headers_mut().insert("location", location);
    Ok(reply)
}

/// `GET /carts/{id}`: the cart priced from the catalog now.
#[utoipa::path(
    get,
    path = "/carts/{id}",
    operation_id = "carts_get",
    tag = "carts",
    security((), ("bearer" = [])),
    params(CartPath, CartTokenHeader),
    responses(
        (status = 200, description = "The cart, priced now.", body = CartView),
        (status = 410, description = "Problem `code`: `cart_expired`."),
    ),
)]
pub async fn get(ctx: &Carts, request: Request) -> Result<Reply, ApiError> {
    let principal = access(ctx, &request).await?;
    let id: CartId = request.path_param("id")?;
    let access = CartAccess { principal: principal.as_ref(), token: cart_token(&request)? };
    let read = carts::get(&ctx.table, access, id, now()).await?;
    Ok(cart_reply(StatusCode::OK, &read))
}

/// The body of `PATCH /carts/{id}` (RFC 7396 merge patch): a field left out
/// stays, `null` clears it.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CartDetailsChange {
    /// Where the confirmation goes; required for a guest to check out.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>, format = Email, max_length = 254)]
    email: Option<Option<String>>,
    /// Where the order is sent. Refused (422 naming `shipping_address.country`)
    /// when no shipping zone serves the country. A new address forgets the
    /// chosen shipping method unless one comes with it.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<AddressBody>)]
    shipping_address: Option<Option<AddressBody>>,
    /// For the invoice; the shipping address when left out.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<AddressBody>)]
    billing_address: Option<Option<AddressBody>>,
    /// One of the cart's `shipping_options`.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<ShippingMethodId>)]
    shipping_method_id: Option<Option<ShippingMethodId>>,
    /// Instead of `shipping_address`: an address of the signed-in customer's book.
    #[serde(default)]
    shipping_address_id: Option<AddressId>,
    /// Instead of `billing_address`: an address of the signed-in customer's book.
    #[serde(default)]
    billing_address_id: Option<AddressId>,
}

/// Resolves `*_address_id` from the caller's address book into the address it
/// names; naming both an id and an address is refused.
async fn from_book(
    ctx: &Carts,
    principal: Option<&Principal>,
    (given, id): (&mut Option<Option<AddressBody>>, Option<AddressId>),
    field: &str,
) -> Result<(), ApiError> {
    let Some(id) = id else { return Ok(()) };
    let refuse = |message: &str| ApiError::field(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed", field, message);
    if given.is_some() {
        return Err(refuse("give either the address or its id, not both"));
    }
    let Some(principal) = principal else { return Err(refuse("sign in to use your address book")) };
    match crate::app::accounts::address(&ctx.table, principal, id).await {
        Ok(address) => {
            *given = Some(Some(AddressBody::new(&address)));
            Ok(())
        }
        Err(crate::app::accounts::AccountsError::Common(crate::app::error::CommonError::NotFound)) => {
            Err(refuse("is not an address of your address book"))
        }
        Err(other) => Err(other.into()),
    }
}

impl CartDetailsChange {
    fn into_domain(self) -> Result<CartDetails, Invalid> {
        let mut errors = Vec::new();
        let email = self.email.map(|email| {
            email.and_then(|e| Email::parse(&e).map_err(|m| errors.push(FieldError::new("email", m))).ok())
        });
        let mut address = |given: Option<Option<AddressBody>>, field: &str| {
            given.map(|a| {
                a.and_then(|a| Address::parse(&a.into_input(), field).map_err(|Invalid(e)| errors.extend(e)).ok())
            })
        };
        let shipping_address = address(self.shipping_address, "shipping_address");
        let billing_address = address(self.billing_address, "billing_address");
        if !errors.is_empty() {
            return Err(Invalid(errors));
        }
        Ok(CartDetails { email, shipping_address, billing_address, shipping_method: self.shipping_method_id })
    }

    /// The addresses named by id, fetched from the caller's book.
    async fn resolve(mut self, ctx: &Carts, principal: Option<&Principal>) -> Result<Self, ApiError> {
        let shipping = self.shipping_address_id.take();
        from_book(ctx, principal, (&mut self.shipping_address, shipping), "shipping_address_id").await?;
        let billing = self.billing_address_id.take();
        from_book(ctx, principal, (&mut self.billing_address, billing), "billing_address_id").await?;
        Ok(self)
    }
}

/// `PATCH /carts/{id}`: sets the e-mail, the addresses and the shipping method.
#[utoipa::path(
    patch,
    path = "/carts/{id}",
    operation_id = "carts_update",
    tag = "carts",
    security((), ("bearer" = [])),
    params(CartPath, CartTokenHeader),
    request_body = CartDetailsChange,
    responses(
        (status = 200, description = "The cart with its new details, its `shipping_options` for the address \
            and the totals checkout would charge.", body = CartView),
        (status = 409, description = "Problem `code`: `cart_closed`."),
        (status = 410, description = "Problem `code`: `cart_expired`."),
        (status = 422, description = "Problem naming the field: `email`, `shipping_address.<field>` (an \
            address no zone serves names `shipping_address.country`), `billing_address.<field>`, \
            `shipping_method_id`."),
    ),
)]
pub async fn update(ctx: &Carts, request: Request) -> Result<Reply, ApiError> {
    let principal = access(ctx, &request).await?;
    let id: CartId = request.path_param("id")?;
    let input: CartDetailsChange = json_body(&request)?;
    let input = input.resolve(ctx, principal.as_ref()).await?;
    let details = input.into_domain().map_err(crate::app::error::CommonError::from)?;
    let access = CartAccess { principal: principal.as_ref(), token: cart_token(&request)? };
    let read = carts::set_details(&ctx.table, &ctx.lifetime, access, id, details, now()).await?;
    Ok(cart_reply(StatusCode::OK, &read))
}

/// The body of `POST /carts/{id}/lines`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCartLine {
    product_id: ProductId,
    /// Which variant; may be left out for a product sold one way (no options).
    #[serde(default)]
    variant_id: Option<VariantId>,
    /// Added to what the cart holds of the variant already.
    #[schema(minimum = 1, maximum = 1000)]
    quantity: i64,
}

/// `POST /carts/{id}/lines`: adds a variant (to its line, if the cart has one).
/// An `Idempotency-Key` makes a retried click add once.
#[utoipa::path(
    post,
    path = "/carts/{id}/lines",
    operation_id = "carts_lines_add",
    tag = "carts",
    security((), ("bearer" = [])),
    params(CartPath, CartTokenHeader, super::params::IdempotencyKeyOptional),
    request_body = NewCartLine,
    responses(
        (status = 200, description = "The cart with the line.", body = CartView),
        (status = 409, description = "Problem `code`: `out_of_stock`, `cart_closed`."),
        (status = 410, description = "Problem `code`: `cart_expired`."),
    ),
)]
pub async fn add_line(ctx: &Carts, request: Request) -> Result<Reply, ApiError> {
    let principal = access(ctx, &request).await?;
    let id: CartId = request.path_param("id")?;
    // A replay answers before the cart's holder is checked: scoped to the token
    // (not the id), only its bearer can hit it.
    let key_scope = match (&principal, cart_token(&request)?) {
        (Some(principal), _) => principal.subject.clone(),
        (None, Some(token)) => format!("cart:{}", crate::domain::secret::token_hash(token)),
        (None, None) => format!("cart:{id}"),
    };
    idempotent(&ctx.table, &request, &key_scope, KeyPolicy::Optional, || async {
        let input: NewCartLine = json_body(&request)?;
        let access = CartAccess { principal: principal.as_ref(), token: cart_token(&request)? };
        let line = (input.product_id, input.variant_id, input.quantity);
        let read = carts::add_line(&ctx.table, &ctx.lifetime, access, id, line, now()).await?;
        Ok(cart_reply(StatusCode::OK, &read))
    })
    .await
}

/// The body of `PATCH /carts/{id}/lines/{variant_id}`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CartLineChange {
    /// The line's new quantity; 0 removes it.
    #[schema(minimum = 0, maximum = 1000)]
    quantity: i64,
}

/// `PATCH /carts/{id}/lines/{variant_id}`: sets a line's quantity (0 removes it).
#[utoipa::path(
    patch,
    path = "/carts/{id}/lines/{variant_id}",
    operation_id = "carts_lines_update",
    tag = "carts",
    security((), ("bearer" = [])),
    params(CartLinePath, CartTokenHeader),
    request_body = CartLineChange,
    responses(
        (status = 200, description = "The cart with the line changed.", body = CartView),
        (status = 409, description = "Problem `code`: `out_of_stock`, `cart_closed`."),
        (status = 410, description = "Problem `code`: `cart_expired`."),
    ),
)]
pub async fn update_line(ctx: &Carts, request: Request) -> Result<Reply, ApiError> {
    let principal = access(ctx, &request).await?;
    let line = (request.path_param("id")?, request.path_param("variant_id")?);
    let input: CartLineChange = json_body(&request)?;
    let access = CartAccess { principal: principal.as_ref(), token: cart_token(&request)? };
    let read = carts::set_quantity(&ctx.table, &ctx.lifetime, access, line, input.quantity, now()).await?;
    Ok(cart_reply(StatusCode::OK, &read))
}

/// `DELETE /carts/{id}/lines/{variant_id}`: removes a line.
#[utoipa::path(
    delete,
    path = "/carts/{id}/lines/{variant_id}",
    operation_id = "carts_lines_remove",
    tag = "carts",
    security((), ("bearer" = [])),
    params(CartLinePath, CartTokenHeader),
    responses(
        (status = 200, description = "The cart without the line.", body = CartView),
        (status = 409, description = "Problem `code`: `cart_closed`."),
        (status = 410, description = "Problem `code`: `cart_expired`."),
    ),
)]
pub async fn remove_line(ctx: &Carts, request: Request) -> Result<Reply, ApiError> {
    let principal = access(ctx, &request).await?;
    let line = (request.path_param("id")?, request.path_param("variant_id")?);
    let access = CartAccess { principal: principal.as_ref(), token: cart_token(&request)? };
    let read = carts::set_quantity(&ctx.table, &ctx.lifetime, access, line, 0, now()).await?;
    Ok(cart_reply(StatusCode::OK, &read))
}

/// The body of `PUT /carts/{id}/discount`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CartDiscount {
    #[schema(pattern = "^[A-Za-z0-9_-]{3,32}$")]
    code: String,
}

/// `PUT /carts/{id}/discount`: applies a code, if it takes something off the cart now.
#[utoipa::path(
    put,
    path = "/carts/{id}/discount",
    operation_id = "carts_discount_set",
    tag = "carts",
    security((), ("bearer" = [])),
    params(CartPath, CartTokenHeader),
    request_body = CartDiscount,
    responses(
        (status = 200, description = "The cart with the code.", body = CartView),
        (status = 422, description = "Problem naming `code`: not a code this cart can use (one message for \
            every reason)."),
        (status = 429, description = "Problem `code`: `rate_limited`."),
    ),
)]
pub async fn set_discount(ctx: &Carts, request: Request) -> Result<Reply, ApiError> {
    let principal = access(ctx, &request).await?;
    let id: CartId = request.path_param("id")?;
    let input: CartDiscount = json_body(&request)?;
    let access = CartAccess { principal: principal.as_ref(), token: cart_token(&request)? };
    let client = request.source_ip();
    let read = carts::apply_discount(&ctx.table, &ctx.lifetime, (access, &client), id, &input.code, now()).await?;
    Ok(cart_reply(StatusCode::OK, &read))
}

/// `DELETE /carts/{id}/discount`: removes the code.
#[utoipa::path(
    delete,
    path = "/carts/{id}/discount",
    operation_id = "carts_discount_remove",
    tag = "carts",
    security((), ("bearer" = [])),
    params(CartPath, CartTokenHeader),
    responses(
        (status = 200, description = "The cart without a code.", body = CartView),
    ),
)]
pub async fn remove_discount(ctx: &Carts, request: Request) -> Result<Reply, ApiError> {
    let principal = access(ctx, &request).await?;
    let id: CartId = request.path_param("id")?;
    let access = CartAccess { principal: principal.as_ref(), token: cart_token(&request)? };
    let read = carts::remove_discount(&ctx.table, &ctx.lifetime, access, id, now()).await?;
    Ok(cart_reply(StatusCode::OK, &read))
}

/// `POST /carts/{id}/claim` (signed in, with the anonymous cart's `Cart-Token`):
/// call it right after signing in. The anonymous cart is merged into the
/// customer's open cart (quantities summed, capped per order), or becomes it.
#[utoipa::path(
    post,
    path = "/carts/{id}/claim",
    operation_id = "carts_claim",
    tag = "carts",
    security(("bearer" = [])),
    params(CartPath, CartTokenHeader),
    responses(
        (status = 200, description = "The customer's cart now (its `id` may differ from the claimed one's).",
            body = CartView),
        (status = 409, description = "Problem `code`: `cart_closed`."),
    ),
)]
pub async fn claim(ctx: &Carts, request: Request) -> Result<Reply, ApiError> {
    let principal = signed_in(&request, &ctx.verifier, &ctx.table).await?;
    let id: CartId = request.path_param("id")?;
    let read = carts::claim(&ctx.table, &ctx.lifetime, &principal, cart_token(&request)?, id, now()).await?;
    Ok(cart_reply(StatusCode::OK, &read))
}

/// `POST /carts/{id}/checkout` (the signed-in holder; `Idempotency-Key`
/// required): places the cart as an order and closes it. Concurrent checkouts of
/// one cart make one order; the others get 409 `cart_closed` naming it.
#[utoipa::path(
    post,
    path = "/carts/{id}/checkout",
    operation_id = "carts_checkout",
    tag = "carts",
    security(("bearer" = [])),
    params(CartPath, CartTokenHeader, super::params::IdempotencyKeyRequired),
    responses(
        (status = 201, description = "Placed: stock is held until it is paid or cancelled. A guest \
            (an anonymous cart with an `email`) pays and reads the order with the `Order-Token` answered.",
            body = OrderView,
            headers(("Location" = String, description = "The order's URL."),
                ("Order-Token" = String, description = "Guests only: the order's signed link, for 30 days."))),
        (status = 401, description = "Problem `code`: `unauthorized`: a customer's cart needs their bearer token."),
        (status = 409, description = "Problem `code`: `cart_closed`, `cart_changed`, `out_of_stock`, \
            `product_changed`, `too_many_open_orders`."),
        (status = 410, description = "Problem `code`: `cart_expired`."),
        (status = 422, description = "Problem naming `lines` (an empty cart), `discount_code` (a code \
            that no longer applies), `email` (a guest's cart needs one), `shipping_address.country` (no zone \
            serves it) or `shipping_method_id` (none chosen, or not offered for this cart and address)."),
        (status = 429, description = "Problem `code`: `rate_limited`."),
    ),
)]
pub async fn checkout(ctx: &Checkout, request: Request) -> Result<Reply, ApiError> {
    let carts = &ctx.carts;
    let principal = access(carts, &request).await?;
    let id: CartId = request.path_param("id")?;
    // A guest's replay is scoped to their cart token, so only its bearer hits it.
    let key_scope = match (&principal, cart_token(&request)?) {
        (Some(principal), _) => principal.subject.clone(),
        (None, Some(token)) => format!("cart:{}", crate::domain::secret::token_hash(token)),
        (None, None) => {
            return Err(ApiError::unauthorized("send the cart's Cart-Token, or sign in for a customer's cart"));
        }
    };
    let mut reply = idempotent(&carts.table, &request, &key_scope, KeyPolicy::Required, || async {
        let source = request.source_ip();
        let buyer = (principal.as_ref(), source.as_str());
        let order = carts::checkout(&carts.table, &carts.orders, buyer, cart_token(&request)?, id, now()).await?;
        crate::telemetry::metrics::count("OrdersPlaced", &[]);
        let mut reply = versioned(StatusCode::CREATED, &OrderView::new(&order), order.version);
        let location = format!("/orders/{}", order.id).parse().expect("a uuid path is a valid header value");
        reply.headers_mut().insert("location", location);
        Ok(reply)
    })
    .await?;
    // A guest gets their order's link with every answer, a replay too; it is
    // signed here rather than kept with the replay, so no link sits in the table.
    if principal.is_none() && reply.status() == StatusCode::CREATED {
        let placed =
            reply.headers().get("location").and_then(|l| l.to_str().ok()?.strip_prefix("/orders/")?.parse().ok());
        if let Some(order) = placed.map(|id| OrderStore::get(&carts.table, id)) {
            let order = order.await.map_err(crate::app::error::CommonError::from)?.ok_or_else(ApiError::not_found)?;
            let link = ctx.links.order_link(order.id, &order.customer, now());
            reply.headers_mut().insert(ORDER_TOKEN_HEADER, link.parse().expect("a JWT is a valid header value"));
        }
    }
    Ok(reply)
}
