//! Which addresses a delivery may call: https to public hosts only, so a webhook
//! cannot reach the instance metadata service or the merchant's private network
//! (server-side request forgery).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Hosts that may be called over plain `http` and at private addresses: the
/// local stack's receiver (`WEBHOOK_INSECURE_HOSTS`, empty when deployed).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UrlPolicy {
    pub insecure_hosts: Vec<String>,
}

impl UrlPolicy {
    pub fn allows_insecure(&self, host: &str) -> bool {
        self.insecure_hosts.iter().any(|h| h.eq_ignore_ascii_case(host))
    }
}

/// An endpoint's address: `https`, a host name or a public IP address, no
/// credentials. Names are resolved and checked again at every delivery
/// ([`is_public`]), since what a name points at can change after registration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookUrl {
    url: String,
    host: String,
    port: u16,
}

impl WebhookUrl {
    pub fn parse(value: &str, policy: &UrlPolicy) -> Result<Self, String> {
        Self::parse_with(value, |host| policy.allows_insecure(host))
    }

    /// A URL read back from storage: it was checked under the policy of its day
    /// when saved, and a narrower policy later must not make the endpoint
    /// unreadable (every delivery checks its addresses again).
    pub fn stored(value: &str) -> Result<Self, String> {
        Self::parse_with(value, |_| true)
    }

    fn parse_with(value: &str, allows_insecure: impl Fn(&str) -> bool) -> Result<Self, String> {
        const MAX_LENGTH: usize = 2048;
        if value.len() > MAX_LENGTH {
            return Err(format!("must be at most {MAX_LENGTH} characters"));
        }
        let uri: hyper::Uri = value.parse().map_err(|_| "must be an absolute URL, e.g. https://example.com/hooks")?;
        let (Some(scheme), Some(authority)) = (uri.scheme_str(), uri.authority()) else {
            return Err("must be an absolute URL, e.g. https://example.com/hooks".into());
        };
        if authority.as_str().contains('@') {
            return Err("must not contain credentials".into());
        }
        let host = authority.host().trim_start_matches('[').trim_end_matches(']').to_ascii_lowercase();
        if host.is_empty() {
            return Err("must name a host".into());
        }
        let insecure_allowed = allows_insecure(&host);
        let default_port = match scheme {
            "https" => 443,
            "http" if insecure_allowed => 80,
            _ => return Err("must use https".into()),
        };
        if !insecure_allowed {
            if let Ok(ip) = host.parse::<IpAddr>()
                && !is_public(ip)
            {
                return Err("must not point at a private, loopback, link-local or metadata address".into());
            }
            if host == "localhost" || host.ends_with(".localhost") || host.ends_with(".internal") {
                return Err("must not point at a private, loopback, link-local or metadata address".into());
            }
        }
        Ok(Self { url: value.to_owned(), port: authority.port_u16().unwrap_or(default_port), host })
    }

    pub fn as_str(&self) -> &str {
        &self.url
    }

    pub fn host(&self) -> &str {
        &self.host
    }

    pub fn port(&self) -> u16 {
        self.port
    }
}

/// Whether a delivery may connect to `ip`: not private, loopback, link-local
/// (the instance metadata service is 169.254.169.254 and fd00:ec2::254),
/// shared, multicast, documentation or otherwise reserved, including IPv4
/// addresses wrapped in IPv6.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public_v4(v4);
            }
            let segments = v6.segments();
            // NAT64 (64:ff9b::/96) and 6to4 (2002::/16) reach IPv4 addresses.
            if segments[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
                let [a, b] = segments[6].to_be_bytes();
                let [c, d] = segments[7].to_be_bytes();
                return is_public_v4(Ipv4Addr::new(a, b, c, d));
            }
            if segments[0] == 0x2002 {
                let [a, b] = segments[1].to_be_bytes();
                let [c, d] = segments[2].to_be_bytes();
                return is_public_v4(Ipv4Addr::new(a, b, c, d));
            }
            let global_unicast = segments[0] & 0xe000 == 0x2000;
            let documentation = segments[0] == 0x2001 && segments[1] == 0x0db8;
            global_unicast && !documentation && v6 != Ipv6Addr::LOCALHOST
        }
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(ip.is_private()
        || ip.is_loopback()
        || ip.is_link_local()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || ip.is_unspecified()
        || a == 0
        || (a == 100 && (64..128).contains(&b))
        || (a == 192 && b == 0 && c == 0)
        || (a == 198 && (18..20).contains(&b))
        || a >= 240)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> UrlPolicy {
        UrlPolicy { insecure_hosts: vec!["127.0.0.1".into()] }
    }

    #[test]
    fn a_stored_url_reads_back_under_a_narrower_policy_than_it_was_saved_under() {
        let saved = WebhookUrl::parse("http://127.0.0.1:9100/hooks", &policy()).unwrap();
        assert!(WebhookUrl::parse(saved.as_str(), &UrlPolicy { insecure_hosts: vec![] }).is_err());
        assert_eq!(WebhookUrl::stored(saved.as_str()).unwrap(), saved);
        assert!(WebhookUrl::stored("not a url").is_err(), "still a URL");
    }

    #[test]
    fn private_loopback_link_local_and_metadata_addresses_are_refused() {
        for url in [
            "http://169.254.169.254/",
            "https://169.254.169.254/latest/meta-data",
            "https://10.0.0.1/",
            "https://172.16.5.4/",
            "https://192.168.1.1/",
            "https://127.0.0.2/",
            "https://[::1]/",
            "https://[fd00:ec2::254]/",
            "https://[fe80::1]/",
            "https://[::ffff:10.0.0.1]/",
            "https://[64:ff9b::a9fe:a9fe]/",
            "https://0.0.0.0/",
            "https://100.64.0.1/",
            "https://localhost/",
            "https://metadata.google.internal/",
        ] {
            assert!(WebhookUrl::parse(url, &policy()).is_err(), "{url} was accepted");
        }
    }

    #[test]
    fn https_to_public_hosts_is_required_except_for_listed_local_hosts() {
        let ok = WebhookUrl::parse("https://hooks.example.com:8443/in?x=1", &UrlPolicy::default()).unwrap();
        assert_eq!((ok.host(), ok.port()), ("hooks.example.com", 8443));
        assert!(WebhookUrl::parse("http://hooks.example.com/", &UrlPolicy::default()).is_err());
        assert!(WebhookUrl::parse("ftp://hooks.example.com/", &UrlPolicy::default()).is_err());
        assert!(WebhookUrl::parse("https://user:pw@hooks.example.com/", &UrlPolicy::default()).is_err());
        assert!(WebhookUrl::parse("/relative", &UrlPolicy::default()).is_err());
        assert!(WebhookUrl::parse("http://127.0.0.1:9000/hook", &policy()).is_ok());
        assert!(WebhookUrl::parse("http://127.0.0.1:9000/hook", &UrlPolicy::default()).is_err());
        assert!(is_public("93.184.215.14".parse().unwrap()));
        assert!(is_public("2606:2800:21f:cb07:6820:80da:af6b:8b2c".parse().unwrap()));
    }
}
