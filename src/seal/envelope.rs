//! Envelope encryption. Each sensitive value is sealed with XChaCha20-Poly1305 under a data key;
//! data keys are stored wrapped (sealed) by the master key. A sealed value carries the id of the
//! data key that sealed it, and its associated data names the record and field it belongs to,
//! so a ciphertext moved to another row or column fails to open.
//!
//! Layout of a sealed value: `version (1) | key id (16) | nonce (24) | ciphertext + tag`.

use super::keys::Secret32;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rand::RngCore;
use std::collections::HashMap;
use std::fmt;
use uuid::Uuid;
use zeroize::Zeroizing;

const VERSION: u8 = 1;
const NONCE_LEN: usize = 24;
const HEADER_LEN: usize = 1 + 16 + NONCE_LEN;

/// Identifies a data key; travels in clear with every ciphertext so keys can rotate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct KeyId(pub Uuid);

/// Associated data: binds a ciphertext to its table, record and field.
#[derive(Debug, Clone)]
pub struct Aad(String);

impl Aad {
    pub fn field(table: &str, record_id: &str, field: &str) -> Self {
        Self(format!("tipline:v1:{table}:{record_id}:{field}"))
    }

    fn data_key(id: KeyId) -> Self {
        Self(format!("tipline:v1:data_key:{}", id.0))
    }

    fn as_bytes(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SealError {
    #[error("sealed value is malformed")]
    Malformed,
    #[error("sealed value uses an unknown data key")]
    UnknownKey,
    #[error("sealed value failed authentication (wrong key, record or field)")]
    Authentication,
}

/// A data key in memory, wiped on drop.
pub struct DataKey {
    pub id: KeyId,
    key: Zeroizing<[u8; 32]>,
}

impl fmt::Debug for DataKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DataKey({:?}, <redacted>)", self.id)
    }
}

impl DataKey {
    /// A fresh random data key with a time-ordered id.
    pub fn generate() -> Self {
        let mut key = Zeroizing::new([0u8; 32]);
        rand::rng().fill_bytes(key.as_mut());
        Self {
            id: KeyId(Uuid::now_v7()),
            key,
        }
    }

    /// Seals this data key under the master key for storage.
    pub fn wrap(&self, master: &Secret32) -> Vec<u8> {
        seal_with(
            master.expose(),
            KeyId(Uuid::nil()),
            &Aad::data_key(self.id),
            self.key.as_ref(),
        )
    }

    /// Opens a stored, wrapped data key.
    pub fn unwrap_with(id: KeyId, wrapped: &[u8], master: &Secret32) -> Result<Self, SealError> {
        let plain = open_with(master.expose(), &Aad::data_key(id), wrapped)?;
        let key: [u8; 32] = plain
            .as_slice()
            .try_into()
            .map_err(|_| SealError::Malformed)?;
        Ok(Self {
            id,
            key: Zeroizing::new(key),
        })
    }
}

/// Seals and opens values with the current data keys. Cheap to share (`Arc`), no locks.
pub struct Sealer {
    keys: HashMap<KeyId, DataKey>,
    active: KeyId,
}

impl fmt::Debug for Sealer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Sealer(active {:?}, {} keys)",
            self.active,
            self.keys.len()
        )
    }
}

impl Sealer {
    /// `active` seals new values; all keys open old ones.
    pub fn new(active: DataKey, older: impl IntoIterator<Item = DataKey>) -> Self {
        let active_id = active.id;
        let mut keys: HashMap<KeyId, DataKey> = older.into_iter().map(|k| (k.id, k)).collect();
        keys.insert(active_id, active);
        Self {
            keys,
            active: active_id,
        }
    }

    pub fn seal(&self, aad: &Aad, plaintext: &[u8]) -> Vec<u8> {
        match self.keys.get(&self.active) {
            Some(key) => seal_with(&key.key, self.active, aad, plaintext),
            None => unreachable!("the active key is always in the map"),
        }
    }

    pub fn open(&self, aad: &Aad, sealed: &[u8]) -> Result<Zeroizing<Vec<u8>>, SealError> {
        let id = key_id_of(sealed)?;
        let key = self.keys.get(&id).ok_or(SealError::UnknownKey)?;
        open_with(&key.key, aad, sealed)
    }
}

fn key_id_of(sealed: &[u8]) -> Result<KeyId, SealError> {
    if sealed.len() < HEADER_LEN || sealed.first() != Some(&VERSION) {
        return Err(SealError::Malformed);
    }
    let id: [u8; 16] = sealed
        .get(1..17)
        .and_then(|s| s.try_into().ok())
        .ok_or(SealError::Malformed)?;
    Ok(KeyId(Uuid::from_bytes(id)))
}

