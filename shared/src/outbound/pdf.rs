//! [`DocumentPrinter`] as an A4 PDF drawn with krilla, typeset as a document
//! people send: the shop's name and the document's title and number at the
//! top, seller and buyer blocks, a table of lines, right-aligned totals with
//! tax by rate, and a footer with the seller's legal details on every page.
//!
//! Text is DejaVu Sans and DejaVu Sans Bold embedded in the binary (Lambda has
//! no system fonts), cut down to the scripts an invoice prints and compressed
//! (`shared/assets/fonts/README.md`); krilla embeds only the glyphs used. Each
//! character is one glyph from the font's character map, advanced by its
//! width, and text is measured the same way to right-align amounts, so no
//! shaping engine is linked (krilla's `simple-text` made the function 0.9 MB
//! larger); what is lost is kerning, ligatures and combining-mark placement.
//!
//! Layout first produces pages of drawing operations, then renders them, so a
//! long order flows onto further pages with the table's header repeated.

use crate::app::receipts::ports::DocumentPrinter;
use crate::domain::Invoice;
use crate::domain::invoice::DocumentKind;
use krilla::Document;
use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::num::NormalizedF32;
use krilla::page::PageSettings;
use krilla::paint::{Fill, FillRule};
use krilla::text::{Font, GlyphId, KrillaGlyph};
use skrifa::instance::{LocationRef, Size};
use skrifa::{FontRef, MetadataProvider};
use std::sync::LazyLock;

static REGULAR_ZLIB: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans-invoice.ttf.zlib");
static BOLD_ZLIB: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans-Bold-invoice.ttf.zlib");

/// The fonts, inflated once per process.
static REGULAR: LazyLock<Vec<u8>> =
    LazyLock::new(|| miniz_oxide::inflate::decompress_to_vec_zlib(REGULAR_ZLIB).expect("the embedded font inflates"));
static BOLD: LazyLock<Vec<u8>> =
    LazyLock::new(|| miniz_oxide::inflate::decompress_to_vec_zlib(BOLD_ZLIB).expect("the embedded font inflates"));

/// A4 in points, and the margins.
const PAGE_WIDTH: f32 = 595.0;
const PAGE_HEIGHT: f32 = 842.0;
const LEFT: f32 = 56.0;
const RIGHT: f32 = PAGE_WIDTH - 56.0;
const TOP: f32 = 64.0;
/// Where the footer starts; the body stops above it.
const FOOTER: f32 = PAGE_HEIGHT - 56.0;

const INK: (u8, u8, u8) = (26, 32, 44);
const MUTED: (u8, u8, u8) = (100, 110, 125);
const RULE: (u8, u8, u8) = (218, 222, 228);
const BAND: (u8, u8, u8) = (243, 245, 248);
const ACCENT: (u8, u8, u8) = (37, 64, 110);

/// Right edges of the table's number columns, and where the description ends.
const QTY_RIGHT: f32 = 352.0;
const UNIT_RIGHT: f32 = 427.0;
const TAX_RIGHT: f32 = 472.0;
const DESCRIPTION_WIDTH: f32 = 270.0;

#[derive(Clone, Copy)]
enum Weight {
    Regular,
    Bold,
}

#[derive(Clone, Copy)]
enum Align {
    Left,
    Right,
}

enum Op {
    Text { x: f32, y: f32, size: f32, weight: Weight, color: (u8, u8, u8), text: String },
    Rect { x: f32, y: f32, w: f32, h: f32, color: (u8, u8, u8) },
}

struct Face {
    font: Font,
    metrics: FontRef<'static>,
}

impl Face {
    fn new(data: &'static [u8]) -> Self {
        let font = Font::new(data.to_vec().into(), 0).expect("the embedded font is a valid TrueType font");
        let metrics = FontRef::new(data).expect("the embedded font is a valid TrueType font");
        Self { font, metrics }
    }

    /// One glyph per character, advancing by the font's width for it; a
    /// character the font lacks prints as its missing-glyph box.
    fn glyphs(&self, text: &str) -> Vec<KrillaGlyph> {
        let charmap = self.metrics.charmap();
        let advances = self.metrics.glyph_metrics(Size::unscaled(), LocationRef::default());
        let units_per_em = f32::from(self.metrics.metrics(Size::unscaled(), LocationRef::default()).units_per_em);
        text.char_indices()
            .map(|(at, character)| {
                let id = charmap.map(character).unwrap_or_default();
                let advance = advances.advance_width(id).unwrap_or_default() / units_per_em;
                KrillaGlyph::new(GlyphId::new(id.to_u32()), advance, 0.0, 0.0, 0.0, at..at + character.len_utf8(), None)
            })
            .collect()
    }

