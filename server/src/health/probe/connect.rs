//! Name resolution and TCP connects with errors that say what went wrong, in
//! words fit for a probe result. The HTTP client resolves through
//! [`SystemResolver`] and the gRPC client connects through [`connect_tcp`], so
//! a DNS failure reads the same whichever kind of check hit it.

use std::io;
use std::net::SocketAddr;

use tokio::net::TcpStream;

/// Why a TCP connection could not be made.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error("invalid target {target:?}: expected host:port")]
    InvalidTarget { target: String },
    #[error("DNS lookup failed for {host}: {source}")]
    DnsLookupFailed {
        host: String,
        #[source]
        source: io::Error,
    },
    #[error("DNS lookup for {host} returned no addresses")]
    NoAddresses { host: String },
    #[error("connection refused")]
    Refused { addr: SocketAddr },
    #[error("connection to {addr} failed: {source}")]
    Failed {
        addr: SocketAddr,
        #[source]
        source: io::Error,
    },
}

/// Splits `host:port`, including the bracketed IPv6 form `[::1]:80`.
pub fn split_host_port(target: &str) -> Result<(&str, u16), ConnectError> {
    let invalid = || ConnectError::InvalidTarget {
        target: target.to_owned(),
    };
    let (host, port) = match target.strip_prefix('[') {
        Some(rest) => rest.split_once("]:").ok_or_else(invalid)?,
        None => target.rsplit_once(':').ok_or_else(invalid)?,
    };
    // A bare IPv6 address without brackets would split at its last colon.
    if host.is_empty() || (host.contains(':') && !target.starts_with('[')) {
        return Err(invalid());
    }
    let port = port.parse::<u16>().map_err(|_| invalid())?;
    Ok((host, port))
}

/// Resolves `host` (a name or an IP literal) to socket addresses.
pub async fn resolve(host: &str, port: u16) -> Result<Vec<SocketAddr>, ConnectError> {
    let addrs: Vec<SocketAddr> = tokio::net::lookup_host((host, port))
        .await
        .map_err(|source| ConnectError::DnsLookupFailed {
            host: host.to_owned(),
            source,
        })?
        .collect();
    if addrs.is_empty() {
        return Err(ConnectError::NoAddresses {
            host: host.to_owned(),
        });
    }
    Ok(addrs)
}

/// Connects to the first address of `host` that accepts. Addresses are tried
/// in turn, so `localhost` works whether the target listens on IPv4 or IPv6;
/// the last failure is the one reported.
pub async fn connect_tcp(host: &str, port: u16) -> Result<TcpStream, ConnectError> {
    let mut last_error = None;
    for addr in resolve(host, port).await? {
        match TcpStream::connect(addr).await {
            Ok(stream) => {
                // Probes send one small request and wait; Nagle only adds delay.
                let _ = stream.set_nodelay(true);
                return Ok(stream);
            }
            Err(source) if source.kind() == io::ErrorKind::ConnectionRefused => {
                last_error = Some(ConnectError::Refused { addr });
            }
            Err(source) => last_error = Some(ConnectError::Failed { addr, source }),
        }
    }
    Err(last_error.unwrap_or_else(|| ConnectError::NoAddresses {
        host: host.to_owned(),
    }))
}

/// reqwest's resolver hook, so HTTP checks report DNS failures as
/// [`ConnectError::DnsLookupFailed`] rather than hyper's bare "dns error".
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemResolver;

impl reqwest::dns::Resolve for SystemResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let host = name.as_str().to_owned();
        Box::pin(async move {
            // reqwest fills in the port after resolving.
            let addrs = resolve(&host, 0).await?;
            let addrs: reqwest::dns::Addrs = Box::new(addrs.into_iter());
            Ok(addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_host_and_port() {
        assert_eq!(split_host_port("db:5432").ok(), Some(("db", 5432)));
        assert_eq!(split_host_port("[::1]:80").ok(), Some(("::1", 80)));
    }

    #[test]
    fn rejects_targets_without_a_usable_port() {
        for target in ["db", "db:", "db:http", ":80", "::1:80", "[::1]", "db:70000"] {
            assert!(split_host_port(target).is_err(), "{target} accepted");
        }
    }
}
