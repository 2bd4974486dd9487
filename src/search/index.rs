//! The search index: each report's terms as keyed hashes with an impact (how much the term
//! weighs in that report), never the terms themselves.
//!
//! A term is stored as the first 8 bytes of HMAC-SHA256 under a key derived from the key
//! directory (purpose `search-index`, separate from the sealing and blind-index keys). Someone
//! with the database sees how many terms each report has, which reports share a term and how
//! often each (unknown) term occurs; without the key they cannot tell which term it is or test
//! a guess. Impacts are a BM25 term-frequency weight quantised to 1–255, one byte in a packed
//! list (see `types::posting_lists`).

use super::terms::terms_of;
use crate::seal::keys::Secret32;
use crate::seal::receipt::mac_with;
use crate::types::postings::{MAX_IMPACT, Posting};
use hmac::Mac;
use std::collections::HashMap;

/// The HKDF purpose of the search-index key.
pub const KEY_PURPOSE: &str = "search-index";

/// BM25 parameters; the document length is normalised against a typical report.
const K1: f64 = 1.2;
const B: f64 = 0.75;
const TYPICAL_TERMS: f64 = 80.0;

/// Turns terms into keyed hashes.
#[derive(Clone, Debug)]
pub struct TermIndex {
    key: Secret32,
}

/// A text to index and the language to read it in.
#[derive(Debug, Clone, Copy)]
pub struct Text<'a> {
    pub text: &'a str,
    pub language: &'a str,
}

impl TermIndex {
    pub fn new(key: Secret32) -> Self {
        Self { key }
    }

    /// The keyed hash of one term.
    pub fn hash(&self, term: &str) -> i64 {
        let mut mac = mac_with(&self.key);
        mac.update(term.as_bytes());
        let bytes = mac.finalize().into_bytes();
        let mut first = [0u8; 8];
        first.copy_from_slice(&bytes[..8]);
        i64::from_be_bytes(first)
    }

    /// The postings of a report (or of a message added to it): every distinct term once.
    pub fn postings(&self, texts: &[Text<'_>]) -> Vec<Posting> {
        let mut counts: HashMap<String, u32> = HashMap::new();
        let mut length = 0usize;
        for t in texts {
            for term in terms_of(t.text, t.language) {
                length += 1;
                *counts.entry(term).or_default() += 1;
            }
        }
        let mut postings: Vec<Posting> = counts
            .into_iter()
            .map(|(term, tf)| Posting {
                term: self.hash(&term),
                impact: impact(tf, length),
            })
            .collect();
        postings.sort_by_key(|p| p.term);
        postings.dedup_by_key(|p| p.term);
        postings
    }
}

/// BM25's term-frequency part for `tf` occurrences in a text of `length` terms, as 1–255.
pub fn impact(tf: u32, length: usize) -> i64 {
    let tf = f64::from(tf);
    let norm = 1.0 - B + B * (length as f64 / TYPICAL_TERMS);
    let weight = tf * (K1 + 1.0) / (tf + K1 * norm) / (K1 + 1.0);
    ((weight * MAX_IMPACT as f64).round() as i64).clamp(1, MAX_IMPACT)
}

/// The weight of a term found in `df` of `total` reports (BM25's inverse document frequency).
pub fn idf(df: u64, total: u64) -> f64 {
    let (df, n) = (df as f64, total.max(df) as f64);
    (1.0 + (n - df + 0.5) / (df + 0.5)).ln()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seal::keys::KeyRing;

    fn index() -> TermIndex {
        TermIndex::new(KeyRing::from_bytes([1; 32], [7; 32]).derive(KEY_PURPOSE))
    }

    #[test]
    fn inflected_forms_of_a_report_fold_into_one_posting() {
        let p = index().postings(&[Text {
            text: "Elle travaille la nuit. Ils travaillent sans contrat et travaillaient déjà.",
            language: "fr",
        }]);
        let travail = index().hash("travaill");
        let hits: Vec<_> = p.iter().filter(|x| x.term == travail).collect();
        assert_eq!(hits.len(), 1);
        let single = index().postings(&[Text {
            text: "Elle travaille la nuit sans contrat.",
            language: "fr",
        }]);
        let once = single.iter().find(|x| x.term == travail).unwrap();
        assert!(
            hits[0].impact > once.impact,
            "three mentions weigh more than one"
        );
    }

    #[test]
    fn hashes_depend_on_the_key() {
        let other = TermIndex::new(KeyRing::from_bytes([1; 32], [8; 32]).derive(KEY_PURPOSE));
        assert_ne!(index().hash("travaill"), other.hash("travaill"));
        assert_eq!(index().hash("travaill"), index().hash("travaill"));
    }

    #[test]
    fn impacts_stay_in_range_and_favour_short_texts() {
        assert!((1..=MAX_IMPACT).contains(&impact(1, 10_000)));
        assert!((1..=MAX_IMPACT).contains(&impact(500, 1)));
        assert!(impact(1, 20) > impact(1, 400));
        assert!(impact(3, 80) > impact(1, 80));
    }

    #[test]
    fn rare_terms_weigh_more() {
        assert!(idf(10, 1_000_000) > idf(100_000, 1_000_000));
        assert!(idf(5, 3) > 0.0);
    }
}
