//! Relevance on a fixed catalog: what a shopper types and what must come first.

use super::*;
use crate::domain::search::{Availability, CategoryCount};

struct Item {
    id: &'static str,
    name: &'static str,
    description: &'static str,
    category: &'static str,
    skus: &'static [&'static str],
    price: i64,
    in_stock: bool,
    status: ProductStatus,
}

const ACTIVE: ProductStatus = ProductStatus::Active;

/// Ids sort by age, as UUIDv7s do: 01 is the oldest.
const CATALOG: [Item; 8] = [
    Item {
        id: "01",
        name: "Linen shirt",
        description: "Breathable linen for summer.",
        category: "shirts",
        skus: &["SHIRT-LIN-M", "SHIRT-LIN-L"],
        price: 4900,
        in_stock: true,
        status: ACTIVE,
    },
    Item {
        id: "02",
        name: "Cotton shirt",
        description: "Everyday organic cotton.",
        category: "shirts",
        skus: &["SHIRT-COT"],
        price: 2900,
        in_stock: false,
        status: ACTIVE,
    },
    Item {
        id: "03",
        name: "Ceramic mug",
        description: "Glazed stoneware, 350 ml.",
        category: "mugs",
        skus: &["MUG-CER"],
        price: 1200,
        in_stock: true,
        status: ACTIVE,
    },
    Item {
        id: "04",
        name: "Linen napkins",
        description: "Set of four.",
        category: "kitchen",
        skus: &["NAP-LIN"],
        price: 1800,
        in_stock: true,
        status: ACTIVE,
    },
    Item {
        id: "05",
        name: "Wooden hanger",
        description: "Keeps a shirt in shape.",
        category: "home",
        skus: &["HANG-1"],
        price: 900,
        in_stock: true,
        status: ACTIVE,
    },
    Item {
        id: "06",
        name: "Wool scarf",
        description: "Merino.",
        category: "accessories",
        skus: &["SCARF-01"],
        price: 3500,
        in_stock: true,
        status: ProductStatus::Draft,
    },
    Item {
        id: "07",
        name: "Crème brûlée dish",
        description: "Porcelain ramekin.",
        category: "kitchen",
        skus: &["DISH-CB"],
        price: 1500,
        in_stock: true,
        status: ACTIVE,
    },
    Item {
        id: "08",
        name: "Mug tree",
        description: "Holds six mugs.",
        category: "kitchen",
        skus: &["MUG-TREE"],
        price: 2500,
        in_stock: true,
        status: ProductStatus::Archived,
    },
];

fn index() -> SearchIndex {
    SearchIndex::build(
        CATALOG
            .iter()
            .map(|item| SearchDocument {
                id: item.id.into(),
                version: 1,
                status: item.status,
                name: item.name.into(),
                description: item.description.into(),
                category: Some(item.category.into()),
                skus: item.skus.iter().map(|s| (*s).into()).collect(),
                option_values: Vec::new(),
                currency: "EUR".into(),
                price_min: item.price,
                price_max: item.price,
                in_stock: item.in_stock,
                thumbnail: None,
                created_at: "2026-12-01T00:00:00Z".into(),
            })
            .collect(),
    )
}

fn public(text: &str) -> SearchQuery {
    SearchQuery {
        text: text.into(),
        statuses: vec![ACTIVE],
        category: None,
        min_price: None,
        max_price: None,
        in_stock: None,
        limit: 20,
        after: None,
    }
}

fn ids(index: &SearchIndex, query: &SearchQuery) -> Vec<String> {
    index.search(query).hits.iter().map(|hit| hit.document.id.clone()).collect()
}

fn found(text: &str) -> Vec<String> {
    ids(&index(), &public(text))
}

#[test]
fn an_exact_sku_comes_first_whatever_its_case() {
    assert_eq!(found("MUG-CER").first().map(String::as_str), Some("03"));
    assert_eq!(found("nap-lin").first().map(String::as_str), Some("04"));
    assert_eq!(found("shirt-lin-l").first().map(String::as_str), Some("01"));
}

#[test]
fn a_typo_still_finds_the_word_from_five_letters() {
    let mut linen = found("linnen");
    linen.sort();
    assert_eq!(linen, ["01", "04"]);
    assert_eq!(found("ceramc mug"), ["03"], "a letter left out");
    let mut swapped = found("sihrt");
    assert_eq!(swapped.pop().as_deref(), Some("05"), "the hanger's description has the word");
    swapped.sort();
    assert_eq!(swapped, ["01", "02"], "neighbours swapped finds both shirts first");
    assert!(found("mig").is_empty(), "a short word must be spelled right");
}

#[test]
fn the_last_word_matches_as_a_prefix_while_typing() {
    assert_eq!(found("cera"), ["03"]);
    assert_eq!(found("ceramic m"), ["03"]);
    assert!(found("cera ").is_empty(), "a finished word must match whole (or with typos)");
    let mut linen = found("lin");
    linen.sort();
    assert_eq!(linen, ["01", "04"]);
}

#[test]
fn every_word_must_match_and_the_name_outranks_the_description() {
    assert_eq!(found("linen shirt"), ["01"]);
    let shirt = found("shirt");
    assert_eq!(shirt.len(), 3);
    assert_eq!(shirt.last().map(String::as_str), Some("05"), "the hanger only mentions a shirt: {shirt:?}");
    assert_eq!(found("Creme brulee"), ["07"], "accents need not be typed");
}

#[test]
fn drafts_and_archived_products_are_for_staff_only() {
    assert!(found("scarf").is_empty());
    let staff = SearchQuery { statuses: vec![ACTIVE, ProductStatus::Draft], ..public("scarf") };
    assert_eq!(ids(&index(), &staff), ["06"]);
    assert_eq!(found("mug"), ["03"], "the archived mug tree is not for sale");
}

#[test]
fn facets_count_each_filter_as_if_it_were_not_set() {
    let index = index();
    let query = SearchQuery { category: Some("shirts".into()), ..public("linen") };
    let results = index.search(&query);
    assert_eq!(results.hits.iter().map(|h| h.document.id.as_str()).collect::<Vec<_>>(), ["01"]);
    assert_eq!(results.total, 1);
    assert_eq!(
        results.facets.category,
        [CategoryCount { value: "kitchen".into(), count: 1 }, CategoryCount { value: "shirts".into(), count: 1 }]
    );
    assert_eq!(results.facets.availability, Availability { in_stock: 1, out_of_stock: 0 });

    let in_stock = SearchQuery { in_stock: Some(true), ..public("shirt") };
    let results = index.search(&in_stock);
    assert_eq!(results.total, 2, "the cotton shirt is sold out");
    assert_eq!(results.facets.availability, Availability { in_stock: 2, out_of_stock: 1 });

    let range = &index.search(&public("")).facets.price[0];
    let chosen = SearchQuery { min_price: Some(range.min), max_price: Some(range.max), ..public("") };
    assert_eq!(index.search(&chosen).total, range.count, "a price range selects exactly what it counted");
}

#[test]
fn pages_walk_every_match_once_in_the_order_of_one_long_page() {
    let index = index();
    let everything = ids(&index, &public(""));
    assert_eq!(everything, ["07", "05", "04", "03", "02", "01"], "newest first when nothing is typed");
    let mut walked = Vec::new();
    let mut query = SearchQuery { limit: 4, ..public("") };
    loop {
        let results = index.search(&query);
        assert_eq!(results.total, 6);
        walked.extend(results.hits.iter().map(|h| h.document.id.clone()));
        match results.next {
            Some(position) => query.after = Some(position),
            None => break,
        }
    }
    assert_eq!(walked, everything);
}
