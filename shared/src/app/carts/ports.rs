//! What carts need from storage.

use crate::app::store::{Page, StoreError};
use crate::domain::{Cart, CartId, Event, Timestamp};
use std::future::Future;

pub trait CartStore {
    /// Writes a new cart. A customer's cart also becomes their open cart, but
    /// only while their open cart is still `replacing` (`None`: they have none):
    /// `Ok(false)` when another request made one meanwhile, and nothing was written.
    fn create_cart(&self, cart: &Cart, replacing: Option<CartId>) -> impl Future<Output = Result<bool, StoreError>>;
    /// The cart as last written (a consistent read); an expired one too.
    fn cart(&self, id: CartId) -> impl Future<Output = Result<Option<Cart>, StoreError>>;
    /// The id of a customer's open cart, if they have had one (it may be closed
    /// or expired since).
    fn open_cart_of(&self, customer: &str) -> impl Future<Output = Result<Option<CartId>, StoreError>>;
    /// Replaces `previous` with `next` while the stored version is still
    /// `previous.version` (else [`StoreError::VersionMismatch`]).
    fn save_cart(&self, previous: &Cart, next: &Cart) -> impl Future<Output = Result<(), StoreError>>;
    /// An anonymous cart becomes its new holder's open cart (`next`), while their
    /// open cart is still `replacing`: `Ok(false)` when they got one meanwhile.
    fn adopt(
        &self,
        previous: &Cart,
        next: &Cart,
        replacing: Option<CartId>,
    ) -> impl Future<Output = Result<bool, StoreError>>;
    /// In one transaction, each at its version: the customer's cart with the
    /// anonymous cart's lines, and the anonymous cart closed.
    fn merge(&self, into: (&Cart, &Cart), from: (&Cart, &Cart)) -> impl Future<Output = Result<(), StoreError>>;
    /// Open carts with lines and an address, never reported abandoned, last
    /// changed before `idle_since`; oldest first.
    fn idle(&self, idle_since: Timestamp, cursor: Option<&str>)
    -> impl Future<Output = Result<Page<Cart>, StoreError>>;
    /// Writes `next` (marked abandoned) with `event`, while the cart is still at
    /// `previous.version`: `Ok(false)` when it changed, and nothing was written.
    fn mark_abandoned(
        &self,
        previous: &Cart,
        next: &Cart,
        event: &Event,
    ) -> impl Future<Output = Result<bool, StoreError>>;
}
