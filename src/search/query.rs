//! Ranked search: the words of a query, each standing for its term in every language, matched
//! all together (AND), scored by BM25 (term impact × inverse document frequency), best first.
//!
//! Scoring every match is what makes plaintext engines slow on common words. Here each term's
//! postings are read in impact order and the walk stops as soon as no unread report can beat
//! the results already found (Fagin's threshold algorithm): a common word costs about as much
//! as a rare one. Filters and the viewer's visibility narrow the postings in the database,
//! before ranking, so a restricted report never takes a place on a page.

use super::index::{TermIndex, idf};
use super::terms::{query_terms, tokens};
use crate::staff::policy::Visibility;
use crate::store::search::{self as store, Narrowing, Position};
use crate::store::{Db, StoreError};
use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, HashSet, VecDeque};

/// Most words taken from one query.
pub const MAX_WORDS: usize = 8;
/// Matches of the rarest word read in the first round, at least: about a page's worth, since
/// under selective filters each match costs many postings read; four times more each round after.
const FIRST_CHUNK: usize = 32;
const MAX_CHUNK: usize = 4_096;
/// Filters leaving at most this many reports are searched from those reports.
const FEW_REPORTS: usize = 4_096;

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
        if let Some(same) = out
            .iter_mut()
            .find(|w| w.terms.iter().any(|t| terms.contains(t)))
        {
            for t in terms {
                if !same.terms.contains(&t) {
                    same.terms.push(t);
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
    pub report_id: String,
    pub score: i64,
}

/// One page of results.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Page {
    pub hits: Vec<Hit>,
    /// More results follow this page.
    pub more: bool,
}

/// Walks one of the rarest word's terms: its postings best impact first, keeping the
/// reports that hold every other word, a chunk at a time.
struct Cursor {
    term: i64,
    buffer: VecDeque<(i64, i64, Vec<i64>)>,
    last: Option<Position>,
    done: bool,
}

/// One query word: the terms it stands for that occur somewhere, and its weight.
struct List {
    terms: Vec<i64>,
    weight: i64,
    df: u64,
}

struct Walk<'a> {
    db: &'a Db,
    others: Vec<Vec<i64>>,
    narrowing: &'a Narrowing,
    visibility: &'a Visibility,
    cursors: Vec<Cursor>,
}

impl Walk<'_> {
    /// Makes sure each cursor has a match to show unless it is finished.
    async fn fill(&mut self, chunk: usize) -> Result<(), StoreError> {
        for c in &mut self.cursors {
            if c.buffer.is_empty() && !c.done {
                let rows = store::matches_after(
                    self.db,
                    c.term,
                    &self.others,
                    c.last,
                    chunk,
                    self.narrowing,
                    self.visibility,
                )
                .await?;
                if rows.len() < chunk {
                    c.done = true;
                }
                c.last = rows.last().map(|(i, d, _)| (*i, *d)).or(c.last);
                c.buffer.extend(rows);
            }
        }
        Ok(())
    }

    /// The next match across the word's terms, best impact first.
    async fn next(&mut self, chunk: usize) -> Result<Option<(i64, i64, Vec<i64>)>, StoreError> {
        self.fill(chunk).await?;
        let best = self
            .cursors
            .iter_mut()
            .filter(|c| !c.buffer.is_empty())
            .max_by_key(|c| c.buffer.front().map(|(i, d, _)| (*i, *d)));
        Ok(best.and_then(|c| c.buffer.pop_front()))
    }

    /// The highest impact of the rarest word still unread (0 once it is read to the end).
    async fn bound(&mut self, chunk: usize) -> Result<i64, StoreError> {
        self.fill(chunk).await?;
        Ok(self
            .cursors
            .iter()
            .filter_map(|c| c.buffer.front().map(|p| p.0))
            .max()
            .unwrap_or(0))
    }
}

/// Ranks the reports matching every word of `words` among those `narrowing` and `visibility`
/// allow, and returns `limit` of them from `offset`.
///
/// Two plans, both exact: when filters leave few reports, those reports are scored directly;
/// otherwise the rarest word's postings are read best-impact first, each report found is looked
/// up in the other words' postings, and the walk stops as soon as no unread report can beat
/// the page (or the rarest word is read to the end).
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