    fn width(&self, text: &str, size: f32) -> f32 {
        self.glyphs(text).iter().map(|g| g.x_advance).sum::<f32>() * size
    }
}

pub struct PdfPrinter {
    regular: Face,
    bold: Face,
}

impl PdfPrinter {
    pub fn new() -> Self {
        Self { regular: Face::new(&REGULAR), bold: Face::new(&BOLD) }
    }

    fn face(&self, weight: Weight) -> &Face {
        match weight {
            Weight::Regular => &self.regular,
            Weight::Bold => &self.bold,
        }
    }

    /// `text` shortened with an ellipsis to fit `width` at `size`.
    fn fit(&self, text: &str, weight: Weight, size: f32, width: f32) -> String {
        let face = self.face(weight);
        if face.width(text, size) <= width {
            return text.to_owned();
        }
        let mut kept: String = text.to_owned();
        while !kept.is_empty() && face.width(&format!("{kept}…"), size) > width {
            kept.pop();
        }
        format!("{}…", kept.trim_end())
    }
}

impl Default for PdfPrinter {
    fn default() -> Self {
        Self::new()
    }
}

/// Lays a document out, page by page.
struct Layout<'a> {
    printer: &'a PdfPrinter,
    pages: Vec<Vec<Op>>,
    y: f32,
}

impl Layout<'_> {
    fn ops(&mut self) -> &mut Vec<Op> {
        self.pages.last_mut().expect("a layout has a page")
    }

    fn text(&mut self, (x, align): (f32, Align), size: f32, weight: Weight, color: (u8, u8, u8), text: &str) {
        let x = match align {
            Align::Left => x,
            Align::Right => x - self.printer.face(weight).width(text, size),
        };
        let y = self.y;
        self.ops().push(Op::Text { x, y, size, weight, color, text: text.to_owned() });
    }

    fn rect(&mut self, x: f32, y: f32, w: f32, h: f32, color: (u8, u8, u8)) {
        self.ops().push(Op::Rect { x, y, w, h, color });
    }

    fn rule(&mut self, y: f32, color: (u8, u8, u8)) {
        self.rect(LEFT, y, RIGHT - LEFT, 0.6, color);
    }

    fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.y = TOP;
    }

    /// Room for `height` more points on this page, or a new page.
    fn room(&mut self, height: f32) -> bool {
        if self.y + height > FOOTER - 16.0 {
            self.new_page();
            return false;
        }
        true
    }

    /// The table's header; a packing slip's has no price columns.
    fn table_header(&mut self, priced: bool) {
        let top = self.y;
        self.rect(LEFT, top, RIGHT - LEFT, 20.0, BAND);
        self.y = top + 13.5;
        let head = |l: &mut Self, x, align, text: &str| l.text((x, align), 8.0, Weight::Bold, MUTED, text);
        head(self, LEFT + 8.0, Align::Left, "DESCRIPTION");
        if priced {
            head(self, QTY_RIGHT, Align::Right, "QTY");
            head(self, UNIT_RIGHT, Align::Right, "UNIT PRICE");
            head(self, TAX_RIGHT, Align::Right, "TAX");
            head(self, RIGHT - 8.0, Align::Right, "AMOUNT");
        } else {
            head(self, RIGHT - 60.0, Align::Right, "QTY");
            head(self, RIGHT - 8.0, Align::Right, "PACKED");
        }
        self.y = top + 20.0;
    }
}

fn issued_on(document: &Invoice) -> String {
    let format = time::macros::format_description!("[day] [month repr:long] [year]");
    document.issued_at.format(&format).unwrap_or_default()
}