fn seal_with(key: &[u8; 32], id: KeyId, aad: &Aad, plaintext: &[u8]) -> Vec<u8> {
    let cipher = XChaCha20Poly1305::new(key.into());
    let mut nonce = [0u8; NONCE_LEN];
    rand::rng().fill_bytes(&mut nonce);
    let ct = match cipher.encrypt(
        XNonce::from_slice(&nonce),
        Payload {
            msg: plaintext,
            aad: aad.as_bytes(),
        },
    ) {
        Ok(ct) => ct,
        // Encryption only fails for inputs above 256 GiB, which request limits exclude.
        Err(_) => unreachable!("XChaCha20-Poly1305 encryption of a bounded input"),
    };
    let mut out = Vec::with_capacity(HEADER_LEN + ct.len());
    out.push(VERSION);
    out.extend_from_slice(id.0.as_bytes());
    out.extend_from_slice(&nonce);
    out.extend_from_slice(&ct);
    out
}

fn open_with(key: &[u8; 32], aad: &Aad, sealed: &[u8]) -> Result<Zeroizing<Vec<u8>>, SealError> {
    key_id_of(sealed)?;
    let nonce = sealed.get(17..HEADER_LEN).ok_or(SealError::Malformed)?;
    let ct = sealed.get(HEADER_LEN..).ok_or(SealError::Malformed)?;
    let cipher = XChaCha20Poly1305::new(key.into());
    cipher
        .decrypt(
            XNonce::from_slice(nonce),
            Payload {
                msg: ct,
                aad: aad.as_bytes(),
            },
        )
        .map(Zeroizing::new)
        .map_err(|_| SealError::Authentication)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seal::KeyRing;
    use proptest::prelude::*;

    fn sealer() -> Sealer {
        Sealer::new(DataKey::generate(), [])
    }

    #[test]
    fn round_trips_and_hides_plaintext() {
        let s = sealer();
        let aad = Aad::field("reports", "r1", "narrative");
        let sealed = s.seal(&aad, b"MARKER-secret-words");
        assert!(!sealed.windows(6).any(|w| w == b"MARKER"));
        assert_eq!(
            s.open(&aad, &sealed).unwrap().as_slice(),
            b"MARKER-secret-words"
        );
    }

    #[test]
    fn ciphertext_moved_to_another_record_or_field_fails() {
        let s = sealer();
        let sealed = s.seal(&Aad::field("reports", "r1", "narrative"), b"x");
        assert_eq!(
            s.open(&Aad::field("reports", "r2", "narrative"), &sealed),
            Err(SealError::Authentication)
        );
        assert_eq!(
            s.open(&Aad::field("reports", "r1", "contact"), &sealed),
            Err(SealError::Authentication)
        );
    }

    #[test]
    fn old_keys_still_open_after_rotation() {
        let old = DataKey::generate();
        let old_id = old.id;
        let first = Sealer::new(old, []);
        let aad = Aad::field("t", "1", "f");
        let sealed = first.seal(&aad, b"before rotation");
        let master = KeyRing::from_bytes([1; 32], [2; 32]);
        let rewrapped = first.keys[&old_id].wrap(master.master());
        let reopened = DataKey::unwrap_with(old_id, &rewrapped, master.master()).unwrap();
        let rotated = Sealer::new(DataKey::generate(), [reopened]);
        assert_eq!(
            rotated.open(&aad, &sealed).unwrap().as_slice(),
            b"before rotation"
        );
        assert_ne!(key_id_of(&rotated.seal(&aad, b"after")).unwrap(), old_id);
    }

    #[test]
    fn wrapped_key_needs_the_right_master_and_id() {
        let key = DataKey::generate();
        let good = KeyRing::from_bytes([1; 32], [2; 32]);
        let bad = KeyRing::from_bytes([3; 32], [2; 32]);
        let wrapped = key.wrap(good.master());
        assert!(DataKey::unwrap_with(key.id, &wrapped, bad.master()).is_err());
        assert!(DataKey::unwrap_with(KeyId(Uuid::now_v7()), &wrapped, good.master()).is_err());
    }

    proptest! {
        #[test]
        fn any_tampering_is_detected(data in proptest::collection::vec(any::<u8>(), 0..200), flip in 0usize..300) {
            let s = sealer();
            let aad = Aad::field("t", "1", "f");
            let mut sealed = s.seal(&aad, &data);
            let i = flip % sealed.len();
            sealed[i] ^= 0x01;
            prop_assert!(s.open(&aad, &sealed).is_err());
        }
    }
}
