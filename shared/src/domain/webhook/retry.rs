//! When a failed attempt is retried, and when Tillbox stops trying.

use time::Duration;

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

#[cfg(test)]
mod tests {
    use super::*;

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
}
