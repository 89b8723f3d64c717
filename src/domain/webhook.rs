//! Outgoing webhooks: endpoints admins register, and the Standard Webhooks rules
//! every delivery follows (<https://www.standardwebhooks.com>): what is signed and
//! how, which addresses may be called, and when a failed attempt is retried.

use super::Timestamp;
use super::event::{Event, EventId};
use super::validation::{Checker, Invalid, text};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::{Deserialize, Deserializer};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use time::Duration;

super::id::uuid_id!(
    /// Identifies one registered endpoint.
    WebhookEndpointId
);

/// The event types an endpoint may subscribe to. Account-security events
/// (repeated sign-ups, password resets) stay inside Tillbox.
pub const SUBSCRIBABLE: &[&str] = &[
    "order.placed",
    "order.paid",
    "order.fulfilled",
    "order.cancelled",
    "order.refunded",
    "order.disputed",
    "user.signed_up",
];

/// Which events an endpoint receives: `["*"]` (every subscribable type, including
/// ones added later) or a list of types.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventSelection {
    All,
    Only(Vec<String>),
}

impl EventSelection {
    pub fn parse(types: &[String]) -> Result<Self, String> {
        if types.is_empty() {
            return Err(r#"must name at least one event type, or be ["*"]"#.into());
        }
        if types.iter().any(|t| t == "*") {
            return if types.len() == 1 { Ok(Self::All) } else { Err(r#""*" must be the only entry"#.into()) };
        }
        if let Some(unknown) = types.iter().find(|t| !SUBSCRIBABLE.contains(&t.as_str())) {
            return Err(format!("`{unknown}` is not an event type; one of {}", SUBSCRIBABLE.join(", ")));
        }
        let mut unique: Vec<String> = types.to_vec();
        unique.sort();
        unique.dedup();
        Ok(Self::Only(unique))
    }

    pub fn matches(&self, event_type: &str) -> bool {
        SUBSCRIBABLE.contains(&event_type)
            && match self {
                Self::All => true,
                Self::Only(types) => types.iter().any(|t| t == event_type),
            }
    }

    pub fn to_list(&self) -> Vec<String> {
        match self {
            Self::All => vec!["*".to_owned()],
            Self::Only(types) => types.clone(),
        }
    }
}

/// Hosts that may be called over plain `http` and at private addresses: the
/// local stack's receiver (`WEBHOOK_INSECURE_HOSTS`, empty when deployed).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UrlPolicy {
    pub insecure_hosts: Vec<String>,
}

impl UrlPolicy {
    pub fn allows_insecure(&self, host: &str) -> bool {
        self.insecure_hosts.iter().any(|h| h.eq_ignore_ascii_case(host))
    }
}

/// An endpoint's address: `https`, a host name or a public IP address, no
/// credentials. Names are resolved and checked again at every delivery
/// ([`is_public`]), since what a name points at can change after registration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookUrl {
    url: String,
    host: String,
    port: u16,
}

impl WebhookUrl {
    pub fn parse(value: &str, policy: &UrlPolicy) -> Result<Self, String> {
        Self::parse_with(value, |host| policy.allows_insecure(host))
    }

    /// A URL read back from storage: it was checked under the policy of its day
    /// when saved, and a narrower policy later must not make the endpoint
    /// unreadable (every delivery checks its addresses again).
    pub fn stored(value: &str) -> Result<Self, String> {
        Self::parse_with(value, |_| true)
    }

    fn parse_with(value: &str, allows_insecure: impl Fn(&str) -> bool) -> Result<Self, String> {
        const MAX_LENGTH: usize = 2048;
        if value.len() > MAX_LENGTH {
            return Err(format!("must be at most {MAX_LENGTH} characters"));
        }
        let uri: hyper::Uri = value.parse().map_err(|_| "must be an absolute URL, e.g. https://example.com/hooks")?;
        let (Some(scheme), Some(authority)) = (uri.scheme_str(), uri.authority()) else {
            return Err("must be an absolute URL, e.g. https://example.com/hooks".into());
        };
        if authority.as_str().contains('@') {
            return Err("must not contain credentials".into());
        }
        let host = authority.host().trim_start_matches('[').trim_end_matches(']').to_ascii_lowercase();
        if host.is_empty() {
            return Err("must name a host".into());
        }
        let insecure_allowed = allows_insecure(&host);
        let default_port = match scheme {
            "https" => 443,
            "http" if insecure_allowed => 80,
            _ => return Err("must use https".into()),
        };
        if !insecure_allowed {
            if let Ok(ip) = host.parse::<IpAddr>()
                && !is_public(ip)
            {
                return Err("must not point at a private, loopback, link-local or metadata address".into());
            }
            if host == "localhost" || host.ends_with(".localhost") || host.ends_with(".internal") {
                return Err("must not point at a private, loopback, link-local or metadata address".into());
            }
        }
        Ok(Self { url: value.to_owned(), port: authority.port_u16().unwrap_or(default_port), host })
    }

