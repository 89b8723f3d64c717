//! The inverted index and the query that reads it.
//!
//! Scoring is BM25 per field, weighted by field (a word in the name counts more
//! than one in the description), times how the word matched: exactly, as the start
//! of a longer word (the last word typed, for as-you-type), or with typos. A product
//! must match every word of the query; a query that is exactly one of its SKUs puts
//! it first.

use super::SearchDocument;
use super::facets::{self, Facets};
use super::text::{distance_within, each_term, terms, typos_allowed};
use crate::domain::ProductStatus;
use std::collections::HashMap;

/// BM25's term-frequency saturation and length normalisation (the usual values).
const K1: f32 = 1.2;
const B: f32 = 0.75;
/// How much each field's words count.
const FIELDS: [(Field, f32); 5] =
    [(Field::Name, 3.0), (Field::Sku, 2.0), (Field::Category, 2.0), (Field::Options, 1.5), (Field::Description, 1.0)];
/// How much a match counts by kind, exact being 1.
const PREFIX_QUALITY: f32 = 0.6;
const TYPO_QUALITY: [f32; 3] = [1.0, 0.5, 0.3];
/// A query that is exactly a product's SKU puts that product above any word match.
const EXACT_SKU_BOOST: f32 = 1_000.0;
/// A short prefix starts too many words to rank usefully: only the most common
/// words it starts are taken.
const MAX_PREFIX_EXPANSIONS: usize = 64;
/// Words of a query past this many are not matched (`GET /search/products`
/// refuses longer queries; this bounds the work whoever calls).
pub const MAX_WORDS: usize = 10;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Name,
    Sku,
    Category,
    Options,
    Description,
}

/// Every word `field` of `document` holds, in turn.
fn each_field_term(document: &SearchDocument, field: Field, mut found: impl FnMut(&str)) {
    match field {
        Field::Name => each_term(&document.name, found),
        Field::Description => each_term(&document.description, found),
        Field::Category => document.category.iter().for_each(|c| each_term(c, &mut found)),
        Field::Options => document.option_values.iter().for_each(|v| each_term(v, &mut found)),
        // Its parts (`tee`, `m`); a query that is a whole SKU is matched apart.
        Field::Sku => document.skus.iter().for_each(|sku| each_term(sku, &mut found)),
    }
}

/// One document's weight for one term: the BM25 term-frequency part summed over
/// fields, each by its weight. The term's rarity is applied at query time.
#[derive(Debug, Clone, Copy)]
struct Posting {
    document: u32,
    strength: f32,
}

#[derive(Debug)]
struct Term {
    text: Box<str>,
    chars: Box<[char]>,
    postings: Vec<Posting>,
}

/// Products searchable in memory. Built once per load of the stored documents;
/// every query only reads it.
#[derive(Debug, Default)]
pub struct SearchIndex {
    documents: Vec<SearchDocument>,
    /// Sorted by text, for prefix ranges.
    terms: Vec<Term>,
    /// Term positions by length in characters, for typo candidates.
    by_length: Vec<Vec<u32>>,
    /// Upper-case SKU to document.
    skus: HashMap<String, u32>,
}

/// Where a page ends: the last hit's score and id. The next page starts after it
/// even if products were added or changed between the two requests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Position {
    pub score: u64,
    pub id: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchQuery {
    /// What the shopper typed; empty lists everything the filters let through.
    pub text: String,
    /// Which statuses the caller may see: active for the public, more for staff.
    pub statuses: Vec<ProductStatus>,
    pub category: Option<String>,
    /// Minor units; the product's lowest price must be within.
    pub min_price: Option<i64>,
    pub max_price: Option<i64>,
    pub in_stock: Option<bool>,
    pub limit: usize,
    pub after: Option<Position>,
}

#[derive(Debug)]
pub struct Hit<'a> {
    pub document: &'a SearchDocument,
    /// Relevance, higher first; comparable within one query only.
    pub score: u64,
}

#[derive(Debug)]
pub struct Results<'a> {
    pub hits: Vec<Hit<'a>>,
    /// Every product that matches the words and filters, on any page.
    pub total: usize,
    pub facets: Facets,
    /// Where the next page starts; `None` on the last page.
    pub next: Option<Position>,
}

