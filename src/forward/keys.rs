//! The hotline's forwarding keys, in formats its recipients open with standard tools: an age
//! X25519 identity (partners encrypt to its recipient; packages are also encrypted to it, so the
//! hotline can reopen what it sent) and a minisign Ed25519 key pair (recipients check the
//! hotline's signatures with `minisign -V`). Made on first run in the key directory beside the
//! others, mode 0600, never in the database and never printed; `tipline keys show-public` prints
//! the public halves.

use crate::seal::keys::{KeyError, load_or_create_private};
use age::secrecy::ExposeSecret;
use std::io::{Read, Write};
use std::path::Path;
use std::str::FromStr;
use zeroize::Zeroizing;

/// The age identity (`AGE-SECRET-KEY-1…`), as `age-keygen` writes it.
pub const ENCRYPTION_FILE: &str = "forward-age.key";
/// The minisign secret key, unencrypted (the key directory is the protection, as for the others).
pub const SIGNING_FILE: &str = "forward-minisign.key";

/// Why a forwarding key could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ForwardKeyError {
    #[error(transparent)]
    Key(#[from] KeyError),
    #[error("the forwarding key file {0} is not a key tipline wrote; restore it from a backup")]
    Malformed(String),
    #[error("could not encrypt: {0}")]
    Encrypt(String),
    #[error("could not decrypt: not for this hotline's key, or damaged")]
    Decrypt,
    #[error("could not sign: {0}")]
    Sign(String),
}

/// The hotline's forwarding keys.
pub struct ForwardKeys {
    identity: age::x25519::Identity,
    signing: minisign::SecretKey,
    verifying: minisign::PublicKey,
}

impl std::fmt::Debug for ForwardKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ForwardKeys")
            .field("recipient", &self.recipient().to_string())
            .finish_non_exhaustive()
    }
}

impl ForwardKeys {
    /// Loads the keys from `key_dir`, making the missing ones.
    pub fn load_or_create(key_dir: &Path) -> Result<Self, ForwardKeyError> {
        let age_path = key_dir.join(ENCRYPTION_FILE);
        let age_text = load_or_create_private(&age_path, || {
            let identity = age::x25519::Identity::generate();
            Zeroizing::new(format!("{}\n", identity.to_string().expose_secret()).into_bytes())
        })?;
        let malformed = |path: &Path| ForwardKeyError::Malformed(path.display().to_string());
        let identity = std::str::from_utf8(&age_text)
            .ok()
            .and_then(|text| age::x25519::Identity::from_str(text.trim()).ok())
            .ok_or_else(|| malformed(&age_path))?;

        let sign_path = key_dir.join(SIGNING_FILE);
        let mut made = None;
        let sign_text = load_or_create_private(&sign_path, || {
            match minisign::KeyPair::generate_unencrypted_keypair()
                .and_then(|pair| pair.sk.to_box(Some("tipline forwarding key")))
            {
                Ok(secret_box) => Zeroizing::new(secret_box.into_string().into_bytes()),
                Err(e) => {
                    made = Some(e.to_string());
                    Zeroizing::new(Vec::new())
                }
            }
        })?;
        if let Some(e) = made {
            return Err(ForwardKeyError::Sign(e));
        }
        let signing = std::str::from_utf8(&sign_text)
            .ok()
            .and_then(|text| minisign::SecretKeyBox::from_string(text).ok())
            .and_then(|secret_box| secret_box.into_unencrypted_secret_key().ok())
            .ok_or_else(|| malformed(&sign_path))?;
        let verifying =
            minisign::PublicKey::from_secret_key(&signing).map_err(|_| malformed(&sign_path))?;
        Ok(Self {
            identity,
            signing,
            verifying,
        })
    }

    /// The age recipient others encrypt to for this hotline (`age1…`).
    pub fn recipient(&self) -> age::x25519::Recipient {
        self.identity.to_public()
    }

    /// The minisign public key, base64 as `minisign -P` takes it (`RW…`).
    pub fn minisign_public(&self) -> String {
        self.verifying.to_base64()
    }