    pub fn as_str(&self) -> &str {
        &self.url
    }

    pub fn host(&self) -> &str {
        &self.host
    }

    pub fn port(&self) -> u16 {
        self.port
    }
}

/// Whether a delivery may connect to `ip`: not private, loopback, link-local
/// (the instance metadata service is 169.254.169.254 and fd00:ec2::254),
/// shared, multicast, documentation or otherwise reserved, including IPv4
/// addresses wrapped in IPv6.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public_v4(v4);
            }
            let segments = v6.segments();
            // NAT64 (64:ff9b::/96) and 6to4 (2002::/16) reach IPv4 addresses.
            if segments[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
                let [a, b] = segments[6].to_be_bytes();
                let [c, d] = segments[7].to_be_bytes();
                return is_public_v4(Ipv4Addr::new(a, b, c, d));
            }
            if segments[0] == 0x2002 {
                let [a, b] = segments[1].to_be_bytes();
                let [c, d] = segments[2].to_be_bytes();
                return is_public_v4(Ipv4Addr::new(a, b, c, d));
            }
            let global_unicast = segments[0] & 0xe000 == 0x2000;
            let documentation = segments[0] == 0x2001 && segments[1] == 0x0db8;
            global_unicast && !documentation && v6 != Ipv6Addr::LOCALHOST
        }
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(ip.is_private()
        || ip.is_loopback()
        || ip.is_link_local()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || ip.is_unspecified()
        || a == 0
        || (a == 100 && (64..128).contains(&b))
        || (a == 192 && b == 0 && c == 0)
        || (a == 198 && (18..20).contains(&b))
        || a >= 240)
}

/// An endpoint's signing secret: `whsec_` and the base64 of 32 random bytes,
/// which are the HMAC key.
#[derive(Clone, PartialEq, Eq)]
pub struct SigningSecret([u8; 32]);

impl std::fmt::Debug for SigningSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SigningSecret(..)")
    }
}

impl SigningSecret {
    const PREFIX: &str = "whsec_";

    pub fn generate() -> Self {
        Self(super::secret::random_bytes())
    }

    pub fn parse(value: &str) -> Option<Self> {
        let bytes = STANDARD.decode(value.strip_prefix(Self::PREFIX)?).ok()?;
        Some(Self(bytes.try_into().ok()?))
    }

    /// The secret as shown once to the admin and as stored.
    pub fn expose(&self) -> String {
        format!("{}{}", Self::PREFIX, STANDARD.encode(self.0))
    }

    /// `v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">`.
    pub fn sign(&self, id: &str, timestamp: i64, body: &str) -> String {
        let key = aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, &self.0);
        let tag = aws_lc_rs::hmac::sign(&key, format!("{id}.{timestamp}.{body}").as_bytes());
        format!("v1,{}", STANDARD.encode(tag.as_ref()))
    }
}

/// How long the previous secret keeps signing after a rotation, so receivers can
/// switch without dropping a delivery.
pub const ROTATION_OVERLAP: Duration = Duration::hours(24);

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

/// The body of `POST /admin/webhooks`.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewWebhookEndpoint {
    pub url: String,
    pub events: Vec<String>,
    #[serde(default)]
    pub description: String,
    #[serde(default = "yes")]
    pub enabled: bool,
}

fn yes() -> bool {
    true
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

/// The body of `PATCH /admin/webhooks/{id}`. Enabling an endpoint clears its
/// failure history.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WebhookChanges {
    pub url: Option<String>,
    pub events: Option<Vec<String>>,
    #[serde(default, deserialize_with = "not_null")]
    #[schema(nullable = false)]
    pub description: Option<String>,
    pub enabled: Option<bool>,
}

fn not_null<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    String::deserialize(d).map(Some)
}

/// When failed attempts are retried: the delay before attempt 2, 3, … after
/// the one before failed. Standard Webhooks' schedule by default
/// ([`RetrySchedule::STANDARD`]); `WEBHOOK_RETRY_SCHEDULE` shortens it locally.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetrySchedule(Vec<Duration>);

