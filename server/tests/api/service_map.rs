//! Service-map edges from the loadgen's fleet: the topology and the call
//! counts match what was sent.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use app::model::map::NodeKind;
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::common::v1::any_value::Value;
use prost::Message;
use server::loadgen::fleet::Fleet;

use crate::helpers::{TestApp, TestDatabase, config_with, spawn_app_with};
use crate::ingest_http::{PROTOBUF, now_ns, post, ready_app};
use crate::rollups::database_of;

type Edges = BTreeMap<(String, String), u64>;

fn service_of(resource: &opentelemetry_proto::tonic::resource::v1::Resource) -> String {
    resource
        .attributes
        .iter()
        .find(|a| a.key == "service.name")
        .and_then(|a| match a.value.as_ref()?.value.as_ref()? {
            Value::StringValue(name) => Some(name.clone()),
            _ => None,
        })
        .unwrap_or_default()
}

/// Client span → the service of its server child, counted.
fn expected_edges(requests: &[ExportTraceServiceRequest]) -> Edges {
    let mut clients = BTreeMap::new();
    let mut servers = Vec::new();
    for request in requests {
        for resource_spans in &request.resource_spans {
            let service = service_of(resource_spans.resource.as_ref().unwrap());
            for span in resource_spans.scope_spans.iter().flat_map(|s| &s.spans) {
                match span.kind {
                    3 => {
                        clients.insert(span.span_id.clone(), service.clone());
                    }
                    2 if !span.parent_span_id.is_empty() => {
                        servers.push((span.parent_span_id.clone(), service.clone()))
                    }
                    _ => {}
                }
            }
        }
    }
    let mut edges = Edges::new();
    for (parent, callee) in servers {
        if let Some(caller) = clients.get(&parent) {
            *edges.entry((caller.clone(), callee)).or_default() += 1;
        }
    }
    edges
}

async fn stored_edges(app: &TestApp, total: u64) -> Edges {
    let db = database_of(app);
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let edges = db.edges(0, i64::MAX).await.unwrap();
        let found: Edges = edges
            .iter()
            .map(|e| {
                assert_eq!(e.callee.kind, NodeKind::Service);
                assert_eq!(e.server_calls, e.client.requests, "both sides known");
                ((e.caller.clone(), e.callee.name.clone()), e.client.requests)
            })
            .collect();
        if found.values().sum::<u64>() >= total || Instant::now() > deadline {
            db.close().await;
            return found;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

#[tokio::test]
async fn the_fleet_topology_and_call_counts_come_out_of_its_spans() {
    let app = ready_app().await;
    let mut fleet = Fleet::new(42);
    let requests: Vec<_> = (0..4).map(|_| fleet.request(200, now_ns())).collect();
    for request in &requests {
        let response = post(&app, true, PROTOBUF, false, request.encode_to_vec()).await;
        assert_eq!(response.status(), 200);
    }
    let expected = expected_edges(&requests);
    assert!(
        expected.len() >= 5,
        "the fleet has many edges: {expected:?}"
    );
    let found = stored_edges(&app, expected.values().sum()).await;
    assert_eq!(found, expected);
    assert!(found.contains_key(&("api-gateway".to_owned(), "order-service".to_owned())));
    assert!(found.contains_key(&("order-service".to_owned(), "payment-service".to_owned())));
}

/// Two servers on one database, each ingesting half of every trace's
/// services, as behind a load balancer: the calls between the halves
/// still pair, through the facts the replicas share.
#[tokio::test]
async fn calls_split_across_two_replicas_still_pair() {
    let database = TestDatabase::create().await;
    let config = || config_with(&database.url, &["--map-caller-grace", "4s"]);
    let first = spawn_app_with(config()).await;
    let mut second = spawn_app_with(config()).await;
    first.wait_until_ready(Duration::from_secs(20)).await;
    second.wait_until_ready(Duration::from_secs(20)).await;
    // Both must have seen each other before they start sharing.
    tokio::time::sleep(Duration::from_secs(3)).await;

    let mut fleet = Fleet::new(7);
    let requests: Vec<_> = (0..3).map(|_| fleet.request(100, now_ns())).collect();
    for request in &requests {
        let (mut even, mut odd) = (request.clone(), request.clone());
        even.resource_spans = request.resource_spans.iter().step_by(2).cloned().collect();
        odd.resource_spans = request
            .resource_spans
            .iter()
            .skip(1)
            .step_by(2)
            .cloned()
            .collect();
        for (app, half) in [(&first, even), (&second, odd)] {
            let response = post(app, true, PROTOBUF, false, half.encode_to_vec()).await;
            assert_eq!(response.status(), 200);
        }
    }
    let expected = expected_edges(&requests);
    second.database = Some(database);
    let found = stored_edges(&second, expected.values().sum()).await;
    assert_eq!(found, expected);
    let metrics = first.get("/metrics").await.text().await.unwrap();
    let shared_line = metrics
        .lines()
        .find(|l| l.starts_with("watchpost_map_spans_total{outcome=\"shared\"}"))
        .expect("shared outcome exported");
    assert_ne!(shared_line.rsplit(' ').next(), Some("0"), "{shared_line}");
}
