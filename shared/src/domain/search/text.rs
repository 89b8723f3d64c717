//! How text becomes index terms, and how near two words are.

/// The longest term kept; longer runs of letters are cut (no real word is this long,
/// and a pasted blob must not grow the dictionary without bound).
const MAX_TERM_CHARS: usize = 40;

/// Lower-case words of letters and digits, accents folded (`Café` → `cafe`), so
/// what a shopper types without accents or capitals still matches.
pub fn terms(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    each_term(text, |term| found.push(term.to_owned()));
    found
}

/// [`terms`] without an allocation per word: `found` sees each in turn (building
/// the index tokenizes every product's text).
pub fn each_term(text: &str, mut found: impl FnMut(&str)) {
    let mut term = String::new();
    for word in text.split(|c: char| !c.is_alphanumeric()).filter(|word| !word.is_empty()) {
        term.clear();
        for c in word.chars().flat_map(char::to_lowercase).take(MAX_TERM_CHARS) {
            match fold(c) {
                Some(folded) => term.push_str(folded),
                None => term.push(c),
            }
        }
        // Folding may have made it longer (`ß` → `ss`).
        if let Some((end, _)) = term.char_indices().nth(MAX_TERM_CHARS) {
            term.truncate(end);
        }
        found(&term);
    }
}

/// The unaccented spelling of a lower-case Latin letter with a diacritic.
fn fold(c: char) -> Option<&'static str> {
    Some(match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ą' => "a",
        'ç' | 'ć' | 'č' => "c",
        'ď' => "d",
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ę' | 'ě' => "e",
        'ì' | 'í' | 'î' | 'ï' | 'ī' => "i",
        'ł' => "l",
        'ñ' | 'ń' | 'ň' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ő' => "o",
        'ř' => "r",
        'ś' | 'š' => "s",
        'ť' => "t",
        'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'ů' | 'ű' => "u",
        'ý' | 'ÿ' => "y",
        'ź' | 'ż' | 'ž' => "z",
        'ß' => "ss",
        'æ' => "ae",
        'œ' => "oe",
        _ => return None,
    })
}

/// How many typos a word may have and still match: none below 5 letters (too many
/// short words are one letter apart), one from 5, two from 9.
pub fn typos_allowed(word: &str) -> usize {
    match word.chars().count() {
        0..5 => 0,
        5..9 => 1,
        _ => 2,
    }
}

/// The edit distance between `a` and `b` (insertions, deletions, substitutions and
/// swaps of neighbours, each one typo), or `None` when it is more than `most`.
pub fn distance_within(a: &[char], b: &[char], most: usize) -> Option<usize> {
    if a.len().abs_diff(b.len()) > most {
        return None;
    }
    if a.len() > MAX_TERM_CHARS || b.len() > MAX_TERM_CHARS {
        return None;
    }
    // Three rows of the optimal-string-alignment table (two back for swaps), on
    // the stack: a query compares a word with thousands of candidates.
    let width = b.len() + 1;
    let mut before = [0_usize; MAX_TERM_CHARS + 1];
    let mut previous: [usize; MAX_TERM_CHARS + 1] = std::array::from_fn(|j| j);
    let mut current = [0_usize; MAX_TERM_CHARS + 1];
    for i in 1..=a.len() {
        current[0] = i;
        let mut row_best = current[0];
        for j in 1..width {
            let substitution = previous[j - 1] + usize::from(a[i - 1] != b[j - 1]);
            let mut cost = substitution.min(previous[j] + 1).min(current[j - 1] + 1);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                cost = cost.min(before[j - 2] + 1);
            }
            current[j] = cost;
            row_best = row_best.min(cost);
        }
        if row_best > most {
            return None;
        }
        std::mem::swap(&mut before, &mut previous);
        std::mem::swap(&mut previous, &mut current);
    }
    Some(previous[b.len()]).filter(|d| *d <= most)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chars(word: &str) -> Vec<char> {
        word.chars().collect()
    }

    #[test]
    fn words_are_lower_case_and_unaccented_and_split_on_anything_else() {
        assert_eq!(terms("Crème-Brûlée  MUG/2l, Straße!"), ["creme", "brulee", "mug", "2l", "strasse"]);
        assert_eq!(terms(&"a".repeat(500)).first().map(String::len), Some(MAX_TERM_CHARS));
        assert!(terms(" -- ").is_empty());
        assert_eq!(terms(&"ß".repeat(40)).first().map(|t| t.chars().count()), Some(MAX_TERM_CHARS));
    }

    #[test]
    fn a_typo_is_one_edit_and_a_swap_of_neighbours_is_one() {
        let within = |a: &str, b: &str, most| distance_within(&chars(a), &chars(b), most);
        assert_eq!(within("linen", "linen", 1), Some(0));
        assert_eq!(within("lenin", "linen", 1), None, "two substitutions");
        assert_eq!(within("linnen", "linen", 1), Some(1), "an extra letter");
        assert_eq!(within("lnien", "linen", 1), Some(1), "neighbours swapped");
        assert_eq!(within("ceramic", "ceramics", 1), Some(1));
        assert_eq!(within("ceramic", "cerami", 1), Some(1));
        assert_eq!(within("blanket", "bucket", 2), None);
        assert_eq!(within("a", "abcd", 2), None, "too far apart in length to compute");
    }

    #[test]
    fn short_words_must_be_spelled_right() {
        assert_eq!([typos_allowed("mug"), typos_allowed("linen"), typos_allowed("porcelain")], [0, 1, 2]);
    }
}
