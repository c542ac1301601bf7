//! The address services should send to when it is not a listener of ours:
//! a load balancer, an ingress or a TLS terminator in front of Watchpost.
//! The operator gives it once; the set-up instructions show it as is.

use std::fmt;

/// An `http://` or `https://` URL, checked at start-up because it is pasted
/// into shell and YAML snippets: no quotes, spaces, query or fragment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicUrl(String);

impl PublicUrl {
    /// The OTLP/HTTP base URL. A path is kept: SDKs append `/v1/traces`
    /// to it, so a proxy may route by prefix.
    pub fn parse_http(text: &str) -> Result<PublicUrl, String> {
        parse(text, true)
    }

    /// The OTLP/gRPC URL. gRPC's paths are fixed by the service
    /// definition, so a path here would be silently ignored by SDKs:
    /// refused instead.
    pub fn parse_grpc(text: &str) -> Result<PublicUrl, String> {
        parse(text, false)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for PublicUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn parse(text: &str, path_allowed: bool) -> Result<PublicUrl, String> {
    let text = text.trim();
    let rest = text
        .strip_prefix("http://")
        .or_else(|| text.strip_prefix("https://"))
        .ok_or_else(|| format!("`{text}` must start with http:// or https://"))?;
    let (authority, path) = match rest.find('/') {
        Some(slash) => rest.split_at(slash),
        None => (rest, ""),
    };
    if authority.is_empty() {
        return Err(format!("`{text}` has no host"));
    }
    if !only(authority, b"-._:[]") {
        return Err(format!(
            "`{text}`: the host may hold only letters, digits, `-._:` and brackets"
        ));
    }
    let path = path.trim_end_matches('/');
    if !path.is_empty() && !path_allowed {
        return Err(format!(
            "`{text}`: a gRPC endpoint is a host and port; its paths are fixed"
        ));
    }
    if !only(path, b"/-._~%") {
        return Err(format!(
            "`{text}`: the path may hold only letters, digits and `/-._~%` (no query or fragment)"
        ));
    }
    let scheme_len = text.len() - rest.len();
    Ok(PublicUrl(format!(
        "{}{authority}{path}",
        &text[..scheme_len]
    )))
}

/// Whether `part` holds only letters, digits and the bytes of `extra`.
fn only(part: &str, extra: &[u8]) -> bool {
    part.bytes()
        .all(|b| b.is_ascii_alphanumeric() || extra.contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_urls_keep_their_path_without_the_trailing_slash() {
        let url = PublicUrl::parse_http(" https://otel.example.com/ingest/ ").unwrap();
        assert_eq!(url.as_str(), "https://otel.example.com/ingest");
        let url = PublicUrl::parse_http("http://10.0.0.5:4318").unwrap();
        assert_eq!(url.to_string(), "http://10.0.0.5:4318");
        let url = PublicUrl::parse_http("http://[fd00::5]:4318/").unwrap();
        assert_eq!(url.as_str(), "http://[fd00::5]:4318");
    }

    #[test]
    fn grpc_urls_are_a_host_and_port() {
        let url = PublicUrl::parse_grpc("https://otel-grpc.example.com:443/").unwrap();
        assert_eq!(url.as_str(), "https://otel-grpc.example.com:443");
        let error = PublicUrl::parse_grpc("https://otel.example.com/grpc").unwrap_err();
        assert!(error.contains("host and port"), "{error}");
    }

    #[test]
    fn anything_that_would_break_a_snippet_is_refused() {
        for text in [
            "otel.example.com:4318",
            "ftp://otel.example.com",
            "https://",
            "https:///v1",
            "https://otel.example.com/a b",
            "https://otel.example.com/?q=1",
            "https://otel.example.com/#x",
            "https://otel.example.com/'$(reboot)'",
            "https://user@otel.example.com",
            "https://<script>/",
        ] {
            assert!(PublicUrl::parse_http(text).is_err(), "{text}");
        }
    }
}
