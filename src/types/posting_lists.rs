//! Posting lists as stored: the reports (document numbers) holding one term in one segment of
//! the index, in document order, each with the term's impact in it. Packed as the gap to the
//! previous document (a LEB128 varint, one byte for most gaps) and the impact's byte: a common
//! term costs about two bytes per report, and a query decodes millions of postings in a few
//! milliseconds.

use integer_encoding::VarInt;

/// A document number (see `store::search`).
pub type Doc = u32;

/// One posting of a list: a document and the term's impact in it (1–255).
pub type Entry = (Doc, u8);

/// Packs postings sorted by document, each document once.
pub fn encode(entries: &[Entry]) -> Vec<u8> {
    let mut out = Vec::with_capacity(entries.len() * 2 + 4);
    let mut previous = 0;
    let mut gap = [0u8; 5];
    for &(doc, impact) in entries {
        let n = (doc - previous).encode_var(&mut gap);
        out.extend_from_slice(&gap[..n]);
        out.push(impact);
        previous = doc;
    }
    out
}

/// Calls `each` with every posting of a packed list, in document order. `None` if the bytes
/// are not a list [`encode`] wrote.
pub fn decode(bytes: &[u8], mut each: impl FnMut(Doc, u8)) -> Option<()> {
    let mut at = 0;
    let mut doc: Doc = 0;
    while at < bytes.len() {
        let (gap, n) = Doc::decode_var(&bytes[at..])?;
        doc = doc.checked_add(gap)?;
        let impact = *bytes.get(at + n)?;
        if impact == 0 {
            return None;
        }
        each(doc, impact);
        at += n + 1;
    }
    Some(())
}

/// Puts postings in document order, each document once at its best impact (what [`encode`]
/// takes, and how a document's postings from several lists combine).
pub fn normalize(entries: &mut Vec<Entry>) {
    // Best impact first within a document, so that dedup keeps it.
    entries.sort_unstable_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
    entries.dedup_by_key(|e| e.0);
}

/// One list from several lists of the same term (segments being merged): every document once,
/// with its best impact. Returns the number of postings and the packed list.
pub fn merge(lists: &[&[u8]]) -> Option<(usize, Vec<u8>)> {
    let mut entries: Vec<Entry> = Vec::new();
    for list in lists {
        decode(list, |doc, impact| entries.push((doc, impact)))?;
    }
    normalize(&mut entries);
    Some((entries.len(), encode(&entries)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    fn decoded(bytes: &[u8]) -> Option<Vec<Entry>> {
        let mut out = Vec::new();
        decode(bytes, |d, i| out.push((d, i)))?;
        Some(out)
    }

    fn sorted(raw: BTreeMap<Doc, u8>) -> Vec<Entry> {
        raw.into_iter().collect()
    }

    proptest! {
        #[test]
        fn lists_pack_and_unpack(raw in proptest::collection::btree_map(any::<Doc>(), 1u8..=255, 0..300)) {
            let entries = sorted(raw);
            prop_assert_eq!(decoded(&encode(&entries)), Some(entries));
        }

        #[test]
        fn merging_keeps_every_document_once_with_its_best_impact(
            parts in proptest::collection::vec(proptest::collection::btree_map(0u32..2_000, 1u8..=255, 0..100), 0..6)
        ) {
            let mut expected: BTreeMap<Doc, u8> = BTreeMap::new();
            for part in &parts {
                for (&d, &i) in part {
                    let best = expected.entry(d).or_default();
                    *best = (*best).max(i);
                }
            }
            let packed: Vec<Vec<u8>> = parts.into_iter().map(|p| encode(&sorted(p))).collect();
            let refs: Vec<&[u8]> = packed.iter().map(Vec::as_slice).collect();
            let (count, merged) = merge(&refs).unwrap();
            prop_assert_eq!(count, expected.len());
            prop_assert_eq!(decoded(&merged), Some(sorted(expected)));
        }
    }

    #[test]
    fn close_documents_take_two_bytes_each() {
        let entries: Vec<Entry> = (1_000..2_000).map(|d| (d, 7)).collect();
        assert!(encode(&entries).len() <= 2 * entries.len() + 2);
    }

    #[test]
    fn bytes_that_are_not_a_list_are_refused() {
        assert_eq!(decoded(&[0x80]), None, "a varint cut short");
        assert_eq!(decoded(&[3]), None, "a gap without its impact");
        assert_eq!(decoded(&[3, 0]), None, "an impact of 0 is never written");
        assert_eq!(decoded(&[]), Some(Vec::new()));
    }
}
