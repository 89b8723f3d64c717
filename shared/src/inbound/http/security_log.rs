//! Security events, one structured log line each, all with a `security_event`
//! field so one query finds them: refused credentials, missing
//! roles, rate limits, reused refresh tokens, forged webhooks. Identifiers are
//! hashed (a source address is personal data) and nothing secret is logged:
//! no password, no token, no body.

use super::problem::ApiError;
use super::request::RequestExtras;
use crate::domain::secret::pseudonym;
use lambda_http::Request;
use lambda_http::http::StatusCode;

/// What is known of a request before its handler takes it: for its log line,
/// and for a refusal's.
#[derive(Debug, Clone)]
pub struct RequestFacts {
    pub(super) method: String,
    pub(super) route: String,
    /// Hashed only when a refusal is logged: most requests log nothing here.
    source_ip: String,
}

impl RequestFacts {
    pub fn of(request: &Request) -> Self {
        Self {
            method: request.method().to_string(),
            route: request.route_key().unwrap_or_else(|| request.uri().path().to_owned()),
            source_ip: request.source_ip(),
        }
    }
}

/// Logs `error` if it is a security event: 401, 403, 429, or a refused webhook.
pub fn log_refusal(facts: &RequestFacts, error: &ApiError) {
    let security =
        matches!(error.status, StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN | StatusCode::TOO_MANY_REQUESTS)
            || error.code == "invalid_webhook";
    if error.code == "invalid_credentials" {
        crate::telemetry::metrics::count("LoginsFailed", &[]);
    }
    if security {
        tracing::warn!(
            security_event = error.code,
            status = error.status.as_u16(),
            method = %facts.method,
            route = %facts.route,
            source = %pseudonym(&facts.source_ip),
            "request refused"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    /// Captures what a closure logs, as the JSON lines Lambda would get.
    fn captured(log: impl FnOnce()) -> String {
        let buffer = Arc::new(Mutex::new(Vec::new()));
        let writer = {
            let buffer = buffer.clone();
            move || SharedWriter(buffer.clone())
        };
        let subscriber = tracing_subscriber::fmt().json().with_writer(writer).finish();
        tracing::subscriber::with_default(subscriber, log);
        String::from_utf8(buffer.lock().unwrap().clone()).unwrap()
    }

    struct SharedWriter(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for SharedWriter {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    fn facts() -> RequestFacts {
        RequestFacts { method: "POST".into(), route: "POST /auth/login".into(), source_ip: "203.0.113.7".into() }
    }

    #[test]
    fn refusals_are_logged_with_pseudonyms_and_successes_and_input_errors_are_not() {
        let lines = captured(|| {
            log_refusal(
                &facts(),
                &ApiError::new(StatusCode::UNAUTHORIZED, "invalid_credentials", "wrong e-mail or password"),
            );
            log_refusal(&facts(), &ApiError::new(StatusCode::TOO_MANY_REQUESTS, "rate_limited", "slow down"));
            log_refusal(
                &facts(),
                &ApiError::new(StatusCode::BAD_REQUEST, "invalid_webhook", "no v1 signature matches"),
            );
            log_refusal(
                &facts(),
                &ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "validation_failed",
                    "email: must be an e-mail address",
                ),
            );
        });
        let events: Vec<serde_json::Value> = lines.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        let codes: Vec<_> = events.iter().map(|e| e["fields"]["security_event"].as_str().unwrap()).collect();
        assert_eq!(codes, ["invalid_credentials", "rate_limited", "invalid_webhook"]);
        assert_eq!(events[0]["fields"]["source"], pseudonym("203.0.113.7"));
        assert_eq!(events[0]["fields"]["route"], "POST /auth/login");
        assert!(!lines.contains("203.0.113.7"), "the address itself is not logged: {lines}");
    }
}
