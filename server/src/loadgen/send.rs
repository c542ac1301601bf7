//! One connection's way of sending a prepared request.

use opentelemetry_proto::tonic::collector::trace::v1::trace_service_client::TraceServiceClient;
use opentelemetry_proto::tonic::collector::trace::v1::{
    ExportTraceServiceRequest, ExportTraceServiceResponse,
};
use prost::Message;
use tonic::transport::Channel;

use super::{Protocol, json};

/// A request encoded once and sent many times.
pub struct Prepared {
    pub spans: u64,
    /// Reference-counted, so each send shares the bytes instead of copying.
    body: prost::bytes::Bytes,
    message: Option<ExportTraceServiceRequest>,
}

pub struct Sender {
    transport: Transport,
    /// `Bearer <key>`, when the server wants an ingest key.
    authorization: Option<String>,
}

enum Transport {
    Http {
        client: reqwest::Client,
        url: String,
        json: bool,
    },
    Grpc(TraceServiceClient<Channel>),
}

impl Sender {
    pub async fn connect(
        protocol: Protocol,
        endpoint: &str,
        key: Option<&str>,
    ) -> Result<Sender, String> {
        Ok(Sender {
            transport: Transport::connect(protocol, endpoint).await?,
            authorization: key.map(|key| format!("Bearer {key}")),
        })
    }
}

impl Transport {
    async fn connect(protocol: Protocol, endpoint: &str) -> Result<Transport, String> {
        match protocol {
            Protocol::Grpc => {
                let channel = Channel::from_shared(endpoint.to_owned())
                    .map_err(|e| format!("bad endpoint {endpoint}: {e}"))?
                    .connect()
                    .await
                    .map_err(|e| format!("cannot connect to {endpoint}: {e}"))?;
                Ok(Transport::Grpc(TraceServiceClient::new(channel)))
            }
            Protocol::HttpProtobuf | Protocol::HttpJson => Ok(Transport::Http {
                client: reqwest::Client::new(),
                url: format!("{}/v1/traces", endpoint.trim_end_matches('/')),
                json: protocol == Protocol::HttpJson,
            }),
        }
    }
}

impl Sender {
    pub fn prepare(&self, request: ExportTraceServiceRequest) -> Prepared {
        let spans = request
            .resource_spans
            .iter()
            .flat_map(|r| &r.scope_spans)
            .map(|s| s.spans.len() as u64)
            .sum();
        match &self.transport {
            Transport::Http { json: true, .. } => Prepared {
                spans,
                body: json::encode(&request).into(),
                message: None,
            },
            Transport::Http { json: false, .. } => Prepared {
                spans,
                body: request.encode_to_vec().into(),
                message: None,
            },
            Transport::Grpc(_) => Prepared {
                spans,
                body: Default::default(),
                message: Some(request),
            },
        }
    }

    /// Sends once; returns the number of spans the server rejected.
    pub async fn send(&self, request: &Prepared) -> Result<u64, String> {
        match &self.transport {
            Transport::Http { client, url, json } => {
                let content_type = if *json {
                    "application/json"
                } else {
                    "application/x-protobuf"
                };
                let mut post = client
                    .post(url)
                    .header("content-type", content_type)
                    .body(request.body.clone());
                if let Some(authorization) = &self.authorization {
                    post = post.header("authorization", authorization);
                }
                let response = post.send().await.map_err(|e| e.to_string())?;
                let status = response.status();
                let body = response.bytes().await.map_err(|e| e.to_string())?;
                if !status.is_success() {
                    return Err(format!("HTTP {status}: {}", String::from_utf8_lossy(&body)));
                }
                Ok(if *json {
                    rejected_in_json(&body)
                } else {
                    rejected_in_protobuf(&body)
                })
            }
            Transport::Grpc(client) => {
                let mut message = tonic::Request::new(request.message.clone().unwrap_or_default());
                if let Some(authorization) = &self.authorization {
                    let value = authorization
                        .parse()
                        .map_err(|_| "the ingest key is not a valid header value".to_owned())?;
                    message.metadata_mut().insert("authorization", value);
                }
                let response = client
                    .clone()
                    .export(message)
                    .await
                    .map_err(|status| status.to_string())?;
                Ok(response
                    .into_inner()
                    .partial_success
                    .map_or(0, |p| p.rejected_spans.max(0) as u64))
            }
        }
    }
}

fn rejected_in_protobuf(body: &[u8]) -> u64 {
    ExportTraceServiceResponse::decode(body)
        .ok()
        .and_then(|r| r.partial_success)
        .map_or(0, |p| p.rejected_spans.max(0) as u64)
}

fn rejected_in_json(body: &[u8]) -> u64 {
    serde_json::from_slice::<serde_json::Value>(body)
        .ok()
        .and_then(|v| {
            v["partialSuccess"]["rejectedSpans"]
                .as_str()
                .and_then(|s| s.parse().ok())
        })
        .unwrap_or(0)
}
