//! Who an uninstrumented downstream is, from its caller's client span:
//! `peer.service`, a database (`db.system` with its name or address), a
//! messaging system, `server.address:port`, or the host of an HTTP URL.

use super::attributes::{Attribute, AttributeValue, find_str};
use super::map::{NodeKind, NodeRef};

/// Caches, which the semantic conventions file under `db.system`.
const CACHE_SYSTEMS: [&str; 3] = ["redis", "memcached", "valkey"];

/// The node a client span calls, when its attributes say. Checked in order
/// of how specific each convention is.
pub fn peer_of(attributes: &[Attribute]) -> Option<NodeRef> {
    if let Some(service) = non_empty(find_str(attributes, "peer.service")) {
        return Some(node(service.to_owned(), NodeKind::Service));
    }
    if let Some(system) = non_empty(find_str(attributes, "db.system.name"))
        .or_else(|| non_empty(find_str(attributes, "db.system")))
    {
        let kind = if CACHE_SYSTEMS.contains(&system) {
            NodeKind::Cache
        } else {
            NodeKind::Database
        };
        let database = non_empty(find_str(attributes, "db.namespace"))
            .or_else(|| non_empty(find_str(attributes, "db.name")))
            .map(str::to_owned)
            .or_else(|| address(attributes));
        let name = match database {
            Some(database) => format!("{system} {database}"),
            None => system.to_owned(),
        };
        return Some(node(name, kind));
    }
    if let Some(system) = non_empty(find_str(attributes, "messaging.system")) {
        let name = match non_empty(find_str(attributes, "messaging.destination.name")) {
            Some(destination) => format!("{system} {destination}"),
            None => system.to_owned(),
        };
        return Some(node(name, NodeKind::Queue));
    }
    if let Some(address) = address(attributes) {
        return Some(node(address, NodeKind::External));
    }
    let url = non_empty(find_str(attributes, "url.full"))
        .or_else(|| non_empty(find_str(attributes, "http.url")))?;
    url_host(url).map(|host| node(host.to_owned(), NodeKind::External))
}

fn node(name: String, kind: NodeKind) -> NodeRef {
    NodeRef { name, kind }
}

fn non_empty(value: Option<&str>) -> Option<&str> {
    value.map(str::trim).filter(|v| !v.is_empty())
}

/// `server.address[:server.port]` (or the older `net.peer.name`).
fn address(attributes: &[Attribute]) -> Option<String> {
    let host = non_empty(find_str(attributes, "server.address"))
        .or_else(|| non_empty(find_str(attributes, "net.peer.name")))?;
    let port = attributes
        .iter()
        .find(|a| a.key == "server.port" || a.key == "net.peer.port")
        .and_then(|a| match &a.value {
            AttributeValue::Int(port) => Some(*port),
            AttributeValue::String(port) => port.parse().ok(),
            _ => None,
        });
    Some(match port {
        Some(port) => format!("{host}:{port}"),
        None => host.to_owned(),
    })
}

/// The host (and port) of `scheme://user@host:port/path`.
/// Where a service's health endpoint probably is, from the attributes of
/// a span it served: the scheme and authority of `url.full`, or
/// `server.address[:server.port]` with `url.scheme`, and `/health`.
pub fn health_url_suggestion(attributes: &[Attribute]) -> Option<String> {
    if let Some(url) = non_empty(find_str(attributes, "url.full")) {
        let (scheme, rest) = url.split_once("://")?;
        let authority = rest.split(['/', '?', '#']).next()?;
        // Credentials never go into a suggested URL.
        let authority = authority.rsplit_once('@').map_or(authority, |(_, a)| a);
        return non_empty(Some(authority)).map(|a| format!("{scheme}://{a}/health"));
    }
    let address = address(attributes)?;
    let scheme = non_empty(find_str(attributes, "url.scheme")).unwrap_or("http");
    Some(format!("{scheme}://{address}/health"))
}

fn url_host(url: &str) -> Option<&str> {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let authority = rest.split(['/', '?', '#']).next()?;
    let host = authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host);
    non_empty(Some(host))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn health_urls_are_suggested_from_served_spans() {
        let full = [text(
            "url.full",
            "https://user:pw@orders.internal:8443/api/items?id=1",
        )];
        assert_eq!(
            health_url_suggestion(&full).as_deref(),
            Some("https://orders.internal:8443/health")
        );
        let parts = [
            text("server.address", "users"),
            Attribute {
                key: "server.port".to_owned(),
                value: AttributeValue::Int(8080),
            },
        ];
        assert_eq!(
            health_url_suggestion(&parts).as_deref(),
            Some("http://users:8080/health")
        );
        assert_eq!(health_url_suggestion(&[text("http.route", "/x")]), None);
    }

    fn text(key: &str, value: &str) -> Attribute {
        Attribute::new(key, AttributeValue::String(value.into()))
    }

    #[test]
    fn each_convention_names_its_peer() {
        let cases: Vec<(Vec<Attribute>, &str, NodeKind)> = vec![
            (
                vec![text("peer.service", "billing")],
                "billing",
                NodeKind::Service,
            ),
            (
                vec![text("db.system", "postgresql"), text("db.name", "orders")],
                "postgresql orders",
                NodeKind::Database,
            ),
            (
                vec![
                    text("db.system", "redis"),
                    text("server.address", "cache-1"),
                ],
                "redis cache-1",
                NodeKind::Cache,
            ),
            (
                vec![
                    text("messaging.system", "kafka"),
                    text("messaging.destination.name", "orders"),
                ],
                "kafka orders",
                NodeKind::Queue,
            ),
            (
                vec![
                    text("server.address", "api.stripe.com"),
                    Attribute::new("server.port", AttributeValue::Int(443)),
                ],
                "api.stripe.com:443",
                NodeKind::External,
            ),
            (
                vec![text(
                    "url.full",
                    "https://user@maps.example.org:8443/v1?q=1",
                )],
                "maps.example.org:8443",
                NodeKind::External,
            ),
        ];
        for (attributes, name, kind) in cases {
            assert_eq!(
                peer_of(&attributes),
                Some(node(name.into(), kind)),
                "{name}"
            );
        }
    }

    #[test]
    fn nothing_known_is_no_peer() {
        assert_eq!(peer_of(&[text("http.route", "/x")]), None);
        assert_eq!(peer_of(&[text("peer.service", "  ")]), None);
    }
}
