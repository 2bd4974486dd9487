//! Receipt codes: what a reporter writes down to come back. A code is a public lookup part
//! (40 bits, finds the report) and a secret (80 bits). Only a salted keyed hash of the secret
//! is stored, so a stolen database gives no way in and one guess tests one report only.
//!
//! Codes use Crockford's base32 (no I, L, O, U): easy to read aloud and type on a phone;
//! input is case-insensitive, ignores spaces and dashes, and reads O as 0 and I/L as 1.

use super::keys::Secret32;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;
use zeroize::Zeroizing;

type HmacSha256 = Hmac<Sha256>;

const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
/// Characters in the public lookup part (5 bits each).
pub const LOOKUP_CHARS: usize = 8;
/// Characters in the secret part: 16 × 5 = 80 bits.
pub const SECRET_CHARS: usize = 16;
/// Bytes of random salt stored beside each receipt hash.
pub const SALT_LEN: usize = 16;

/// A receipt code; its secret half is wiped from memory on drop and never printed by `Debug`.
#[derive(Clone, PartialEq, Eq)]
pub struct ReceiptCode {
    lookup: String,
    secret: Zeroizing<String>,
}

impl std::fmt::Debug for ReceiptCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ReceiptCode(<redacted>)")
    }
}

fn encode(bytes: &[u8], chars: usize) -> String {
    // Reads the bytes as a bit stream, 5 bits per character.
    let mut out = String::with_capacity(chars);
    let mut acc: u32 = 0;
    let mut bits = 0;
    let mut iter = bytes.iter();
    while out.len() < chars {
        if bits < 5 {
            acc = (acc << 8) | u32::from(*iter.next().unwrap_or(&0));
            bits += 8;
        }
        bits -= 5;
        let idx = ((acc >> bits) & 31) as usize;
        out.push(char::from(ALPHABET[idx]));
    }
    out
}

fn normalise_char(c: char) -> Option<char> {
    match c.to_ascii_uppercase() {
        'O' => Some('0'),
        'I' | 'L' => Some('1'),
        c if ALPHABET.contains(&(c as u8)) && c.is_ascii() => Some(c),
        _ => None,
    }
}

impl ReceiptCode {
    /// A fresh random lookup part with the secret derived from `secret_seed`.
    pub fn new(lookup: String, secret: Zeroizing<String>) -> Self {
        Self { lookup, secret }
    }

    /// A random public lookup part.
    pub fn random_lookup() -> String {
        let mut bytes = [0u8; 5];
        rand::rng().fill_bytes(&mut bytes);
        encode(&bytes, LOOKUP_CHARS)
    }

    /// Reads a code typed by a person. `None` if it cannot be a receipt.
    pub fn parse(input: &str) -> Option<Self> {
        let mut chars = String::with_capacity(LOOKUP_CHARS + SECRET_CHARS);
        for c in input.chars() {
            if c == '-' || c.is_whitespace() {
                continue;
            }
            chars.push(normalise_char(c)?);
        }
        if chars.len() != LOOKUP_CHARS + SECRET_CHARS {
            return None;
        }
        let secret = Zeroizing::new(chars.split_off(LOOKUP_CHARS));
        Some(Self {
            lookup: chars,
            secret,
        })
    }

    /// The public lookup part (stored in clear, unique).
    pub fn lookup(&self) -> &str {
        &self.lookup
    }

    /// The code as shown to the reporter: groups of four separated by dashes.
    pub fn display(&self) -> Zeroizing<String> {
        let all = Zeroizing::new(format!("{}{}", self.lookup, self.secret.as_str()));
        let groups: Vec<&str> = all
            .as_bytes()
            .chunks(4)
            .filter_map(|c| std::str::from_utf8(c).ok())
            .collect();
        Zeroizing::new(groups.join("-"))
    }
}

/// Derives receipt secrets and hashes them for storage.
#[derive(Clone, Debug)]
pub struct ReceiptHasher {
    derive_key: Secret32,
    hash_key: Secret32,
}

impl ReceiptHasher {
    pub fn new(derive_key: Secret32, hash_key: Secret32) -> Self {
        Self {
            derive_key,
            hash_key,
        }
    }

