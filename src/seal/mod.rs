//! Sealing: the keys in the key directory, envelope encryption of every sensitive field,
//! receipt codes and one-time form tokens. No database or network IO happens here except
//! reading and creating the key files.
//!
//! Owns: keys, envelope encryption, associated data, receipt codes, form tokens and the random tokens of links and cookies.
//! May use: `types`, `clock` (no database, no network) (see `LAYERS` in `src/lib.rs`).

pub mod bound;
pub mod envelope;
pub mod keys;
pub mod receipt;
pub mod token;

pub use envelope::{Aad, DataKey, KeyId, SealError, Sealer};
pub use keys::{KeyError, KeyRing};
pub use receipt::{ReceiptCode, ReceiptHasher};
pub use token::{FormToken, TokenError, TokenIssuer};
