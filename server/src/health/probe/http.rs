//! HTTP(S) checks: send the request the spec describes, read the body up to
//! the cap, and judge status, conditions and body (see [`super::judge`]).
//! Every phase shares one deadline, so a slow body counts against the same
//! budget as a slow connect.

use std::io;

use tokio::time::{Instant, timeout_at};

use super::CheckSpec;
use super::connect::{ConnectError, SystemResolver};
use super::error_chain::{describe_chain, find_cause};
use super::finding::Finding;
use super::http_body::{BODY_CAP_BYTES, read_capped};
use super::judge::{SeenResponse, judge};

/// Redirects beyond this many fail the check ("too many redirects").
pub const MAX_REDIRECTS: usize = 5;

/// The client every HTTP check shares.
pub fn http_client() -> Result<reqwest::Client, reqwest::Error> {
    reqwest::Client::builder()
        .use_rustls_tls()
        .redirect(reqwest::redirect::Policy::limited(MAX_REDIRECTS))
        .dns_resolver(std::sync::Arc::new(SystemResolver))
        // A probe measures the target, not a proxy picked up from the
        // environment on the way.
        .no_proxy()
        // No idle connections are kept: each probe connects afresh, so DNS,
        // connect and TLS are checked every time and latency includes them.
        .pool_max_idle_per_host(0)
        .user_agent(concat!("watchpost-probe/", env!("CARGO_PKG_VERSION")))
        .build()
}

pub async fn probe_http(client: &reqwest::Client, spec: &CheckSpec, deadline: Instant) -> Finding {
    let request = match build_request(client, spec) {
        Ok(request) => request,
        Err(reason) => return Finding::unreachable(reason),
    };
    let started = std::time::Instant::now();
    let response = match timeout_at(deadline, client.execute(request)).await {
        Err(_elapsed) => return Finding::timed_out(spec.timeout_ms),
        Ok(Err(error)) => return finding_from_request_error(&error, spec.timeout_ms),
        Ok(Ok(response)) => response,
    };
    let status = response.status().as_u16();
    let body = match timeout_at(deadline, read_capped(response, BODY_CAP_BYTES)).await {
        Err(_elapsed) => {
            let reason = format!("timed out after {} ms reading the body", spec.timeout_ms);
            return Finding::unreachable(reason).with_http_status(status);
        }
        Ok(Err(error)) => {
            let reason = format!("body read failed: {}", describe_chain(&error));
            return Finding::unhealthy(reason).with_http_status(status);
        }
        Ok(Ok(body)) => body,
    };
    let seen = SeenResponse {
        status,
        body: &body,
        elapsed: started.elapsed(),
    };
    judge(spec, &seen)
}

/// The request, or why the spec cannot make one. Validation should have
/// caught these; they are reported rather than trusted.
fn build_request(client: &reqwest::Client, spec: &CheckSpec) -> Result<reqwest::Request, String> {
    let method = match spec.method.trim() {
        "" => reqwest::Method::GET,
        method => reqwest::Method::from_bytes(method.to_ascii_uppercase().as_bytes())
            .map_err(|_| format!("invalid check: bad HTTP method {:?}", spec.method))?,
    };
    let url = reqwest::Url::parse(&spec.target)
        .map_err(|error| format!("invalid check: bad URL {:?}: {error}", spec.target))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!(
            "invalid check: unsupported scheme in {:?}",
            spec.target
        ));
    }
    let mut headers = reqwest::header::HeaderMap::new();
    for (name, value) in &spec.headers {
        let name = reqwest::header::HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| format!("invalid check: bad header name {name:?}"))?;
        let value = reqwest::header::HeaderValue::from_str(value)
            .map_err(|_| format!("invalid check: bad value for header {name}"))?;
        headers.append(name, value);
    }
    client
        .request(method, url)
        .headers(headers)
        .build()
        .map_err(|error| format!("invalid check: {}", describe_chain(&error)))
}

/// Sorts a failed request: no connection at all (DNS, connect, TLS, timeout)
/// is unreachable; anything after connecting (a garbled response, a dropped
/// connection, a redirect loop) means something answered, badly: unhealthy.
fn finding_from_request_error(error: &reqwest::Error, timeout_ms: u64) -> Finding {
    if error.is_timeout() {
        return Finding::timed_out(timeout_ms);
    }
    if error.is_redirect() {
        return Finding::unhealthy(format!("too many redirects (more than {MAX_REDIRECTS})"));
    }
    if let Some(connect) = find_cause::<ConnectError>(error) {
        return Finding::unreachable(connect.to_string());
    }
    if let Some(tls) = find_cause::<rustls::Error>(error) {
        return Finding::unreachable(format!("TLS error: {tls}"));
    }
    if error.is_connect() {
        let refused = find_cause::<io::Error>(error)
            .is_some_and(|io_error| io_error.kind() == io::ErrorKind::ConnectionRefused);
        if refused {
            return Finding::unreachable("connection refused");
        }
        return Finding::unreachable(format!("connect failed: {}", describe_chain(error)));
    }
    Finding::unhealthy(format!("bad response: {}", describe_chain(error)))
}
