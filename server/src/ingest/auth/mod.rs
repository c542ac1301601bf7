//! Ingest keys: who may send spans.
//!
//! OTLP exporters send `Authorization: Bearer wpk_…` (the form
//! `OTEL_EXPORTER_OTLP_HEADERS` produces). Each transport asks
//! [`KeyCache::authorize`] once per request, before reading the body; the
//! cache answers from memory and a background job keeps it in step with
//! Postgres (`cache.rs`). `key.rs` makes and hashes keys, `cli.rs` is
//! `watchpost key …`.

mod cache;
pub mod cli;
pub mod key;

pub use cache::{KeyCache, REFRESH_EVERY, run};

use std::net::SocketAddr;

use clap::ValueEnum;

/// `--ingest-auth`: whether OTLP requests need a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum IngestAuthMode {
    /// Required unless every listener is bound to loopback.
    Auto,
    Required,
    /// Allowed only when every listener is bound to loopback.
    Off,
}

impl IngestAuthMode {
    pub fn as_str(self) -> &'static str {
        match self {
            IngestAuthMode::Auto => "auto",
            IngestAuthMode::Required => "required",
            IngestAuthMode::Off => "off",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AuthSetupError {
    #[error(
        "--ingest-auth off is allowed only when every listener is bound to a loopback address, \
         and {address} is not; create an ingest key (`watchpost key create --name NAME`) \
         and use --ingest-auth auto or required"
    )]
    OffOnPublicAddress { address: SocketAddr },
}

/// Whether keys are required, given the mode and every address that
/// accepts OTLP (the main listener serves `/v1/traces` too).
///
/// A server reachable only from its own machine is the out-of-the-box local
/// run, where keys would only get in the way; anything else could take
/// spans from the network, so keys are the default there and cannot be
/// switched off.
pub fn keys_required(
    mode: IngestAuthMode,
    listeners: &[SocketAddr],
) -> Result<bool, AuthSetupError> {
    let exposed = listeners.iter().find(|address| !address.ip().is_loopback());
    match (mode, exposed) {
        (IngestAuthMode::Required, _) => Ok(true),
        (IngestAuthMode::Auto, exposed) => Ok(exposed.is_some()),
        (IngestAuthMode::Off, None) => Ok(false),
        (IngestAuthMode::Off, Some(&address)) => {
            Err(AuthSetupError::OffOnPublicAddress { address })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn addresses(list: &[&str]) -> Vec<SocketAddr> {
        list.iter().map(|a| a.parse().unwrap()).collect()
    }

    #[test]
    fn auto_requires_keys_unless_every_listener_is_loopback() {
        let local = addresses(&["127.0.0.1:3000", "127.0.0.1:4318", "[::1]:4317"]);
        assert!(!keys_required(IngestAuthMode::Auto, &local).unwrap());

        for exposed in [
            ["0.0.0.0:3000", "127.0.0.1:4318", "127.0.0.1:4317"],
            ["127.0.0.1:3000", "0.0.0.0:4318", "127.0.0.1:4317"],
            ["127.0.0.1:3000", "127.0.0.1:4318", "[::]:4317"],
            ["127.0.0.1:3000", "127.0.0.1:4318", "10.0.0.5:4317"],
        ] {
            assert!(
                keys_required(IngestAuthMode::Auto, &addresses(&exposed)).unwrap(),
                "{exposed:?}"
            );
        }
    }

    #[test]
    fn required_always_requires_keys() {
        for list in [
            ["127.0.0.1:3000", "127.0.0.1:4318"],
            ["0.0.0.0:3000", "0.0.0.0:4318"],
        ] {
            assert!(keys_required(IngestAuthMode::Required, &addresses(&list)).unwrap());
        }
    }

    #[test]
    fn off_is_refused_unless_every_listener_is_loopback() {
        let local = addresses(&["127.0.0.1:3000", "[::1]:4318"]);
        assert!(!keys_required(IngestAuthMode::Off, &local).unwrap());

        let exposed = addresses(&["127.0.0.1:3000", "0.0.0.0:4318"]);
        let error = keys_required(IngestAuthMode::Off, &exposed).unwrap_err();
        assert!(error.to_string().contains("0.0.0.0:4318"), "{error}");
    }
}
