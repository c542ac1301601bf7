//! The demo fleet's requests as OTLP spans. Three user journeys enter at
//! api-gateway and fan out through the services to PostgreSQL and Redis,
//! which (like real managed databases) send no spans of their own: the
//! callers' client spans name them.
//!
//! A hop's duration is its own work plus its calls, one after another, so
//! a slow order shows in the gateway's latency too; a failure travels up to
//! every caller, as a 500 does.

use opentelemetry_proto::tonic::common::v1::{KeyValue, any_value::Value};
use opentelemetry_proto::tonic::trace::v1::span::{Event, SpanKind};
use opentelemetry_proto::tonic::trace::v1::{Span, Status, status::StatusCode};

use super::scenario::{BACKGROUND_FAILURE_RATIO, Conditions};
use crate::loadgen::fleet::{Rng, kv};

/// One service's part in a request: its route, and whom it calls.
pub struct Hop {
    pub service: &'static str,
    pub method: &'static str,
    pub route: &'static str,
    pub calls: &'static [Call],
}

/// Something a hop calls.
pub enum Call {
    Service(&'static Hop),
    /// A database or cache without spans of its own.
    Store {
        system: &'static str,
        namespace: &'static str,
        operation: &'static str,
        statement: &'static str,
    },
}

const POSTGRES_USERS: Call = Call::Store {
    system: "postgresql",
    namespace: "shop",
    operation: "SELECT users",
    statement: "SELECT id, name, email FROM users WHERE id = $1",
};
const POSTGRES_ORDERS: Call = Call::Store {
    system: "postgresql",
    namespace: "shop",
    operation: "INSERT orders",
    statement: "INSERT INTO orders (user_id, total) VALUES ($1, $2)",
};
const POSTGRES_ACCOUNTS: Call = Call::Store {
    system: "postgresql",
    namespace: "shop",
    operation: "UPDATE accounts",
    statement: "UPDATE accounts SET balance = balance - $1 WHERE id = $2",
};
const REDIS_SESSION: Call = Call::Store {
    system: "redis",
    namespace: "cache",
    operation: "GET",
    statement: "GET session:*",
};
const REDIS_QUEUE: Call = Call::Store {
    system: "redis",
    namespace: "cache",
    operation: "LPUSH",
    statement: "LPUSH notifications *",
};

static AUTH_VERIFY: Hop = Hop {
    service: "auth-service",
    method: "POST",
    route: "/auth/verify",
    calls: &[REDIS_SESSION],
};
static DB_USERS: Hop = Hop {
    service: "database-service",
    method: "POST",
    route: "/query/users",
    calls: &[POSTGRES_USERS],
};
static DB_ORDERS: Hop = Hop {
    service: "database-service",
    method: "POST",
    route: "/query/orders",
    calls: &[POSTGRES_ORDERS],
};
static DB_ACCOUNTS: Hop = Hop {
    service: "database-service",
    method: "POST",
    route: "/query/accounts",
    calls: &[POSTGRES_ACCOUNTS],
};
static USER_GET: Hop = Hop {
    service: "user-service",
    method: "GET",
    route: "/users/{id}",
    calls: &[Call::Service(&DB_USERS)],
};
static PAYMENT_CHARGE: Hop = Hop {
    service: "payment-service",
    method: "POST",
    route: "/payments",
    calls: &[Call::Service(&DB_ACCOUNTS)],
};
static NOTIFY: Hop = Hop {
    service: "notification-service",
    method: "POST",
    route: "/notify",
    calls: &[REDIS_QUEUE],
};
static ORDER_CREATE: Hop = Hop {
    service: "order-service",
    method: "POST",
    route: "/orders",
    calls: &[
        Call::Service(&DB_ORDERS),
        Call::Service(&PAYMENT_CHARGE),
        Call::Service(&NOTIFY),
    ],
};
static ORDER_GET: Hop = Hop {
    service: "order-service",
    method: "GET",
    route: "/orders/{id}",
    calls: &[REDIS_SESSION, Call::Service(&DB_ORDERS)],
};

/// The journeys, each with its share of the traffic in percent.
static JOURNEYS: [(u64, Hop); 3] = [
    (
        40,
        Hop {
            service: "api-gateway",
            method: "GET",
            route: "/api/users/{id}",
            calls: &[Call::Service(&AUTH_VERIFY), Call::Service(&USER_GET)],
        },
    ),
    (
        35,
        Hop {
            service: "api-gateway",
            method: "POST",
            route: "/api/orders",
            calls: &[Call::Service(&AUTH_VERIFY), Call::Service(&ORDER_CREATE)],
        },
    ),
    (
        25,
        Hop {
            service: "api-gateway",
            method: "GET",
            route: "/api/orders/{id}",
            calls: &[Call::Service(&AUTH_VERIFY), Call::Service(&ORDER_GET)],
        },
    ),
];

/// Every service of the fleet, callers first.
pub const SERVICES: [&str; 7] = [
    "api-gateway",
    "auth-service",
    "user-service",
    "order-service",
    "payment-service",
    "notification-service",
    "database-service",
];

/// Whom `service` calls in any journey, in the order it first does: the
/// dependencies its health endpoint reports (stores by their system).
pub fn callees(service: &str) -> Vec<&'static str> {
    fn walk(hop: &Hop, service: &str, found: &mut Vec<&'static str>) {
        for call in hop.calls {
            let callee = match call {
                Call::Service(callee) => {
                    walk(callee, service, found);
                    callee.service
                }
                Call::Store { system, .. } => system,
            };
            if hop.service == service && !found.contains(&callee) {
                found.push(callee);
            }
        }
    }
    let mut found = Vec::new();
    for (_, journey) in &JOURNEYS {
        walk(journey, service, &mut found);
    }
    found
}

