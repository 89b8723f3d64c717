//! `/me/addresses`: the signed-in customer's address book. Each change is a
//! read-modify-write of the whole book at its version, applied again on a
//! newer book when two tabs change it at once, so neither change is lost.

use super::error::AccountsError;
use super::ports::AddressBookStore;
use crate::app::error::CommonError;
use crate::app::store::StoreError;
use crate::domain::address::{AddressBook, BookEntry};
use crate::domain::{Address, AddressId, Principal};

const ATTEMPTS: usize = 5;

/// The caller's addresses, oldest first.
pub async fn addresses(store: &impl AddressBookStore, principal: &Principal) -> Result<AddressBook, AccountsError> {
    Ok(store.address_book(&principal.subject).await?)
}

/// The caller's address `id`, for a checkout that names it.
pub async fn address(
    store: &impl AddressBookStore,
    principal: &Principal,
    id: AddressId,
) -> Result<Address, AccountsError> {
    let book = store.address_book(&principal.subject).await?;
    Ok(book.entry(id).ok_or(CommonError::NotFound)?.address.clone())
}

/// Applies `change` to the caller's book, again on a newer one if another
/// change wrote first; `None` from `change` means the entry does not exist.
async fn change(
    store: &impl AddressBookStore,
    principal: &Principal,
    change: impl Fn(&AddressBook) -> Result<Option<AddressBook>, AccountsError>,
) -> Result<AddressBook, AccountsError> {
    for _ in 0..ATTEMPTS {
        let book = store.address_book(&principal.subject).await?;
        let next = change(&book)?.ok_or(CommonError::NotFound)?;
        match store.save_address_book(&principal.subject, &next).await {
            Ok(()) => return Ok(next),
            Err(StoreError::VersionMismatch { .. }) => continue,
            Err(other) => return Err(other.into()),
        }
    }
    Err(StoreError::Unavailable("the address book kept changing; retry".into()).into())
}

/// Adds an address (its id is new) or, with `id`, replaces that one.
pub async fn save_address(
    store: &impl AddressBookStore,
    principal: &Principal,
    id: Option<AddressId>,
    (address, default_shipping, default_billing): (Address, bool, bool),
) -> Result<(AddressBook, AddressId), AccountsError> {
    let id_of_entry = id.unwrap_or_else(AddressId::generate);
    let entry = BookEntry { id: id_of_entry, address, default_shipping, default_billing };
    let book = change(store, principal, |book| {
        if id.is_some() && book.entry(id_of_entry).is_none() {
            return Ok(None);
        }
        Ok(Some(book.with(entry.clone()).map_err(CommonError::from)?))
    })
    .await?;
    Ok((book, id_of_entry))
}

pub async fn remove_address(
    store: &impl AddressBookStore,
    principal: &Principal,
    id: AddressId,
) -> Result<AddressBook, AccountsError> {
    change(store, principal, |book| Ok(book.without(id))).await
}
