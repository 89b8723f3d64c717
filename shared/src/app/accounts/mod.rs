//! Accounts and sign-in: use cases and the ports they need.
//!
//! Every use case takes its stores as port traits and the current time as an
//! argument; the HTTP edge in [`crate::inbound::http`] only parses requests and calls them.

mod addresses;
mod admin;
mod error;
mod limits;
pub mod ports;
mod profile;
mod recovery;
mod sessions;
mod signup;

pub use addresses::{address, addresses, remove_address, save_address};
pub use admin::{UserChanges, bootstrap_admin, change_user, list_users};
pub use error::AccountsError;
pub use profile::{ProfileChanges, me, update_me};
pub use recovery::{forgot_password, reset_password, verify_email};
pub use sessions::{SignedIn, ensure_live, login, logout, refresh};
pub use signup::{Credentials, signup};
