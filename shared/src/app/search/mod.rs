//! Search use cases: keeping the index's documents in step with the catalog, and
//! serving queries from an index loaded once per function instance.
//!
//! The documents live in one stored object. Writers (the index job, a rebuild)
//! replace it only if it is still what they read, and merge by product version,
//! so two writers racing, or updates arriving out of order, never lose a change.

pub mod ports;
mod reader;

pub use reader::LiveIndex;

use crate::app::catalog::ports::{ProductQuery, ProductStore};
use crate::app::store::StoreError;
use crate::domain::search::{self, SearchDocument};
use crate::domain::{ProductId, ProductStatus};
use ports::{Loaded, SearchDocuments, StoredDocuments};

/// Tries before giving up when other writers keep replacing the documents
/// (the caller's retry takes over then: the job's message returns to its queue).
const ATTEMPTS: usize = 5;
/// Products read per page by a rebuild.
const REBUILD_PAGE: u16 = 500;

/// Brings the documents of `ids` up to date from the catalog. Returns how many
/// documents changed (0 when the index already had these versions).
pub async fn reindex(
    index: &impl SearchDocuments,
    products: &impl ProductStore,
    ids: &[ProductId],
) -> Result<usize, StoreError> {
    let changed: Vec<SearchDocument> = products.get_many(ids).await?.iter().map(SearchDocument::of).collect();
    for _ in 0..ATTEMPTS {
        let mut stored = match load(index).await? {
            Ok(stored) => stored,
            // Writing only these products over it would lose every other one.
            Err((_, reason)) => {
                return Err(StoreError::Corrupt(format!("{reason}; `tillbox-admin reindex-products` rebuilds it")));
            }
        };
        let merged = search::merge(&mut stored.documents, changed.iter().cloned());
        if merged == 0 {
            return Ok(0);
        }
        match index.save(&stored.documents, stored.tag.as_deref()).await {
            Ok(_) => return Ok(merged),
            Err(StoreError::Replaced) => continue,
            Err(other) => return Err(other),
        }
    }
    Err(StoreError::Replaced)
}

/// Rebuilds every document from the catalog, whatever the index held, keeping
/// only changes written while the catalog was being read (newer versions).
/// Returns how many products the index holds.
pub async fn rebuild(index: &impl SearchDocuments, products: &impl ProductStore) -> Result<usize, StoreError> {
    let mut scanned = Vec::new();
    for status in ProductStatus::ALL {
        let mut cursor = None;
        loop {
            let query = ProductQuery { status, category: None, limit: REBUILD_PAGE, cursor };
            let page = products.list(&query).await?;
            scanned.extend(page.items.iter().map(SearchDocument::of));
            match page.next_cursor {
                Some(next) => cursor = Some(next),
                None => break,
            }
        }
    }
    // A product whose status changed during the scan was read twice: its newer version stays.
    let mut documents = Vec::with_capacity(scanned.len());
    search::merge(&mut documents, scanned);
    let scanned = documents;
    for _ in 0..ATTEMPTS {
        let stored = match load(index).await? {
            Ok(stored) => stored,
            Err((tag, reason)) => {
                tracing::warn!(%reason, "the stored search documents are unreadable; replacing them");
                StoredDocuments { documents: Vec::new(), tag: Some(tag) }
            }
        };
        let mut documents = scanned.clone();
        search::merge(&mut documents, stored.documents);
        match index.save(&documents, stored.tag.as_deref()).await {
            Ok(_) => return Ok(documents.len()),
            Err(StoreError::Replaced) => continue,
            Err(other) => return Err(other),
        }
    }
    Err(StoreError::Replaced)
}

/// The stored documents, or the tag and reason of an unreadable object.
async fn load(index: &impl SearchDocuments) -> Result<Result<StoredDocuments, (String, String)>, StoreError> {
    match index.load(None).await? {
        Loaded::Current(stored) => Ok(Ok(stored)),
        Loaded::Unreadable { tag, reason } => Ok(Err((tag, reason))),
        Loaded::Unchanged => Err(StoreError::Corrupt("an unconditional load answered unchanged".into())),
    }
}