/// Pages of drawing operations for `document`.
fn layout(printer: &PdfPrinter, document: &Invoice) -> Vec<Vec<Op>> {
    let mut l = Layout { printer, pages: vec![Vec::new()], y: TOP };
    let (title, reference) = match &document.kind {
        DocumentKind::Invoice => ("Invoice", None),
        DocumentKind::CreditNote { invoice } => ("Credit note", Some(invoice.clone())),
        DocumentKind::PackingSlip => ("Packing slip", None),
    };
    let priced = document.kind != DocumentKind::PackingSlip;
    l.rect(0.0, 0.0, PAGE_WIDTH, 6.0, ACCENT);

    // The shop, and what this is.
    l.y = TOP + 8.0;
    l.text((LEFT, Align::Left), 20.0, Weight::Bold, INK, &printer.fit(&document.shop_name, Weight::Bold, 20.0, 300.0));
    l.text((RIGHT, Align::Right), 20.0, Weight::Bold, ACCENT, title);
    l.y += 18.0;
    l.text((RIGHT, Align::Right), 10.0, Weight::Regular, MUTED, &document.number);

    // From, and the document's facts.
    l.y = TOP + 58.0;
    let top = l.y;
    l.text((LEFT, Align::Left), 7.5, Weight::Bold, MUTED, "FROM");
    l.y += 14.0;
    l.text((LEFT, Align::Left), 10.0, Weight::Bold, INK, &document.seller.legal_name);
    for line in &document.seller.address {
        l.y += 13.0;
        l.text((LEFT, Align::Left), 9.0, Weight::Regular, INK, line);
    }
    if let Some(tax_id) = &document.seller.tax_id {
        l.y += 13.0;
        l.text((LEFT, Align::Left), 9.0, Weight::Regular, MUTED, &format!("Tax ID: {tax_id}"));
    }
    let from_bottom = l.y;
    l.y = top;
    let number_label = match &document.kind {
        DocumentKind::Invoice => "Invoice no.",
        DocumentKind::CreditNote { .. } => "Credit note no.",
        DocumentKind::PackingSlip => "Packed on",
    };
    let mut facts = vec![(number_label, document.number.clone()), ("Order", document.order_id.to_string())];
    if priced {
        facts.insert(1, ("Date", issued_on(document)));
    } else {
        facts[0].1 = issued_on(document);
    }
    if let Some(invoice) = &reference {
        facts.push(("Corrects invoice", invoice.clone()));
    }
    for (label, value) in &facts {
        l.text((330.0, Align::Left), 8.5, Weight::Regular, MUTED, label);
        // An order id is long: a size smaller rather than cut.
        let size = if printer.regular.width(value, 8.5) > 135.0 { 7.0 } else { 8.5 };
        l.text((RIGHT, Align::Right), size, Weight::Regular, INK, &printer.fit(value, Weight::Regular, size, 150.0));
        l.y += 14.0;
    }
    l.y = from_bottom.max(l.y) + 26.0;

    // Bill to, ship to.
    let top = l.y;
    let block = |l: &mut Layout<'_>, x: f32, label: &str, lines: &[String]| {
        l.y = top;
        l.text((x, Align::Left), 7.5, Weight::Bold, MUTED, label);
        for (i, line) in lines.iter().enumerate() {
            l.y += if i == 0 { 14.0 } else { 13.0 };
            let weight = if i == 0 { Weight::Bold } else { Weight::Regular };
            let size = if i == 0 { 10.0 } else { 9.0 };
            l.text((x, Align::Left), size, weight, INK, &l.printer.fit(line, weight, size, 220.0));
        }
        l.y
    };
    let first = if priced { "BILL TO" } else { "CUSTOMER" };
    let billed = if document.bill_to.is_empty() { top } else { block(&mut l, LEFT, first, &document.bill_to) };
    let shipped = if document.ship_to.is_empty() { top } else { block(&mut l, 300.0, "SHIP TO", &document.ship_to) };
    l.y = billed.max(shipped) + 28.0;

    // The lines.
    l.table_header(priced);
    for line in &document.lines {
        if !l.room(34.0) {
            l.table_header(priced);
        }
        let top = l.y;
        l.y = top + 15.0;
        let description = printer.fit(&line.description, Weight::Regular, 9.5, DESCRIPTION_WIDTH);
        l.text((LEFT + 8.0, Align::Left), 9.5, Weight::Regular, INK, &description);
        if priced {
            l.text((QTY_RIGHT, Align::Right), 9.5, Weight::Regular, INK, &line.quantity.to_string());
            l.text((UNIT_RIGHT, Align::Right), 9.5, Weight::Regular, INK, &line.unit_price);
            l.text((TAX_RIGHT, Align::Right), 9.0, Weight::Regular, MUTED, &line.tax_rate);
            l.text((RIGHT - 8.0, Align::Right), 9.5, Weight::Regular, INK, &line.amount);
        } else {
            l.text((RIGHT - 60.0, Align::Right), 11.0, Weight::Bold, INK, &line.quantity.to_string());
            // A box to tick when the line is in the parcel.
            l.rect(RIGHT - 24.0, top + 5.0, 12.0, 0.8, INK);
            l.rect(RIGHT - 24.0, top + 17.0, 12.8, 0.8, INK);
            l.rect(RIGHT - 24.0, top + 5.0, 0.8, 12.0, INK);
            l.rect(RIGHT - 12.0, top + 5.0, 0.8, 12.0, INK);
        }
        l.y = top + 27.0;
        let detail = printer.fit(&line.detail, Weight::Regular, 7.5, DESCRIPTION_WIDTH);
        l.text((LEFT + 8.0, Align::Left), 7.5, Weight::Regular, MUTED, &detail);
        l.rule(top + 34.0, RULE);
        l.y = top + 34.0;
    }

    // Totals, right-aligned, the grand total strongest.
    l.y += 10.0;
    l.room(20.0 * document.totals.len() as f32);
    for total in &document.totals {
        let (size, weight) = if total.strong { (12.0, Weight::Bold) } else { (9.0, Weight::Regular) };
        if total.strong {
            l.y += 6.0;
            let y = l.y;
            l.rect(330.0, y, RIGHT - 330.0, 0.9, INK);
            l.y += 6.0;
        }
        l.y += size + 4.0;
        let label = printer.fit(&total.label, weight, size, 190.0);
        l.text((RIGHT - 128.0, Align::Right), size, weight, if total.strong { INK } else { MUTED }, &label);
        l.text((RIGHT, Align::Right), size, weight, INK, &total.amount);
        if total.strong {
            l.y += 8.0;
        }
    }

    // Notes.
    l.y += 24.0;
    for note in &document.notes {
        l.room(14.0);
        l.text((LEFT, Align::Left), 8.5, Weight::Regular, MUTED, note);
        l.y += 13.0;
    }

    // Every page's footer: who issued it, and the page count.
    let count = l.pages.len();
    let mut legal = vec![document.seller.legal_name.clone()];
    legal.extend(document.seller.address.iter().cloned());
    legal.extend(document.seller.tax_id.iter().map(|id| format!("Tax ID {id}")));
    let legal = printer.fit(&legal.join(" · "), Weight::Regular, 7.5, 400.0);
    for page in 0..count {
        let ops = &mut l.pages[page];
        if page > 0 {
            let text = format!("{title} {} (continued)", document.number);
            ops.push(Op::Text { x: LEFT, y: TOP - 22.0, size: 9.0, weight: Weight::Bold, color: MUTED, text });
        }
        ops.push(Op::Rect { x: LEFT, y: FOOTER, w: RIGHT - LEFT, h: 0.6, color: RULE });
        ops.push(Op::Text {
            x: LEFT,
            y: FOOTER + 14.0,
            size: 7.5,
            weight: Weight::Regular,
            color: MUTED,
            text: legal.clone(),
        });
        let numbered = format!("{} · page {} of {count}", document.number, page + 1);
        let x = RIGHT - printer.regular.width(&numbered, 7.5);
        ops.push(Op::Text { x, y: FOOTER + 14.0, size: 7.5, weight: Weight::Regular, color: MUTED, text: numbered });
    }
    l.pages
}

