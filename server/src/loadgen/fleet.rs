//! A simulated microservice fleet that produces realistic traces: a gateway
//! calling users, auth and orders; orders calling payments and
//! notifications; a database under several of them.

use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::common::v1::{
    AnyValue, InstrumentationScope, KeyValue, any_value::Value,
};
use opentelemetry_proto::tonic::resource::v1::Resource;
use opentelemetry_proto::tonic::trace::v1::span::Event;
use opentelemetry_proto::tonic::trace::v1::{ResourceSpans, ScopeSpans, Span, Status};

/// Who calls whom, with the route each call takes.
const CALLS: &[(&str, &str, &str)] = &[
    ("api-gateway", "user-service", "GET /users/{id}"),
    ("api-gateway", "auth-service", "POST /auth/verify"),
    ("api-gateway", "order-service", "POST /orders"),
    ("order-service", "payment-service", "POST /payments"),
    ("order-service", "notification-service", "POST /notify"),
    ("user-service", "database-service", "SELECT users"),
    ("order-service", "database-service", "INSERT orders"),
    ("payment-service", "database-service", "UPDATE accounts"),
];

/// A tiny deterministic generator (xorshift): reproducible runs, no dependency.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.max(1))
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    pub fn bytes<const N: usize>(&mut self) -> [u8; N] {
        let mut out = [0u8; N];
        for chunk in out.chunks_mut(8) {
            let word = self.next_u64().to_le_bytes();
            chunk.copy_from_slice(&word[..chunk.len()]);
        }
        out
    }
}

/// An attribute.
pub fn kv(key: &str, value: Value) -> KeyValue {
    KeyValue {
        key: key.into(),
        value: Some(AnyValue { value: Some(value) }),
        ..Default::default()
    }
}

fn text(value: impl Into<String>) -> Value {
    Value::StringValue(value.into())
}

/// Builds requests of about `spans_per_request` spans from whole traces.
pub struct Fleet {
    rng: Rng,
}

impl Fleet {
    pub fn new(seed: u64) -> Fleet {
        Fleet {
            rng: Rng::new(seed),
        }
    }

