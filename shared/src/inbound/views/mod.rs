//! The JSON shapes Tillbox shows the world, one module per resource: what the
//! HTTP API answers and what outgoing webhooks carry (an order is the same JSON
//! in both). Two shapes are also request bodies, because the API takes back what
//! it shows: [`MoneyInput`] (a product's price) and [`Shipment`] (the body of
//! `POST /orders/{id}/fulfil`); they deserialise here, and every other request
//! body is its endpoint's own type. Each view is built from a domain type and owns its wire format, so a
//! change to the domain's fields is a compile error here, not a silent change to
//! the contract.

mod address;
mod audit;
mod cart;
mod discount;
mod export;
mod money;
mod order;
mod product;
mod stats;
mod user;
mod webhook;

pub use address::AddressBody;
pub use audit::AuditView;
pub use cart::CartView;
pub use discount::DiscountView;
pub use export::ExportView;
pub use money::{MoneyInput, optional_currency_schema};
pub use order::{OrderView, Shipment};
pub use product::{AssetUrls, ProductView};
pub use stats::StatsView;
pub use user::UserView;
pub use webhook::{DeliveryView, WebhookEndpointView};

use serde::Serialize;

#[derive(Serialize, utoipa::ToSchema)]
pub struct PageView<T> {
    pub items: Vec<T>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}
