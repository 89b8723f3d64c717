//! Stripe webhooks: the `Stripe-Signature` check over the raw body, and the event
//! shapes Tillbox acts on, parsed into provider-neutral [`PaymentEvent`]s.
//!
//! Stripe signs `"{t}.{body}"` with HMAC-SHA256 keyed by the bytes of the whole
//! `whsec_…` string and sends `t=<unix>,v1=<hex>[,v1=<hex>…]`; several `v1` values
//! appear while a secret is being rolled, and `v0` (test-mode legacy) is ignored.
//! <https://docs.stripe.com/webhooks#verify-manually>

use crate::app::payments::{PaymentEvent, ProviderEvent};
use crate::domain::{OrderId, Timestamp};
use aws_lc_rs::hmac;
use serde::Deserialize;

/// How far a signature's timestamp may be from now: Stripe's libraries' default.
pub const TOLERANCE_SECONDS: i64 = 300;

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("the Stripe-Signature header is missing or malformed")]
    Malformed,
    #[error("the signature timestamp is more than {TOLERANCE_SECONDS} s from now")]
    Stale,
    #[error("no v1 signature matches a configured secret")]
    NoMatch,
}

/// Checks `header` signs `body` with one of `secrets` (old and new during a
/// rotation) within [`TOLERANCE_SECONDS`] of `now`. Every comparison is constant
/// time; the body must be the exact bytes received, never re-serialised.
pub fn verify(header: &str, body: &[u8], secrets: &[String], now: Timestamp) -> Result<(), SignatureError> {
    let mut timestamp = None;
    let mut signatures = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", value)) => timestamp = value.parse::<i64>().ok(),
            Some(("v1", value)) => signatures.extend(decode_hex(value)),
            _ => {}
        }
    }
    let (Some(timestamp), false) = (timestamp, signatures.is_empty()) else {
        return Err(SignatureError::Malformed);
    };
    // Checked: the timestamp is the sender's, and the sender is not yet trusted.
    let skew = now.unix_timestamp().checked_sub(timestamp).map(i64::unsigned_abs);
    if skew.is_none_or(|skew| skew > TOLERANCE_SECONDS.unsigned_abs()) {
        return Err(SignatureError::Stale);
    }
    let mut signed = Vec::with_capacity(body.len() + 12);
    signed.extend_from_slice(timestamp.to_string().as_bytes());
    signed.push(b'.');
    signed.extend_from_slice(body);
    let matches = secrets.iter().filter(|s| !s.is_empty()).any(|secret| {
        let key = hmac::Key::new(hmac::HMAC_SHA256, secret.as_bytes());
        signatures.iter().any(|tag| hmac::verify(&key, &signed, tag).is_ok())
    });
    if matches { Ok(()) } else { Err(SignatureError::NoMatch) }
}

fn decode_hex(text: &str) -> Option<Vec<u8>> {
    if text.len() != 64 || !text.is_ascii() {
        return None;
    }
    (0..text.len()).step_by(2).map(|i| u8::from_str_radix(&text[i..i + 2], 16).ok()).collect()
}

/// A Stripe event as delivered (`object: "event"`): the typed body of the
/// `payments` queue's messages, kept in Stripe's own shape so a dead letter can be
/// read against Stripe's docs and redriven as is.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct StripeEvent {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub data: EventData,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct EventData {
    pub object: serde_json::Value,
}

#[derive(Deserialize)]
struct IntentObject {
    id: String,
    amount: i64,
    currency: String,
    #[serde(default)]
    metadata: std::collections::HashMap<String, String>,
    #[serde(default)]
    last_payment_error: Option<PaymentError>,
}

#[derive(Deserialize)]
struct PaymentError {
    #[serde(default)]
    code: Option<String>,
    #[serde(default)]
    message: Option<String>,
}

/// `charge.refunded`: Stripe copies the intent's metadata onto the charge it creates.
#[derive(Deserialize)]
struct ChargeObject {
    #[serde(default)]
    payment_intent: Option<String>,
    amount_refunded: i64,
    #[serde(default)]
    metadata: std::collections::HashMap<String, String>,
}

/// `refund.updated`.
#[derive(Deserialize)]
struct RefundObject {
    id: String,
    #[serde(default)]
    payment_intent: Option<String>,
    amount: i64,
    status: String,
}

/// `charge.dispute.created` and `charge.dispute.closed`.
#[derive(Deserialize)]
struct DisputeObject {
    #[serde(default)]
    payment_intent: Option<String>,
    amount: i64,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    status: String,
}

