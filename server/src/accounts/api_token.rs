//! Personal API tokens: `Authorization: Bearer wpt_...` on the JSON API,
//! acting as the user who made them.

use app::state::NewSecret;
use axum::http::{HeaderMap, header};

use crate::ingest::auth::key::{self, NewKey};

/// Every API token starts with this; ingest keys start with `wpk_`, so a
/// bearer value says by itself which kind it is.
pub const TOKEN_PREFIX: &str = "wpt_";

/// The server's secret maker, handed to server functions through
/// `AppState::mint_secret`.
pub fn mint(kind: &str) -> Option<NewSecret> {
    let made = NewKey::with_prefix(kind).ok()?;
    Some(NewSecret {
        secret: made.key,
        prefix: made.prefix,
        hash: made.hash,
    })
}

pub fn hash(token: &str) -> [u8; 32] {
    key::hash(token)
}

/// The API token in the request's `Authorization` header, if it carries one
/// (an ingest key or anything else is not).
pub fn token_from(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, credential) = value.trim().split_once(' ')?;
    let credential = credential.trim();
    (scheme.eq_ignore_ascii_case("bearer") && credential.starts_with(TOKEN_PREFIX))
        .then_some(credential)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_bearer_api_tokens_are_taken() {
        let token = mint(TOKEN_PREFIX).unwrap();
        assert!(token.secret.starts_with("wpt_"));
        assert_eq!(hash(&token.secret), token.hash);
        let mut headers = HeaderMap::new();
        let value = format!("Bearer {}", token.secret);
        headers.insert(header::AUTHORIZATION, value.parse().unwrap());
        assert_eq!(token_from(&headers), Some(token.secret.as_str()));
        headers.insert(header::AUTHORIZATION, "Bearer wpk_abc".parse().unwrap());
        assert_eq!(token_from(&headers), None);
        headers.insert(header::AUTHORIZATION, "Basic d3B0Xw==".parse().unwrap());
        assert_eq!(token_from(&headers), None);
    }
}
