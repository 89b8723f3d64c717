//! [`AddressBookStore`] on the table: the whole book in one item beside the
//! account (`USER#<subject>` / `ADDRESSES`), written at its version.

use super::Table;
use super::items::{Item, Reader, address_value, b, item, n, s};
use super::keys::{self, PK, SK};
use crate::app::accounts::ports::AddressBookStore;
use crate::app::store::StoreError;
use crate::domain::address::{AddressBook, BookEntry};
use aws_sdk_dynamodb::types::AttributeValue;

fn book_item(owner: &str, book: &AddressBook) -> Item {
    let entries = book
        .entries
        .iter()
        .map(|e| {
            let AttributeValue::M(mut entry) = address_value(&e.address) else { unreachable!("an address is a map") };
            entry.insert("id".into(), s(e.id.to_string()));
            entry.insert("default_shipping".into(), b(e.default_shipping));
            entry.insert("default_billing".into(), b(e.default_billing));
            AttributeValue::M(entry)
        })
        .collect();
    item([
        (PK, s(keys::address_book_pk(owner))),
        (SK, s(keys::ADDRESS_BOOK_SK)),
        ("entity", s("address_book")),
        ("entries", AttributeValue::L(entries)),
        ("version", n(book.version)),
    ])
}

fn book_from(found: &Item) -> Result<AddressBook, StoreError> {
    let r = Reader(found);
    let entries = r.maps("entries", |entry| {
        let wrapped: Item = [("address".to_owned(), AttributeValue::M(entry.0.clone()))].into_iter().collect();
        let address = Reader(&wrapped).opt_address("address")?.ok_or_else(|| entry.corrupt("address", "missing"))?;
        Ok(BookEntry {
            id: entry.parsed("id", |v| v.parse().ok())?,
            address,
            default_shipping: entry.b("default_shipping")?,
            default_billing: entry.b("default_billing")?,
        })
    })?;
    Ok(AddressBook { entries, version: r.n("version")? })
}

impl AddressBookStore for Table {
    async fn address_book(&self, owner: &str) -> Result<AddressBook, StoreError> {
        let found = self.get_consistent(keys::address_book_pk(owner), keys::ADDRESS_BOOK_SK).await?;
        found.as_ref().map_or(Ok(AddressBook::default()), book_from)
    }

    async fn save_address_book(&self, owner: &str, book: &AddressBook) -> Result<(), StoreError> {
        let stored = book_item(owner, book);
        let write =
            if book.version == 1 { self.put_new(stored)? } else { self.put_at_version(stored, book.version - 1)? };
        match self.transact_versioned(vec![write]).await {
            // The first save lost to another first save.
            Err(StoreError::NotFound) if book.version == 1 => Err(StoreError::VersionMismatch { current: 1 }),
            other => other,
        }
    }
}
