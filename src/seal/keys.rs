//! The key directory: generates the master key and the MAC key on first run (mode 0600), refuses
//! key files that group or others can read, and refuses a key directory inside the data
//! directory (a backup of the data directory must reveal nothing).

use hkdf::Hkdf;
use rand::RngCore;
use sha2::Sha256;
use std::fs;
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use zeroize::Zeroizing;

const MASTER_FILE: &str = "master.key";
const MAC_FILE: &str = "mac.key";
const KEY_LEN: usize = 32;

/// A 256-bit secret, wiped from memory when dropped and never printed.
#[derive(Clone)]
pub struct Secret32(Zeroizing<[u8; KEY_LEN]>);

impl Secret32 {
    pub fn expose(&self) -> &[u8; KEY_LEN] {
        &self.0
    }

    /// A fresh random secret, for keys that live only as long as the process.
    pub fn random() -> Self {
        let mut bytes = Zeroizing::new([0u8; KEY_LEN]);
        rand::rng().fill_bytes(bytes.as_mut());
        Self(bytes)
    }

    fn from_slice(bytes: &[u8]) -> Option<Self> {
        let arr: [u8; KEY_LEN] = bytes.try_into().ok()?;
        Some(Self(Zeroizing::new(arr)))
    }
}

impl std::fmt::Debug for Secret32 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret32(<redacted>)")
    }
}

/// What can go wrong with the key directory; each message says how to fix it.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error(
        "the key directory {key_dir} lies inside the data directory {data_dir}: a backup of the data would include the keys; choose a key directory outside it with --key-dir"
    )]
    InsideDataDir { key_dir: PathBuf, data_dir: PathBuf },
    #[error(
        "the key file {0} can be read by group or others; run `chmod 600 {0}` (and `chmod 700` on its directory)"
    )]
    TooOpen(PathBuf),
    #[error(
        "the key file {0} is damaged (it must hold exactly 32 bytes); restore it from your key backup"
    )]
    Malformed(PathBuf),
    #[error("cannot use the key directory {path}: {source}; check that it exists and is writable")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> KeyError + '_ {
    move |source| KeyError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// The root secrets: the master key wraps data keys; sub-keys for receipts, form tokens and
/// submission ids are derived from the MAC key with HKDF, one label per purpose.
#[derive(Debug, Clone)]
pub struct KeyRing {
    master: Secret32,
    mac: Secret32,
}

impl KeyRing {
    /// Loads the keys from `key_dir`, creating them on first run.
    pub fn load_or_create(key_dir: &Path, data_dir: &Path) -> Result<Self, KeyError> {
        if !data_dir.exists() {
            fs::DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(data_dir)
                .map_err(io_err(data_dir))?;
        }
        if !key_dir.exists() {
            fs::DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(key_dir)
                .map_err(io_err(key_dir))?;
        }
        let key_abs = fs::canonicalize(key_dir).map_err(io_err(key_dir))?;
        let data_abs = fs::canonicalize(data_dir).map_err(io_err(data_dir))?;
        if key_abs.starts_with(&data_abs) {
            return Err(KeyError::InsideDataDir {
                key_dir: key_abs,
                data_dir: data_abs,
            });
        }
        Ok(Self {
            master: load_or_create_key(&key_abs.join(MASTER_FILE))?,
            mac: load_or_create_key(&key_abs.join(MAC_FILE))?,
        })
    }

    /// Builds a key ring from raw bytes (tests and tools).
    pub fn from_bytes(master: [u8; KEY_LEN], mac: [u8; KEY_LEN]) -> Self {
        Self {
            master: Secret32(Zeroizing::new(master)),
            mac: Secret32(Zeroizing::new(mac)),
        }
    }

    pub fn master(&self) -> &Secret32 {
        &self.master
    }

    /// A sub-key for one purpose, derived from the MAC key.
    pub fn derive(&self, purpose: &str) -> Secret32 {
        let hk = Hkdf::<Sha256>::new(Some(b"tipline-v1"), self.mac.expose());
        let mut out = Zeroizing::new([0u8; KEY_LEN]);
        // A 32-byte output is always within HKDF-SHA256's limit (8160 bytes).
        if hk.expand(purpose.as_bytes(), out.as_mut()).is_err() {
            unreachable!("HKDF output length is fixed at 32 bytes");
        }
        Secret32(out)
    }
}

fn load_or_create_key(path: &Path) -> Result<Secret32, KeyError> {
    let bytes = load_or_create_private(path, || {
        let mut key = Zeroizing::new(vec![0u8; KEY_LEN]);
        rand::rng().fill_bytes(key.as_mut());
        key
    })?;
    Secret32::from_slice(&bytes).ok_or_else(|| KeyError::Malformed(path.to_path_buf()))
}

/// The contents of the private key file `path`, made by `make` and written with mode 0600 (and
/// synced, with its directory) when the file does not exist yet. A file that group or others
/// may read is refused.
pub fn load_or_create_private(
    path: &Path,
    make: impl FnOnce() -> Zeroizing<Vec<u8>>,
) -> Result<Zeroizing<Vec<u8>>, KeyError> {
    match fs::metadata(path) {
        Ok(meta) => {
            if meta.permissions().mode() & 0o077 != 0 {
                return Err(KeyError::TooOpen(path.to_path_buf()));
            }
            Ok(Zeroizing::new(fs::read(path).map_err(io_err(path))?))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let contents = make();
            let mut file = fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(path)
                .map_err(io_err(path))?;
            file.write_all(&contents).map_err(io_err(path))?;
            file.sync_all().map_err(io_err(path))?;
            if let Some(dir) = path.parent() {
                fs::File::open(dir)
                    .and_then(|d| d.sync_all())
                    .map_err(io_err(dir))?;
            }
            Ok(contents)
        }
        Err(e) => Err(KeyError::Io {
            path: path.to_path_buf(),
            source: e,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn creates_keys_once_with_private_modes_and_reloads_them() {
        let tmp = tempfile::tempdir().unwrap();
        let data = tmp.path().join("data");
        let keys = tmp.path().join("keys");
        let first = KeyRing::load_or_create(&keys, &data).unwrap();
        let mode = fs::metadata(keys.join(MASTER_FILE))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        let second = KeyRing::load_or_create(&keys, &data).unwrap();
        assert_eq!(first.master().expose(), second.master().expose());
        assert_ne!(first.derive("a").expose(), first.derive("b").expose());
    }

    #[test]
    fn refuses_key_dir_inside_data_dir() {
        let tmp = tempfile::tempdir().unwrap();
        let data = tmp.path().join("data");
        let err = KeyRing::load_or_create(&data.join("keys"), &data).unwrap_err();
        assert!(matches!(err, KeyError::InsideDataDir { .. }), "{err}");
    }

    #[test]
    fn refuses_key_files_readable_by_others() {
        let tmp = tempfile::tempdir().unwrap();
        let data = tmp.path().join("data");
        let keys = tmp.path().join("keys");
        KeyRing::load_or_create(&keys, &data).unwrap();
        fs::set_permissions(keys.join(MAC_FILE), fs::Permissions::from_mode(0o644)).unwrap();
        let err = KeyRing::load_or_create(&keys, &data).unwrap_err();
        assert!(err.to_string().contains("chmod 600"), "{err}");
    }

    #[test]
    fn debug_never_shows_key_bytes() {
        let ring = KeyRing::from_bytes([7; 32], [9; 32]);
        let shown = format!("{ring:?}");
        assert!(!shown.contains('7') && !shown.contains('9'), "{shown}");
    }
}
