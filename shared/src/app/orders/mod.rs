//! Order use cases: place an order (reserving stock), move it through its states,
//! cancel unpaid ones that expired, and manage discount codes.

mod discounts;
mod error;
mod lifecycle;
mod place;
pub mod ports;

pub use discounts::{create_discount, list_discounts, update_discount};
pub use error::OrdersError;
pub use lifecycle::{Expired, Settlement, attach_guest_orders, change, expire_unpaid, get, list, settle};
pub(crate) use place::place_from;
pub use place::{OrderPolicy, PlacingStore, place};
