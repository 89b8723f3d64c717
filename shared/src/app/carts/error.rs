use crate::app::error::{CommonError, shares_common_errors};
use crate::app::orders::OrdersError;
use crate::domain::OrderId;

/// Every way a cart use case can fail; the HTTP edge maps each to one status.
#[derive(Debug, thiserror::Error)]
pub enum CartsError {
    /// No such cart, or not the caller's: a customer's cart needs their access
    /// token, an anonymous cart its `Cart-Token`.
    #[error("no such cart for you: an anonymous cart needs its Cart-Token, a customer's their access token")]
    NotHolder,
    #[error("this cart expired; create a new one")]
    Expired,
    /// Placed as an order (`Some`), or merged into its holder's other cart.
    #[error("{}", match .order { Some(order) => format!("this cart was checked out as order {order}"), None => "this cart was merged into its holder's cart".to_owned() })]
    Closed { order: Option<OrderId> },
    #[error("only {available} of this variant are left")]
    OutOfStock { available: u32 },
    #[error("sign in, then claim the cart (POST /carts/{{id}}/claim) to check it out")]
    SignInToCheckOut,
    /// Checkout's own refusals: stock, the open-order limit, the rate limit.
    #[error(transparent)]
    Order(#[from] OrdersError),
    #[error(transparent)]
    Common(#[from] CommonError),
}

shares_common_errors!(CartsError);
