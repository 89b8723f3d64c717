//! Postal addresses: what a customer keeps in their address book and what an
//! order keeps as a snapshot for shipping and billing.
//!
//! Checked without a network call: the country is an ISO 3166-1 alpha-2 code,
//! and the countries most shops ship to get their postal code format (and, where
//! mail needs one, their state or province) checked; elsewhere a postal code is
//! only bounded. Every refusal names its field under the caller's prefix
//! (`shipping_address.postal_code`).

use super::id::AddressId;
use super::validation::{Checker, FieldError, Invalid};

/// Every ISO 3166-1 alpha-2 code in use.
const COUNTRIES: &str = "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ \
BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET \
FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR \
IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN \
MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY \
QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR \
TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW";

/// US states, the District of Columbia, territories and armed forces codes.
const US_STATES: &str = "AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ \
NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY AS GU MP PR VI UM AA AE AP";

/// Canadian provinces and territories.
const CA_PROVINCES: &str = "AB BC MB NB NL NS NT NU ON PE QC SK YT";

/// An ISO 3166-1 alpha-2 country code (upper case).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Country([u8; 2]);

impl Country {
    pub fn parse(code: &str) -> Result<Self, String> {
        let refused = || format!("`{code}` is not an ISO 3166-1 alpha-2 country code (upper case, e.g. DE)");
        let bytes: [u8; 2] = code.as_bytes().try_into().map_err(|_| refused())?;
        if !bytes.iter().all(u8::is_ascii_uppercase) || !COUNTRIES.split(' ').any(|c| c == code) {
            return Err(refused());
        }
        Ok(Self(bytes))
    }

    pub fn code(&self) -> &str {
        std::str::from_utf8(&self.0).expect("parsed from ASCII")
    }
}

impl std::fmt::Display for Country {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

/// An address as a caller typed it, not yet checked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AddressInput {
    pub name: String,
    pub company: Option<String>,
    pub line1: String,
    pub line2: Option<String>,
    pub city: String,
    /// State, province or county; required for US and CA.
    pub region: Option<String>,
    pub postal_code: Option<String>,
    pub country: String,
    pub phone: Option<String>,
}

/// A checked postal address. Fields are trimmed; postal codes and US/CA regions
/// are normalised to the form mail carries (`SW1A 1AA`, `K1A 0B1`, `CA`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Address {
    name: String,
    company: Option<String>,
    line1: String,
    line2: Option<String>,
    city: String,
    region: Option<String>,
    postal_code: Option<String>,
    country: Country,
    phone: Option<String>,
}

impl Address {
    /// Checks `input`; errors are named `<prefix>.<field>` (or just `<field>`
    /// when `prefix` is empty), all at once.
    pub fn parse(input: &AddressInput, prefix: &str) -> Result<Self, Invalid> {
        let field = |name: &str| if prefix.is_empty() { name.to_owned() } else { format!("{prefix}.{name}") };
        let mut c = Checker::default();
        let name = c.check(&field("name"), line(&input.name, 1, 100));
        let company = c.check(&field("company"), optional(input.company.as_deref(), 100)).flatten();
        let line1 = c.check(&field("line1"), line(&input.line1, 1, 200));
        let line2 = c.check(&field("line2"), optional(input.line2.as_deref(), 200)).flatten();
        let city = c.check(&field("city"), line(&input.city, 1, 100));
        let phone = c.check(&field("phone"), optional(input.phone.as_deref(), 32).and_then(phone)).flatten();
        let country = c.check(&field("country"), Country::parse(input.country.trim()));
        let (region, postal_code) = match country {
            Some(country) => (
                c.check(&field("region"), region(country, input.region.as_deref())).flatten(),
                c.check(&field("postal_code"), postal_code(country, input.postal_code.as_deref())).flatten(),
            ),
            None => (None, None),
        };
        c.finish()?;
        let (Some(name), Some(line1), Some(city), Some(country)) = (name, line1, city, country) else {
            return Err(Invalid(vec![FieldError::new(field("country"), "is required")]));
        };
        Ok(Self { name, company, line1, line2, city, region, postal_code, country, phone })
    }

    /// An address as stored: checked when it was written, so a rule made
    /// stricter later never makes old orders unreadable. `None` only when the
    /// country is not a code at all.
    pub fn restore(input: AddressInput) -> Option<Self> {
        let country = Country::parse(input.country.trim()).ok()?;
        Some(Self {
            name: input.name,
            company: input.company,
            line1: input.line1,
            line2: input.line2,
            city: input.city,
            region: input.region,
            postal_code: input.postal_code,
            country,
            phone: input.phone,
        })
    }