impl SearchIndex {
    pub fn build(documents: Vec<SearchDocument>) -> Self {
        // Words get a number once; each document's fields become lists of numbers.
        let mut numbers: HashMap<Box<str>, u32> = HashMap::new();
        let mut words: Vec<Box<str>> = Vec::new();
        let mut fields: Vec<[Vec<u32>; FIELDS.len()]> = Vec::with_capacity(documents.len());
        let mut lengths = [0_usize; FIELDS.len()];
        for document in &documents {
            let mut held: [Vec<u32>; FIELDS.len()] = Default::default();
            for (f, &(field, _)) in FIELDS.iter().enumerate() {
                each_field_term(document, field, |word| {
                    let number = match numbers.get(word) {
                        Some(&number) => number,
                        None => {
                            let number = words.len() as u32;
                            words.push(word.into());
                            numbers.insert(word.into(), number);
                            number
                        }
                    };
                    held[f].push(number);
                });
                lengths[f] += held[f].len();
            }
            fields.push(held);
        }
        drop(numbers);
        let count = documents.len().max(1) as f32;
        let average = lengths.map(|total| (total as f32 / count).max(1.0));

        let mut postings: Vec<Vec<Posting>> = vec![Vec::new(); words.len()];
        let mut strengths: Vec<(u32, f32)> = Vec::new();
        for (document, mut held) in fields.into_iter().enumerate() {
            strengths.clear();
            for (f, numbers) in held.iter_mut().enumerate() {
                let norm = K1 * (1.0 - B + B * numbers.len() as f32 / average[f]);
                numbers.sort_unstable();
                for run in numbers.chunk_by(|a, b| a == b) {
                    let tf = run.len() as f32;
                    strengths.push((run[0], FIELDS[f].1 * tf * (K1 + 1.0) / (tf + norm)));
                }
            }
            strengths.sort_unstable_by_key(|&(word, _)| word);
            for run in strengths.chunk_by(|a, b| a.0 == b.0) {
                let strength = run.iter().map(|&(_, s)| s).sum();
                postings[run[0].0 as usize].push(Posting { document: document as u32, strength });
            }
        }
        let mut terms: Vec<Term> = words
            .into_iter()
            .zip(postings)
            .map(|(text, postings)| Term { chars: text.chars().collect(), text, postings })
            .collect();
        terms.sort_unstable_by(|a, b| a.text.cmp(&b.text));
        let mut by_length: Vec<Vec<u32>> = Vec::new();
        for (i, term) in terms.iter().enumerate() {
            let length = term.chars.len();
            if by_length.len() <= length {
                by_length.resize_with(length + 1, Vec::new);
            }
            by_length[length].push(i as u32);
        }
        let skus = documents
            .iter()
            .enumerate()
            .flat_map(|(i, d)| d.skus.iter().map(move |sku| (sku.to_uppercase(), i as u32)))
            .collect();
        Self { documents, terms, by_length, skus }
    }

    pub fn documents(&self) -> &[SearchDocument] {
        &self.documents
    }

    pub fn search(&self, query: &SearchQuery) -> Results<'_> {
        let scores = self.match_words(&query.text);
        let visible = |document: &SearchDocument| query.statuses.contains(&document.status);
        let candidates: Vec<(u32, f32)> = match scores {
            Some(scores) => scores.into_iter().filter(|&(d, _)| visible(&self.documents[d as usize])).collect(),
            None => (0..self.documents.len() as u32)
                .filter(|&d| visible(&self.documents[d as usize]))
                .map(|d| (d, 0.0))
                .collect(),
        };
        let facets = facets::count(candidates.iter().map(|&(d, _)| &self.documents[d as usize]), query);

