//! gRPC checks against a health server written here on tonic's server
//! building blocks (what generated code would be), served over h2c by axum.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::task::{Context, Poll};

use tonic::codegen::{Body, BoxFuture, Service, StdError, http};
use tonic::server::{NamedService, UnaryService};
use tonic_prost::ProstCodec;

use super::grpc_health_proto::{HealthCheckRequest, HealthCheckResponse, ServingStatus};
use super::targets::serve;
use super::*;

/// A health service that always gives the same answer.
#[derive(Debug, Clone, Copy)]
struct FixedHealth(ServingStatus);

impl NamedService for FixedHealth {
    const NAME: &'static str = "grpc.health.v1.Health";
}

impl<B> Service<http::Request<B>> for FixedHealth
where
    B: Body + Send + 'static,
    B::Error: Into<StdError> + Send + 'static,
{
    type Response = http::Response<tonic::body::Body>;
    type Error = Infallible;
    type Future = BoxFuture<Self::Response, Infallible>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: http::Request<B>) -> Self::Future {
        let method = CheckMethod(self.0);
        Box::pin(async move {
            let codec = ProstCodec::<HealthCheckResponse, HealthCheckRequest>::default();
            Ok(tonic::server::Grpc::new(codec).unary(method, request).await)
        })
    }
}

struct CheckMethod(ServingStatus);

impl UnaryService<HealthCheckRequest> for CheckMethod {
    type Response = HealthCheckResponse;
    type Future = BoxFuture<tonic::Response<HealthCheckResponse>, tonic::Status>;

    fn call(&mut self, request: tonic::Request<HealthCheckRequest>) -> Self::Future {
        let status = self.0 as i32;
        let asked_about_whole_server = request.get_ref().service.is_empty();
        Box::pin(async move {
            if !asked_about_whole_server {
                return Err(tonic::Status::not_found("only the whole server is known"));
            }
            Ok(tonic::Response::new(HealthCheckResponse { status }))
        })
    }
}

async fn serve_health(status: ServingStatus) -> SocketAddr {
    let routes = tonic::service::Routes::new(FixedHealth(status));
    serve(routes.into_axum_router()).await
}

async fn probe_grpc(target: String) -> ProbeResult {
    probe(&spec(CheckType::Grpc, target, 1000)).await
}

#[tokio::test]
async fn serving_is_healthy() {
    let addr = serve_health(ServingStatus::Serving).await;
    let result = probe_grpc(addr.to_string()).await;
    assert_verdict(&result, CheckState::Healthy, "");
    assert_eq!(result.http_status, None);
}

#[tokio::test]
async fn not_serving_is_unhealthy() {
    let addr = serve_health(ServingStatus::NotServing).await;
    let result = probe_grpc(addr.to_string()).await;
    assert_verdict(&result, CheckState::Unhealthy, "gRPC health is NOT_SERVING");
}

#[tokio::test]
async fn service_unknown_is_unhealthy_and_named() {
    let addr = serve_health(ServingStatus::ServiceUnknown).await;
    let result = probe_grpc(addr.to_string()).await;
    assert_verdict(
        &result,
        CheckState::Unhealthy,
        "gRPC health is SERVICE_UNKNOWN",
    );
}

#[tokio::test]
async fn server_without_the_health_service_is_unhealthy() {
    let addr = serve(axum::Router::new()).await;
    let result = probe_grpc(addr.to_string()).await;
    assert_verdict(&result, CheckState::Unhealthy, "gRPC error Unimplemented");
}

#[tokio::test]
async fn nothing_listening_is_unreachable() {
    let target = format!("127.0.0.1:{}", closed_port().await);
    let result = probe_grpc(target).await;
    assert_verdict(&result, CheckState::Unreachable, "connection refused");
}

#[tokio::test]
async fn unresolvable_host_is_unreachable() {
    let result = probe_grpc("nohost.invalid:50051".to_owned()).await;
    assert_verdict(
        &result,
        CheckState::Unreachable,
        "DNS lookup failed for nohost.invalid",
    );
}