/// Makes traces under the conditions of the moment.
pub struct TraceMaker {
    rng: Rng,
}

/// A finished hop: its spans (by service) and how it went.
struct Outcome {
    duration_ns: u64,
    failed: bool,
}

impl TraceMaker {
    pub fn new(seed: u64) -> TraceMaker {
        TraceMaker {
            rng: Rng::new(seed),
        }
    }

    /// One whole trace that ended at or before `now_ns`, as (service, span).
    pub fn trace(&mut self, conditions: &Conditions, now_ns: u64) -> Vec<(&'static str, Span)> {
        let pick = self.rng.below(100);
        let mut threshold = 0;
        let journey = JOURNEYS
            .iter()
            .find(|(share, _)| {
                threshold += share;
                pick < threshold
            })
            .map_or(&JOURNEYS[0].1, |(_, hop)| hop);
        let trace_id: [u8; 16] = self.rng.bytes();
        let mut spans = Vec::new();
        // Durations are known only once the children are made, so the
        // trace is built from a start of zero and moved into place after.
        let outcome = self.hop(journey, &trace_id, None, 0, conditions, &mut spans);
        let start = now_ns.saturating_sub(outcome.duration_ns + self.rng.below(900_000_000));
        for (_, span) in &mut spans {
            span.start_time_unix_nano += start;
            span.end_time_unix_nano += start;
        }
        spans
    }

