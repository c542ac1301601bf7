//! Where services send telemetry to this server, as a browser should show
//! it: the listeners as bound, and the address the reader's machine can
//! reach them at.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use serde::{Deserialize, Serialize};

use super::public_url::PublicUrl;

/// Facts about this server that the set-up instructions need, fixed at
/// start-up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteInfo {
    /// The OTLP/HTTP listener as bound (the real port when 0 was asked for).
    pub otlp_http: SocketAddr,
    /// The OTLP/gRPC listener as bound.
    pub otlp_grpc: SocketAddr,
    /// What the operator said services should use instead of the listeners
    /// (a load balancer or ingress in front), shown as is.
    pub public_otlp_http: Option<PublicUrl>,
    pub public_otlp_grpc: Option<PublicUrl>,
    /// Whether OTLP requests must carry an ingest key.
    pub keys_required: bool,
    /// Whether this server's data is the demo fleet's.
    pub demo: DemoFlag,
}

/// Whether the data is the demo fleet's: known at start with `--demo`, and
/// learnt once the database is reachable when its demo marker is there (a
/// server started without `--demo` on the demo's database is badged too).
/// Shared by every clone, so setting it reaches every request.
#[derive(Debug, Clone, Default)]
pub struct DemoFlag(Arc<AtomicBool>);

impl DemoFlag {
    pub fn new(on: bool) -> DemoFlag {
        DemoFlag(Arc::new(AtomicBool::new(on)))
    }

    pub fn set(&self) {
        self.0.store(true, Ordering::Relaxed);
    }

