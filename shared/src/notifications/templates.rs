//! Plain-text and HTML bodies of every e-mail. Values are escaped for HTML; the
//! only values are links Tillbox builds itself and the shop's name.

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
}

#[cfg(test)]
mod tests {
    use super::*;

    fn links() -> Links {
        Links { shop_name: "Ann's <Shop>".into(), storefront_url: "https://shop.example/".into() }
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