    /// The server span of `hop` (starting at `start` ns), its calls, and
    /// their client spans.
    fn hop(
        &mut self,
        hop: &Hop,
        trace_id: &[u8; 16],
        parent: Option<&[u8]>,
        start: u64,
        conditions: &Conditions,
        spans: &mut Vec<(&'static str, Span)>,
    ) -> Outcome {
        let span_id: [u8; 8] = self.rng.bytes();
        let mut cursor = start + self.work_ns(hop.service, conditions) / 2;
        let mut failed = self.fails(hop.service, conditions);
        for call in hop.calls {
            let gap = 100_000 + self.rng.below(400_000);
            let client_id: [u8; 8] = self.rng.bytes();
            let client_start = cursor + gap;
            let (name, attributes, outcome) = match call {
                Call::Service(callee) => {
                    let outcome = self.hop(
                        callee,
                        trace_id,
                        Some(&client_id),
                        client_start + 150_000,
                        conditions,
                        spans,
                    );
                    let outcome = Outcome {
                        duration_ns: outcome.duration_ns + 300_000,
                        ..outcome
                    };
                    let attributes = vec![
                        text("http.request.method", callee.method),
                        text("http.route", callee.route),
                        text("server.address", callee.service),
                        int("server.port", 8080),
                        int("http.response.status_code", status_code(outcome.failed)),
                    ];
                    (
                        format!("{} {}", callee.method, callee.route),
                        attributes,
                        outcome,
                    )
                }
                Call::Store {
                    system,
                    namespace,
                    operation,
                    statement,
                } => {
                    let outcome = Outcome {
                        duration_ns: 300_000 + self.rng.below(3_000_000),
                        failed: false,
                    };
                    let attributes = vec![
                        text("db.system", system),
                        text("db.namespace", namespace),
                        text("db.operation.name", operation),
                        text("db.query.text", statement),
                        text("server.address", system),
                    ];
                    (operation.to_string(), attributes, outcome)
                }
            };
            failed |= outcome.failed;
            let client = span(SpanParts {
                trace_id,
                span_id: &client_id,
                parent: Some(&span_id),
                name,
                kind: SpanKind::Client,
                start: client_start,
                duration: outcome.duration_ns,
                failed: outcome.failed,
                attributes,
            });
            spans.push((hop.service, client));
            cursor = client_start + outcome.duration_ns;
        }
        let end = cursor + self.work_ns(hop.service, conditions) / 2;
        let server = span(SpanParts {
            trace_id,
            span_id: &span_id,
            parent,
            name: format!("{} {}", hop.method, hop.route),
            kind: SpanKind::Server,
            start,
            duration: end - start,
            failed,
            attributes: vec![
                text("http.request.method", hop.method),
                text("http.route", hop.route),
                text(
                    "url.path",
                    &hop.route
                        .replace("{id}", &self.rng.below(90_000).to_string()),
                ),
                int("http.response.status_code", status_code(failed)),
                text("enduser.id", &format!("user-{}", self.rng.below(5_000))),
            ],
        });
        spans.push((hop.service, server));
        Outcome {
            duration_ns: end - start,
            failed,
        }
    }

    /// A hop's own work in ns: a few milliseconds, or seconds for an order
    /// while orders are slow.
    fn work_ns(&mut self, service: &str, conditions: &Conditions) -> u64 {
        if service == "order-service" && conditions.orders_slow {
            return 2_200_000_000 + self.rng.below(1_200_000_000);
        }
        2_000_000 + self.rng.below(18_000_000)
    }

    fn fails(&mut self, service: &str, conditions: &Conditions) -> bool {
        let ratio = if service == "payment-service" {
            conditions.payment_failure_ratio
        } else {
            BACKGROUND_FAILURE_RATIO
        };
        (self.rng.below(100_000) as f64) < ratio * 100_000.0
    }
}

fn status_code(failed: bool) -> i64 {
    if failed { 500 } else { 200 }
}

/// Everything one span needs.
struct SpanParts<'a> {
    trace_id: &'a [u8; 16],
    span_id: &'a [u8; 8],
    parent: Option<&'a [u8]>,
    name: String,
    kind: SpanKind,
    start: u64,
    duration: u64,
    failed: bool,
    attributes: Vec<KeyValue>,
}

fn span(parts: SpanParts<'_>) -> Span {
    let events = if parts.failed {
        vec![Event {
            time_unix_nano: parts.start + parts.duration / 2,
            name: "exception".into(),
            attributes: vec![
                text("exception.type", "UpstreamError"),
                text(
                    "exception.message",
                    &format!("{} failed: card processor timed out", parts.name),
                ),
            ],
            dropped_attributes_count: 0,
        }]
    } else {
        Vec::new()
    };
    Span {
        trace_id: parts.trace_id.to_vec(),
        span_id: parts.span_id.to_vec(),
        parent_span_id: parts.parent.map(<[u8]>::to_vec).unwrap_or_default(),
        name: parts.name,
        kind: parts.kind as i32,
        start_time_unix_nano: parts.start,
        end_time_unix_nano: parts.start + parts.duration,
        attributes: parts.attributes,
        events,
        status: Some(Status {
            code: if parts.failed {
                StatusCode::Error as i32
            } else {
                StatusCode::Unset as i32
            },
            message: String::new(),
        }),
        ..Default::default()
    }
}

/// A string attribute.
pub fn text(key: &str, value: &str) -> KeyValue {
    kv(key, Value::StringValue(value.into()))
}

fn int(key: &str, value: i64) -> KeyValue {
    kv(key, Value::IntValue(value))
}

#[cfg(test)]
#[path = "traces_tests.rs"]
mod tests;