    pub fn get(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

impl PartialEq for DemoFlag {
    fn eq(&self, other: &DemoFlag) -> bool {
        self.get() == other.get()
    }
}

impl Eq for DemoFlag {}

/// What the Send data page and the empty states show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteEndpoints {
    /// `http://host:port`, the base URL SDKs append `/v1/traces` to.
    pub otlp_http: String,
    /// `http://host:port` of the gRPC listener.
    pub otlp_grpc: String,
    pub ingest_key_required: bool,
    pub demo: bool,
}

impl SiteInfo {
    /// The endpoints as the reader should use them: the public URLs when
    /// given, else the listeners as seen under the `Host` the request
    /// reached us under (see [`browser_url`]).
    pub fn endpoints(&self, request_host: Option<&str>) -> SiteEndpoints {
        let shown = |public: &Option<PublicUrl>, bound| match public {
            Some(url) => url.to_string(),
            None => browser_url(bound, request_host),
        };
        SiteEndpoints {
            otlp_http: shown(&self.public_otlp_http, self.otlp_http),
            otlp_grpc: shown(&self.public_otlp_grpc, self.otlp_grpc),
            ingest_key_required: self.keys_required,
            demo: self.demo.get(),
        }
    }
}

/// The URL of a listener bound at `bound`, for someone who reached the UI
/// as `request_host` (a `Host` header: `name[:port]`, `[v6][:port]`).
///
/// - Bound to every interface (`0.0.0.0`, `::`): that address means nothing
///   to a reader, so the host they used, with the listener's port.
/// - Bound to loopback: the bound address; nothing else reaches it.
/// - Bound to one address, reached under a host name: the name, which is
///   what the reader's network resolves (an IP they typed may be another
///   interface, so the bound one wins over it).
///
/// A `Host` that is not a plain name or IP is ignored: it is the client's
/// text and ends up on the page.
pub fn browser_url(bound: SocketAddr, request_host: Option<&str>) -> String {
    let requested = request_host.and_then(parse_host);
    let ip = bound.ip();
    let host = match requested {
        Some(host) if ip.is_unspecified() => host,
        Some(RequestHost::Name(name)) if !ip.is_loopback() => RequestHost::Name(name),
        // Nobody said how they reached us: this machine is the best guess.
        None if ip.is_unspecified() => RequestHost::Name("localhost".to_owned()),
        _ => RequestHost::Ip(ip),
    };
    match host {
        RequestHost::Name(name) => format!("http://{name}:{}", bound.port()),
        RequestHost::Ip(IpAddr::V6(v6)) => format!("http://[{v6}]:{}", bound.port()),
        RequestHost::Ip(IpAddr::V4(v4)) => format!("http://{v4}:{}", bound.port()),
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum RequestHost {
    Name(String),
    Ip(IpAddr),
}

/// The host part of a `Host` header, without its port; `None` unless it is
/// an IP literal or a DNS-style name.
fn parse_host(header: &str) -> Option<RequestHost> {
    let header = header.trim();
    if let Some(rest) = header.strip_prefix('[') {
        let (inside, _) = rest.split_once(']')?;
        return inside.parse().ok().map(RequestHost::Ip);
    }
    let host = match header.split_once(':') {
        Some((host, port)) if port.bytes().all(|b| b.is_ascii_digit()) => host,
        Some(_) => return None,
        None => header,
    };
    if let Ok(ip) = host.parse::<IpAddr>() {
        return Some(RequestHost::Ip(ip));
    }
    let plain = !host.is_empty()
        && host.len() <= 253
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_'));
    plain.then(|| RequestHost::Name(host.to_ascii_lowercase()))
}

/// Services that started reporting while someone watched (the Send data
/// page's "waiting for the first span").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewServices {
    /// When the watch began, in the database's clock (µs since the epoch):
    /// the browser sends it back on every poll.
    pub since_us: i64,
    /// Services first seen after that, oldest first.
    pub arrived: Vec<String>,
    /// Services that had reported before it.
    pub earlier: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(bound: &str, host: Option<&str>) -> String {
        browser_url(bound.parse().unwrap(), host)
    }

    #[test]
    fn every_interface_takes_the_host_the_reader_used() {
        assert_eq!(
            url("0.0.0.0:4318", Some("watchpost.internal:3000")),
            "http://watchpost.internal:4318"
        );
        assert_eq!(url("[::]:4317", Some("10.1.2.3")), "http://10.1.2.3:4317");
        assert_eq!(
            url("0.0.0.0:4318", Some("[fd00::5]:3000")),
            "http://[fd00::5]:4318"
        );
        assert_eq!(url("0.0.0.0:4318", None), "http://localhost:4318");
    }

    #[test]
    fn loopback_stays_the_bound_address() {
        assert_eq!(
            url("127.0.0.1:40123", Some("localhost:3000")),
            "http://127.0.0.1:40123"
        );
        assert_eq!(url("[::1]:4318", Some("example.com")), "http://[::1]:4318");
    }

    #[test]
    fn one_address_prefers_a_host_name_over_an_ip() {
        assert_eq!(
            url("10.0.0.5:4318", Some("Watchpost.Example.com:443")),
            "http://watchpost.example.com:4318"
        );
        assert_eq!(
            url("10.0.0.5:4318", Some("192.0.2.1:3000")),
            "http://10.0.0.5:4318"
        );
    }

    #[test]
    fn odd_host_headers_are_ignored() {
        for host in [
            "<script>:3000",
            "evil.com/path",
            "a b",
            "host:port",
            "",
            "[not-v6]",
        ] {
            assert_eq!(
                url("0.0.0.0:4318", Some(host)),
                "http://localhost:4318",
                "{host}"
            );
            assert_eq!(
                url("10.0.0.5:4318", Some(host)),
                "http://10.0.0.5:4318",
                "{host}"
            );
        }
    }

    #[test]
    fn public_urls_are_shown_whatever_the_host() {
        let site = SiteInfo {
            otlp_http: "0.0.0.0:4318".parse().unwrap(),
            otlp_grpc: "0.0.0.0:4317".parse().unwrap(),
            public_otlp_http: Some(PublicUrl::parse_http("https://otel.example.com/in").unwrap()),
            public_otlp_grpc: None,
            keys_required: true,
            demo: DemoFlag::new(false),
        };
        let shown = site.endpoints(Some("10.1.2.3:3000"));
        assert_eq!(shown.otlp_http, "https://otel.example.com/in");
        assert_eq!(shown.otlp_grpc, "http://10.1.2.3:4317");
        assert!(shown.ingest_key_required);
    }
}
