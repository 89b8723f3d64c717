//! The delivery log: one delivery per event and endpoint, with its attempts.

use super::retry::Verdict;
use crate::domain::event::Event;
use crate::domain::id::{EventId, WebhookEndpointId};
use crate::domain::timestamp::Timestamp;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    pub endpoint: WebhookEndpointId,
    /// The event's id: the delivery's id and the `webhook-id` of every attempt.
    pub event: EventId,
    pub event_type: String,
    /// The exact body sent, so retries and redeliveries send the same bytes.
    pub payload: String,
    pub status: DeliveryStatus,
    pub attempts: Vec<Attempt>,
    pub next_attempt_at: Option<Timestamp>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub version: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryStatus {
    Pending,
    Delivered,
    Failed,
}

impl DeliveryStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Delivered => "delivered",
            Self::Failed => "failed",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        [Self::Pending, Self::Delivered, Self::Failed].into_iter().find(|s| s.as_str() == value)
    }
}

/// One attempt, as the delivery log stores it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Attempt {
    /// 1-based, counted across redeliveries.
    pub number: u32,
    #[serde(with = "crate::domain::timestamp::timestamp_serde")]
    pub at: Timestamp,
    /// The receiver's HTTP status; `None` when no answer came.
    pub status: Option<u16>,
    pub error: Option<String>,
    pub duration_ms: u64,
    /// The first KiB of the response body.
    pub response: String,
}

/// How many attempts a delivery keeps in its log (a delivery redelivered many
/// times keeps its latest).
pub const ATTEMPTS_KEPT: usize = 50;

impl Delivery {
    pub fn new(endpoint: WebhookEndpointId, event: &Event, payload: String, now: Timestamp) -> Self {
        Self {
            endpoint,
            event: event.id,
            event_type: event.kind.name().to_owned(),
            payload,
            status: DeliveryStatus::Pending,
            attempts: Vec::new(),
            next_attempt_at: Some(now),
            created_at: now,
            updated_at: now,
            version: 0,
        }
    }

    pub fn attempts_made(&self) -> u32 {
        self.attempts.last().map_or(0, |a| a.number)
    }

    /// Records attempt `number` and what follows from it.
    pub fn record(&self, attempt: Attempt, verdict: &Verdict, now: Timestamp) -> Self {
        let mut attempts = self.attempts.clone();
        attempts.push(attempt);
        if attempts.len() > ATTEMPTS_KEPT {
            attempts.drain(..attempts.len() - ATTEMPTS_KEPT);
        }
        let (status, next_attempt_at) = match verdict {
            Verdict::Delivered => (DeliveryStatus::Delivered, None),
            Verdict::Gone | Verdict::GiveUp => (DeliveryStatus::Failed, None),
            Verdict::RetryAfter(wait) => (DeliveryStatus::Pending, Some(now + *wait)),
        };
        Self { attempts, status, next_attempt_at, updated_at: now, version: self.version + 1, ..self.clone() }
    }

    /// Sent again on an admin's request: a new series of attempts.
    pub fn redeliver(&self, now: Timestamp) -> Self {
        Self {
            status: DeliveryStatus::Pending,
            next_attempt_at: Some(now),
            updated_at: now,
            version: self.version + 1,
            ..self.clone()
        }
    }
}

/// Keeps the first KiB of a response body, cut at a character boundary.
pub fn first_kib(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(&body[..body.len().min(1024)]).into_owned();
    text.trim_end_matches('\u{fffd}').to_owned()
}
