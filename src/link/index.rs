//! The blind index: each identifier is stored twice, sealed for display and as a keyed hash
//! (HMAC-SHA256 under a key derived from the key directory, separate from the sealing keys) for
//! exact matching. Someone with the database sees which reports share an identifier, never
//! the identifier, and cannot test guesses without the key.

use super::identifiers::{Identifier, Kind};
use crate::seal::keys::Secret32;
use crate::seal::receipt::mac_with;
use crate::seal::{Aad, Sealer};
use crate::store::links::IdentifierRow;
use crate::types::ReportId;
use data_encoding::HEXLOWER;
use hmac::Mac;
use serde::{Deserialize, Serialize};

/// The HKDF purpose of the blind-index key.
pub const KEY_PURPOSE: &str = "blind-index";

/// Computes blind-index values.
#[derive(Clone, Debug)]
pub struct BlindIndex {
    key: Secret32,
}

/// What is sealed for display.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Shown {
    pub kind: Kind,
    pub value: String,
    pub shown: String,
}

impl BlindIndex {
    pub fn new(key: Secret32) -> Self {
        Self { key }
    }

    /// The keyed hash of one normalised identifier.
    pub fn mac(&self, kind: Kind, value: &str) -> Vec<u8> {
        let mut mac = mac_with(&self.key);
        mac.update(kind.as_str().as_bytes());
        mac.update(&[0]);
        mac.update(value.as_bytes());
        mac.finalize().into_bytes().to_vec()
    }

    /// The rows to store for a report's identifiers.
    pub fn rows(
        &self,
        sealer: &Sealer,
        report_id: &ReportId,
        identifiers: &[Identifier],
    ) -> Vec<IdentifierRow> {
        identifiers
            .iter()
            .map(|i| {
                let mac = self.mac(i.kind, &i.value);
                let shown = Shown {
                    kind: i.kind,
                    value: i.value.clone(),
                    shown: i.shown.clone(),
                };
                let json = serde_json::to_vec(&shown).unwrap_or_default();
                IdentifierRow {
                    kind: i.kind.as_str().to_owned(),
                    sealed: sealer.seal(&aad(report_id, &mac), &json),
                    mac,
                }
            })
            .collect()
    }
}

/// Associated data of an identifier's sealed display form.
pub fn aad(report_id: &ReportId, mac: &[u8]) -> Aad {
    Aad::field(
        "identifiers",
        &format!("{report_id}/{}", HEXLOWER.encode(mac)),
        "shown",
    )
}

/// Opens a stored identifier for display.
pub fn open(sealer: &Sealer, report_id: &ReportId, row: &IdentifierRow) -> Option<Shown> {
    let plain = sealer.open(&aad(report_id, &row.mac), &row.sealed).ok()?;
    serde_json::from_slice(&plain).ok()
}