    pub fn country(&self) -> Country {
        self.country
    }

    pub fn region(&self) -> Option<&str> {
        self.region.as_deref()
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn postal_code(&self) -> Option<&str> {
        self.postal_code.as_deref()
    }

    /// Company, street lines and city, as one line each (no name, postal code or country).
    pub fn street_lines(&self) -> Vec<String> {
        let mut lines: Vec<String> = self.company.iter().cloned().collect();
        lines.push(self.line1.clone());
        lines.extend(self.line2.clone());
        lines.push(self.city.clone());
        lines.extend(self.region.clone());
        lines
    }

    /// The address as the caller gives it back (and as stored).
    pub fn to_input(&self) -> AddressInput {
        AddressInput {
            name: self.name.clone(),
            company: self.company.clone(),
            line1: self.line1.clone(),
            line2: self.line2.clone(),
            city: self.city.clone(),
            region: self.region.clone(),
            postal_code: self.postal_code.clone(),
            country: self.country.code().to_owned(),
            phone: self.phone.clone(),
        }
    }

    /// The lines a label or an invoice prints, in the order a carrier reads them.
    pub fn lines(&self) -> Vec<String> {
        let mut lines = vec![self.name.clone()];
        lines.extend(self.company.clone());
        lines.push(self.line1.clone());
        lines.extend(self.line2.clone());
        let postal = self.postal_code.clone().unwrap_or_default();
        let region = self.region.clone().unwrap_or_default();
        lines.push(match self.country.code() {
            "US" | "CA" | "AU" => [self.city.as_str(), &format!("{region} {postal}")].join(", ").trim().to_owned(),
            "GB" => format!("{}\n{postal}", self.city),
            _ => format!("{postal} {}", self.city).trim().to_owned(),
        });
        lines.push(self.country.code().to_owned());
        lines.into_iter().flat_map(|l| l.split('\n').map(str::to_owned).collect::<Vec<_>>()).collect()
    }
}

/// Characters an address may not hold: control characters (a line break inside
/// a field would forge a line on a label) and the bidirectional overrides that
/// make a label read differently from what is stored.
fn forbidden(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

fn line(value: &str, min: usize, max: usize) -> Result<String, String> {
    let trimmed = value.trim();
    let len = trimmed.chars().count();
    if len < min {
        return Err("must not be empty".into());
    }
    if len > max {
        return Err(format!("must be at most {max} characters"));
    }
    if trimmed.chars().any(forbidden) {
        return Err("must not contain control or direction-override characters".into());
    }
    Ok(trimmed.to_owned())
}

/// An optional line: absent or blank is `None`.
fn optional(value: Option<&str>, max: usize) -> Result<Option<String>, String> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) => line(v, 1, max).map(Some),
    }
}

fn phone(value: Option<String>) -> Result<Option<String>, String> {
    match value {
        Some(v) if !v.chars().all(|c| c.is_ascii_digit() || " +-()./".contains(c)) || !v.contains(char::is_numeric) => {
            Err("must be a phone number: digits, spaces and + - ( ) . /".into())
        }
        other => Ok(other),
    }
}

fn region(country: Country, value: Option<&str>) -> Result<Option<String>, String> {
    let value = optional(value, 100)?;
    let list = match country.code() {
        "US" => US_STATES,
        "CA" => CA_PROVINCES,
        _ => return Ok(value),
    };
    let Some(value) = value else {
        return Err(format!("is required for {country}: the two-letter state or province code"));
    };
    let upper = value.to_ascii_uppercase();
    if upper.len() == 2 && list.split(' ').any(|r| r == upper) {
        Ok(Some(upper))
    } else {
        Err(format!("`{value}` is not a {country} state or province code (e.g. {})", &list[..2]))
    }
}

/// How a country's postal codes look: `9` a digit, `A` a letter, anything else
/// itself. Several shapes may be allowed; the first that fits is used.
fn postal_shapes(country: Country) -> Option<&'static [&'static str]> {
    Some(match country.code() {
        "DE" | "FR" | "ES" | "IT" | "FI" | "MX" | "MY" | "TH" | "TR" | "HR" | "EE" | "UA" => &["99999"],
        "AT" | "BE" | "CH" | "DK" | "NO" | "LU" | "HU" | "BG" | "SI" | "AU" | "NZ" | "ZA" | "CY" | "PH" => &["9999"],
        "NL" => &["9999 AA"],
        "US" => &["99999", "99999-9999"],
        "CA" => &["A9A 9A9"],
        "GB" => &["A9 9AA", "A99 9AA", "AA9 9AA", "AA99 9AA", "A9A 9AA", "AA9A 9AA"],
        "PL" => &["99-999"],
        "PT" => &["9999-999"],
        "SE" | "CZ" | "SK" | "GR" => &["999 99"],
        "JP" => &["999-9999"],
        "BR" => &["99999-999"],
        "IN" | "RU" | "CN" | "SG" => &["999999"],
        _ => return None,
    })
}

