//! [`ReceiptPrinter`] as a one-page A4 PDF, drawn with krilla in DejaVu Sans Mono
//! embedded in the binary (Lambda has no system fonts); krilla embeds only the
//! glyphs a receipt uses, so a receipt is about 10 KB. The binary carries the
//! font cut down to the scripts a receipt prints and compressed (31 KB, not 343;
//! `shared/assets/fonts/README.md` says what is kept and how it is made).
//!
//! A monospaced font keeps the layout a grid of [`COLUMNS`] characters: amounts
//! right-align by padding, with no text measuring, and each character is one
//! glyph from the font's character map. So no shaping engine is linked (krilla's
//! `simple-text`, rustybuzz, made `print-receipts` 0.9 MB larger, over the 6 MB
//! budget); what a receipt loses is ligatures and the placement of combining
//! marks, which a monospaced grid does not use.

use crate::app::receipts::ports::ReceiptPrinter;
use crate::domain::Receipt;
use krilla::Document;
use krilla::geom::Point;
use krilla::page::PageSettings;
use krilla::text::{Font, GlyphId, KrillaGlyph};
use skrifa::instance::{LocationRef, Size};
use skrifa::{FontRef, MetadataProvider};
use std::sync::LazyLock;

static FONT_ZLIB: &[u8] = include_bytes!("../../assets/fonts/DejaVuSansMono-receipt.ttf.zlib");

/// The font, inflated once per process.
static FONT: LazyLock<Vec<u8>> =
    LazyLock::new(|| miniz_oxide::inflate::decompress_to_vec_zlib(FONT_ZLIB).expect("the embedded font inflates"));

/// Characters per line at [`TEXT_SIZE`]: DejaVu Sans Mono advances 0.602 em, so
/// 80 columns at 9.5 pt are 458 pt, inside A4's 595 pt with 68 pt margins.
const COLUMNS: usize = 80;
const TEXT_SIZE: f32 = 9.5;
const TITLE_SIZE: f32 = 16.0;
const LINE_HEIGHT: f32 = 13.0;
/// A4 in points.
const PAGE_WIDTH: f32 = 595.0;
const PAGE_HEIGHT: f32 = 842.0;
const LEFT: f32 = 68.0;
const TOP: f32 = 72.0;

pub struct PdfPrinter {
    font: Font,
    /// The same font, read for its character map and advances.
    metrics: FontRef<'static>,
}

impl PdfPrinter {
    pub fn new() -> Self {
        let font = Font::new(FONT.clone().into(), 0).expect("the embedded font is a valid TrueType font");
        let metrics = FontRef::new(&FONT).expect("the embedded font is a valid TrueType font");
        Self { font, metrics }
    }

    /// One glyph per character, advancing by the font's width for it (the same
    /// for every glyph of a monospaced font); a character the font lacks prints
    /// as its missing-glyph box.
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
}

impl Default for PdfPrinter {
    fn default() -> Self {
        Self::new()
    }
}

/// `left` then `right`, right-aligned to [`COLUMNS`]; `left` is shortened with
/// an ellipsis when both do not fit.
fn row(left: &str, right: &str) -> String {
    let room = COLUMNS.saturating_sub(right.chars().count() + 1);
    let left: String = if left.chars().count() > room {
        left.chars().take(room.saturating_sub(1)).chain(['…']).collect()
    } else {
        left.to_owned()
    };
    let gap = COLUMNS.saturating_sub(left.chars().count() + right.chars().count());
    format!("{left}{}{right}", " ".repeat(gap))
}

/// `2026-11-22 10:00 UTC`: receipts are for people.
fn paid_on(receipt: &Receipt) -> String {
    let format = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute] UTC");
    receipt.paid_at.format(&format).unwrap_or_default()
}

/// The receipt as lines of text, top to bottom.
fn lines(receipt: &Receipt) -> Vec<String> {
    let rule = "─".repeat(COLUMNS);
    let mut out = vec![
        "RECEIPT".to_owned(),
        String::new(),
        row("Order", &receipt.order_id.to_string()),
        row("Date", &paid_on(receipt)),
        row("Paid by", &receipt.payment_method),
        String::new(),
        row("Item", &format!("{:>5}{:>18}{:>18}", "Qty", "Unit price", "Amount")),
        rule.clone(),
    ];
    for line in &receipt.lines {
        let figures = format!("{:>5}{:>18}{:>18}", line.quantity, line.unit_price, line.total);
        out.push(row(&line.description, &figures));
    }
    out.push(rule);
    out.push(row("Subtotal", &receipt.subtotal));
    if let Some((code, amount)) = &receipt.discount {
        out.push(row(&format!("Discount {code}"), amount));
    }
    out.push(row("Total", &receipt.total));
    if let Some((label, amount)) = &receipt.vat {
        out.push(row(label, amount));
    }
    out.push(String::new());
    out.push("Thank you for your order.".to_owned());
    out
}