impl RetrySchedule {
    /// Immediately, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h: eight attempts in
    /// about 27.6 hours.
    pub const STANDARD_SECONDS: [i64; 8] = [0, 5, 300, 1800, 7200, 18000, 36000, 36000];

    pub fn standard() -> Self {
        Self(Self::STANDARD_SECONDS.iter().map(|s| Duration::seconds(*s)).collect())
    }

    /// Comma-separated seconds, the first being the first attempt's (usually 0).
    pub fn parse(value: &str) -> Result<Self, String> {
        let delays = value
            .split(',')
            .map(|s| s.trim().parse::<u32>().map(|s| Duration::seconds(i64::from(s))))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|_| format!("`{value}` is not a comma-separated list of whole seconds"))?;
        if delays.is_empty() || delays.iter().any(|d| *d > MAX_WAIT) {
            return Err("needs at least one attempt, each at most 12 hours after the last".into());
        }
        Ok(Self(delays))
    }

    pub fn attempts(&self) -> u32 {
        u32::try_from(self.0.len()).unwrap_or(u32::MAX)
    }

    /// The wait before attempt `next` (1-based) of a series.
    fn delay_before(&self, next: u32) -> Option<Duration> {
        self.0.get(usize::try_from(next.checked_sub(1)?).ok()?).copied()
    }
}

/// The longest Tillbox waits between two attempts, even when asked for more.
pub const MAX_WAIT: Duration = Duration::hours(12);

/// An endpoint that has failed every attempt for this long is disabled.
pub const DISABLE_AFTER_FAILING: Duration = Duration::days(5);

/// What the receiver did with one attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReceiverReply {
    Answered {
        status: u16,
        /// `Retry-After` in seconds, if the receiver sent one.
        retry_after: Option<u64>,
        /// The first KiB of the response body, for the delivery log.
        body: String,
    },
    /// No answer: refused, timed out, or an address Tillbox may not call.
    Failed { reason: String },
}

/// What happens after an attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Delivered,
    /// The receiver said 410 Gone: the endpoint is disabled.
    Gone,
    RetryAfter(Duration),
    /// The last attempt of the schedule failed.
    GiveUp,
}

/// Judges attempt `number` of a series (1-based). Only 2xx delivers (a redirect
/// is not followed). `Retry-After` replaces the schedule's next wait, up to
/// [`MAX_WAIT`].
pub fn judge(reply: &ReceiverReply, number: u32, schedule: &RetrySchedule) -> Verdict {
    let retry_after = match reply {
        ReceiverReply::Answered { status: 200..=299, .. } => return Verdict::Delivered,
        ReceiverReply::Answered { status: 410, .. } => return Verdict::Gone,
        ReceiverReply::Answered { retry_after, .. } => *retry_after,
        ReceiverReply::Failed { .. } => None,
    };
    match schedule.delay_before(number + 1) {
        None => Verdict::GiveUp,
        Some(scheduled) => {
            let wait = retry_after.map_or(scheduled, |s| Duration::seconds(i64::try_from(s).unwrap_or(i64::MAX)));
            Verdict::RetryAfter(wait.clamp(Duration::ZERO, MAX_WAIT))
        }
    }
}

