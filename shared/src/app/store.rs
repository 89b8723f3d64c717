//! What every port reports back: storage failures and pages of results.

/// Failures of the storage layer.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("item not found")]
    NotFound,
    /// A conditional write found another version than the one it was based on.
    #[error("stored version is {current}")]
    VersionMismatch { current: u64 },
    /// A conditional write found the object replaced since it was read (a whole
    /// object kept by tag rather than by version: the search index).
    #[error("replaced since it was read")]
    Replaced,
    /// The pagination cursor was not one this listing produced.
    #[error("invalid cursor")]
    BadCursor,
    /// A stored item could not be read back: a bug or a manual edit, never user input.
    #[error("corrupt item: {0}")]
    Corrupt(String),
    #[error("storage unavailable: {0}")]
    Unavailable(String),
}

#[derive(Debug, Clone)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Present when the store may hold more; passing it back continues the listing.
    pub next_cursor: Option<String>,
}
