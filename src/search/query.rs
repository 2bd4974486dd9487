//! Ranked search: the words of a query, each standing for its term in every language, matched
//! all together (AND), scored by BM25 (term impact × inverse document frequency), best first.
//!
//! A query reads the packed lists of its terms from every segment of the index (one statement)
//! and scores every report holding all its words in memory: the rarest word's reports looked up
//! in a byte per report for each other word. Decoding is a few nanoseconds a posting, so a
//! common word over a million reports costs milliseconds, without the database ever seeing a
//! term. The filters and the viewer's visibility are applied to the best-scored reports, a few
//! hundred at a time, until a page is full; a filter that leaves few reports is read whole and
//! applied first. Either way a restricted report never takes a place on a page.

use super::index::{TermIndex, idf};
use super::terms::{query_terms, tokens};
use crate::store::search::{self as store, Narrowing};
use crate::store::segments;
use crate::store::{Db, StoreError};
use crate::types::posting_lists::{self as lists, Doc};
use crate::types::{ReportId, Visibility};
use std::collections::HashSet;

/// Most words taken from one query.
pub const MAX_WORDS: usize = 8;
/// Best-scored reports checked against the filters in the first round, at least; four times
/// more each round after.
const FIRST_ROUND: usize = 256;
const MAX_ROUND: usize = 16_384;
/// Filters leaving at most this many reports are applied before ranking (and larger ones, once
/// checking the best candidates would cost as much; see [`rank`]).
const FEW_REPORTS: usize = 4_096;
/// Reports a filter leaves that can be read (from an index, as numbers) for the cost of checking
/// one candidate against the filters.
const READS_PER_CHECK: usize = 16;

/// A query word and the terms it stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    pub text: String,
    pub terms: Vec<String>,
}

/// The searchable words of what an analyst typed: stop words dropped; forms of one word
/// (`work`, `worked`) taken once, standing for the terms of both.
pub fn words(query: &str) -> Vec<Word> {
    let mut out: Vec<Word> = Vec::new();
    for token in tokens(query) {
        let terms = query_terms(token.word);
        if terms.is_empty() {
            continue;
        }
        // A form may share terms with several words taken so far (`working` with `worked` and
        // with `workingt`): they are all one word then, so that no term stands in two.
        let same: Vec<usize> = (0..out.len())
            .filter(|&i| out[i].terms.iter().any(|t| terms.contains(t)))
            .collect();
        if let Some((&first, others)) = same.split_first() {
            let mut merged = terms;
            for &i in others.iter().rev() {
                merged.extend(out.remove(i).terms);
            }
            for t in merged {
                if !out[first].terms.contains(&t) {
                    out[first].terms.push(t);
                }
            }
            continue;
        }
        out.push(Word {
            text: token.word.to_owned(),
            terms,
        });
        if out.len() == MAX_WORDS {
            break;
        }
    }
    out
}

/// One result: the report and its score.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    pub report_id: ReportId,
    pub score: i64,
}

/// One page of results.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Page {
    pub hits: Vec<Hit>,
    /// More results follow this page.
    pub more: bool,
}

/// One query word: the lists of the terms it stands for, and its weight.
struct Scored<'a> {
    lists: Vec<&'a [u8]>,
    weight: i64,
    df: u64,
}

/// Ranks the reports matching every word of `words` among those `narrowing` and `visibility`
/// allow, and returns `limit` of them from `offset`.
pub async fn search(
    db: &Db,
    index: &TermIndex,
    words: &[Word],
    narrowing: &Narrowing,
    visibility: &Visibility,
    offset: usize,
    limit: usize,
) -> Result<Page, StoreError> {
    search_with(
        Plan::Auto,
        db,
        index,
        words,
        narrowing,
        visibility,
        offset,
        limit,
    )
    .await
}

/// How a search applies the filters. Every plan gives the same page; tests compare them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Plan {
    /// Filters first when they leave few reports, else best scores first.
    Auto,
    /// Check the best-scored reports against the filters, a round at a time.
    BestFirst,
    /// Read every report the filters leave, then rank those.
    FiltersFirst,
    /// [`Plan::Auto`] as it goes for a filter that leaves many reports: a round of the best
    /// candidates checked before the filter may be read whole.
    ChecksFirst,
}