/// The delivery of one event to one endpoint, and every attempt at it.
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

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct Attempt {
    /// 1-based, counted across redeliveries.
    pub number: u32,
    #[serde(with = "super::timestamp_serde")]
    #[schema(value_type = String, format = DateTime)]
    pub at: Timestamp,
    /// The receiver's HTTP status; `null` when no answer came.
    #[schema(required = true)]
    pub status: Option<u16>,
    #[schema(required = true)]
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

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> UrlPolicy {
        UrlPolicy { insecure_hosts: vec!["127.0.0.1".into()] }
    }

    #[test]
    fn a_stored_url_reads_back_under_a_narrower_policy_than_it_was_saved_under() {
        let saved = WebhookUrl::parse("http://127.0.0.1:9100/hooks", &policy()).unwrap();
        assert!(WebhookUrl::parse(saved.as_str(), &UrlPolicy { insecure_hosts: vec![] }).is_err());
        assert_eq!(WebhookUrl::stored(saved.as_str()).unwrap(), saved);
        assert!(WebhookUrl::stored("not a url").is_err(), "still a URL");
    }

    #[test]
    fn private_loopback_link_local_and_metadata_addresses_are_refused() {
        for url in [
            "http://169.254.169.254/",
            "https://169.254.169.254/latest/meta-data",
            "https://10.0.0.1/",
            "https://172.16.5.4/",
            "https://192.168.1.1/",
            "https://127.0.0.2/",
            "https://[::1]/",
            "https://[fd00:ec2::254]/",
            "https://[fe80::1]/",
            "https://[::ffff:10.0.0.1]/",
            "https://[64:ff9b::a9fe:a9fe]/",
            "https://0.0.0.0/",
            "https://100.64.0.1/",
            "https://localhost/",
            "https://metadata.google.internal/",
        ] {
            assert!(WebhookUrl::parse(url, &policy()).is_err(), "{url} was accepted");
        }
    }

    #[test]
    fn https_to_public_hosts_is_required_except_for_listed_local_hosts() {
        let ok = WebhookUrl::parse("https://hooks.example.com:8443/in?x=1", &UrlPolicy::default()).unwrap();
        assert_eq!((ok.host(), ok.port()), ("hooks.example.com", 8443));
        assert!(WebhookUrl::parse("http://hooks.example.com/", &UrlPolicy::default()).is_err());
        assert!(WebhookUrl::parse("ftp://hooks.example.com/", &UrlPolicy::default()).is_err());
        assert!(WebhookUrl::parse("https://user:pw@hooks.example.com/", &UrlPolicy::default()).is_err());
        assert!(WebhookUrl::parse("/relative", &UrlPolicy::default()).is_err());
        assert!(WebhookUrl::parse("http://127.0.0.1:9000/hook", &policy()).is_ok());
        assert!(WebhookUrl::parse("http://127.0.0.1:9000/hook", &UrlPolicy::default()).is_err());
        assert!(is_public("93.184.215.14".parse().unwrap()));
        assert!(is_public("2606:2800:21f:cb07:6820:80da:af6b:8b2c".parse().unwrap()));
    }

    #[test]
    fn signatures_follow_the_standard_webhooks_example() {
        // The example in the Standard Webhooks specification.
        let secret = SigningSecret::parse("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").map(|_| ());
        assert!(secret.is_none(), "24-byte example secrets are not ours: ours are 32 bytes");
        let secret = SigningSecret([7; 32]);
        let parsed = SigningSecret::parse(&secret.expose()).unwrap();
        assert_eq!(parsed, secret);
        let signature = secret.sign("msg_1", 1_674_087_231, r#"{"a":1}"#);
        assert!(signature.starts_with("v1,"));
        assert_eq!(STANDARD.decode(&signature[3..]).unwrap().len(), 32);
        assert_ne!(signature, secret.sign("msg_1", 1_674_087_232, r#"{"a":1}"#));
    }

    #[test]
    fn the_schedule_retries_seven_times_then_gives_up() {
        let schedule = RetrySchedule::standard();
        let failed = ReceiverReply::Answered { status: 500, retry_after: None, body: String::new() };
        let waits: Vec<_> = (1..=8).map(|n| judge(&failed, n, &schedule)).collect();
        assert_eq!(waits[0], Verdict::RetryAfter(Duration::seconds(5)));
        assert_eq!(waits[1], Verdict::RetryAfter(Duration::minutes(5)));
        assert_eq!(waits[6], Verdict::RetryAfter(Duration::hours(10)));
        assert_eq!(waits[7], Verdict::GiveUp);
        let gone = ReceiverReply::Answered { status: 410, retry_after: None, body: String::new() };
        assert_eq!(judge(&gone, 1, &schedule), Verdict::Gone);
        let moved = ReceiverReply::Answered { status: 301, retry_after: None, body: String::new() };
        assert!(matches!(judge(&moved, 1, &schedule), Verdict::RetryAfter(_)), "a redirect is a failure");
        let busy = ReceiverReply::Answered { status: 429, retry_after: Some(60), body: String::new() };
        assert_eq!(judge(&busy, 1, &schedule), Verdict::RetryAfter(Duration::seconds(60)));
        let greedy = ReceiverReply::Answered { status: 503, retry_after: Some(u64::MAX), body: String::new() };
        assert_eq!(judge(&greedy, 2, &schedule), Verdict::RetryAfter(MAX_WAIT));
    }

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

    #[test]
    fn event_selections_name_known_types() {
        assert_eq!(EventSelection::parse(&["*".into()]), Ok(EventSelection::All));
        assert!(EventSelection::parse(&[]).is_err());
        assert!(EventSelection::parse(&["order.shipped".into()]).is_err());
        assert!(EventSelection::parse(&["*".into(), "order.paid".into()]).is_err());
        let only = EventSelection::parse(&["order.paid".into(), "order.paid".into()]).unwrap();
        assert!(only.matches("order.paid") && !only.matches("order.placed"));
        assert!(!EventSelection::All.matches("user.password_reset_requested"));
    }
}
