//! The search index's posting codec, shared by the index (which makes postings) and the store
//! (which queues, unpacks and merges them): one term of one report as its keyed hash and its
//! impact, packed nine bytes each. The lists of a segment are in [`super::posting_lists`].

/// Highest impact.
pub const MAX_IMPACT: i64 = 255;

/// One term of one report: its keyed hash and its impact.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Posting {
    pub term: i64,
    pub impact: i64,
}

/// Bytes per posting when packed: the term's 8 bytes, then the impact's one.
const PACKED: usize = 9;

/// Packs postings into bytes (to wait in the index queue).
pub fn pack(postings: &[Posting]) -> Vec<u8> {
    let mut out = Vec::with_capacity(postings.len() * PACKED);
    for p in postings {
        out.extend_from_slice(&p.term.to_be_bytes());
        out.push(p.impact.clamp(1, MAX_IMPACT) as u8);
    }
    out
}

/// Unpacks what [`pack`] wrote; `None` if the bytes are not postings.
pub fn unpack(bytes: &[u8]) -> Option<Vec<Posting>> {
    if !bytes.len().is_multiple_of(PACKED) {
        return None;
    }
    bytes
        .chunks_exact(PACKED)
        .map(|c| {
            let term = i64::from_be_bytes(c[..8].try_into().ok()?);
            let impact = i64::from(c[8]);
            (impact >= 1).then_some(Posting { term, impact })
        })
        .collect()
}

/// Postings of one report from several lists (the report's and its messages', queued apart)
/// as one: each term once, at its best impact, ordered by term.
pub fn merge_best(postings: impl IntoIterator<Item = Posting>) -> Vec<Posting> {
    let mut best: std::collections::BTreeMap<i64, i64> = std::collections::BTreeMap::new();
    for p in postings {
        let impact = best.entry(p.term).or_default();
        *impact = (*impact).max(p.impact);
    }
    best.into_iter()
        .map(|(term, impact)| Posting { term, impact })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #[test]
        fn postings_pack_and_unpack(raw in proptest::collection::vec((proptest::prelude::any::<i64>(), 1i64..=255), 0..200)) {
            let postings: Vec<Posting> = raw.iter().map(|&(term, impact)| Posting { term, impact }).collect();
            proptest::prop_assert_eq!(unpack(&pack(&postings)), Some(postings));
        }
    }

    #[test]
    fn bytes_that_are_not_postings_are_refused() {
        assert_eq!(unpack(&[1, 2, 3]), None);
        assert_eq!(unpack(&[0; 9]), None, "an impact of 0 is never written");
        assert_eq!(unpack(&[]), Some(Vec::new()));
    }
}