impl ReceiptPrinter for PdfPrinter {
    fn print(&self, receipt: &Receipt) -> Result<Vec<u8>, String> {
        let mut document = Document::new();
        let settings = PageSettings::from_wh(PAGE_WIDTH, PAGE_HEIGHT).ok_or("invalid page size")?;
        let mut page = document.start_page_with(settings);
        let mut surface = page.surface();
        let mut draw = |y: f32, size: f32, text: &str| {
            let glyphs = self.glyphs(text);
            surface.draw_glyphs(Point::from_xy(LEFT, y), &glyphs, self.font.clone(), text, size, false);
        };
        draw(TOP, TITLE_SIZE, &receipt.shop_name);
        for (i, text) in lines(receipt).iter().enumerate() {
            draw(TOP + 2.0 * LINE_HEIGHT + LINE_HEIGHT * i as f32, TEXT_SIZE, text);
        }
        surface.finish();
        page.finish();
        document.finish().map_err(|e| format!("{e:?}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_right_align_and_shorten_what_does_not_fit() {
        assert_eq!(row("Total", "24.00 EUR").chars().count(), COLUMNS);
        assert!(row("Total", "24.00 EUR").ends_with(" 24.00 EUR"));
        let long = row(&"x".repeat(100), "1.00 EUR");
        assert_eq!(long.chars().count(), COLUMNS);
        assert!(long.contains("x… "), "{long}");
    }

    #[test]
    fn every_character_is_a_glyph_of_the_grid() {
        let printer = PdfPrinter::new();
        let glyphs = printer.glyphs("Mug ─ €1");
        assert_eq!(glyphs.len(), 8, "one glyph per character");
        for script in ["Ærøskøbing", "Łódź", "Ștefan", "Ελλάδα", "Київ ґанок", "№ 5 ™ − “»"]
        {
            let missing: String = script
                .chars()
                .zip(printer.glyphs(script))
                .filter(|(_, g)| g.glyph_id.to_u32() == 0)
                .map(|(c, _)| c)
                .collect();
            assert!(missing.is_empty(), "{script}: no glyph for {missing:?}");
        }
        assert!(glyphs.iter().all(|g| (g.x_advance - 0.602).abs() < 0.001), "one advance, 0.602 em");
        assert!(glyphs.iter().all(|g| g.glyph_id.to_u32() != 0), "the font has every character of a receipt");
        assert_eq!(glyphs[4].text_range, 4..7, "ranges are bytes of the text: ─ is three");
        assert_eq!(printer.glyphs("\u{10FFFF}")[0].glyph_id.to_u32(), 0, "a missing character is the missing glyph");
    }

    #[test]
    fn a_receipt_prints_as_a_small_one_page_pdf() {
        use crate::domain::{OrderId, receipt::ReceiptLine};
        let receipt = Receipt {
            shop_name: "Tillbox demo shop".into(),
            order_id: OrderId::generate(),
            paid_at: time::macros::datetime!(2026-11-22 10:00 UTC),
            lines: vec![ReceiptLine {
                description: "Mug (MUG-WHT)".into(),
                quantity: 2,
                unit_price: "12.00 EUR".into(),
                total: "24.00 EUR".into(),
            }],
            subtotal: "24.00 EUR".into(),
            discount: Some(("WELCOME10".into(), "-2.40 EUR".into())),
            total: "21.60 EUR".into(),
            vat: Some(("VAT 20% included".into(), "3.60 EUR".into())),
            payment_method: "Paid to the shop directly".into(),
        };
        let pdf = PdfPrinter::new().print(&receipt).unwrap();
        assert!(pdf.starts_with(b"%PDF-"));
        assert!(pdf.len() < 40_000, "only the glyphs used are embedded: {} bytes", pdf.len());
        assert!(pdf.windows(19).any(|w| w == b"/Type/Pages/Count 1"), "one page");
        assert!(pdf.windows(10).any(|w| w == b"/ToUnicode"), "the text can be copied and searched");
        if let Ok(path) = std::env::var("TILLBOX_RECEIPT_SAMPLE") {
            std::fs::write(path, &pdf).unwrap();
        }
    }
}