        let mut matches: Vec<Hit<'_>> = candidates
            .into_iter()
            .map(|(d, score)| Hit { document: &self.documents[d as usize], score: quantize(score) })
            .filter(|hit| facets::passes(hit.document, query))
            .collect();
        let total = matches.len();
        if let Some(after) = &query.after {
            matches.retain(|hit| ranks_after(hit, after));
        }
        let limit = query.limit.max(1);
        let order = |a: &Hit<'_>, b: &Hit<'_>| b.score.cmp(&a.score).then_with(|| b.document.id.cmp(&a.document.id));
        let more = matches.len() > limit;
        if more {
            matches.select_nth_unstable_by(limit, order);
            matches.truncate(limit);
        }
        matches.sort_unstable_by(order);
        let next = more
            .then(|| matches.last().map(|hit| Position { score: hit.score, id: hit.document.id.clone() }))
            .flatten();
        Results { hits: matches, total, facets, next }
    }

    /// Each document matching every word of `text`, with its score; `None` when
    /// the text has no words (everything matches equally).
    fn match_words(&self, text: &str) -> Option<Vec<(u32, f32)>> {
        let typed = terms(text);
        let last = typed.last()?.clone();
        // The last word may be unfinished, unless the shopper typed past it.
        let typing = !text.ends_with(|c: char| !c.is_alphanumeric());
        // A word typed twice narrows nothing, and each costs a pass over the dictionary.
        let mut words: Vec<String> = Vec::with_capacity(typed.len());
        for word in typed {
            if !words.contains(&word) && words.len() < MAX_WORDS {
                words.push(word);
            }
        }
        let mut total: Option<HashMap<u32, f32>> = None;
        for word in &words {
            let scores = self.match_word(word, typing && *word == last);
            let so_far: HashMap<u32, f32> = match total {
                None => scores,
                Some(so_far) => {
                    so_far.into_iter().filter_map(|(d, score)| scores.get(&d).map(|more| (d, score + more))).collect()
                }
            };
            let none_left = so_far.is_empty();
            total = Some(so_far);
            if none_left {
                break;
            }
        }
        let mut total = total.unwrap_or_default();
        if let Some(&document) = self.skus.get(text.trim().to_uppercase().as_str()) {
            *total.entry(document).or_default() += EXACT_SKU_BOOST;
        }
        Some(total.into_iter().collect())
    }

    /// Every document containing `word` (exactly, with typos, or, if `prefix`, as
    /// the start of a longer word), with its best score for it.
    fn match_word(&self, word: &str, prefix: bool) -> HashMap<u32, f32> {
        let mut quality: HashMap<u32, f32> = HashMap::new();
        let mut consider = |term: u32, q: f32| {
            let best = quality.entry(term).or_default();
            *best = best.max(q);
        };
        let chars: Vec<char> = word.chars().collect();
        let start = self.terms.partition_point(|t| &*t.text < word);
        if self.terms.get(start).is_some_and(|t| &*t.text == word) {
            consider(start as u32, 1.0);
        }
        if prefix {
            let end = start + self.terms[start..].partition_point(|t| t.text.starts_with(word));
            let mut longer: Vec<u32> =
                (start as u32..end as u32).filter(|&t| &*self.terms[t as usize].text != word).collect();
            if longer.len() > MAX_PREFIX_EXPANSIONS {
                longer.select_nth_unstable_by_key(MAX_PREFIX_EXPANSIONS, |&t| {
                    std::cmp::Reverse(self.terms[t as usize].postings.len())
                });
                longer.truncate(MAX_PREFIX_EXPANSIONS);
            }
            for t in longer {
                consider(t, PREFIX_QUALITY);
            }
        }
        let most = typos_allowed(word);
        if most > 0 {
            let lengths = chars.len().saturating_sub(most)..=chars.len() + most;
            for t in lengths.flat_map(|length| self.by_length.get(length).into_iter().flatten()) {
                if let Some(typos @ 1..) = distance_within(&chars, &self.terms[*t as usize].chars, most) {
                    consider(*t, TYPO_QUALITY[typos]);
                }
            }
        }

        let count = self.documents.len() as f32;
        let mut scores: HashMap<u32, f32> = HashMap::new();
        for (t, q) in quality {
            let term = &self.terms[t as usize];
            let frequency = term.postings.len() as f32;
            let rarity = (1.0 + (count - frequency + 0.5) / (frequency + 0.5)).ln();
            for posting in &term.postings {
                let score = rarity * posting.strength * q;
                let best = scores.entry(posting.document).or_default();
                *best = best.max(score);
            }
        }
        scores
    }
}

fn quantize(score: f32) -> u64 {
    (f64::from(score) * 1_000.0).round().max(0.0) as u64
}

/// Whether `hit` comes after `position` in result order (score down, then id down).
fn ranks_after(hit: &Hit<'_>, position: &Position) -> bool {
    hit.score < position.score || (hit.score == position.score && hit.document.id.as_str() < position.id.as_str())
}

#[cfg(test)]
mod tests;