/// [`search`] with a chosen plan.
#[allow(clippy::too_many_arguments)]
pub async fn search_with(
    plan: Plan,
    db: &Db,
    index: &TermIndex,
    words: &[Word],
    narrowing: &Narrowing,
    visibility: &Visibility,
    offset: usize,
    limit: usize,
) -> Result<Page, StoreError> {
    if words.is_empty() || *visibility == Visibility::Nothing || limit == 0 {
        return Ok(Page::default());
    }
    let hashed: Vec<Vec<i64>> = words
        .iter()
        .map(|w| w.terms.iter().map(|t| index.hash(t)).collect())
        .collect();
    let mut all: Vec<i64> = hashed.iter().flatten().copied().collect();
    all.sort_unstable();
    all.dedup();
    let found = segments::lists_of(db, &all).await?;
    let total = store::documents(db).await?;
    let mut scored = Vec::with_capacity(hashed.len());
    for terms in &hashed {
        let mine: Vec<&(i64, i64, Vec<u8>)> =
            found.iter().filter(|(t, _, _)| terms.contains(t)).collect();
        if mine.is_empty() {
            // A word found in no report: nothing has every word.
            return Ok(Page::default());
        }
        let df: u64 = mine.iter().map(|(_, n, _)| (*n).max(0) as u64).sum();
        scored.push(Scored {
            lists: mine.iter().map(|(_, _, l)| l.as_slice()).collect(),
            weight: (idf(df.max(1), total) * 1000.0).round().max(1.0) as i64,
            df,
        });
    }
    scored.sort_by_key(|w| w.df);
    let candidates = candidates(&scored).ok_or(StoreError::Corrupt)?;
    let wanted = offset + limit + 1;
    let ranked = rank(plan, db, candidates, narrowing, visibility, wanted).await?;
    let more = ranked.len() > offset + limit;
    Ok(Page {
        hits: ranked.into_iter().skip(offset).take(limit).collect(),
        more,
    })
}

