//! Access tokens: the one place Tillbox issues and verifies JWTs.
//!
//! Tokens are EdDSA (Ed25519) JWTs. The algorithm is pinned (a token naming any
//! other algorithm, `none` included, is refused before its signature is looked at),
//! `iss`, `aud`, `exp` and the `at+jwt` type are checked, and the `kid` selects the
//! verifying key, so a new signing key can be added while tokens signed by the old
//! one stay valid until they expire. Verifiers hold only public keys.

use crate::domain::principal::{Principal, Role};
use crate::domain::timestamp::Timestamp;
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

const ALGORITHM: Algorithm = Algorithm::EdDSA;
/// RFC 9068 type, so an ID token or another JWT signed with the same key is refused.
const TOKEN_TYPE: &str = "at+jwt";
/// Access tokens are short-lived; refresh tokens (opaque, stored) renew them.
pub const ACCESS_TOKEN_LIFETIME: time::Duration = time::Duration::minutes(15);
/// The type of an order link: a guest's signed, expiring right to read and pay
/// one order. Its own type, so it never passes as an access token (nor the reverse).
const ORDER_LINK_TYPE: &str = "order-link+jwt";
/// How long a guest's order link (in their confirmation e-mail) opens the order.
pub const ORDER_LINK_LIFETIME: time::Duration = time::Duration::days(30);
/// Tolerated clock difference between the issuer and a verifier.
const LEEWAY_SECONDS: u64 = 30;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum AuthError {
    #[error("the Authorization header is not `Bearer <token>`")]
    Malformed,
    #[error("the access token is invalid or expired")]
    InvalidToken,
}

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("JWKS is not valid: {0}")]
    Jwks(String),
    #[error("signing key is not a PKCS#8 Ed25519 PEM: {0}")]
    SigningKey(String),
}

#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    iss: String,
    aud: String,
    sub: String,
    role: Role,
    /// The session the token was issued in; absent on operator-made tokens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    sid: Option<String>,
    iat: i64,
    nbf: i64,
    exp: i64,
}

/// What an order link says: whose order (the guest's pseudonymous subject)
/// and which one.
#[derive(Debug, Serialize, Deserialize)]
struct LinkClaims {
    iss: String,
    aud: String,
    sub: String,
    oid: String,
    iat: i64,
    nbf: i64,
    exp: i64,
}

/// A verified order link: the one order it opens, for the guest it names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderLink {
    pub order_id: crate::domain::OrderId,
    pub principal: Principal,
}

/// Who tokens come from and are meant for.
#[derive(Debug, Clone)]
pub struct TokenAudience {
    pub issuer: String,
    pub audience: String,
}

/// Verifies access tokens against a JSON Web Key Set of public keys.
pub struct TokenVerifier {
    keys: HashMap<String, DecodingKey>,
    validation: Validation,
}

impl TokenVerifier {
    pub fn from_jwks(jwks: &str, audience: &TokenAudience) -> Result<Self, KeyError> {
        let set: JwkSet = serde_json::from_str(jwks).map_err(|e| KeyError::Jwks(e.to_string()))?;
        let mut keys = HashMap::new();
        for jwk in &set.keys {
            let kid = jwk.common.key_id.clone().ok_or_else(|| KeyError::Jwks("every key needs a `kid`".into()))?;
            let key = DecodingKey::from_jwk(jwk).map_err(|e| KeyError::Jwks(e.to_string()))?;
            keys.insert(kid, key);
        }
        if keys.is_empty() {
            return Err(KeyError::Jwks("the key set is empty".into()));
        }
        let mut validation = Validation::new(ALGORITHM);
        validation.set_issuer(&[&audience.issuer]);
        validation.set_audience(&[&audience.audience]);
        validation.set_required_spec_claims(&["exp", "nbf", "iss", "aud", "sub"]);
        validation.validate_nbf = true;
        validation.leeway = LEEWAY_SECONDS;
        Ok(Self { keys, validation })
    }

    /// The caller behind an `Authorization` header value, if it carries a valid token.
    pub fn verify_header(&self, header: &str) -> Result<Principal, AuthError> {
        let token = header
            .strip_prefix("Bearer ")
            .or_else(|| header.strip_prefix("bearer "))
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or(AuthError::Malformed)?;
        self.verify(token)
    }

    pub fn verify(&self, token: &str) -> Result<Principal, AuthError> {
        let header = jsonwebtoken::decode_header(token).map_err(|_| AuthError::InvalidToken)?;
        if header.alg != ALGORITHM || header.typ.as_deref() != Some(TOKEN_TYPE) {
            return Err(AuthError::InvalidToken);
        }
        let key = header.kid.as_deref().and_then(|kid| self.keys.get(kid)).ok_or(AuthError::InvalidToken)?;
        let data = jsonwebtoken::decode::<Claims>(token, key, &self.validation).map_err(|_| AuthError::InvalidToken)?;
        Ok(Principal { subject: data.claims.sub, role: data.claims.role, session: data.claims.sid })
    }