/// How a search finds its reports. Every plan gives the same page; tests and benchmarks
/// compare them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Plan {
    /// Score the filtered reports directly when there are few, else walk.
    Auto,
    /// Walk the rarest word's postings with pruning.
    Walk,
    /// Score every allowed report holding the rarest word, without pruning.
    Exhaustive,
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
    let total = store::documents(db).await?;
    let hashed: Vec<Vec<i64>> = words
        .iter()
        .map(|w| w.terms.iter().map(|t| index.hash(t)).collect())
        .collect();
    let all: Vec<i64> = hashed.iter().flatten().copied().collect();
    let dfs = store::frequencies(db, &all).await?;
    let mut lists = Vec::with_capacity(words.len());
    for terms in hashed {
        let terms: Vec<i64> = terms.into_iter().filter(|t| dfs.contains_key(t)).collect();
        if terms.is_empty() {
            // A word found in no report: nothing has every word.
            return Ok(Page::default());
        }
        let df: u64 = terms.iter().map(|t| dfs[t]).sum();
        lists.push(List {
            weight: (idf(df.max(1), total) * 1000.0).round().max(1.0) as i64,
            terms,
            df,
        });
    }
    lists.sort_by_key(|l| l.df);
    let wanted = offset + limit + 1;
    let mut best: BinaryHeap<Reverse<(i64, i64)>> = BinaryHeap::new();
    let narrowed = match plan {
        Plan::Auto if store::narrows(narrowing) => {
            let terms: Vec<Vec<i64>> = lists.iter().map(|l| l.terms.clone()).collect();
            store::narrowed_matches(db, &terms, narrowing, visibility, FEW_REPORTS).await?
        }
        Plan::Exhaustive => {
            let terms: Vec<Vec<i64>> = lists.iter().map(|l| l.terms.clone()).collect();
            store::narrowed_matches(db, &terms, narrowing, visibility, i32::MAX as usize - 1)
                .await?
        }
        _ => None,
    };
    match narrowed {
        Some(matches) => {
            for (doc, impacts) in matches {
                keep(&mut best, wanted, score(&lists, &impacts), doc);
            }
        }
        None => walk(db, &lists, narrowing, visibility, &mut best, wanted).await?,
    }
    let mut ranked: Vec<(i64, i64)> = best.into_iter().map(|Reverse(x)| x).collect();
    ranked.sort_by(|a, b| b.cmp(a));
    let more = ranked.len() > offset + limit;
    let page: Vec<(i64, i64)> = ranked.into_iter().skip(offset).take(limit).collect();
    let docs: Vec<i64> = page.iter().map(|(_, d)| *d).collect();
    let ids: HashMap<i64, String> = store::reports_of(db, &docs).await?.into_iter().collect();
    Ok(Page {
        hits: page
            .into_iter()
            .filter_map(|(score, doc)| {
                ids.get(&doc).map(|id| Hit {
                    report_id: id.clone(),
                    score,
                })
            })
            .collect(),
        more,
    })
}

/// The rarest word's postings, best first, keeping the reports that hold every other word,
/// until no unread report can enter the page.
async fn walk(
    db: &Db,
    lists: &[List],
    narrowing: &Narrowing,
    visibility: &Visibility,
    best: &mut BinaryHeap<Reverse<(i64, i64)>>,
    wanted: usize,
) -> Result<(), StoreError> {
    let Some((driver, others)) = lists.split_first() else {
        return Ok(());
    };
    let mut rest = 0;
    for list in others {
        let mut top = 0;
        for &term in &list.terms {
            top = top.max(store::top_impact(db, term).await?);
        }
        rest += list.weight * top;
    }
    let mut walk = Walk {
        db,
        others: others.iter().map(|l| l.terms.clone()).collect(),
        narrowing,
        visibility,
        cursors: driver
            .terms
            .iter()
            .map(|&term| Cursor {
                term,
                buffer: VecDeque::new(),
                last: None,
                done: false,
            })
            .collect(),
    };
    let mut seen: HashSet<i64> = HashSet::new();
    let mut chunk = wanted.clamp(FIRST_CHUNK, MAX_CHUNK);
    loop {
        for _ in 0..chunk {
            match walk.next(chunk).await? {
                Some((impact, doc, impacts)) => {
                    if seen.insert(doc) {
                        let s = driver.weight * impact + score(others, &impacts);
                        keep(best, wanted, s, doc);
                    }
                }
                None => return Ok(()),
            }
        }
        let threshold = driver.weight * walk.bound(chunk).await? + rest;
        if best.len() >= wanted && best.peek().is_some_and(|Reverse((s, _))| *s >= threshold) {
            return Ok(());
        }
        chunk = (chunk * 4).min(MAX_CHUNK);
    }
}

/// The score of a report from each word's impact in it.
fn score(lists: &[List], impacts: &[i64]) -> i64 {
    lists.iter().zip(impacts).map(|(l, i)| l.weight * i).sum()
}

/// Keeps the `wanted` best (score, doc) pairs; among equal scores the newer report wins.
fn keep(best: &mut BinaryHeap<Reverse<(i64, i64)>>, wanted: usize, score: i64, doc: i64) {
    best.push(Reverse((score, doc)));
    if best.len() > wanted {
        best.pop();
    }
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
    fn long_queries_are_cut() {
        let q = (0..20)
            .map(|i| format!("word{i}"))
            .collect::<Vec<_>>()
            .join(" ");
        assert_eq!(words(&q).len(), MAX_WORDS);
    }

    #[test]
    fn the_heap_keeps_the_best() {
        let mut best = BinaryHeap::new();
        for (s, d) in [(5, 1), (9, 2), (1, 3), (7, 4)] {
            keep(&mut best, 2, s, d);
        }
        let mut kept: Vec<_> = best.into_iter().map(|Reverse(x)| x).collect();
        kept.sort();
        assert_eq!(kept, vec![(7, 4), (9, 2)]);
    }
}
