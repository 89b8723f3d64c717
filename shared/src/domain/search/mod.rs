//! Product search: what a product contributes to the index ([`SearchDocument`]),
//! and the index that answers a query ([`SearchIndex`]) with relevance, prefix and
//! typo matching, facets and keyset pages. Pure: the index is built from documents
//! in memory; where the documents are kept is the adapters' business
//! (docs/architecture.md, "Search").

mod facets;
mod index;
mod text;

pub use facets::{Availability, CategoryCount, Facets, PriceRange};
pub use index::{Hit, MAX_WORDS, Position, Results, SearchIndex, SearchQuery};

/// How many words `text` has, as search reads it.
pub fn words(text: &str) -> usize {
    let mut count = 0;
    text::each_term(text, |_| count += 1);
    count
}

use crate::domain::{Product, ProductStatus, format_timestamp};
use serde::{Deserialize, Serialize};

/// Everything search needs of a product: what it matches on, filters and facets by,
/// and what a result shows, so a search reads nothing but the index.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchDocument {
    pub id: String,
    /// The product's version: of two documents for one product the higher wins,
    /// whichever order updates arrive in.
    pub version: u64,
    pub status: ProductStatus,
    pub name: String,
    pub description: String,
    pub category: Option<String>,
    /// Every variant's SKU, archived ones included (an old label still finds it).
    pub skus: Vec<String>,
    /// The option values variants are sold in ("Blue", "XL").
    pub option_values: Vec<String>,
    pub currency: String,
    /// The cheapest and dearest variant on sale (the product's price when none is).
    pub price_min: i64,
    pub price_max: i64,
    /// Whether any variant on sale has stock.
    pub in_stock: bool,
    /// The key of the first image's smallest thumbnail, once made.
    pub thumbnail: Option<String>,
    pub created_at: String,
}

impl SearchDocument {
    pub fn of(product: &Product) -> Self {
        let on_sale: Vec<_> = product.variants.iter().filter(|v| !v.archived).collect();
        let prices: Vec<i64> = on_sale.iter().map(|v| product.price_of(v).amount).collect();
        let mut option_values: Vec<String> = on_sale.iter().flat_map(|v| v.options.iter().cloned()).collect();
        option_values.sort();
        option_values.dedup();
        Self {
            id: product.id.to_string(),
            version: product.version,
            status: product.status,
            name: product.name.clone(),
            description: product.description.clone(),
            category: product.category.as_ref().map(|c| c.as_str().to_owned()),
            skus: product.skus().map(|s| s.as_str().to_owned()).collect(),
            option_values,
            currency: product.price.currency.code().to_owned(),
            price_min: prices.iter().copied().min().unwrap_or(product.price.amount),
            price_max: prices.iter().copied().max().unwrap_or(product.price.amount),
            in_stock: on_sale.iter().any(|v| v.in_stock()),
            thumbnail: product
                .images
                .first()
                .and_then(|image| image.thumbnails.iter().min_by_key(|t| t.edge))
                .map(|t| t.key.clone()),
            created_at: format_timestamp(product.created_at),
        }
    }
}

/// Merges `changed` into `documents`: a product's document is replaced only by
/// one of a higher version, so a late or repeated update never undoes a newer one.
/// Returns how many documents now read differently: a new version that changes
/// nothing search shows (stock taken but some left) is not a change, so the
/// documents need not be written again for it.
pub fn merge(documents: &mut Vec<SearchDocument>, changed: impl IntoIterator<Item = SearchDocument>) -> usize {
    let mut position: std::collections::HashMap<String, usize> =
        documents.iter().enumerate().map(|(i, d)| (d.id.clone(), i)).collect();
    let mut merged = 0;
    for document in changed {
        match position.get(&document.id) {
            Some(&i) if documents[i].version >= document.version => {}
            Some(&i) => {
                let same = SearchDocument { version: document.version, ..documents[i].clone() } == document;
                documents[i] = document;
                merged += usize::from(!same);
            }
            None => {
                position.insert(document.id.clone(), documents.len());
                documents.push(document);
                merged += 1;
            }
        }
    }
    merged
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::money::MoneyInput;
    use crate::domain::product::NewProduct;
    use crate::domain::{ProductId, Timestamp};

    fn product() -> Product {
        let mut new = NewProduct::active("MUG-1", "Mug", MoneyInput { amount: 1200, currency: "EUR".into() }, 3);
        new.description = "Stoneware".into();
        new.into_product(ProductId::generate(), Timestamp::from_unix_timestamp(1_790_000_000).expect("valid"))
            .expect("a valid product")
    }

    #[test]
    fn a_document_holds_what_search_filters_and_shows() {
        let document = SearchDocument::of(&product());
        assert_eq!(
            (document.skus, document.price_min, document.price_max, document.in_stock, document.currency.as_str()),
            (vec!["MUG-1".to_owned()], 1200, 1200, true, "EUR")
        );
    }

    #[test]
    fn an_older_version_never_replaces_a_newer_one() {
        let newer = SearchDocument { version: 3, name: "New".into(), ..SearchDocument::of(&product()) };
        let older = SearchDocument { version: 2, name: "Old".into(), ..newer.clone() };
        let mut documents = vec![newer.clone()];
        assert_eq!(merge(&mut documents, [older.clone()]), 0);
        assert_eq!(documents, std::slice::from_ref(&newer));
        let mut documents = vec![older];
        assert_eq!(merge(&mut documents, [newer.clone(), newer.clone()]), 1);
        assert_eq!(documents, std::slice::from_ref(&newer));
        let restocked = SearchDocument { version: 4, ..newer };
        assert_eq!(merge(&mut documents, [restocked]), 0, "a new version that reads the same is no change");
        assert_eq!(documents[0].version, 4);
    }
}
