//! How a delivery is signed (Standard Webhooks v1): HMAC-SHA256 under the
//! endpoint's secret, and how long a rotated secret keeps signing.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use time::Duration;

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
        Self(crate::domain::secret::random_bytes())
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
