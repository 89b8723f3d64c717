//! `/me/addresses`: the signed-in customer's address book (at most 20), with
//! one default for shipping and one for billing. A cart takes an address from
//! it by id (`PATCH /carts/{id}` with `shipping_address_id`); orders keep a
//! copy, so changing the book later changes no order.

use super::context::TableAccess;
use super::problem::ApiError;
use super::request::{RequestExtras, json_body, signed_in_live};
use super::response::{Reply, no_content, versioned};
use crate::app::accounts;
use crate::app::error::CommonError;
use crate::domain::address::AddressBook;
use crate::domain::{Address, AddressId};
use crate::inbound::views::AddressBody;
use lambda_http::Request;
use lambda_http::http::StatusCode;
use serde::{Deserialize, Serialize};

/// One address of the book.
#[derive(Serialize, utoipa::ToSchema)]
pub struct AddressEntryView {
    id: AddressId,
    address: AddressBody,
    default_shipping: bool,
    default_billing: bool,
}

/// The book: every address, oldest first; `ETag` is its version.
#[derive(Serialize, utoipa::ToSchema)]
pub struct AddressBookView {
    items: Vec<AddressEntryView>,
}

impl AddressBookView {
    fn new(book: &AddressBook) -> Self {
        let items = book
            .entries
            .iter()
            .map(|e| AddressEntryView {
                id: e.id,
                address: AddressBody::new(&e.address),
                default_shipping: e.default_shipping,
                default_billing: e.default_billing,
            })
            .collect();
        Self { items }
    }
}

/// The body of `POST /me/addresses` and `PUT /me/addresses/{address_id}`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddressEntryBody {
    address: AddressBody,
    /// Makes it the default shipping address (the previous default stops being one).
    #[serde(default)]
    default_shipping: bool,
    #[serde(default)]
    default_billing: bool,
}

impl AddressEntryBody {
    fn into_domain(self) -> Result<(Address, bool, bool), ApiError> {
        let address = Address::parse(&self.address.into_input(), "address").map_err(CommonError::from)?;
        Ok((address, self.default_shipping, self.default_billing))
    }
}

/// `{address_id}` of an address in the caller's book.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Path)]
pub struct AddressPath {
    pub address_id: AddressId,
}

fn book_reply(status: StatusCode, book: &AddressBook) -> Reply {
    versioned(status, &AddressBookView::new(book), book.version)
}

/// `GET /me/addresses`
#[utoipa::path(
    get,
    path = "/me/addresses",
    operation_id = "me_addresses_list",
    tag = "accounts",
    security(("bearer" = [])),
    responses((status = 200, description = "The caller's addresses.", body = AddressBookView)),
)]
pub async fn list(ctx: &TableAccess, request: Request) -> Result<Reply, ApiError> {
    let principal = signed_in_live(&request, &ctx.verifier, &ctx.table).await?;
    let book = accounts::addresses(&ctx.table, &principal).await?;
    Ok(book_reply(StatusCode::OK, &book))
}

/// `POST /me/addresses`: adds an address.
#[utoipa::path(
    post,
    path = "/me/addresses",
    operation_id = "me_addresses_create",
    tag = "accounts",
    security(("bearer" = [])),
    request_body = AddressEntryBody,
    responses(
        (status = 201, description = "Added; the book as it is now.", body = AddressBookView,
            headers(("Location" = String, description = "The new address's URL."))),
        (status = 422, description = "Problem naming `address.<field>`, or `address` when the book is full."),
    ),
)]
pub async fn create(ctx: &TableAccess, request: Request) -> Result<Reply, ApiError> {
    let principal = signed_in_live(&request, &ctx.verifier, &ctx.table).await?;
    let entry = json_body::<AddressEntryBody>(&request)?.into_domain()?;
    let (book, id) = accounts::save_address(&ctx.table, &principal, None, entry).await?;
    let mut reply = book_reply(StatusCode::CREATED, &book);
    let location = format!("/me/addresses/{id}").parse().expect("a uuid path is a valid header value");
    reply.headers_mut().insert("location", location);
    Ok(reply)
}

/// `PUT /me/addresses/{address_id}`: replaces an address and its defaults.
#[utoipa::path(
    put,
    path = "/me/addresses/{address_id}",
    operation_id = "me_addresses_replace",
    tag = "accounts",
    security(("bearer" = [])),
    params(AddressPath),
    request_body = AddressEntryBody,
    responses(
        (status = 200, description = "Replaced; the book as it is now.", body = AddressBookView),
        (status = 422, description = "Problem naming `address.<field>`."),
    ),
)]
pub async fn replace(ctx: &TableAccess, request: Request) -> Result<Reply, ApiError> {
    let principal = signed_in_live(&request, &ctx.verifier, &ctx.table).await?;
    let id: AddressId = request.path_param("address_id")?;
    let entry = json_body::<AddressEntryBody>(&request)?.into_domain()?;
    let (book, _) = accounts::save_address(&ctx.table, &principal, Some(id), entry).await?;
    Ok(book_reply(StatusCode::OK, &book))
}

/// `DELETE /me/addresses/{address_id}`
#[utoipa::path(
    delete,
    path = "/me/addresses/{address_id}",
    operation_id = "me_addresses_delete",
    tag = "accounts",
    security(("bearer" = [])),
    params(AddressPath),
    responses((status = 204, description = "Removed.")),
)]
pub async fn delete(ctx: &TableAccess, request: Request) -> Result<Reply, ApiError> {
    let principal = signed_in_live(&request, &ctx.verifier, &ctx.table).await?;
    let id: AddressId = request.path_param("address_id")?;
    accounts::remove_address(&ctx.table, &principal, id).await?;
    Ok(no_content())
}
