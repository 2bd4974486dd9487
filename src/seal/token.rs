//! One-time form tokens. Every rendered report form carries a token: random bytes, the time it
//! was issued and a MAC. A double-submitted or refreshed form carries the same token, so it
//! files one report, not two; the token also keys the per-form rate limit.
//!
//! Also the random tokens of links and cookies (staff set-up links and sessions, reporter
//! sessions): [`new_token`] and the hash of one that is stored, [`token_hash`].

use super::keys::Secret32;
use super::receipt::mac_with;
use data_encoding::BASE64URL_NOPAD;
use hmac::Mac;
use rand::RngCore;
use sha2::{Digest, Sha256};
use time::{Duration, OffsetDateTime};

const RANDOM_LEN: usize = 16;
const TAG_LEN: usize = 16;
const TOKEN_LEN: usize = RANDOM_LEN + 8 + TAG_LEN;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum TokenError {
    #[error("form token missing or malformed")]
    Invalid,
    #[error("form token expired")]
    Expired,
}

/// A verified token: its random part identifies one filled-in form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormToken {
    pub random: [u8; RANDOM_LEN],
    /// When the form was shown, unix seconds.
    pub issued: i64,
}

/// Issues and checks form tokens.
#[derive(Debug, Clone)]
pub struct TokenIssuer {
    key: Secret32,
    lifetime: Duration,
}

impl TokenIssuer {
    pub fn new(key: Secret32, lifetime: Duration) -> Self {
        Self { key, lifetime }
    }

    /// A new token for a form rendered at `now`.
    pub fn issue(&self, now: OffsetDateTime) -> String {
        let mut raw = Vec::with_capacity(TOKEN_LEN);
        let mut random = [0u8; RANDOM_LEN];
        rand::rng().fill_bytes(&mut random);
        raw.extend_from_slice(&random);
        raw.extend_from_slice(&now.unix_timestamp().to_be_bytes());
        let tag = self.tag(&raw);
        raw.extend_from_slice(&tag);
        BASE64URL_NOPAD.encode(&raw)
    }

    /// Checks a token sent back with a form at `now`.
    pub fn verify(&self, token: &str, now: OffsetDateTime) -> Result<FormToken, TokenError> {
        let raw = BASE64URL_NOPAD
            .decode(token.trim().as_bytes())
            .map_err(|_| TokenError::Invalid)?;
        if raw.len() != TOKEN_LEN {
            return Err(TokenError::Invalid);
        }
        let (body, tag) = raw.split_at(RANDOM_LEN + 8);
        let mut mac = mac_with(&self.key);
        mac.update(body);
        mac.verify_truncated_left(tag)
            .map_err(|_| TokenError::Invalid)?;
        let (random, issued) = body.split_at(RANDOM_LEN);
        let issued: [u8; 8] = issued.try_into().map_err(|_| TokenError::Invalid)?;
        let issued = i64::from_be_bytes(issued);
        let age = now.unix_timestamp().saturating_sub(issued);
        if age < -300 || age > self.lifetime.whole_seconds() {
            return Err(TokenError::Expired);
        }
        let random: [u8; RANDOM_LEN] = random.try_into().map_err(|_| TokenError::Invalid)?;
        Ok(FormToken { random, issued })
    }

    fn tag(&self, body: &[u8]) -> [u8; TAG_LEN] {
        let mut mac = mac_with(&self.key);
        mac.update(body);
        let full = mac.finalize().into_bytes();
        let mut tag = [0u8; TAG_LEN];
        tag.copy_from_slice(full.get(..TAG_LEN).unwrap_or(&[0u8; TAG_LEN]));
        tag
    }
}

/// A fresh secret token for links and cookies, and the hash that is stored.
pub fn new_token() -> (String, Vec<u8>) {
    let mut raw = [0u8; 32];
    rand::rng().fill_bytes(&mut raw);
    let token = BASE64URL_NOPAD.encode(&raw);
    let hash = token_hash(&token);
    (token, hash)
}

/// The stored form of a token (256 random bits need no salt or key).
pub fn token_hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seal::KeyRing;
    use time::macros::datetime;

    fn issuer() -> TokenIssuer {
        TokenIssuer::new(
            KeyRing::from_bytes([1; 32], [2; 32]).derive("t"),
            Duration::hours(24),
        )
    }

    #[test]
    fn issued_token_verifies_to_the_same_random_part_twice() {
        let now = datetime!(2026-11-23 10:00 UTC);
        let t = issuer().issue(now);
        let a = issuer().verify(&t, now + Duration::minutes(5)).unwrap();
        let b = issuer().verify(&t, now + Duration::minutes(6)).unwrap();
        assert_eq!(a, b);
    }

    #[test]
    fn forged_tampered_and_expired_tokens_are_refused() {
        let now = datetime!(2026-11-23 10:00 UTC);
        let t = issuer().issue(now);
        let mut bytes = BASE64URL_NOPAD.decode(t.as_bytes()).unwrap();
        bytes[0] ^= 1;
        let tampered = BASE64URL_NOPAD.encode(&bytes);
        assert_eq!(issuer().verify(&tampered, now), Err(TokenError::Invalid));
        assert_eq!(issuer().verify("nonsense", now), Err(TokenError::Invalid));
        let other = TokenIssuer::new(
            KeyRing::from_bytes([1; 32], [3; 32]).derive("t"),
            Duration::hours(24),
        );
        assert_eq!(other.verify(&t, now), Err(TokenError::Invalid));
        assert_eq!(
            issuer().verify(&t, now + Duration::hours(25)),
            Err(TokenError::Expired)
        );
    }
}
