//! Re-publishing events after the fan-out gave up on them (an outbox dead-letter
//! alarm): `tillbox-admin republish`. Every consumer de-duplicates on the event
//! id, so publishing an event again does nothing twice; what was missed is done.

use crate::app::store::{Page, StoreError};
use crate::domain::{Event, EventId, Timestamp};
use std::future::Future;

/// How far before a `--since` time re-publishing starts. The dead-letter message
/// gives when the batch reached the stream; an event's `occurred_at` is taken by
/// its use case before the commit (before a payment provider's answer, even), and
/// concurrent commits reach the stream out of order. Consumers skip what they
/// did, so starting early costs a few duplicates and loses nothing.
pub const SINCE_MARGIN: time::Duration = time::Duration::minutes(15);

/// Where re-publishing starts: at one event (itself included), or
/// [`SINCE_MARGIN`] before a time (the dead-letter message's
/// `approximateArrivalOfFirstRecord`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Start {
    Event(EventId),
    Time(Timestamp),
}

/// The outbox, read in the order events happened, and written again.
pub trait OutboxReplay {
    fn published(&self, id: EventId) -> impl Future<Output = Result<Option<Event>, StoreError>>;
    /// The events of `day` at or after `(at, id)`, oldest first.
    fn published_on(
        &self,
        day: time::Date,
        at: Timestamp,
        id: Option<EventId>,
        cursor: Option<&str>,
    ) -> impl Future<Output = Result<Page<Event>, StoreError>>;
    /// Writes `event` to the outbox again, as a new item, so the stream carries it
    /// to the fan-out once more.
    fn republish(&self, event: &Event, now: Timestamp) -> impl Future<Output = Result<(), StoreError>>;
}

#[derive(Debug, thiserror::Error)]
pub enum RepublishError {
    /// The outbox keeps events 7 days; an older or mistyped id is not there.
    #[error("event {0} is not in the outbox (it keeps events for 7 days)")]
    UnknownEvent(EventId),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Re-publishes every event from `start` up to `now`, oldest first, calling
/// `published` after each; returns how many.
pub async fn republish(
    store: &impl OutboxReplay,
    start: Start,
    now: Timestamp,
    mut published: impl FnMut(&Event),
) -> Result<usize, RepublishError> {
    let (at, id) = match start {
        Start::Event(id) => {
            let event = store.published(id).await?.ok_or(RepublishError::UnknownEvent(id))?;
            (event.occurred_at, Some(id))
        }
        Start::Time(at) => (at - SINCE_MARGIN, None),
    };
    let mut count = 0;
    for day in crate::domain::days(at.date(), now.date()) {
        let mut cursor = None;
        loop {
            let page = store.published_on(day, at, id, cursor.as_deref()).await?;
            for event in &page.items {
                store.republish(event, now).await?;
                published(event);
                count += 1;
            }
            cursor = page.next_cursor;
            if cursor.is_none() {
                break;
            }
        }
    }
    Ok(count)
}
