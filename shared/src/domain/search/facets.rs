//! Facets: how many matches each filter value would leave. Each facet is counted
//! with every filter applied except its own, so choosing a category still shows
//! how many the other categories hold (and likewise for price and stock).

use super::{SearchDocument, SearchQuery};

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Facets {
    /// Most matches first, then by name.
    pub category: Vec<CategoryCount>,
    /// Up to six ranges of the lowest price, with round bounds that fit the matches.
    pub price: Vec<PriceRange>,
    pub availability: Availability,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CategoryCount {
    pub value: String,
    pub count: usize,
}

/// Inclusive bounds in minor units: `min_price`/`max_price` set to them select
/// exactly `count` products.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PriceRange {
    pub min: i64,
    pub max: i64,
    pub count: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Availability {
    pub in_stock: usize,
    pub out_of_stock: usize,
}

fn category_passes(document: &SearchDocument, query: &SearchQuery) -> bool {
    query.category.as_ref().is_none_or(|wanted| document.category.as_ref() == Some(wanted))
}

fn price_passes(document: &SearchDocument, query: &SearchQuery) -> bool {
    query.min_price.is_none_or(|min| document.price_min >= min)
        && query.max_price.is_none_or(|max| document.price_min <= max)
}

fn stock_passes(document: &SearchDocument, query: &SearchQuery) -> bool {
    query.in_stock.is_none_or(|wanted| document.in_stock == wanted)
}

/// Whether `document` passes every filter of `query`.
pub(super) fn passes(document: &SearchDocument, query: &SearchQuery) -> bool {
    category_passes(document, query) && price_passes(document, query) && stock_passes(document, query)
}

pub(super) fn count<'a>(matches: impl Iterator<Item = &'a SearchDocument>, query: &SearchQuery) -> Facets {
    let mut categories: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    let mut prices = Vec::new();
    let mut availability = Availability::default();
    for document in matches {
        let (category, price, stock) =
            (category_passes(document, query), price_passes(document, query), stock_passes(document, query));
        if let (true, Some(name)) = (price && stock, &document.category) {
            *categories.entry(name).or_default() += 1;
        }
        if category && stock {
            prices.push(document.price_min);
        }
        if category && price {
            match document.in_stock {
                true => availability.in_stock += 1,
                false => availability.out_of_stock += 1,
            }
        }
    }
    let mut category: Vec<CategoryCount> =
        categories.into_iter().map(|(value, count)| CategoryCount { value: value.to_owned(), count }).collect();
    category.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
    Facets { category, price: price_ranges(&prices), availability }
}

const MOST_RANGES: i64 = 5;

/// Ranges of a round width (1, 2 or 5 times a power of ten) that cover `prices`
/// in at most six steps; empty ranges are left out.
fn price_ranges(prices: &[i64]) -> Vec<PriceRange> {
    let (Some(&low), Some(&high)) = (prices.iter().min(), prices.iter().max()) else {
        return Vec::new();
    };
    // Five widths cover low..=high; rounding the start down may need a sixth.
    let wanted = ((high - low) / MOST_RANGES + 1).max(1);
    let mut width = 1_i64;
    'round: for magnitude in 0..18 {
        for factor in [1, 2, 5] {
            width = factor * 10_i64.pow(magnitude);
            if width >= wanted {
                break 'round;
            }
        }
    }
    let start = low - low.rem_euclid(width);
    let mut counts = std::collections::BTreeMap::new();
    for price in prices {
        *counts.entry((price - start) / width).or_insert(0) += 1;
    }
    counts
        .into_iter()
        .map(|(step, count)| PriceRange { min: start + step * width, max: start + (step + 1) * width - 1, count })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn price_ranges_have_round_bounds_that_cover_every_price() {
        let ranges = price_ranges(&[1200, 1500, 2500, 4900, 9900]);
        assert_eq!(
            ranges,
            [
                PriceRange { min: 0, max: 1999, count: 2 },
                PriceRange { min: 2000, max: 3999, count: 1 },
                PriceRange { min: 4000, max: 5999, count: 1 },
                PriceRange { min: 8000, max: 9999, count: 1 },
            ]
        );
        assert_eq!(price_ranges(&[700]), [PriceRange { min: 700, max: 700, count: 1 }]);
        for (low, high) in [(0, 9), (3, 12), (1, 1_000_000), (999, 1_001), (0, 5)] {
            let ranges = price_ranges(
                &(low..=high).step_by(((high - low) / 50).max(1) as usize).chain([high]).collect::<Vec<_>>(),
            );
            assert!(ranges.len() <= 6, "{low}..={high}: {ranges:?}");
            assert!(ranges[0].min <= low && ranges.last().is_some_and(|r| r.max >= high));
        }
        assert!(price_ranges(&[]).is_empty());
    }
}
