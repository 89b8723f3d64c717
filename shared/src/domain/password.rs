//! Password policy and hashing (OWASP ASVS 5.0 level 2).
//!
//! Length is the only composition rule (8-128 characters, counted as characters),
//! plus a refusal of the 19,640 most common passwords shipped in
//! `data/common-passwords.txt` (in this crate). Hashes are argon2id with m = 19,456 KiB,
//! t = 2, p = 1, stored as PHC strings so the parameters travel with each hash and
//! can be raised later without invalidating old ones.

use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, Version};
use std::sync::OnceLock;

pub const MIN_LENGTH: usize = 8;
pub const MAX_LENGTH: usize = 128;

static COMMON: &str = include_str!("../../data/common-passwords.txt");

fn common_passwords() -> &'static [&'static str] {
    static LIST: OnceLock<Vec<&'static str>> = OnceLock::new();
    // The file is sorted, so membership is a binary search.
    LIST.get_or_init(|| COMMON.lines().collect())
}

/// Checks a new password against the policy; the message names the rule broken.
pub fn check(password: &str) -> Result<(), String> {
    let length = password.chars().count();
    if length < MIN_LENGTH {
        return Err(format!("must be at least {MIN_LENGTH} characters"));
    }
    if length > MAX_LENGTH {
        return Err(format!("must be at most {MAX_LENGTH} characters"));
    }
    if common_passwords().binary_search(&password.to_lowercase().as_str()).is_ok() {
        return Err("is one of the most common passwords; choose another".into());
    }
    Ok(())
}

fn argon2() -> Argon2<'static> {
    let params = Params::new(19_456, 2, 1, None).expect("static argon2 parameters are valid");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

pub fn hash(password: &str) -> String {
    let salt = super::secret::random_bytes::<16>();
    argon2()
        .hash_password_with_salt(password.as_bytes(), &salt)
        .expect("argon2id hashes any password with a 16-byte salt")
        .to_string()
}

/// Whether `password` matches `stored`; a hash that does not parse matches nothing.
pub fn verify(password: &str, stored: &str) -> bool {
    argon2().verify_password(password.as_bytes(), stored).is_ok()
}

/// A hash of no one's password (a discarded random token), with the same
/// parameters as real hashes. Sign-in verifies against it when the address is
/// unknown, so an unknown address costs the same time as a wrong password.
/// A constant: computing it would add a hash to some first sign-in.
pub const DECOY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$ClfL2CA2huCY65agxx2Gfw$wCbCT7r6d8O090p6n/w5LJwWoomaqrZDMzBui6nopAY";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_is_sorted_and_large() {
        let list = common_passwords();
        assert!(list.len() >= 10_000);
        assert!(list.windows(2).all(|w| w[0] < w[1]), "common-passwords.txt must stay sorted and unique");
    }

    #[test]
    fn policy_checks_length_in_characters_and_the_common_list() {
        assert!(check("seven77").is_err());
        assert!(check("ÄÖÜäöüßé").is_ok(), "eight characters, sixteen bytes");
        assert!(check(&"x".repeat(129)).is_err());
        assert!(check(&"correct horse battery staple ".repeat(4)).is_ok());
        assert!(check("password1").unwrap_err().contains("common"));
        assert!(check("PassWord1").unwrap_err().contains("common"), "compared case-insensitively");
    }

    #[test]
    fn hashes_verify_only_their_password_and_use_owasp_parameters() {
        let stored = hash("tillbox rocks 2026");
        assert!(stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{stored}");
        assert!(verify("tillbox rocks 2026", &stored));
        assert!(!verify("tillbox rocks 2027", &stored));
        assert!(!verify("anything", "not a hash"));
        assert_ne!(hash("same"), hash("same"), "salted");
        use argon2::password_hash::phc::PasswordHash;
        assert_eq!(PasswordHash::new(DECOY_HASH).unwrap().params, PasswordHash::new(&stored).unwrap().params);
    }
}