    /// One export request; spans are grouped by service, as an SDK or a
    /// Collector batches them.
    pub fn request(&mut self, spans_per_request: usize, now_ns: u64) -> ExportTraceServiceRequest {
        let mut by_service: Vec<(&'static str, Vec<Span>)> = Vec::new();
        let mut count = 0;
        while count < spans_per_request {
            for (service, span) in self.trace(now_ns) {
                count += 1;
                match by_service.iter_mut().find(|(name, _)| *name == service) {
                    Some((_, spans)) => spans.push(span),
                    None => by_service.push((service, vec![span])),
                }
            }
        }
        ExportTraceServiceRequest {
            resource_spans: by_service
                .into_iter()
                .map(|(service, spans)| resource_spans(service, spans))
                .collect(),
        }
    }

    /// One trace through 3–8 services: a server span per hop, a client span
    /// per outgoing call, and database client spans.
    fn trace(&mut self, now_ns: u64) -> Vec<(&'static str, Span)> {
        let trace_id: [u8; 16] = self.rng.bytes();
        let start = now_ns - 2_000_000_000 - self.rng.below(1_000_000_000);
        let root = self.span(SpanPlan {
            trace_id: &trace_id,
            parent: None,
            service: "api-gateway",
            route: "GET /api/checkout",
            kind: 2,
            start,
            duration: 200_000_000,
        });
        let mut parents = vec![("api-gateway", root.span_id.clone())];
        let mut spans = vec![("api-gateway", root)];
        for hop in 0..3 + self.rng.below(6) {
            let (caller, parent_id) =
                parents[self.rng.below(parents.len() as u64) as usize].clone();
            let callees: Vec<_> = CALLS
                .iter()
                .filter(|(from, _, _)| *from == caller)
                .collect();
            // Leaves (the database, notifications) call nobody.
            if callees.is_empty() {
                continue;
            }
            let &(_, callee, route) = callees[self.rng.below(callees.len() as u64) as usize];
            let offset = start + 1_000_000 * (hop + 1);
            let duration = 1_000_000 + self.rng.below(80_000_000);
            let client = self.span(SpanPlan {
                trace_id: &trace_id,
                parent: Some(&parent_id),
                service: caller,
                route,
                kind: 3,
                start: offset,
                duration,
            });
            let server = self.span(SpanPlan {
                trace_id: &trace_id,
                parent: Some(&client.span_id),
                service: callee,
                route,
                kind: 2,
                start: offset + 200_000,
                duration: duration - 400_000,
            });
            parents.push((callee, server.span_id.clone()));
            spans.push((caller, client));
            spans.push((callee, server));
        }
        spans
    }

    fn span(&mut self, plan: SpanPlan<'_>) -> Span {
        let SpanPlan {
            trace_id,
            parent,
            service,
            route,
            kind,
            start,
            duration,
        } = plan;
        let failed = self.rng.chance(4);
        let status_code = if failed {
            500
        } else {
            [200, 200, 200, 201, 204][self.rng.below(5) as usize]
        };
        let (method, path) = route.split_once(' ').unwrap_or(("GET", route));
        let mut attributes = vec![
            kv("http.request.method", text(method)),
            kv("http.route", text(path)),
            kv("http.response.status_code", Value::IntValue(status_code)),
            kv(
                "url.path",
                text(path.replace("{id}", &self.rng.below(100_000).to_string())),
            ),
            kv("server.address", text(format!("{service}.internal"))),
            kv("server.port", Value::IntValue(8080)),
        ];
        let extra = [
            kv("network.protocol.version", text("1.1")),
            kv("user_agent.original", text("okhttp/4.12.0")),
            kv(
                "client.address",
                text(format!(
                    "10.0.{}.{}",
                    self.rng.below(256),
                    self.rng.below(256)
                )),
            ),
            kv(
                "enduser.id",
                text(format!("user-{}", self.rng.below(50_000))),
            ),
            kv("app.cart.items", Value::IntValue(self.rng.below(12) as i64)),
            kv("app.cache.hit", Value::BoolValue(self.rng.chance(70))),
            kv(
                "app.price",
                Value::DoubleValue(self.rng.below(100_000) as f64 / 100.0),
            ),
            kv("db.system", text("postgresql")),
            kv("db.statement", text("SELECT * FROM orders WHERE id = $1")),
        ];
        let take = self.rng.below(extra.len() as u64 + 1) as usize;
        attributes.extend(extra.into_iter().take(take));
        let events = if failed {
            vec![Event {
                time_unix_nano: start + duration / 2,
                name: "exception".into(),
                attributes: vec![
                    kv("exception.type", text("UpstreamError")),
                    kv("exception.message", text(format!("{route} failed"))),
                ],
                dropped_attributes_count: 0,
            }]
        } else {
            Vec::new()
        };
        Span {
            trace_id: trace_id.to_vec(),
            span_id: self.rng.bytes::<8>().to_vec(),
            parent_span_id: parent.cloned().unwrap_or_default(),
            name: route.into(),
            kind,
            start_time_unix_nano: start,
            end_time_unix_nano: start + duration,
            attributes,
            events,
            status: Some(Status {
                code: if failed { 2 } else { 0 },
                message: String::new(),
            }),
            ..Default::default()
        }
    }
}

/// What one span of a trace is: who, where in the trace, and when.
struct SpanPlan<'a> {
    trace_id: &'a [u8; 16],
    parent: Option<&'a Vec<u8>>,
    service: &'a str,
    route: &'a str,
    kind: i32,
    start: u64,
    duration: u64,
}

fn resource_spans(service: &str, spans: Vec<Span>) -> ResourceSpans {
    ResourceSpans {
        resource: Some(Resource {
            attributes: vec![
                kv("service.name", text(service)),
                kv("service.version", text("1.8.2")),
                kv("deployment.environment.name", text("loadgen")),
                kv("telemetry.sdk.name", text("opentelemetry")),
                kv("telemetry.sdk.language", text("rust")),
                kv("host.name", text(format!("{service}-0"))),
            ],
            ..Default::default()
        }),
        scope_spans: vec![ScopeSpans {
            scope: Some(InstrumentationScope {
                name: "watchpost-loadgen".into(),
                version: env!("CARGO_PKG_VERSION").into(),
                ..Default::default()
            }),
            spans,
            schema_url: String::new(),
        }],
        schema_url: String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_hold_whole_realistic_traces() {
        let mut fleet = Fleet::new(7);
        let request = fleet.request(500, 1_800_000_000_000_000_000);
        let spans: Vec<&Span> = request
            .resource_spans
            .iter()
            .flat_map(|r| r.scope_spans.iter().flat_map(|s| s.spans.iter()))
            .collect();
        assert!(spans.len() >= 500);
        assert!(request.resource_spans.len() >= 3, "several services");
        for span in &spans {
            assert!(
                (6..=15).contains(&span.attributes.len()),
                "{}",
                span.attributes.len()
            );
            assert!(span.end_time_unix_nano >= span.start_time_unix_nano);
        }
        assert!(
            spans.iter().any(|s| !s.events.is_empty()),
            "some errors with events"
        );
    }
}
