//! Where the search documents are kept: one object holding them all, replaced
//! whole and only if nobody replaced it since it was read.

use crate::app::store::StoreError;
use crate::domain::search::SearchDocument;
use std::future::Future;

#[derive(Debug, Clone, PartialEq, Default)]
pub struct StoredDocuments {
    pub documents: Vec<SearchDocument>,
    /// Names this content; `None` while nothing has been stored.
    pub tag: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Loaded {
    /// The stored documents are still the ones the caller's tag names.
    Unchanged,
    Current(StoredDocuments),
    /// Stored, but not readable by this release (damaged, or a format it does
    /// not know): only a rebuild replaces it.
    Unreadable {
        tag: String,
        reason: String,
    },
}

pub trait SearchDocuments {
    /// The stored documents, or [`Loaded::Unchanged`] when `known_tag` still names them.
    fn load(&self, known_tag: Option<&str>) -> impl Future<Output = Result<Loaded, StoreError>>;
    /// Stores `documents` if the stored ones are still those `expected_tag` names
    /// (`None`: nothing stored), else [`StoreError::Replaced`]. Returns the new tag.
    fn save(
        &self,
        documents: &[SearchDocument],
        expected_tag: Option<&str>,
    ) -> impl Future<Output = Result<String, StoreError>>;
}