    /// The secret half for a submission, derived from its one-time submission seed, so that a
    /// repeated submission of the same form shows the same receipt (the seed is never stored).
    pub fn derive_secret(&self, seed: &[u8]) -> Zeroizing<String> {
        let mut mac = mac_with(&self.derive_key);
        mac.update(b"receipt-secret");
        mac.update(seed);
        let out = Zeroizing::new(mac.finalize().into_bytes().to_vec());
        Zeroizing::new(encode(&out, SECRET_CHARS))
    }

    /// A fresh random salt.
    pub fn salt() -> [u8; SALT_LEN] {
        let mut s = [0u8; SALT_LEN];
        rand::rng().fill_bytes(&mut s);
        s
    }

    /// The stored hash: HMAC-SHA256(key, salt ‖ secret). With 80 random bits a fast keyed hash
    /// is as safe as a slow one, and an attacker without the key cannot test guesses at all.
    pub fn hash(&self, salt: &[u8], code: &ReceiptCode) -> Vec<u8> {
        let mut mac = mac_with(&self.hash_key);
        mac.update(salt);
        mac.update(code.secret.as_bytes());
        mac.finalize().into_bytes().to_vec()
    }

    /// Checks a code against a stored salt and hash in constant time.
    pub fn verify(&self, salt: &[u8], stored: &[u8], code: &ReceiptCode) -> bool {
        let mut mac = mac_with(&self.hash_key);
        mac.update(salt);
        mac.update(code.secret.as_bytes());
        mac.verify_slice(stored).is_ok()
    }
}

pub(crate) fn mac_with(key: &Secret32) -> HmacSha256 {
    match <HmacSha256 as Mac>::new_from_slice(key.expose()) {
        Ok(m) => m,
        Err(_) => unreachable!("HMAC accepts keys of any length"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seal::KeyRing;
    use proptest::prelude::*;

    fn hasher() -> ReceiptHasher {
        let ring = KeyRing::from_bytes([1; 32], [2; 32]);
        ReceiptHasher::new(ring.derive("d"), ring.derive("h"))
    }

    #[test]
    fn display_parses_back_and_is_easy_to_type() {
        let h = hasher();
        let code = ReceiptCode::new(ReceiptCode::random_lookup(), h.derive_secret(b"seed"));
        let shown = code.display();
        assert_eq!(shown.len(), 24 + 5);
        assert_eq!(ReceiptCode::parse(&shown), Some(code.clone()));
        let sloppy = shown.to_lowercase().replace('-', " ").replace('0', "o");
        assert_eq!(ReceiptCode::parse(&sloppy), Some(code));
    }

    #[test]
    fn rejects_wrong_lengths_and_letters() {
        assert!(ReceiptCode::parse("ABCD").is_none());
        assert!(ReceiptCode::parse("UUUU-AAAA-AAAA-AAAA-AAAA-AAAA").is_none());
        assert!(ReceiptCode::parse("AAAA-AAAA-AAAA-AAAA-AAAA-AAAA").is_some());
    }

    #[test]
    fn secret_has_eighty_bits_and_depends_on_the_seed() {
        let h = hasher();
        assert_eq!(h.derive_secret(b"a").len(), SECRET_CHARS);
        assert_eq!(SECRET_CHARS * 5, 80);
        assert_eq!(h.derive_secret(b"a"), h.derive_secret(b"a"));
        assert_ne!(h.derive_secret(b"a"), h.derive_secret(b"b"));
    }

    #[test]
    fn verify_accepts_only_the_right_secret_and_salt() {
        let h = hasher();
        let code = ReceiptCode::new("ABCDEFGH".into(), h.derive_secret(b"s"));
        let other = ReceiptCode::new("ABCDEFGH".into(), h.derive_secret(b"t"));
        let salt = ReceiptHasher::salt();
        let stored = h.hash(&salt, &code);
        assert!(h.verify(&salt, &stored, &code));
        assert!(!h.verify(&salt, &stored, &other));
        assert!(!h.verify(&ReceiptHasher::salt(), &stored, &code));
    }

    proptest! {
        #[test]
        fn encoding_uses_only_the_alphabet(bytes in proptest::collection::vec(any::<u8>(), 10)) {
            let s = encode(&bytes, 16);
            prop_assert!(s.bytes().all(|b| ALPHABET.contains(&b)));
        }
    }
}
