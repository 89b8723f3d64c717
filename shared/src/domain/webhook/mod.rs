//! Outgoing webhooks: endpoints admins register, and the Standard Webhooks rules
//! every delivery follows (<https://www.standardwebhooks.com>), one module per
//! concern: which events an endpoint receives ([`selection`]), which addresses
//! may be called ([`url`]), how deliveries are signed ([`signing`]), when a failed
//! attempt is retried ([`retry`]) and the delivery log ([`delivery`]).

pub mod delivery;
pub mod retry;
pub mod selection;
pub mod signing;
pub mod url;

use crate::domain::id::WebhookEndpointId;
use crate::domain::timestamp::Timestamp;
use crate::domain::validation::{Checker, Invalid, text};
use selection::EventSelection;
use signing::{ROTATION_OVERLAP, SigningSecret};
use url::{UrlPolicy, WebhookUrl};

/// A registered endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookEndpoint {
    pub id: WebhookEndpointId,
    pub url: WebhookUrl,
    pub events: EventSelection,
    pub description: String,
    pub enabled: bool,
    /// Why Tillbox disabled it (410 Gone, days of failures); `None` when an admin did.
    pub disabled_reason: Option<String>,
    pub secret: SigningSecret,
    /// The secret before the last rotation and until when it still signs.
    pub previous_secret: Option<(SigningSecret, Timestamp)>,
    /// When the current run of failed attempts began; cleared by a success.
    pub failing_since: Option<Timestamp>,
    pub version: u64,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl WebhookEndpoint {
    /// The secrets deliveries are signed with at `now`: the current one, and the
    /// previous one during a rotation's overlap.
    pub fn signing_secrets(&self, now: Timestamp) -> Vec<&SigningSecret> {
        let previous = self.previous_secret.as_ref().filter(|(_, until)| now < *until).map(|(secret, _)| secret);
        std::iter::once(&self.secret).chain(previous).collect()
    }

    /// The `webhook-signature` header: one signature per secret, space-separated.
    pub fn signature(&self, id: &str, timestamp: i64, body: &str, now: Timestamp) -> String {
        self.signing_secrets(now).iter().map(|s| s.sign(id, timestamp, body)).collect::<Vec<_>>().join(" ")
    }

    /// A new secret; the current one keeps signing for [`ROTATION_OVERLAP`].
    pub fn rotate(&self, now: Timestamp) -> Self {
        Self {
            secret: SigningSecret::generate(),
            previous_secret: Some((self.secret.clone(), now + ROTATION_OVERLAP)),
            version: self.version + 1,
            updated_at: now,
            ..self.clone()
        }
    }

    pub fn apply(&self, changes: WebhookChanges, policy: &UrlPolicy, now: Timestamp) -> Result<Self, Invalid> {
        let mut checker = Checker::default();
        let url = changes.url.as_deref().and_then(|u| checker.check("url", WebhookUrl::parse(u, policy)));
        let events = changes.events.as_deref().and_then(|e| checker.check("events", EventSelection::parse(e)));
        let description = changes.description.as_deref().and_then(|d| checker.check("description", description(d)));
        checker.finish()?;
        let mut next = Self {
            url: url.unwrap_or_else(|| self.url.clone()),
            events: events.unwrap_or_else(|| self.events.clone()),
            description: description.unwrap_or_else(|| self.description.clone()),
            version: self.version + 1,
            updated_at: now,
            ..self.clone()
        };
        if let Some(enabled) = changes.enabled {
            next.enabled = enabled;
            if enabled {
                next.disabled_reason = None;
                next.failing_since = None;
            }
        }
        Ok(next)
    }
}

fn description(value: &str) -> Result<String, String> {
    text(value, 0, 500)
}

/// What an admin registers, as given: [`NewWebhookEndpoint::into_endpoint`] checks it.
#[derive(Debug, Clone)]
pub struct NewWebhookEndpoint {
    pub url: String,
    pub events: Vec<String>,
    pub description: String,
    pub enabled: bool,
}

impl NewWebhookEndpoint {
    pub fn into_endpoint(self, policy: &UrlPolicy, now: Timestamp) -> Result<WebhookEndpoint, Invalid> {
        let mut checker = Checker::default();
        let url = checker.check("url", WebhookUrl::parse(&self.url, policy));
        let events = checker.check("events", EventSelection::parse(&self.events));
        let description = checker.check("description", description(&self.description));
        checker.finish()?;
        let (Some(url), Some(events), Some(description)) = (url, events, description) else {
            unreachable!("the checker failed on any missing field")
        };
        Ok(WebhookEndpoint {
            id: WebhookEndpointId::generate(),
            url,
            events,
            description,
            enabled: self.enabled,
            disabled_reason: None,
            secret: SigningSecret::generate(),
            previous_secret: None,
            failing_since: None,
            version: 1,
            created_at: now,
            updated_at: now,
        })
    }
}

/// Changes to an endpoint: `None` leaves a field as it is. Enabling an endpoint
/// clears its failure history.
#[derive(Debug, Clone, Default)]
pub struct WebhookChanges {
    pub url: Option<String>,
    pub events: Option<Vec<String>>,
    pub description: Option<String>,
    pub enabled: Option<bool>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::Duration;

    #[test]
    fn the_previous_secret_signs_for_a_day_after_rotation() {
        let now = time::macros::datetime!(2026-11-22 10:00 UTC);
        let input = NewWebhookEndpoint {
            url: "https://hooks.example.com/".into(),
            events: vec!["*".into()],
            description: String::new(),
            enabled: true,
        };
        let endpoint = input.into_endpoint(&UrlPolicy::default(), now).unwrap();
        let rotated = endpoint.rotate(now);
        assert_eq!(rotated.signature("id", 1, "{}", now).split(' ').count(), 2);
        assert_eq!(rotated.signature("id", 1, "{}", now + Duration::hours(25)).split(' ').count(), 1);
        assert!(rotated.signature("id", 1, "{}", now).contains(&endpoint.secret.sign("id", 1, "{}")));
    }
}