impl StripeEvent {
    /// What the event means to Tillbox. Types Tillbox does not act on, and
    /// intents Tillbox did not create (no `metadata[order_id]`), are `Ignored`.
    pub fn to_provider_event(&self) -> Result<ProviderEvent, serde_json::Error> {
        let intent = || serde_json::from_value::<IntentObject>(self.data.object.clone());
        let order_of =
            |intent: &IntentObject| intent.metadata.get("order_id").and_then(|id| id.parse::<OrderId>().ok());
        let event = match self.kind.as_str() {
            "payment_intent.succeeded" => {
                let intent = intent()?;
                match order_of(&intent) {
                    Some(order_id) => PaymentEvent::Succeeded {
                        order_id,
                        provider_id: intent.id,
                        amount: intent.amount,
                        currency: intent.currency.to_ascii_uppercase(),
                    },
                    None => PaymentEvent::Ignored,
                }
            }
            "payment_intent.payment_failed" => {
                let intent = intent()?;
                let reason = intent
                    .last_payment_error
                    .as_ref()
                    .map(|e| e.message.clone().or_else(|| e.code.clone()).unwrap_or_else(|| "declined".into()));
                match order_of(&intent) {
                    Some(order_id) => PaymentEvent::Failed {
                        order_id,
                        provider_id: intent.id,
                        reason: reason.unwrap_or_else(|| "declined".into()),
                    },
                    None => PaymentEvent::Ignored,
                }
            }
            "charge.refunded" => {
                let charge: ChargeObject = serde_json::from_value(self.data.object.clone())?;
                let order_id = charge.metadata.get("order_id").and_then(|id| id.parse::<OrderId>().ok());
                match charge.payment_intent {
                    Some(provider_id) => PaymentEvent::RefundedAtProvider {
                        order_id,
                        provider_id,
                        refunded_total: charge.amount_refunded,
                    },
                    None => PaymentEvent::Ignored,
                }
            }
            "refund.updated" | "refund.failed" => {
                let refund: RefundObject = serde_json::from_value(self.data.object.clone())?;
                match (refund.payment_intent, refund.status.as_str()) {
                    (Some(provider_id), "failed" | "canceled") => PaymentEvent::RefundFailed {
                        order_id: None,
                        provider_id,
                        refund: refund.id,
                        amount: refund.amount,
                        status: refund.status,
                    },
                    _ => PaymentEvent::Ignored,
                }
            }
            "charge.dispute.created" => {
                let dispute: DisputeObject = serde_json::from_value(self.data.object.clone())?;
                match dispute.payment_intent {
                    Some(provider_id) => PaymentEvent::Disputed {
                        order_id: None,
                        provider_id,
                        amount: dispute.amount,
                        reason: dispute.reason,
                    },
                    None => PaymentEvent::Ignored,
                }
            }
            "charge.dispute.closed" => {
                let dispute: DisputeObject = serde_json::from_value(self.data.object.clone())?;
                match dispute.payment_intent {
                    Some(provider_id) => PaymentEvent::DisputeClosed {
                        order_id: None,
                        provider_id,
                        status: dispute.status,
                        amount: dispute.amount,
                    },
                    None => PaymentEvent::Ignored,
                }
            }
            _ => PaymentEvent::Ignored,
        };
        Ok(ProviderEvent { id: self.id.clone(), event })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    const NOW: Timestamp = datetime!(2026-11-22 10:00 UTC);

    /// `Stripe-Signature` for `body` at `timestamp`, as Stripe computes it. (The
    /// local-stack tests sign with Stripe's own Python library instead.)
    fn sign(body: &[u8], secret: &str, timestamp: i64) -> String {
        let key = hmac::Key::new(hmac::HMAC_SHA256, secret.as_bytes());
        let mut signed = format!("{timestamp}.").into_bytes();
        signed.extend_from_slice(body);
        let tag = hmac::sign(&key, &signed);
        let hex: String = tag.as_ref().iter().map(|b| format!("{b:02x}")).collect();
        format!("t={timestamp},v1={hex}")
    }
    const SECRET: &str = "whsec_test_secret";

    fn secrets(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn a_signed_body_verifies_and_one_changed_byte_does_not() {
        let body = br#"{"id":"evt_1","type":"payment_intent.succeeded"}"#;
        let header = sign(body, SECRET, NOW.unix_timestamp());
        assert_eq!(verify(&header, body, &secrets(&[SECRET]), NOW), Ok(()));
        let mut altered = body.to_vec();
        altered[10] ^= 1;
        assert_eq!(verify(&header, &altered, &secrets(&[SECRET]), NOW), Err(SignatureError::NoMatch));
        assert_eq!(verify(&header, body, &secrets(&["whsec_other"]), NOW), Err(SignatureError::NoMatch));
    }

    #[test]
    fn rotation_accepts_either_secret_and_any_v1_value() {
        let body = b"{}";
        let t = NOW.unix_timestamp();
        let old = sign(body, "whsec_old", t);
        let new = sign(body, "whsec_new", t);
        let both = format!("{new},v0=00,{}", old.split_once(',').unwrap().1);
        for header in [&old, &new, &both] {
            assert_eq!(verify(header, body, &secrets(&["whsec_new", "whsec_old"]), NOW), Ok(()), "{header}");
        }
        assert_eq!(verify(&old, body, &secrets(&["whsec_new"]), NOW), Err(SignatureError::NoMatch));
    }

    #[test]
    fn stale_or_future_timestamps_and_malformed_headers_are_refused() {
        let body = b"{}";
        let at = |t: i64| sign(body, SECRET, t);
        let now = NOW.unix_timestamp();
        assert_eq!(verify(&at(now - 300), body, &secrets(&[SECRET]), NOW), Ok(()));
        assert_eq!(verify(&at(now - 301), body, &secrets(&[SECRET]), NOW), Err(SignatureError::Stale));
        assert_eq!(verify(&at(now + 301), body, &secrets(&[SECRET]), NOW), Err(SignatureError::Stale));
        for header in ["", "t=1", "v1=abc", &format!("t=x,{}", at(now).split_once(',').unwrap().1), "garbage"] {
            assert_eq!(verify(header, body, &secrets(&[SECRET]), NOW), Err(SignatureError::Malformed), "{header}");
        }
        assert_eq!(verify(&at(now), body, &secrets(&[""]), NOW), Err(SignatureError::NoMatch), "an empty secret");
        assert_eq!(verify(&at(i64::MIN), body, &secrets(&[SECRET]), NOW), Err(SignatureError::Stale), "no overflow");
    }

    #[test]
    fn the_recorded_fixtures_parse_into_payment_events() {
        let succeeded: StripeEvent =
            serde_json::from_str(include_str!("../../../tests/fixtures/stripe/payment_intent.succeeded.json")).unwrap();
        let ProviderEvent { id, event } = succeeded.to_provider_event().unwrap();
        assert_eq!(id, "evt_3QfixtureSucceeded");
        let PaymentEvent::Succeeded { amount, currency, provider_id, .. } = event else { panic!("{event:?}") };
        assert_eq!((amount, currency.as_str(), provider_id.as_str()), (2400, "EUR", "pi_3QfixtureIntent"));

        let failed: StripeEvent =
            serde_json::from_str(include_str!("../../../tests/fixtures/stripe/payment_intent.payment_failed.json"))
                .unwrap();
        let PaymentEvent::Failed { reason, .. } = failed.to_provider_event().unwrap().event else { panic!() };
        assert_eq!(reason, "Your card was declined.");
    }

    #[test]
    fn refund_and_dispute_fixtures_parse_into_payment_events() {
        let parse = |json: &str| serde_json::from_str::<StripeEvent>(json).unwrap().to_provider_event().unwrap().event;
        let order_id = "0193a0b2-7c4e-7d1a-9f3e-2b1c4d5e6f70".parse().unwrap();
        assert_eq!(
            parse(include_str!("../../../tests/fixtures/stripe/charge.refunded.json")),
            PaymentEvent::RefundedAtProvider {
                order_id: Some(order_id),
                provider_id: "pi_3QfixtureIntent".into(),
                refunded_total: 1000
            }
        );
        assert_eq!(
            parse(include_str!("../../../tests/fixtures/stripe/refund.updated.json")),
            PaymentEvent::RefundFailed {
                order_id: None,
                provider_id: "pi_3QfixtureIntent".into(),
                refund: "re_3QfixtureRefund".into(),
                amount: 1000,
                status: "failed".into()
            }
        );
        assert_eq!(
            parse(include_str!("../../../tests/fixtures/stripe/charge.dispute.created.json")),
            PaymentEvent::Disputed {
                order_id: None,
                provider_id: "pi_3QfixtureIntent".into(),
                amount: 2400,
                reason: "fraudulent".into()
            }
        );
        assert_eq!(
            parse(include_str!("../../../tests/fixtures/stripe/charge.dispute.closed.json")),
            PaymentEvent::DisputeClosed {
                order_id: None,
                provider_id: "pi_3QfixtureIntent".into(),
                status: "lost".into(),
                amount: 2400
            }
        );
        let succeeded_refund = include_str!("../../../tests/fixtures/stripe/refund.updated.json")
            .replace(r#""status": "failed""#, r#""status": "succeeded""#);
        assert_eq!(parse(&succeeded_refund), PaymentEvent::Ignored, "a refund that went through changes nothing");
    }
}