    /// The public halves, as `tipline keys show-public` prints them.
    pub fn show_public(&self) -> String {
        format!(
            "age-recipient {}\nminisign-public-key {}\n",
            self.recipient(),
            self.minisign_public()
        )
    }

    /// A minisign signature of `data` whose trusted comment (covered by the signature, printed by
    /// `minisign -V`) is `trusted_comment`: the contents of a `.minisig` file.
    pub fn sign(&self, data: &[u8], trusted_comment: &str) -> Result<String, ForwardKeyError> {
        minisign::sign(
            Some(&self.verifying),
            &self.signing,
            data,
            Some(trusted_comment),
            Some("signed by a tipline hotline"),
        )
        .map(|signature| signature.into_string())
        .map_err(|e| ForwardKeyError::Sign(e.to_string()))
    }

    /// Encrypts `plaintext` to `recipients` and to this hotline (so it can reopen what it sent),
    /// in the age format.
    pub fn encrypt(
        &self,
        recipients: &[age::x25519::Recipient],
        plaintext: &[u8],
    ) -> Result<Vec<u8>, ForwardKeyError> {
        let own = self.recipient();
        let all = recipients
            .iter()
            .chain(std::iter::once(&own))
            .map(|r| r as &dyn age::Recipient);
        let fail = |e: &dyn std::fmt::Display| ForwardKeyError::Encrypt(e.to_string());
        let encryptor = age::Encryptor::with_recipients(all).map_err(|e| fail(&e))?;
        let mut out = Vec::new();
        let mut writer = encryptor.wrap_output(&mut out).map_err(|e| fail(&e))?;
        writer.write_all(plaintext).map_err(|e| fail(&e))?;
        writer.finish().map_err(|e| fail(&e))?;
        Ok(out)
    }

    /// Opens an age file encrypted to this hotline.
    pub fn decrypt(&self, ciphertext: &[u8]) -> Result<Vec<u8>, ForwardKeyError> {
        let decryptor = age::Decryptor::new(ciphertext).map_err(|_| ForwardKeyError::Decrypt)?;
        let mut reader = decryptor
            .decrypt(std::iter::once(&self.identity as &dyn age::Identity))
            .map_err(|_| ForwardKeyError::Decrypt)?;
        let mut out = Vec::new();
        reader
            .read_to_end(&mut out)
            .map_err(|_| ForwardKeyError::Decrypt)?;
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn keys_are_made_once_private_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let first = ForwardKeys::load_or_create(dir.path()).unwrap();
        for file in [ENCRYPTION_FILE, SIGNING_FILE] {
            let mode = std::fs::metadata(dir.path().join(file))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600, "{file}");
        }
        let again = ForwardKeys::load_or_create(dir.path()).unwrap();
        assert_eq!(first.show_public(), again.show_public());
        assert!(first.recipient().to_string().starts_with("age1"));
        assert!(!format!("{first:?}").contains("AGE-SECRET-KEY"));
    }

    #[test]
    fn what_is_encrypted_to_the_hotline_opens_and_nothing_else_does() {
        let dir = tempfile::tempdir().unwrap();
        let keys = ForwardKeys::load_or_create(dir.path()).unwrap();
        let other = age::x25519::Identity::generate();
        let sealed = keys.encrypt(&[other.to_public()], b"case").unwrap();
        assert_eq!(keys.decrypt(&sealed).unwrap(), b"case");
        assert_eq!(age::decrypt(&other, &sealed).unwrap(), b"case");
        let elsewhere = tempfile::tempdir().unwrap();
        let stranger = ForwardKeys::load_or_create(elsewhere.path()).unwrap();
        assert!(matches!(
            stranger.decrypt(&sealed),
            Err(ForwardKeyError::Decrypt)
        ));
    }

    #[test]
    fn a_key_file_others_may_read_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        ForwardKeys::load_or_create(dir.path()).unwrap();
        let path = dir.path().join(SIGNING_FILE);
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let err = ForwardKeys::load_or_create(dir.path()).unwrap_err();
        assert!(
            matches!(err, ForwardKeyError::Key(KeyError::TooOpen(_))),
            "{err}"
        );
    }
}
