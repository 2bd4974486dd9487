//! The chain itself, apart from where it is kept: entry `n`'s mac covers the mac of entry
//! `n - 1` and every field of entry `n`, under the audit key. Pure: no IO.

use crate::seal::keys::Secret32;
use crate::seal::receipt::mac_with;
use hmac::Mac;

/// The mac before the first entry (`audit_head` is seeded with it by the migration).
pub(super) const GENESIS_MAC: [u8; 32] = [0; 32];
/// Domain separation for the chain mac.
const MAC_LABEL: &[u8] = b"tipline-audit-v1";

/// The fields an entry's mac covers, besides the previous mac.
#[derive(Debug, Clone, Copy)]
pub(super) struct Fields<'a> {
    pub seq: i64,
    pub at: i64,
    pub actor: &'a str,
    pub action: &'a str,
    pub report_id: Option<&'a str>,
    pub detail: &'a str,
}

/// `HMAC(key, label ‖ len‖prev_mac ‖ seq ‖ at ‖ len‖actor ‖ len‖action ‖ tag[‖len‖report_id] ‖
/// len‖detail)`, integers as 8 bytes big-endian: no two different entries encode alike.
pub(super) fn chain_mac(key: &Secret32, prev_mac: &[u8], f: &Fields<'_>) -> [u8; 32] {
    let mut mac = mac_with(key);
    let mut field = |bytes: &[u8]| {
        mac.update(&(bytes.len() as u64).to_be_bytes());
        mac.update(bytes);
    };
    field(MAC_LABEL);
    field(prev_mac);
    field(&f.seq.to_be_bytes());
    field(&f.at.to_be_bytes());
    field(f.actor.as_bytes());
    field(f.action.as_bytes());
    match f.report_id {
        None => field(&[0]),
        Some(id) => {
            field(&[1]);
            field(id.as_bytes());
        }
    }
    field(f.detail.as_bytes());
    mac.finalize().into_bytes().into()
}

/// Constant-time comparison of a stored mac with a computed one.
pub(super) fn same_mac(stored: &[u8], computed: &[u8; 32]) -> bool {
    stored.len() == computed.len()
        && stored
            .iter()
            .zip(computed.iter())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seal::keys::KeyRing;

    fn key(byte: u8) -> Secret32 {
        KeyRing::from_bytes([0; 32], [byte; 32]).derive(super::super::KEY_PURPOSE)
    }

    fn fields<'a>(actor: &'a str, action: &'a str, report_id: Option<&'a str>) -> Fields<'a> {
        Fields {
            seq: 1,
            at: 1_700_000_000,
            actor,
            action,
            report_id,
            detail: "",
        }
    }

    #[test]
    fn the_mac_encoding_is_unambiguous_and_keyed() {
        let k = key(1);
        let base = chain_mac(&k, &GENESIS_MAC, &fields("ab", "c", None));
        assert_ne!(base, chain_mac(&k, &GENESIS_MAC, &fields("a", "bc", None)));
        assert_ne!(
            base,
            chain_mac(&k, &GENESIS_MAC, &fields("ab", "c", Some("")))
        );
        assert_ne!(
            chain_mac(&k, &GENESIS_MAC, &fields("a", "b", Some("c"))),
            chain_mac(&k, &GENESIS_MAC, &fields("a", "b\0\0\0\0\0\0\0\x01c", None))
        );
        assert_ne!(base, chain_mac(&k, &[1; 32], &fields("ab", "c", None)));
        assert_ne!(
            base,
            chain_mac(&key(2), &GENESIS_MAC, &fields("ab", "c", None))
        );
        assert_eq!(base, chain_mac(&k, &GENESIS_MAC, &fields("ab", "c", None)));
        assert!(same_mac(&base, &base));
        assert!(!same_mac(&base[..31], &base));
    }
}
