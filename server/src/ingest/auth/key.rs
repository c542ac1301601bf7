//! Making, naming and hashing ingest keys.

use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ring::rand::{SecureRandom, SystemRandom};

/// Every key starts with this, so a leaked one is recognisable (and secret
/// scanners can be taught it).
pub const KEY_PREFIX: &str = "wpk_";

/// How many characters of the random part the stored prefix keeps: enough
/// to tell keys apart in a list, far too few to guess the rest (the other
/// ~37 characters still carry over 200 bits).
const SHOWN_CHARACTERS: usize = 6;

/// A SHA-256 of a key. A random 256-bit key cannot be brute-forced, so a
/// fast hash is enough: a slow password hash would only cost CPU on every
/// request (and the cache looks hashes up, never keys).
pub type KeyHash = [u8; 32];

pub fn hash(key: &str) -> KeyHash {
    let digest = ring::digest::digest(&ring::digest::SHA256, key.as_bytes());
    let mut hash = [0; 32];
    hash.copy_from_slice(digest.as_ref());
    hash
}

/// The system's random source failed; nothing to do but report it.
#[derive(Debug, thiserror::Error)]
#[error("the system random number generator failed")]
pub struct RandomError;

/// A key just made: the key itself is shown once and then only its hash
/// and prefix are kept.
pub struct NewKey {
    pub key: String,
    pub prefix: String,
    pub hash: KeyHash,
}

impl NewKey {
    /// `wpk_` and 32 random bytes, base64url.
    pub fn generate() -> Result<NewKey, RandomError> {
        NewKey::with_prefix(KEY_PREFIX)
    }

    /// `kind` (like `wpk_`) and 32 random bytes, base64url. API tokens are
    /// made the same way under their own prefix.
    pub fn with_prefix(kind: &str) -> Result<NewKey, RandomError> {
        let mut bytes = [0u8; 32];
        SystemRandom::new()
            .fill(&mut bytes)
            .map_err(|_| RandomError)?;
        let key = format!("{kind}{}", URL_SAFE_NO_PAD.encode(bytes));
        let prefix = key[..kind.len() + SHOWN_CHARACTERS].to_owned();
        Ok(NewKey {
            hash: hash(&key),
            prefix,
            key,
        })
    }
}

/// Never prints the key, so a stray `{:?}` cannot leak it to a log.
impl fmt::Debug for NewKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NewKey")
            .field("prefix", &self.prefix)
            .finish_non_exhaustive()
    }
}

pub use app::model::ingest_key::check_name;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_random_prefixed_and_hash_to_what_is_stored() {
        let one = NewKey::generate().unwrap();
        let two = NewKey::generate().unwrap();
        assert_ne!(one.key, two.key);
        assert!(one.key.starts_with("wpk_"));
        assert_eq!(one.key.len(), 4 + 43);
        assert!(one.key.starts_with(&one.prefix));
        assert_eq!(one.prefix.len(), 10);
        assert_eq!(hash(&one.key), one.hash);
        assert_ne!(hash(&two.key), one.hash);
    }

    #[test]
    fn debug_output_hides_the_key() {
        let key = NewKey::generate().unwrap();
        let shown = format!("{key:?}");
        assert!(!shown.contains(&key.key), "{shown}");
    }

    #[test]
    fn names_are_short_and_plain() {
        assert!(check_name("checkout-prod_1.eu").is_ok());
        for bad in ["", "a b", "a/b", "ü", &"x".repeat(65)] {
            assert!(check_name(bad).is_err(), "{bad:?}");
        }
    }
}
