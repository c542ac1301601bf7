//! Failed-login counting per username and per client address.
//!
//! In memory, per process: with several replicas an attacker gets each
//! replica's allowance, which still turns millions of guesses into
//! hundreds. Moving the counters to PostgreSQL is the upgrade path if that
//! is not enough.

use std::collections::HashMap;
use std::hash::Hash;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Failures allowed per window before answering 429.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub per_username: u32,
    pub per_address: u32,
    pub window: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            per_username: 10,
            per_address: 50,
            window: Duration::from_secs(15 * 60),
        }
    }
}

/// Beyond this many tracked keys, expired ones are swept on the next
/// failure, so a spray of random usernames cannot grow memory for ever.
const SWEEP_ABOVE: usize = 10_000;

#[derive(Debug, Clone, Copy)]
struct Window {
    started: Instant,
    failures: u32,
}

#[derive(Default)]
struct Counters {
    usernames: HashMap<String, Window>,
    addresses: HashMap<IpAddr, Window>,
}

pub struct LoginLimiter {
    limits: Limits,
    counters: Mutex<Counters>,
}

impl LoginLimiter {
    pub fn new(limits: Limits) -> LoginLimiter {
        LoginLimiter {
            limits,
            counters: Mutex::default(),
        }
    }

    /// `Err(retry_after)` when this username or address has failed too often.
    pub fn check(&self, username: &str, address: IpAddr, now: Instant) -> Result<(), Duration> {
        let counters = self.lock();
        let window = self.limits.window;
        let blocked = |entry: Option<&Window>, limit: u32| {
            entry
                .filter(|w| now < w.started + window && w.failures >= limit)
                .map(|w| w.started + window - now)
        };
        let by_name = blocked(
            counters.usernames.get(&username.to_lowercase()),
            self.limits.per_username,
        );
        let by_address = blocked(counters.addresses.get(&address), self.limits.per_address);
        match by_name.into_iter().chain(by_address).max() {
            Some(wait) => Err(wait),
            None => Ok(()),
        }
    }

    pub fn record_failure(&self, username: &str, address: IpAddr, now: Instant) {
        let window = self.limits.window;
        let mut counters = self.lock();
        bump(
            &mut counters.usernames,
            username.to_lowercase(),
            now,
            window,
        );
        bump(&mut counters.addresses, address, now, window);
    }

    /// A successful login clears the username's count (not the address's:
    /// one good password must not reset a spray from the same address).
    pub fn record_success(&self, username: &str) {
        self.lock().usernames.remove(&username.to_lowercase());
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Counters> {
        // The counters stay consistent even if a holder panicked.
        self.counters
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

fn bump<K: Eq + Hash>(map: &mut HashMap<K, Window>, key: K, now: Instant, window: Duration) {
    if map.len() > SWEEP_ABOVE {
        map.retain(|_, w| now < w.started + window);
    }
    let entry = map.entry(key).or_insert(Window {
        started: now,
        failures: 0,
    });
    if now >= entry.started + window {
        *entry = Window {
            started: now,
            failures: 0,
        };
    }
    entry.failures += 1;
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOME: IpAddr = IpAddr::V4(std::net::Ipv4Addr::LOCALHOST);

    #[test]
    fn blocks_a_username_after_its_limit_until_the_window_ends() {
        let limiter = LoginLimiter::new(Limits {
            per_username: 3,
            per_address: 100,
            window: Duration::from_secs(60),
        });
        let t0 = Instant::now();
        for _ in 0..3 {
            assert!(limiter.check("Alice", HOME, t0).is_ok());
            limiter.record_failure("Alice", HOME, t0);
        }
        let wait = limiter
            .check("alice", HOME, t0 + Duration::from_secs(10))
            .unwrap_err();
        assert_eq!(wait, Duration::from_secs(50));
        assert!(
            limiter.check("bob", HOME, t0).is_ok(),
            "others are not blocked"
        );
        assert!(
            limiter
                .check("alice", HOME, t0 + Duration::from_secs(61))
                .is_ok()
        );
    }

    #[test]
    fn blocks_an_address_across_usernames_and_success_does_not_reset_it() {
        let limiter = LoginLimiter::new(Limits {
            per_username: 100,
            per_address: 2,
            window: Duration::from_secs(60),
        });
        let t0 = Instant::now();
        limiter.record_failure("a", HOME, t0);
        limiter.record_failure("b", HOME, t0);
        limiter.record_success("b");
        assert!(limiter.check("c", HOME, t0).is_err());
    }
}