/// Every report holding all the words, with its score, in no order. `None` if a list is not a
/// packed list.
fn candidates(words: &[Scored<'_>]) -> Option<Vec<(i64, Doc)>> {
    let (rarest, others) = words.split_first()?;
    // The rarest word's reports, each once at its best impact over the word's terms.
    let mut driver: Vec<(Doc, u8)> = Vec::new();
    for list in &rarest.lists {
        lists::decode(list, |doc, impact| driver.push((doc, impact)))?;
    }
    lists::normalize(&mut driver);
    let end = driver.last().map_or(0, |e| e.0 as usize + 1);
    // Each other word as a byte per report (its best impact; 0 where it is absent).
    let mut impacts: Vec<Vec<u8>> = Vec::with_capacity(others.len());
    for word in others {
        let mut column = vec![0u8; end];
        for list in &word.lists {
            lists::decode(list, |doc, impact| {
                if let Some(best) = column.get_mut(doc as usize) {
                    *best = (*best).max(impact);
                }
            })?;
        }
        impacts.push(column);
    }
    Some(
        driver
            .into_iter()
            .filter_map(|(doc, impact)| {
                let mut score = rarest.weight * i64::from(impact);
                for (word, column) in others.iter().zip(&impacts) {
                    let i = column[doc as usize];
                    if i == 0 {
                        return None;
                    }
                    score += word.weight * i64::from(i);
                }
                Some((score, doc))
            })
            .collect(),
    )
}

/// The `wanted` best candidates that pass the filters and the viewer's visibility, best first;
/// among equal scores the newer report (higher document number) first.
///
/// The best candidates are checked against the filters a round at a time. When the filters
/// narrow, reading every report they leave may be cheaper: it is tried first with
/// [`FEW_REPORTS`], then, after each round, with a cap of what checking would still cost (the
/// candidates still needed at the pass rate seen so far, all of them if none passed), so that
/// a filter matching little of what the words find is read whole instead of checked report by
/// report, and neither way costs much more than the other would have.
async fn rank(
    plan: Plan,
    db: &Db,
    mut candidates: Vec<(i64, Doc)>,
    narrowing: &Narrowing,
    visibility: &Visibility,
    wanted: usize,
) -> Result<Vec<Hit>, StoreError> {
    let mut out: Vec<(i64, Doc)> = Vec::with_capacity(wanted);
    let mut rest: &mut [(i64, Doc)] = &mut candidates;
    let (mut checked, mut passed, mut tried) = (0usize, 0usize, 0usize);
    let narrows = match plan {
        Plan::FiltersFirst => true,
        Plan::Auto | Plan::ChecksFirst => store::narrows(narrowing),
        Plan::BestFirst => false,
    };
    let mut round = wanted.clamp(FIRST_ROUND, MAX_ROUND);
    while out.len() < wanted && !rest.is_empty() {
        if narrows {
            let cap = match plan {
                Plan::FiltersFirst => usize::MAX,
                Plan::ChecksFirst if checked == 0 => 0,
                _ if checked == 0 => FEW_REPORTS,
                // The candidates still to check at the pass rate seen (all if none passed).
                _ => match passed {
                    0 => rest.len(),
                    p => ((wanted - out.len()) * checked / p).min(rest.len()),
                }
                .saturating_mul(READS_PER_CHECK),
            };
            if cap > tried {
                tried = cap;
                if let Some(docs) = store::narrowed(db, narrowing, visibility, cap).await? {
                    out.extend(best_of(rest, &docs, wanted - out.len()));
                    break;
                }
            }
        }
        let take = round.min(rest.len());
        if take < rest.len() {
            rest.select_nth_unstable_by(take - 1, |a, b| b.cmp(a));
        }
        let (head, tail) = std::mem::take(&mut rest).split_at_mut(take);
        head.sort_unstable_by(|a, b| b.cmp(a));
        let docs: Vec<i64> = head.iter().map(|(_, d)| i64::from(*d)).collect();
        let passing: HashSet<i64> = store::passing(db, &docs, narrowing, visibility)
            .await?
            .into_iter()
            .collect();
        passed += passing.len();
        out.extend(
            head.iter()
                .filter(|(_, doc)| passing.contains(&i64::from(*doc)))
                .take(wanted - out.len()),
        );
        checked += take;
        rest = tail;
        round = (round * 4).min(MAX_ROUND);
    }
    let docs: Vec<i64> = out.iter().map(|(_, d)| i64::from(*d)).collect();
    let reports = store::reports_of(db, &docs).await?;
    Ok(out
        .into_iter()
        .filter_map(|(score, doc)| {
            reports.get(&i64::from(doc)).map(|id| Hit {
                report_id: id.clone(),
                score,
            })
        })
        .collect())
}

/// The `n` best of `candidates` among `docs`, best first.
fn best_of(candidates: &[(i64, Doc)], docs: &[i64], n: usize) -> Vec<(i64, Doc)> {
    // A byte per report rather than a hash lookup per candidate (there may be millions).
    let end = candidates
        .iter()
        .map(|(_, d)| *d as usize + 1)
        .max()
        .unwrap_or(0);
    let mut kept = vec![false; end];
    for doc in docs {
        if let Some(k) = usize::try_from(*doc).ok().and_then(|d| kept.get_mut(d)) {
            *k = true;
        }
    }
    let mut best: Vec<(i64, Doc)> = candidates
        .iter()
        .copied()
        .filter(|(_, doc)| kept[*doc as usize])
        .collect();
    best.sort_unstable_by(|a, b| b.cmp(a));
    best.truncate(n);
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_words_drop_stop_words_and_repeats() {
        let w = words("the women work, works and WORKED at the hotel");
        let texts: Vec<&str> = w.iter().map(|w| w.text.as_str()).collect();
        assert_eq!(texts, vec!["women", "work", "hotel"]);
    }

    #[test]
    fn a_form_sharing_terms_with_two_words_makes_them_one() {
        // Found by the search_query fuzz target: `working` shares a term with `workingT` and
        // one with `worked`, which shared none before it came.
        let w = words("workingT worked working");
        let mut terms: Vec<&String> = w.iter().flat_map(|w| &w.terms).collect();
        let all = terms.len();
        terms.sort();
        terms.dedup();
        assert_eq!(terms.len(), all, "a term in two words: {w:?}");
        assert_eq!(w.len(), 1, "{w:?}");
    }

    #[test]
    fn long_queries_are_cut() {
        let q = (0..20)
            .map(|i| format!("word{i}"))
            .collect::<Vec<_>>()
            .join(" ");
        assert_eq!(words(&q).len(), MAX_WORDS);
    }

    fn word(lists: &[Vec<u8>], weight: i64) -> Scored<'_> {
        Scored {
            lists: lists.iter().map(Vec::as_slice).collect(),
            weight,
            df: 0,
        }
    }

    #[test]
    fn candidates_hold_every_word_and_add_up_their_weights() {
        // "work" in reports 1, 4 and 9 (two terms, e.g. English and French, both in 4);
        // "hotel" in 4, 5 and 9.
        let work = [
            lists::encode(&[(1, 10), (4, 20)]),
            lists::encode(&[(4, 30), (9, 5)]),
        ];
        let hotel = [lists::encode(&[(4, 2), (5, 50), (9, 1)])];
        let mut found = candidates(&[word(&work, 100), word(&hotel, 1_000)]).unwrap();
        found.sort();
        assert_eq!(found, vec![(100 * 5 + 1_000, 9), (100 * 30 + 2_000, 4)]);
        let nothing = [lists::encode(&[(2, 9)])];
        assert!(
            candidates(&[word(&nothing, 1), word(&hotel, 1)])
                .unwrap()
                .is_empty()
        );
        assert_eq!(candidates(&[word(&[vec![0x80]], 1)]), None);
    }

    #[test]
    fn the_best_of_a_filter_come_first_newest_first_among_equals() {
        let candidates = [(5, 1), (9, 2), (5, 7), (7, 4), (1, 3)];
        assert_eq!(
            best_of(&candidates, &[1, 3, 4, 7, 99], 3),
            vec![(7, 4), (5, 7), (5, 1)]
        );
        assert!(best_of(&candidates, &[], 3).is_empty());
    }
}
