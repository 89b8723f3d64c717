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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::search::ports::StoredDocuments;
    use crate::domain::ProductStatus;
    use crate::domain::search::{SearchDocument, SearchQuery};
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// Answers what `next` holds (`Err`: S3 is down); counts the downloads.
    #[derive(Default)]
    struct Fake {
        next: Mutex<Option<Result<Loaded, String>>>,
        downloads: AtomicUsize,
    }

    impl SearchDocuments for Fake {
        async fn load(&self, known_tag: Option<&str>) -> Result<Loaded, StoreError> {
            let next = self.next.lock().unwrap().clone().expect("the test set an answer");
            match next {
                Ok(Loaded::Current(stored)) if known_tag.is_some() && known_tag == stored.tag.as_deref() => {
                    Ok(Loaded::Unchanged)
                }
                Ok(loaded) => {
                    self.downloads.fetch_add(usize::from(matches!(loaded, Loaded::Current(_))), Ordering::SeqCst);
                    Ok(loaded)
                }
                Err(reason) => Err(StoreError::Unavailable(reason)),
            }
        }

        async fn save(&self, _: &[SearchDocument], _: Option<&str>) -> Result<String, StoreError> {
            unreachable!("a reader never writes")
        }
    }

    fn stored(names: &[&str], tag: &str) -> Result<Loaded, String> {
        let documents = names
            .iter()
            .enumerate()
            .map(|(i, name)| SearchDocument {
                id: format!("{i}"),
                version: 1,
                status: ProductStatus::Active,
                name: (*name).into(),
                description: String::new(),
                category: None,
                skus: vec![format!("SKU-{i}")],
                option_values: Vec::new(),
                currency: "EUR".into(),
                price_min: 100,
                price_max: 100,
                in_stock: true,
                thumbnail: None,
                created_at: "2026-12-01T00:00:00Z".into(),
            })
            .collect();
        Ok(Loaded::Current(StoredDocuments { documents, tag: Some(tag.into()) }))
    }

    fn names(index: &SearchIndex) -> Vec<String> {
        let query = SearchQuery {
            text: String::new(),
            statuses: vec![ProductStatus::Active],
            category: None,
            min_price: None,
            max_price: None,
            in_stock: None,
            limit: 10,
            after: None,
        };
        index.search(&query).hits.iter().map(|h| h.document.name.clone()).collect()
    }

    #[tokio::test]
    async fn the_index_is_downloaded_once_then_only_when_it_changed_and_survives_a_failing_store() {
        let fake = Fake::default();
        *fake.next.lock().unwrap() = Some(stored(&["Lamp"], "a"));
        let live = LiveIndex::new(fake, Duration::ZERO);
        assert_eq!(names(&live.current().await.unwrap()), ["Lamp"]);
        assert_eq!(names(&live.current().await.unwrap()), ["Lamp"], "unchanged: the conditional read");
        assert_eq!(live.store.downloads.load(Ordering::SeqCst), 1);

        *live.store.next.lock().unwrap() = Some(stored(&["Lamp", "Chair"], "b"));
        assert_eq!(names(&live.current().await.unwrap()).len(), 2);
        for failure in
            [Err("S3 is down".to_owned()), Ok(Loaded::Unreadable { tag: "c".into(), reason: "damaged".into() })]
        {
            *live.store.next.lock().unwrap() = Some(failure);
            assert_eq!(names(&live.current().await.unwrap()).len(), 2, "the index loaded before keeps answering");
        }
        assert_eq!(live.store.downloads.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn within_the_refresh_interval_the_store_is_not_asked() {
        let fake = Fake::default();
        *fake.next.lock().unwrap() = Some(stored(&["Lamp"], "a"));
        let live = LiveIndex::new(fake, Duration::from_secs(3600));
        live.current().await.unwrap();
        *live.store.next.lock().unwrap() = Some(stored(&["Chair"], "b"));
        assert_eq!(names(&live.current().await.unwrap()), ["Lamp"]);
        assert_eq!(live.store.downloads.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn with_nothing_loaded_a_failure_is_the_answer() {
        let fake = Fake::default();
        *fake.next.lock().unwrap() = Some(Err("S3 is down".into()));
        let live = LiveIndex::new(fake, Duration::ZERO);
        assert!(matches!(live.current().await, Err(StoreError::Unavailable(_))));
    }
}