    /// The order an order link opens, and the guest it opens it for.
    pub fn verify_order_link(&self, token: &str) -> Result<OrderLink, AuthError> {
        let header = jsonwebtoken::decode_header(token).map_err(|_| AuthError::InvalidToken)?;
        if header.alg != ALGORITHM || header.typ.as_deref() != Some(ORDER_LINK_TYPE) {
            return Err(AuthError::InvalidToken);
        }
        let key = header.kid.as_deref().and_then(|kid| self.keys.get(kid)).ok_or(AuthError::InvalidToken)?;
        let data =
            jsonwebtoken::decode::<LinkClaims>(token, key, &self.validation).map_err(|_| AuthError::InvalidToken)?;
        let order_id = data.claims.oid.parse().map_err(|_| AuthError::InvalidToken)?;
        let principal = Principal { subject: data.claims.sub, role: Role::Customer, session: None };
        Ok(OrderLink { order_id, principal })
    }
}

/// A signing key as stored in SSM Parameter Store (a SecureString holding this
/// JSON): the private key and the `kid` its public half has in the JWKS.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SigningKey {
    pub kid: String,
    pub private_key_pem: String,
}

impl SigningKey {
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("strings serialise")
    }
}

/// Signs access tokens with one Ed25519 private key.
pub struct TokenIssuer {
    kid: String,
    key: EncodingKey,
    audience: TokenAudience,
}

impl TokenIssuer {
    pub fn from_pem(kid: &str, pkcs8_pem: &[u8], audience: TokenAudience) -> Result<Self, KeyError> {
        let key = EncodingKey::from_ed_pem(pkcs8_pem).map_err(|e| KeyError::SigningKey(e.to_string()))?;
        Ok(Self { kid: kid.to_owned(), key, audience })
    }

    /// From the JSON of a [`SigningKey`].
    pub fn from_signing_key(json: &str, audience: TokenAudience) -> Result<Self, KeyError> {
        let key: SigningKey = serde_json::from_str(json).map_err(|e| KeyError::SigningKey(e.to_string()))?;
        Self::from_pem(&key.kid, key.private_key_pem.as_bytes(), audience)
    }

    pub fn issue(&self, principal: &Principal, now: Timestamp) -> String {
        let mut header = Header::new(ALGORITHM);
        header.typ = Some(TOKEN_TYPE.into());
        header.kid = Some(self.kid.clone());
        let claims = Claims {
            iss: self.audience.issuer.clone(),
            aud: self.audience.audience.clone(),
            sub: principal.subject.clone(),
            role: principal.role,
            sid: principal.session.clone(),
            iat: now.unix_timestamp(),
            nbf: now.unix_timestamp(),
            exp: (now + ACCESS_TOKEN_LIFETIME).unix_timestamp(),
        };
        jsonwebtoken::encode(&header, &claims, &self.key).expect("an Ed25519 key signs any claims")
    }

    /// A guest's link to `order` (placed by `subject`), valid for [`ORDER_LINK_LIFETIME`].
    pub fn order_link(&self, order: crate::domain::OrderId, subject: &str, now: Timestamp) -> String {
        let mut header = Header::new(ALGORITHM);
        header.typ = Some(ORDER_LINK_TYPE.into());
        header.kid = Some(self.kid.clone());
        let claims = LinkClaims {
            iss: self.audience.issuer.clone(),
            aud: self.audience.audience.clone(),
            sub: subject.to_owned(),
            oid: order.to_string(),
            iat: now.unix_timestamp(),
            nbf: now.unix_timestamp(),
            exp: (now + ORDER_LINK_LIFETIME).unix_timestamp(),
        };
        jsonwebtoken::encode(&header, &claims, &self.key).expect("an Ed25519 key signs any claims")
    }
}