/// Fits `value` to `shape`, ignoring case and spaces; returns it as written in the shape.
fn fit(value: &str, shape: &str) -> Option<String> {
    let mut chars = value.chars().filter(|c| *c != ' ').map(|c| c.to_ascii_uppercase());
    let mut out = String::with_capacity(shape.len());
    for s in shape.chars() {
        if s == ' ' {
            out.push(' ');
            continue;
        }
        let c = chars.next()?;
        let fits = match s {
            '9' => c.is_ascii_digit(),
            'A' => c.is_ascii_uppercase(),
            other => c == other,
        };
        if !fits {
            return None;
        }
        out.push(c);
    }
    chars.next().is_none().then_some(out)
}

fn postal_code(country: Country, value: Option<&str>) -> Result<Option<String>, String> {
    let value = optional(value, 16)?;
    let Some(shapes) = postal_shapes(country) else {
        return match value {
            Some(v) if !v.chars().all(|c| c.is_ascii_alphanumeric() || c == ' ' || c == '-') => {
                Err("must hold only letters, digits, spaces and hyphens".into())
            }
            other => Ok(other),
        };
    };
    let Some(value) = value else { return Err(format!("is required for {country}")) };
    let example = shapes[0].replace('9', "1").replace('A', "X");
    let fitted = shapes.iter().find_map(|shape| fit(&value, shape));
    match (country.code(), fitted) {
        // Canadian postal codes never use D F I O Q U, nor W or Z first.
        ("CA", Some(code)) if code.contains(['D', 'F', 'I', 'O', 'Q', 'U']) || code.starts_with(['W', 'Z']) => {
            Err(format!("`{value}` is not a {country} postal code"))
        }
        // Dutch postcodes start at 1000 and skip SA, SD and SS.
        ("NL", Some(code)) if code.starts_with('0') || ["SA", "SD", "SS"].contains(&&code[5..]) => {
            Err(format!("`{value}` is not a {country} postal code"))
        }
        (_, Some(code)) => Ok(Some(code)),
        (_, None) => Err(format!("`{value}` is not a {country} postal code (like {example})")),
    }
}

/// Addresses one customer may keep.
pub const MAX_BOOK_ENTRIES: usize = 20;

/// One address in a customer's book, and whether it is their default for
/// shipping or billing (at most one of each in a book).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BookEntry {
    pub id: AddressId,
    pub address: Address,
    pub default_shipping: bool,
    pub default_billing: bool,
}

/// A customer's address book: kept whole in one item, changed at its version.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AddressBook {
    pub entries: Vec<BookEntry>,
    /// 0 while the customer never saved an address.
    pub version: u64,
}

impl AddressBook {
    pub fn entry(&self, id: AddressId) -> Option<&BookEntry> {
        self.entries.iter().find(|e| e.id == id)
    }

    /// The book with `entry` added, or put in place of the entry with its id;
    /// a default it claims stops being another entry's.
    pub fn with(&self, entry: BookEntry) -> Result<AddressBook, Invalid> {
        let mut next = AddressBook { entries: self.entries.clone(), version: self.version + 1 };
        if entry.default_shipping {
            next.entries.iter_mut().for_each(|e| e.default_shipping = false);
        }
        if entry.default_billing {
            next.entries.iter_mut().for_each(|e| e.default_billing = false);
        }
        match next.entries.iter().position(|e| e.id == entry.id) {
            Some(at) => next.entries[at] = entry,
            None if next.entries.len() >= MAX_BOOK_ENTRIES => {
                let message = format!("an address book holds at most {MAX_BOOK_ENTRIES} addresses");
                return Err(Invalid(vec![FieldError::new("address", message)]));
            }
            None => next.entries.push(entry),
        }
        Ok(next)
    }

