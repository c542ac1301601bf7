//! The probe engine of active health checks: one [`Prober`] runs a
//! [`CheckSpec`] once and says what it found, as a [`ProbeResult`].
//!
//! - [`http`]: HTTP(S) requests, judged by [`judge`] (status, conditions,
//!   [`health_body`] convention) with [`json_path`] for JSON conditions.
//! - [`tcp`]: a TCP connect.
//! - [`grpc`]: `grpc.health.v1.Health/Check` over plaintext HTTP/2.
//! - [`connect`]: DNS and TCP connects with typed errors, shared by all three;
//!   [`error_chain`] reads the client errors that wrap them.
//!
//! A probe never panics, never outlives the check's `timeout_ms`, and never
//! returns `Pending`.

pub mod connect;
pub mod error_chain;
pub mod finding;
pub mod grpc;
pub mod grpc_health_proto;
pub mod health_body;
pub mod http;
pub mod http_body;
pub mod json_path;
pub mod judge;
pub mod tcp;

#[cfg(test)]
mod tests;

use std::time::Duration;

use app::model::check::{
    CheckSpec, CheckState, CheckType, Condition, DependencyStatus, ProbeResult, StatusRange,
};

use finding::Finding;
use grpc::GrpcHttpClient;

/// The longest a probe may be given. Far beyond any sane check; it exists so
/// a huge `timeout_ms` cannot overflow the deadline arithmetic.
const MAX_TIMEOUT: Duration = Duration::from_secs(24 * 60 * 60);

/// Runs checks. Cheap to clone: the clients inside share their state.
#[derive(Debug, Clone)]
pub struct Prober {
    http: reqwest::Client,
    grpc: GrpcHttpClient,
}

#[derive(Debug, thiserror::Error)]
pub enum ProbeSetupError {
    #[error("could not build the HTTP client for checks: {0}")]
    HttpClient(#[source] reqwest::Error),
}

impl Prober {
    pub fn new() -> Result<Prober, ProbeSetupError> {
        Ok(Prober {
            http: http::http_client().map_err(ProbeSetupError::HttpClient)?,
            grpc: grpc::grpc_http_client(),
        })
    }

    /// Probes `spec` once. Returns by `timeout_ms` whatever the target does:
    /// the whole probe, body included, runs under one deadline.
    pub async fn probe(&self, spec: &CheckSpec) -> ProbeResult {
        let started = std::time::Instant::now();
        let deadline =
            tokio::time::Instant::now() + Duration::from_millis(spec.timeout_ms).min(MAX_TIMEOUT);
        let finding = tokio::time::timeout_at(deadline, self.run(spec, deadline))
            .await
            .unwrap_or_else(|_elapsed| Finding::timed_out(spec.timeout_ms));
        finding.into_result(started.elapsed())
    }

    async fn run(&self, spec: &CheckSpec, deadline: tokio::time::Instant) -> Finding {
        match spec.check_type {
            CheckType::Http => http::probe_http(&self.http, spec, deadline).await,
            CheckType::Tcp => tcp::probe_tcp(&spec.target).await,
            CheckType::Grpc => grpc::probe_grpc(&self.grpc, &spec.target).await,
        }
    }
}
