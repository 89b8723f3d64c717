//! Plain-text and HTML bodies of every e-mail. Values are escaped for HTML; the
//! only values are links Tillbox builds itself and the shop's name.

use crate::domain::returns::ReturnStatus;
use crate::domain::{CancelReason, Cart, Currency, Email, Order, OrderStatus, WebhookEndpoint};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mail {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// Where links in e-mails point: the shop's storefront, which shows a form and
/// posts the token to the API.
#[derive(Debug, Clone)]
pub struct Links {
    pub shop_name: String,
    pub storefront_url: String,
    /// Where e-mails for the shop's staff go (disputes); `None`: nobody is told.
    pub staff_email: Option<Email>,
    /// Whether a customer who leaves a cart gets a reminder (`AbandonedCartEmails`).
    pub cart_reminders: bool,
}

fn escape(value: &str) -> String {
    value.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&#39;")
}

impl Links {
    fn link(&self, path: &str, token: Option<&str>) -> String {
        let base = self.storefront_url.trim_end_matches('/');
        match token {
            Some(token) => format!("{base}/{path}?token={token}"),
            None => format!("{base}/{path}"),
        }
    }

    /// A page of an order; a guest's order link rides in the fragment, which
    /// browsers never send to a server (nor in `Referer`), so no access log or
    /// analytics tool records it. The page reads it and sends `Order-Token`.
    fn order_page(&self, path: &str, link: Option<&str>) -> String {
        let base = self.storefront_url.trim_end_matches('/');
        match link {
            Some(link) => format!("{base}/{path}#token={link}"),
            None => format!("{base}/{path}"),
        }
    }

    fn mail(&self, subject: &str, paragraphs: &[&str], action: (&str, &str), footer: &str) -> Mail {
        let (label, url) = action;
        let text = format!("{}\n\n{label}: {url}\n\n{footer}\n\n-- {}\n", paragraphs.join("\n\n"), self.shop_name);
        let body: String = paragraphs.iter().map(|p| format!("<p>{}</p>", escape(p))).collect();
        let html = format!(
            "<!doctype html><html><body style=\"font-family:sans-serif\">{body}<p><a href=\"{url}\">{label}</a></p>\
             <p style=\"color:#666\">{footer}</p><p>{shop}</p></body></html>",
            url = escape(url),
            label = escape(label),
            footer = escape(footer),
            shop = escape(&self.shop_name),
        );
        Mail { subject: format!("{}: {subject}", self.shop_name), text, html }
    }

    pub fn verify_email(&self, token: &str) -> Mail {
        self.mail(
            "confirm your e-mail address",
            &["Welcome! Please confirm that this address is yours to finish creating your account."],
            ("Confirm my address", &self.link("verify-email", Some(token))),
            "The link works once, for 24 hours. If you did not sign up, ignore this e-mail.",
        )
    }

    /// To the owner of an address with an unverified account after another
    /// sign-up: they finish it by choosing the password themselves.
    pub fn finish_signup(&self, token: &str) -> Mail {
        self.mail(
            "finish creating your account",
            &["Someone (most likely you) signed up again with this address. To finish creating your account, choose its password."],
            ("Choose my password", &self.link("reset-password", Some(token))),
            "The link works once, for 1 hour. Earlier links to confirm this address no longer work. \
             If you did not sign up, ignore this e-mail.",
        )
    }

    pub fn reset_password(&self, token: &str) -> Mail {
        self.mail(
            "reset your password",
            &["Someone asked to reset the password of your account. If it was you, choose a new one."],
            ("Choose a new password", &self.link("reset-password", Some(token))),
            "The link works once, for 1 hour. If you did not ask, ignore this e-mail: your password stays as it is.",
        )
    }

    pub fn account_exists(&self) -> Mail {
        self.mail(
            "you already have an account",
            &["Someone tried to sign up with this address, but it already has an account. \
               If it was you, sign in instead, or reset your password if you forgot it."],
            ("Reset my password", &self.link("forgot-password", None)),
            "If it was not you, ignore this e-mail: nothing changed.",
        )
    }

    /// An order e-mail. `link` is a guest's signed order link (the only way
    /// they can open their order: they have no account); customers sign in.
    fn order_mail(&self, order: &Order, link: Option<&str>, (subject, opening, footer): (&str, &str, &str)) -> Mail {
        let lines: Vec<String> = order
            .lines
            .iter()
            .map(|l| format!("{} x {} ({}): {}", l.quantity, l.name, l.sku, amount(l.total, order.currency)))
            .collect();
        let mut paragraphs = vec![opening.to_owned()];
        paragraphs.extend(lines);
        if let Some(discount) = &order.discount {
            paragraphs.push(format!(
                "Discount {}: -{}",
                discount.code.as_str(),
                amount(discount.amount, order.currency)
            ));
        }
        if let Some(shipping) = &order.shipping {
            paragraphs.push(format!(
                "Shipping ({}): {}",
                shipping.name,
                amount(order.shipping_gross(), order.currency)
            ));
        }
        paragraphs.push(format!("Total: {}", amount(order.total, order.currency)));
        for rate in order.tax_by_rate().iter().filter(|r| r.tax > 0) {
            let how = if order.prices_include_tax { "included" } else { "added" };
            paragraphs.push(format!("Tax {}% {how}: {}", rate.rate.percent(), amount(rate.tax, order.currency)));
        }
        if let Some(address) = &order.shipping_address {
            paragraphs.push(format!("Ships to: {}", address.lines().join(", ")));
        }
        let paragraphs: Vec<&str> = paragraphs.iter().map(String::as_str).collect();
        let url = self.order_page(&format!("orders/{}", order.id), link);
        self.mail(&format!("{subject} (order {})", order.id.short()), &paragraphs, ("View your order", &url), footer)
    }

    /// To a guest, once they placed an order: the link to pay for it and follow it.
    pub fn order_received(&self, order: &Order, link: Option<&str>) -> Mail {
        let footer = "Your link works for 30 days. Stock is held for you until payment arrives or the order expires.";
        self.order_mail(order, link, ("order received", "Thank you for your order:", footer))
    }

    /// The order confirmation, sent once payment arrived.
    pub fn order_paid(&self, order: &Order, link: Option<&str>) -> Mail {
        let footer = format!(
            "Your receipt: {}. We will e-mail you again when it ships.",
            self.order_page(&format!("orders/{}/receipt", order.id), link)
        );
        self.order_mail(order, link, ("order confirmed", "Thank you! We received your payment for:", &footer))
    }

    /// A return of the order moved: requested, approved, rejected or received.
    pub fn return_changed(&self, order: &Order, link: Option<&str>, status: ReturnStatus) -> Mail {
        let (subject, opening) = match status {
            ReturnStatus::Requested => ("return requested", "We received your request to return items of this order:"),
            ReturnStatus::Approved => {
                ("return approved", "Your return was approved: please send the items back. Your order:")
            }
            ReturnStatus::Rejected => {
                ("return not accepted", "We could not accept your return. Your order's page says why:")
            }
            ReturnStatus::Received => {
                ("return received", "The items you sent back arrived; we are refunding them. Your order:")
            }
        };
        self.order_mail(order, link, (subject, opening, "Questions about your return? Reply to this e-mail."))
    }

    pub fn order_shipped(&self, order: &Order, link: Option<&str>) -> Mail {
        let shipment = order.shipment.as_ref().map_or_else(String::new, |s| {
            format!("It is on its way with {}, tracking number {}. It contains:", s.carrier, s.tracking_number)
        });
        let footer = "Questions about the delivery? Reply to this e-mail.";
        self.order_mail(order, link, ("your order has shipped", &shipment, footer))
    }

    pub fn order_cancelled(&self, order: &Order, link: Option<&str>) -> Mail {
        let why = match order.cancel_reason {
            Some(CancelReason::Expired) => "Your order was cancelled because payment did not arrive in time:",
            Some(CancelReason::Customer) => "Your order was cancelled, as you asked:",
            _ => "We had to cancel your order:",
        };
        let footer = "Nothing was charged for it. You are welcome to order again.";
        self.order_mail(order, link, ("your order was cancelled", why, footer))
    }

    /// To staff: the customer's bank disputes the payment of an order.
    pub fn order_disputed(&self, order: &Order) -> Mail {
        let opening = format!(
            "The bank of the customer who paid order {} ({}) disputes the payment (a chargeback). \
             The amount is withheld until the dispute is decided.",
            order.id,
            amount(order.total, order.currency)
        );
        self.mail(
            &format!("payment disputed (order {})", order.id.short()),
            &[&opening, "Respond with evidence (receipt, shipping, correspondence) in the Stripe Dashboard before the deadline it shows."],
            ("Open the Stripe Dashboard", "https://dashboard.stripe.com/disputes"),
            "Sent to the shop's staff address (the StaffEmail parameter).",
        )
    }

    /// To a customer: they left a cart with something in it.
    pub fn cart_reminder(&self, cart: &Cart) -> Mail {
        let units: u32 = cart.lines.iter().map(|l| l.quantity).sum();
        let opening = format!(
            "You left {units} item{} in your cart at {}. It is kept for you, but stock is not held until you check out.",
            if units == 1 { "" } else { "s" },
            self.shop_name
        );
        self.mail(
            "your cart is waiting",
            &[&opening],
            ("Back to your cart", &self.link("cart", None)),
            "Sent once per cart left untouched. You get it because you were signed in when you filled it.",
        )
    }

    /// To staff: a variant is running out.
    pub fn inventory_low(&self, sku: &str, stock: u32, threshold: u32) -> Mail {
        let opening = format!(
            "Only {stock} of {sku} are left in stock, below its threshold of {threshold}. \
             Orders for it are refused once none are left."
        );
        self.mail(
            &format!("{sku} is running low ({stock} left)"),
            &[&opening, "Restock it by changing the variant's stock (PATCH /products/{id}/variants/{variant_id})."],
            ("Open the shop", &self.link("", None)),
            "Sent to the shop's staff address (the StaffEmail parameter).",
        )
    }

    /// To staff: Tillbox stopped calling a webhook endpoint.
    pub fn webhook_disabled(&self, endpoint: &WebhookEndpoint) -> Mail {
        let opening = format!(
            "Tillbox stopped delivering events to the webhook endpoint {} ({}): {}.",
            endpoint.url.as_str(),
            endpoint.id,
            endpoint.disabled_reason.as_deref().unwrap_or("an admin disabled it")
        );
        let how = format!(
            "Its delivery log is at GET /admin/webhooks/{id}/deliveries. Once the receiver works again, \
             enable it with PATCH /admin/webhooks/{id} {{\"enabled\": true}} and redeliver what it missed.",
            id = endpoint.id
        );
        self.mail(
            "a webhook endpoint was disabled",
            &[&opening, &how],
            ("Open the storefront", &self.link("", None)),
            "Sent to the shop's staff address (the StaffEmail parameter).",
        )
    }

    /// Money given back: all of a payment that landed on a cancelled order, or
    /// what staff refunded (in parts, each e-mail says the running total).
    pub fn order_refunded(&self, order: &Order, link: Option<&str>) -> Mail {
        let footer = "The refund reaches your account within a few days, depending on your bank.";
        if order.status == OrderStatus::Cancelled {
            let opening = "Your payment arrived after this order had been cancelled, so we refunded it in full:";
            return self.order_mail(order, link, ("your payment was refunded", opening, footer));
        }
        if order.refunded == 0 {
            let opening = "This order was already paid, so we refunded your card payment for it in full:";
            return self.order_mail(order, link, ("your second payment was refunded", opening, footer));
        }
        let opening = format!(
            "We refunded {} of {} for your order:",
            amount(order.refunded, order.currency),
            amount(order.total, order.currency)
        );
        self.order_mail(order, link, ("your refund", &opening, footer))
    }
}

fn amount(minor: i64, currency: Currency) -> String {
    currency.format(minor)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_follow_the_currency_minor_units() {
        assert_eq!(amount(1234, Currency::parse("EUR").unwrap()), "12.34 EUR");
        assert_eq!(amount(5, Currency::parse("EUR").unwrap()), "0.05 EUR");
        assert_eq!(amount(500, Currency::parse("JPY").unwrap()), "500 JPY");
        assert_eq!(amount(1500, Currency::parse("KWD").unwrap()), "1.500 KWD");
    }

    fn links() -> Links {
        Links {
            shop_name: "Ann's <Shop>".into(),
            storefront_url: "https://shop.example/".into(),
            staff_email: None,
            cart_reminders: true,
        }
    }

    #[test]
    fn both_parts_carry_the_link_and_html_is_escaped() {
        let mail = links().verify_email("abc_DEF-1");
        let url = "https://shop.example/verify-email?token=abc_DEF-1";
        assert!(mail.text.contains(url) && mail.html.contains(url));
        assert!(mail.html.contains("Ann&#39;s &lt;Shop&gt;") && !mail.html.contains("<Shop>"));
        assert_eq!(mail.subject, "Ann's <Shop>: confirm your e-mail address");
        assert!(links().reset_password("t").text.contains("/reset-password?token=t"));
        assert!(!links().account_exists().text.contains("token="));
    }
}
