//! Cross-site request forgery: refusing state-changing requests that a
//! browser sends on behalf of another site.
//!
//! The checks, for every POST, PUT, PATCH and DELETE on the main port that
//! carries a cookie, and for the login, logout and setup forms (a forged
//! login would sign the victim into the attacker's account):
//! - `Sec-Fetch-Site`, which every current browser sends and scripts on a
//!   web page cannot set, must be `same-origin` or `none` (typed or
//!   bookmarked);
//! - otherwise (older browsers) `Origin`, when present, must name this host.
//!
//! A request with neither header did not come from a browser, so there is
//! no victim's cookie to abuse; it passes, as API clients must.
//!
//! This is the "equivalent" of an origin check plus a token that the issue
//! allows: the session cookie is also `SameSite=Lax`, so browsers do not
//! attach it to cross-site POSTs in the first place; and unlike a token in
//! a form field, it covers the server functions' `fetch` calls, the plain
//! HTML forms of login and logout, and the JSON API alike.

use axum::extract::Request;
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

pub async fn protect(request: Request, next: Next) -> Response {
    let changes_state = !matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    // Without a cookie a request has no authority a forger could borrow:
    // API tokens are never sent implicitly, and browsers' OTLP exporters
    // post spans cross-site on purpose.
    let ambient = request.headers().contains_key(header::COOKIE)
        || matches!(request.uri().path(), "/login" | "/logout" | "/setup");
    if changes_state
        && ambient
        && let Err(why) = same_origin(request.headers())
    {
        tracing::info!(path = %request.uri().path(), why, "cross-site request refused");
        return (
            StatusCode::FORBIDDEN,
            format!("Cross-site request refused: {why}."),
        )
            .into_response();
    }
    next.run(request).await
}

fn same_origin(headers: &HeaderMap) -> Result<(), &'static str> {
    let text = |name| headers.get(name).and_then(|value| value.to_str().ok());
    if let Some(site) = text("sec-fetch-site") {
        return match site {
            "same-origin" | "none" => Ok(()),
            _ => Err("the request came from another site"),
        };
    }
    let Some(origin) = text(header::ORIGIN.as_str()) else {
        return Ok(());
    };
    let host = text(header::HOST.as_str()).ok_or("the request names no host")?;
    // `Origin` is `scheme://host[:port]`; the scheme is not compared, since
    // a TLS-terminating proxy in front of Watchpost changes it.
    let origin_host = origin.split_once("://").map(|(_, rest)| rest);
    match origin_host {
        Some(origin_host) if origin_host.eq_ignore_ascii_case(host) => Ok(()),
        _ => Err("the origin is another site"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, value.parse().unwrap());
        }
        map
    }

    #[test]
    fn browsers_from_other_sites_are_refused() {
        let host = ("host", "watchpost.example:3000");
        assert!(same_origin(&headers(&[host, ("sec-fetch-site", "same-origin")])).is_ok());
        assert!(same_origin(&headers(&[host, ("sec-fetch-site", "none")])).is_ok());
        assert!(same_origin(&headers(&[host, ("sec-fetch-site", "cross-site")])).is_err());
        // A sibling subdomain is another origin too.
        assert!(same_origin(&headers(&[host, ("sec-fetch-site", "same-site")])).is_err());
        let ok = ("origin", "http://watchpost.example:3000");
        assert!(same_origin(&headers(&[host, ok])).is_ok());
        let evil = ("origin", "https://evil.example");
        assert!(same_origin(&headers(&[host, evil])).is_err());
        assert!(same_origin(&headers(&[host, ("origin", "null")])).is_err());
        // Not a browser: nothing to forge with.
        assert!(same_origin(&headers(&[host])).is_ok());
    }
}