fn fill(color: (u8, u8, u8)) -> Fill {
    Fill {
        paint: rgb::Color::new(color.0, color.1, color.2).into(),
        opacity: NormalizedF32::ONE,
        rule: FillRule::NonZero,
    }
}

impl DocumentPrinter for PdfPrinter {
    fn print(&self, document: &Invoice) -> Result<Vec<u8>, String> {
        let mut pdf = Document::new();
        let settings = PageSettings::from_wh(PAGE_WIDTH, PAGE_HEIGHT).ok_or("invalid page size")?;
        for ops in layout(self, document) {
            let mut page = pdf.start_page_with(settings.clone());
            let mut surface = page.surface();
            for op in ops {
                match op {
                    Op::Rect { x, y, w, h, color } => {
                        let mut path = PathBuilder::new();
                        path.push_rect(Rect::from_xywh(x, y, w, h).ok_or("invalid rectangle")?);
                        surface.set_fill(Some(fill(color)));
                        surface.draw_path(&path.finish().ok_or("empty path")?);
                    }
                    Op::Text { x, y, size, weight, color, text } => {
                        let face = self.face(weight);
                        surface.set_fill(Some(fill(color)));
                        let glyphs = face.glyphs(&text);
                        surface.draw_glyphs(Point::from_xy(x, y), &glyphs, face.font.clone(), &text, size, false);
                    }
                }
            }
            surface.finish();
            page.finish();
        }
        pdf.finish().map_err(|e| format!("{e:?}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::invoice::{InvoiceLine, Seller, TotalRow};
    use crate::domain::{Invoice, OrderId};

    fn sample(lines: usize) -> Invoice {
        let line = |i| InvoiceLine {
            description: format!("Organic cotton tee, heavyweight (M / navy) #{i}"),
            detail: "TEE-NAVY-M".into(),
            quantity: 2,
            unit_price: "30.00 EUR".into(),
            tax_rate: "19 %".into(),
            amount: "60.00 EUR".into(),
        };
        let total = |label: &str, amount: &str, strong| TotalRow { label: label.into(), amount: amount.into(), strong };
        Invoice {
            kind: DocumentKind::Invoice,
            number: "INV-000042".into(),
            shop_name: "Tillbox demo shop".into(),
            seller: Seller {
                legal_name: "Tillbox Demo GmbH".into(),
                address: vec!["Musterstraße 1".into(), "10115 Berlin".into(), "Germany".into()],
                tax_id: Some("DE123456789".into()),
            },
            issued_at: time::macros::datetime!(2026-12-05 10:00 UTC),
            order_id: OrderId::generate(),
            bill_to: vec!["Erika Mustermann".into(), "Unter den Linden 1".into(), "10117 Berlin".into(), "DE".into()],
            ship_to: vec!["Erika Mustermann".into(), "Unter den Linden 1".into(), "10117 Berlin".into(), "DE".into()],
            lines: (0..lines).map(line).collect(),
            totals: vec![
                total("Subtotal", "60.00 EUR", false),
                total("Shipping: Standard (19 %)", "4.90 EUR", false),
                total("Total", "64.90 EUR", true),
                total("Net amount", "54.54 EUR", false),
                total("Tax 19 % on 54.54 EUR (included)", "10.36 EUR", false),
            ],
            notes: vec!["Paid by card via Stripe (pi_123).".into(), "Prices include tax.".into()],
        }
    }

    #[test]
    fn text_is_measured_and_shortened_to_fit() {
        let printer = PdfPrinter::new();
        let narrow = printer.regular.width("iiii", 10.0);
        let wide = printer.regular.width("MMMM", 10.0);
        assert!(wide > 2.0 * narrow, "a proportional font: {narrow} vs {wide}");
        let fitted = printer.fit(&"x".repeat(200), Weight::Regular, 9.5, 100.0);
        assert!(fitted.ends_with('…') && printer.regular.width(&fitted, 9.5) <= 100.0, "{fitted}");
        for script in ["Ærøskøbing", "Łódź", "Ștefan", "Ελλάδα", "Київ ґанок", "№ 5 ™ − “» €"]
        {
            for face in [&printer.regular, &printer.bold] {
                let missing: String = script
                    .chars()
                    .zip(face.glyphs(script))
                    .filter(|(_, g)| g.glyph_id.to_u32() == 0)
                    .map(|(c, _)| c)
                    .collect();
                assert!(missing.is_empty(), "{script}: no glyph for {missing:?}");
            }
        }
    }

    #[test]
    fn an_invoice_prints_as_a_small_pdf_and_long_orders_flow_onto_more_pages() {
        let printer = PdfPrinter::new();
        let pdf = printer.print(&sample(2)).unwrap();
        assert!(pdf.starts_with(b"%PDF-"));
        assert!(pdf.len() < 60_000, "only the glyphs used are embedded: {} bytes", pdf.len());
        assert!(pdf.windows(19).any(|w| w == b"/Type/Pages/Count 1"), "one page");
        assert!(pdf.windows(10).any(|w| w == b"/ToUnicode"), "the text can be copied and searched");
        let long = printer.print(&sample(40)).unwrap();
        assert!(long.windows(19).any(|w| w == b"/Type/Pages/Count 3"), "40 lines take three pages");
        if let Ok(dir) = std::env::var("TILLBOX_INVOICE_SAMPLES") {
            std::fs::write(format!("{dir}/invoice.pdf"), &pdf).unwrap();
            std::fs::write(format!("{dir}/invoice-long.pdf"), &long).unwrap();
        }
    }
}
