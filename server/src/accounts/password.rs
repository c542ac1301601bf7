//! Password hashing with argon2id, off the async runtime.

use std::sync::LazyLock;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use password_hash::rand_core::{OsRng, RngCore};

#[derive(Debug, thiserror::Error)]
pub enum PasswordError {
    #[error("argon2: {0}")]
    Argon2(password_hash::Error),
    #[error("the hashing task stopped: {0}")]
    Task(#[from] tokio::task::JoinError),
}

/// argon2id with the crate's defaults (19 MiB, 2 passes, 1 lane): OWASP's
/// recommended minimum, about 20-50 ms per hash on a server core. New hashes
/// use these; stored hashes carry their own parameters in the PHC string.
fn argon2() -> Argon2<'static> {
    Argon2::new(Algorithm::Argon2id, Version::V0x13, Params::default())
}

fn hash_now(password: &[u8]) -> Result<String, password_hash::Error> {
    let salt = SaltString::generate(&mut OsRng);
    Ok(argon2().hash_password(password, &salt)?.to_string())
}

/// A hash of a random password nobody knows, verified against when the
/// username is unknown so that the answer takes as long as for a real user
/// and timing does not tell which usernames exist.
static DUMMY_HASH: LazyLock<Result<String, password_hash::Error>> = LazyLock::new(|| {
    let mut secret = [0u8; 32];
    OsRng.fill_bytes(&mut secret);
    hash_now(&secret)
});

/// Computes the dummy hash now, so the first unknown-user login is not the
/// one slow (and so distinguishable) answer.
pub async fn warm_up() {
    let _ = tokio::task::spawn_blocking(|| LazyLock::force(&DUMMY_HASH).is_ok()).await;
}

/// Hashes a new password (a PHC string with algorithm, parameters and salt).
pub async fn hash(password: String) -> Result<String, PasswordError> {
    // Hashing is tens of milliseconds of CPU: on the async runtime it would
    // stall every other request on the worker thread.
    tokio::task::spawn_blocking(move || hash_now(password.as_bytes()))
        .await?
        .map_err(PasswordError::Argon2)
}

/// [`hash`] in the shape `AppState::hash_password` takes, for server
/// functions; a failure is logged here and reported as `None`.
pub fn hash_boxed(
    password: String,
) -> std::pin::Pin<Box<dyn std::future::Future<Output = Option<String>> + Send>> {
    Box::pin(async move {
        hash(password)
            .await
            .inspect_err(|error| tracing::error!(error = %error, "password hashing failed"))
            .ok()
    })
}

/// Whether `password` matches `stored`; with no stored hash (unknown user)
/// the dummy hash is checked instead and the answer is always false.
pub async fn verify(password: String, stored: Option<String>) -> Result<bool, PasswordError> {
    tokio::task::spawn_blocking(move || {
        let known = stored.is_some();
        let phc = match stored {
            Some(phc) => phc,
            None => DUMMY_HASH.as_ref().map_err(|e| *e)?.clone(),
        };
        let parsed = PasswordHash::new(&phc)?;
        let matches = argon2()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok();
        Ok(known && matches)
    })
    .await?
    .map_err(PasswordError::Argon2)
}

#[cfg(test)]
mod tests {
    #[tokio::test]
    async fn hashes_are_argon2id_salted_and_verify() {
        let one = super::hash("correct horse battery".to_owned())
            .await
            .unwrap();
        let two = super::hash("correct horse battery".to_owned())
            .await
            .unwrap();
        assert!(one.starts_with("$argon2id$v=19$"), "{one}");
        assert_ne!(one, two, "each hash has its own salt");
        assert!(!one.contains("correct horse"));
        assert!(
            super::verify("correct horse battery".to_owned(), Some(one.clone()))
                .await
                .unwrap()
        );
        assert!(
            !super::verify("correct horse batter".to_owned(), Some(one))
                .await
                .unwrap()
        );
        assert!(
            !super::verify("anything at all".to_owned(), None)
                .await
                .unwrap()
        );
    }
}
