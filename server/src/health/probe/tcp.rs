//! TCP checks: healthy when `host:port` accepts a connection in time.

use super::connect::{connect_tcp, split_host_port};
use super::finding::Finding;

pub async fn probe_tcp(target: &str) -> Finding {
    let (host, port) = match split_host_port(target) {
        Ok(host_port) => host_port,
        Err(error) => return Finding::unreachable(error.to_string()),
    };
    match connect_tcp(host, port).await {
        // Dropping the stream closes it: the connect was the whole check.
        Ok(_stream) => Finding::healthy(),
        Err(error) => Finding::unreachable(error.to_string()),
    }
}