    /// The book without the entry `id`, if it holds it.
    pub fn without(&self, id: AddressId) -> Option<AddressBook> {
        self.entry(id)?;
        let entries = self.entries.iter().filter(|e| e.id != id).cloned().collect();
        Some(AddressBook { entries, version: self.version + 1 })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(country: &str, postal: &str, region: Option<&str>) -> AddressInput {
        AddressInput {
            name: "Ada Lovelace".into(),
            line1: "1 Main Street".into(),
            city: "Town".into(),
            country: country.into(),
            postal_code: Some(postal.into()),
            region: region.map(Into::into),
            ..AddressInput::default()
        }
    }

    fn postal(country: &str, postal: &str, region: Option<&str>) -> Result<String, Vec<String>> {
        Address::parse(&input(country, postal, region), "shipping_address")
            .map(|a| a.postal_code.unwrap_or_default())
            .map_err(|Invalid(errors)| errors.into_iter().map(|e| e.field).collect())
    }

    #[test]
    fn postal_codes_of_the_main_countries_are_checked_and_normalised() {
        assert_eq!(postal("DE", "10115", None).unwrap(), "10115");
        assert_eq!(postal("FR", "75001", None).unwrap(), "75001");
        assert_eq!(postal("NL", "1012ab", None).unwrap(), "1012 AB");
        assert_eq!(postal("GB", "sw1a1aa", None).unwrap(), "SW1A 1AA");
        assert_eq!(postal("GB", "M1 1AE", None).unwrap(), "M1 1AE");
        assert_eq!(postal("US", "94103-1234", Some("ca")).unwrap(), "94103-1234");
        assert_eq!(postal("CA", "k1a0b1", Some("ON")).unwrap(), "K1A 0B1");
        for (country, bad, region) in [
            ("DE", "1011", None),
            ("DE", "1011A", None),
            ("FR", "750011", None),
            ("NL", "0123 AB", None),
            ("NL", "1012 SS", None),
            ("GB", "12345", None),
            ("US", "9410", Some("CA")),
            ("CA", "D1A 0B1", Some("ON")),
        ] {
            assert_eq!(postal(country, bad, region).unwrap_err(), ["shipping_address.postal_code"], "{country} {bad}");
        }
    }

    #[test]
    fn us_and_canada_need_a_state_or_province() {
        assert_eq!(postal("US", "10001", None).unwrap_err(), ["shipping_address.region"]);
        assert_eq!(postal("US", "10001", Some("XX")).unwrap_err(), ["shipping_address.region"]);
        assert_eq!(postal("CA", "K1A 0B1", Some("TX")).unwrap_err(), ["shipping_address.region"]);
        let ny = Address::parse(&input("US", "10001", Some(" ny ")), "").unwrap();
        assert_eq!(ny.region(), Some("NY"));
        assert_eq!(ny.lines().last().unwrap(), "US");
    }

    #[test]
    fn countries_are_iso_codes_and_elsewhere_postal_codes_are_only_bounded() {
        assert_eq!(postal("de", "10115", None).unwrap_err(), ["shipping_address.country"]);
        assert_eq!(postal("XK", "10000", None).unwrap_err(), ["shipping_address.country"]);
        assert_eq!(postal("IE", "D02 X285", None).unwrap(), "D02 X285");
        assert_eq!(postal("IE", "D02;X285", None).unwrap_err(), ["shipping_address.postal_code"]);
    }

    #[test]
    fn every_field_is_bounded_and_free_of_control_characters() {
        let bad = AddressInput {
            name: String::new(),
            company: Some("x".repeat(101)),
            line1: "Main\nStreet 1".into(),
            line2: Some("evil\u{202E}txt".into()),
            city: "x".repeat(101),
            phone: Some("call me".into()),
            ..input("DE", "10115", None)
        };
        let Invalid(errors) = Address::parse(&bad, "billing_address").unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "billing_address.name",
                "billing_address.company",
                "billing_address.line1",
                "billing_address.line2",
                "billing_address.city",
                "billing_address.phone"
            ]
        );
    }

    #[test]
    fn a_book_keeps_one_default_of_each_kind_and_a_bounded_number_of_addresses() {
        let address = Address::parse(&input("DE", "10115", None), "").unwrap();
        let entry = |default_shipping| BookEntry {
            id: AddressId::generate(),
            address: address.clone(),
            default_shipping,
            default_billing: false,
        };
        let home = entry(true);
        let book = AddressBook::default().with(home.clone()).unwrap();
        let work = entry(true);
        let book = book.with(work.clone()).unwrap();
        assert_eq!(book.entries.iter().filter(|e| e.default_shipping).map(|e| e.id).collect::<Vec<_>>(), [work.id]);
        assert_eq!(book.version, 2);
        let book = book.without(home.id).unwrap();
        assert!(book.without(home.id).is_none(), "gone once");
        let full = (0..MAX_BOOK_ENTRIES).fold(AddressBook::default(), |b, _| b.with(entry(false)).unwrap());
        assert_eq!(full.with(entry(false)).unwrap_err().0[0].field, "address");
    }
}
