//! Envelope encryption. Each sensitive value is sealed with XChaCha20-Poly1305 under a data key;
//! data keys are stored wrapped (sealed) by the master key. A sealed value carries the id of the
//! data key that sealed it, and its associated data names the record and field it belongs to,
//! so a ciphertext moved to another row or column fails to open.
//!
//! Layout of a sealed value: `version (1) | key id (16) | nonce (24) | ciphertext + tag`. The
//! version names the form of the associated data: 1 for [`Aad::field`] (table, record, field),
//! 2 for [`Aad::bound`] (kind, report, author, record, field). A value opens only under
//! associated data of its own version, so a row tells which form it was sealed with.

use super::keys::Secret32;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rand::RngCore;
use std::collections::HashMap;
use std::fmt;
use uuid::Uuid;
use zeroize::Zeroizing;

/// The envelope versions, one per form of associated data.
pub const V1: u8 = 1;
pub const V2: u8 = 2;
const NONCE_LEN: usize = 24;
const HEADER_LEN: usize = 1 + 16 + NONCE_LEN;

/// Identifies a data key; travels in clear with every ciphertext so keys can rotate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct KeyId(pub Uuid);

/// Associated data: binds a ciphertext to its table, record and field (version 1), or to its
/// kind, report, author, record and field (version 2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Aad {
    version: u8,
    bytes: Vec<u8>,
}

impl Aad {
    /// Version 1: `tipline:v1:<table>:<record>:<field>`.
    pub fn field(table: &str, record_id: &str, field: &str) -> Self {
        Self {
            version: V1,
            bytes: format!("tipline:v1:{table}:{record_id}:{field}").into_bytes(),
        }
    }

    /// Version 2: `tipline:v2` followed by each part with its length (so no part can run into
    /// the next): the kind of value, the report it belongs to, who wrote it, its own id and the
    /// field.
    pub fn bound(kind: &str, report_id: &str, author: &str, own_id: &str, field: &str) -> Self {
        let mut bytes = b"tipline:v2".to_vec();
        for part in [kind, report_id, author, own_id, field] {
            let len = u32::try_from(part.len()).unwrap_or(u32::MAX);
            bytes.extend_from_slice(&len.to_be_bytes());
            bytes.extend_from_slice(part.as_bytes());
        }
        Self { version: V2, bytes }
    }

    fn data_key(id: KeyId) -> Self {
        Self {
            version: V1,
            bytes: format!("tipline:v1:data_key:{}", id.0).into_bytes(),
        }
    }

    fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The envelope version this associated data seals with.
    pub fn version(&self) -> u8 {
        self.version
    }
}

/// The envelope version of a sealed value (which form of associated data it opens with), or
/// `None` when it is not a sealed value.
pub fn version_of(sealed: &[u8]) -> Option<u8> {
    key_id_of(sealed).ok().and_then(|_| sealed.first().copied())
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
    if sealed.len() < HEADER_LEN || !matches!(sealed.first(), Some(&V1 | &V2)) {
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
    out.push(aad.version);
    out.extend_from_slice(id.0.as_bytes());
    out.extend_from_slice(&nonce);
    out.extend_from_slice(&ct);
    out
}

fn open_with(key: &[u8; 32], aad: &Aad, sealed: &[u8]) -> Result<Zeroizing<Vec<u8>>, SealError> {
    key_id_of(sealed)?;
    if sealed.first() != Some(&aad.version) {
        // Sealed with the other form of associated data: never opens under this one.
        return Err(SealError::Authentication);
    }
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
    fn bound_values_open_only_under_their_report_author_and_version() {
        let s = sealer();
        let aad = Aad::bound("messages", "r1", "staff:u1", "m1", "body");
        let sealed = s.seal(&aad, b"x");
        assert_eq!(version_of(&sealed), Some(V2));
        assert_eq!(s.open(&aad, &sealed).unwrap().as_slice(), b"x");
        for other in [
            Aad::bound("messages", "r2", "staff:u1", "m1", "body"),
            Aad::bound("messages", "r1", "staff:u2", "m1", "body"),
            Aad::bound("messages", "r1", "reporter", "m1", "body"),
            Aad::bound("report_notes", "r1", "staff:u1", "m1", "body"),
            // Parts cannot run into one another.
            Aad::bound("messages", "r1staff:u1", "", "m1", "body"),
        ] {
            assert_eq!(s.open(&other, &sealed), Err(SealError::Authentication));
        }
        // A version-1 value does not open under version-2 associated data, nor the reverse,
        // even when the version byte is changed.
        let legacy = s.seal(&Aad::field("messages", "m1", "body"), b"x");
        assert_eq!(version_of(&legacy), Some(V1));
        assert_eq!(s.open(&aad, &legacy), Err(SealError::Authentication));
        let mut relabelled = legacy.clone();
        relabelled[0] = V2;
        assert_eq!(s.open(&aad, &relabelled), Err(SealError::Authentication));
        assert_eq!(version_of(b"short"), None);
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
