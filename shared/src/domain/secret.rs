//! Unguessable tokens and how they are stored.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    aws_lc_rs::rand::fill(&mut bytes).expect("the system CSPRNG is available");
    bytes
}

/// 256 bits from the CSPRNG, base64url: refresh, verification and reset tokens.
pub fn opaque_token() -> String {
    URL_SAFE_NO_PAD.encode(random_bytes::<32>())
}

/// What the store keeps instead of a token: its SHA-256, hex. A token has 256 bits
/// of entropy, so a fast hash suffices; a leaked table yields no usable token.
pub fn token_hash(token: &str) -> String {
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, token.as_bytes());
    digest.as_ref().iter().map(|b| format!("{b:02x}")).collect()
}

/// A stable pseudonym for an identifier in logs (an address, an account): the
/// same input gives the same value, so events correlate without logging the input.
pub fn pseudonym(identifier: &str) -> String {
    token_hash(identifier)[..16].to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_256_bit_and_distinct() {
        let a = opaque_token();
        assert_eq!(URL_SAFE_NO_PAD.decode(&a).unwrap().len(), 32);
        assert_ne!(a, opaque_token());
        assert_eq!(token_hash("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }
}
