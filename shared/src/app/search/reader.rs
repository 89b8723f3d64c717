//! The index a search function answers from: loaded at the first query, and
//! checked for a newer version at most once per `refresh_after`, a conditional
//! read that costs no download while nothing changed.

use super::ports::{Loaded, SearchDocuments};
use crate::app::store::StoreError;
use crate::domain::search::SearchIndex;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub struct LiveIndex<S> {
    store: S,
    refresh_after: Duration,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    index: Option<Arc<SearchIndex>>,
    tag: Option<String>,
    checked_at: Option<Instant>,
}

impl<S: SearchDocuments> LiveIndex<S> {
    pub fn new(store: S, refresh_after: Duration) -> Self {
        Self { store, refresh_after, state: Mutex::new(State::default()) }
    }

    /// The newest index at most `refresh_after` old. While the stored documents
    /// cannot be read, the index already loaded keeps answering, and the store is
    /// asked again only after another `refresh_after`.
    pub async fn current(&self) -> Result<Arc<SearchIndex>, StoreError> {
        let (index, tag) = {
            let state = self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            let fresh = state.checked_at.is_some_and(|at| at.elapsed() < self.refresh_after);
            match (&state.index, fresh) {
                (Some(index), true) => return Ok(index.clone()),
                (index, _) => (index.clone(), state.tag.clone()),
            }
        };
        let known = index.as_ref().and(tag.as_deref());
        let loaded = self.store.load(known).await;
        let mut state = self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        state.checked_at = Some(Instant::now());
        let failure = match loaded {
            Ok(Loaded::Unchanged) => None,
            Ok(Loaded::Current(stored)) => {
                let started = Instant::now();
                let index = SearchIndex::build(stored.documents);
                tracing::info!(
                    products = index.documents().len(),
                    build_ms = started.elapsed().as_millis() as u64,
                    "search index loaded"
                );
                state.index = Some(Arc::new(index));
                state.tag = stored.tag;
                None
            }
            Ok(Loaded::Unreadable { reason, .. }) => Some(StoreError::Corrupt(reason)),
            Err(error) => Some(error),
        };
        match (failure, &state.index) {
            (None, Some(index)) => Ok(index.clone()),
            (None, None) => Ok(Arc::default()),
            (Some(error), Some(index)) => {
                tracing::error!(%error, "search documents unreadable; answering from the index loaded before");
                Ok(index.clone())
            }
            (Some(error), None) => Err(error),
        }
    }
}