/// A fresh Ed25519 key, and its public half as a JWKS to verify tokens with.
pub fn generate_key(kid: &str) -> (SigningKey, String) {
    use aws_lc_rs::signature::{Ed25519KeyPair, KeyPair};
    use base64::Engine;
    let pkcs8 = Ed25519KeyPair::generate_pkcs8(&aws_lc_rs::rand::SystemRandom::new()).expect("system randomness");
    let pair = Ed25519KeyPair::from_pkcs8(pkcs8.as_ref()).expect("a key we just generated");
    let body = base64::engine::general_purpose::STANDARD.encode(pkcs8.as_ref());
    let lines: Vec<&str> =
        body.as_bytes().chunks(64).map(|c| std::str::from_utf8(c).expect("base64 is ascii")).collect();
    let pem = format!("-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n", lines.join("\n"));
    let x = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(pair.public_key().as_ref());
    let jwks = serde_json::json!({"keys": [{"kty": "OKP", "crv": "Ed25519", "alg": "EdDSA", "use": "sig", "kid": kid, "x": x}]});
    (SigningKey { kid: kid.to_owned(), private_key_pem: pem }, jwks.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;
    use time::macros::datetime;

    fn audience() -> TokenAudience {
        TokenAudience { issuer: "tillbox-test".into(), audience: "tillbox-api".into() }
    }

    fn staff() -> Principal {
        Principal { subject: "u1".into(), role: Role::Staff, session: Some("s1".into()) }
    }

    fn pair(kid: &str) -> (TokenIssuer, TokenVerifier) {
        let (key, jwks) = generate_key(kid);
        (
            TokenIssuer::from_signing_key(&key.to_json(), audience()).unwrap(),
            TokenVerifier::from_jwks(&jwks, &audience()).unwrap(),
        )
    }

    fn now() -> Timestamp {
        time::OffsetDateTime::now_utc()
    }

    #[test]
    fn a_fresh_token_names_its_subject_and_role() {
        let (issuer, verifier) = pair("k1");
        let token = issuer.issue(&staff(), now());
        assert_eq!(verifier.verify_header(&format!("Bearer {token}")).unwrap(), staff());
    }

    #[test]
    fn expired_tokens_are_refused() {
        let (issuer, verifier) = pair("k1");
        let token = issuer.issue(&staff(), datetime!(2020-01-01 00:00 UTC));
        assert_eq!(verifier.verify(&token), Err(AuthError::InvalidToken));
    }

    #[test]
    fn tokens_for_another_audience_or_issuer_are_refused() {
        let (key, jwks) = generate_key("k1");
        let pem = key.private_key_pem;
        let verifier = TokenVerifier::from_jwks(&jwks, &audience()).unwrap();
        let other_aud = TokenAudience { issuer: "tillbox-test".into(), audience: "other".into() };
        let other_iss = TokenAudience { issuer: "evil".into(), audience: "tillbox-api".into() };
        for aud in [other_aud, other_iss] {
            let token = TokenIssuer::from_pem("k1", pem.as_bytes(), aud).unwrap().issue(&staff(), now());
            assert_eq!(verifier.verify(&token), Err(AuthError::InvalidToken));
        }
    }

    #[test]
    fn a_key_outside_the_set_is_refused_and_rotation_keeps_old_keys() {
        let (old_issuer, _) = pair("old");
        let (_, new_verifier) = pair("new");
        assert_eq!(new_verifier.verify(&old_issuer.issue(&staff(), now())), Err(AuthError::InvalidToken));

        let (old_key, old_jwks) = generate_key("old");
        let old_pem = old_key.private_key_pem;
        let (_, new_jwks) = generate_key("new");
        let mut both: serde_json::Value = serde_json::from_str(&new_jwks).unwrap();
        let old: serde_json::Value = serde_json::from_str(&old_jwks).unwrap();
        both["keys"].as_array_mut().unwrap().push(old["keys"][0].clone());
        let verifier = TokenVerifier::from_jwks(&both.to_string(), &audience()).unwrap();
        let token = TokenIssuer::from_pem("old", old_pem.as_bytes(), audience()).unwrap().issue(&staff(), now());
        assert_eq!(verifier.verify(&token).unwrap(), staff());
    }

    #[test]
    fn unsigned_and_tampered_tokens_are_refused() {
        let (issuer, verifier) = pair("k1");
        let token = issuer.issue(&staff(), now());
        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let parts: Vec<&str> = token.split('.').collect();
        let none_header = b64.encode(r#"{"alg":"none","typ":"at+jwt","kid":"k1"}"#);
        assert_eq!(verifier.verify(&format!("{none_header}.{}.", parts[1])), Err(AuthError::InvalidToken));
        let mut claims: serde_json::Value = serde_json::from_slice(&b64.decode(parts[1]).unwrap()).unwrap();
        claims["role"] = "admin".into();
        let forged = format!("{}.{}.{}", parts[0], b64.encode(claims.to_string()), parts[2]);
        assert_eq!(verifier.verify(&forged), Err(AuthError::InvalidToken));
        assert_eq!(verifier.verify_header("Basic abc"), Err(AuthError::Malformed));
    }

    #[test]
    fn an_order_link_opens_one_order_and_is_never_an_access_token() {
        let (issuer, verifier) = pair("k1");
        let order = crate::domain::OrderId::generate();
        let link = issuer.order_link(order, "guest:abc", now());
        let opened = verifier.verify_order_link(&link).unwrap();
        assert_eq!((opened.order_id, opened.principal.subject.as_str()), (order, "guest:abc"));
        assert_eq!(opened.principal.role, Role::Customer);
        assert_eq!(verifier.verify(&link), Err(AuthError::InvalidToken), "a link is not an access token");
        let access = issuer.issue(&staff(), now());
        assert!(verifier.verify_order_link(&access).is_err(), "an access token is not a link");
        let expired = issuer.order_link(order, "guest:abc", now() - ORDER_LINK_LIFETIME - time::Duration::hours(1));
        assert!(verifier.verify_order_link(&expired).is_err());
    }
}
