//! The demo's scripted incident cycle: a pure function of the time since the
//! cycle began, so the traffic, the metrics and the health endpoints agree
//! on what is going wrong, and tests can ask what happens when.
//!
//! One cycle, as fractions of its length:
//!
//! | from | to   | what                                                     |
//! |------|------|----------------------------------------------------------|
//! | 0    | 0.15 | calm                                                     |
//! | 0.15 | 0.45 | payment-service fails 30 % of its requests              |
//! | 0.20 | 0.45 | order-service takes 2.2–3.4 s per order                  |
//! | 0.20 | 0.35 | notification-service memory climbs from 55 % to 93 %     |
//! | 0.35 | 0.45 | … and stays there, until a restart at 0.45 drops it      |
//! | 0.25 | 0.45 | database-service stops answering its health check        |
//! | 0.45 | 1    | calm: the alerts resolve before the next cycle           |
//!
//! The calm tail is more than half the cycle because error-rate and latency
//! alerts read minute rollups over a one-minute window: they need up to two
//! minutes of clean data to resolve.

use std::time::Duration;

/// The incidents, in the order the cycle starts them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Incident {
    PaymentErrors,
    OrderLatency,
    NotificationMemory,
    DatabaseDown,
}

impl Incident {
    pub const ALL: [Incident; 4] = [
        Incident::PaymentErrors,
        Incident::OrderLatency,
        Incident::NotificationMemory,
        Incident::DatabaseDown,
    ];

    /// When it is on, as fractions of the cycle.
    fn span(self) -> (f64, f64) {
        match self {
            Incident::PaymentErrors => (0.15, 0.45),
            Incident::OrderLatency => (0.20, 0.45),
            Incident::NotificationMemory => (0.20, 0.45),
            Incident::DatabaseDown => (0.25, 0.45),
        }
    }

    /// For the log, so people watching the demo know what to look for.
    pub fn describe(self) -> &'static str {
        match self {
            Incident::PaymentErrors => "payment-service errors rise above 5 %",
            Incident::OrderLatency => "order-service latency goes above 2 s",
            Incident::NotificationMemory => "notification-service memory climbs past 80 %",
            Incident::DatabaseDown => "database-service stops answering its health check",
        }
    }
}

/// Memory of notification-service when nothing is wrong, and at the peak.
const MEMORY_CALM: f64 = 0.55;
const MEMORY_PEAK: f64 = 0.93;
/// Where the climb reaches its peak, as a fraction of the cycle.
const MEMORY_PEAK_AT: f64 = 0.35;
/// Just after the restart that ends the memory incident.
const MEMORY_AFTER_RESTART: f64 = 0.42;

/// Payment failures during the incident, and the background failure rate
/// every service has.
pub const PAYMENT_FAILURE_RATIO: f64 = 0.30;
pub const BACKGROUND_FAILURE_RATIO: f64 = 0.003;

/// What is wrong at one moment.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Conditions {
    /// The share of payment-service requests that fail.
    pub payment_failure_ratio: f64,
    /// order-service is slow (seconds per order).
    pub orders_slow: bool,
    /// notification-service memory utilisation, 0..1.
    pub notification_memory: f64,
    /// database-service does not answer its health endpoint.
    pub database_down: bool,
}

impl Conditions {
    pub fn is_on(&self, incident: Incident) -> bool {
        match incident {
            Incident::PaymentErrors => self.payment_failure_ratio > BACKGROUND_FAILURE_RATIO,
            Incident::OrderLatency => self.orders_slow,
            Incident::NotificationMemory => self.notification_memory > 0.8,
            Incident::DatabaseDown => self.database_down,
        }
    }
}

/// The cycle, of a given length.
#[derive(Debug, Clone, Copy)]
pub struct Scenario {
    cycle: Duration,
}

impl Scenario {
    pub fn new(cycle: Duration) -> Scenario {
        Scenario {
            cycle: cycle.max(Duration::from_secs(1)),
        }
    }

    pub fn cycle(&self) -> Duration {
        self.cycle
    }

    /// Where in its cycle `elapsed` falls, 0..1.
    fn position(&self, elapsed: Duration) -> f64 {
        let cycle = self.cycle.as_secs_f64();
        (elapsed.as_secs_f64() % cycle) / cycle
    }

    fn on(&self, incident: Incident, elapsed: Duration) -> bool {
        let (from, to) = incident.span();
        (from..to).contains(&self.position(elapsed))
    }

    /// What is wrong `elapsed` after the demo started.
    pub fn at(&self, elapsed: Duration) -> Conditions {
        Conditions {
            payment_failure_ratio: if self.on(Incident::PaymentErrors, elapsed) {
                PAYMENT_FAILURE_RATIO
            } else {
                BACKGROUND_FAILURE_RATIO
            },
            orders_slow: self.on(Incident::OrderLatency, elapsed),
            notification_memory: self.memory_at(self.position(elapsed)),
            database_down: self.on(Incident::DatabaseDown, elapsed),
        }
    }

    /// A leak: a straight climb to the peak, a plateau, a restart, and the
    /// slow rise back to the usual level.
    fn memory_at(&self, position: f64) -> f64 {
        let (start, end) = Incident::NotificationMemory.span();
        if (start..MEMORY_PEAK_AT).contains(&position) {
            let progress = (position - start) / (MEMORY_PEAK_AT - start);
            MEMORY_CALM + (MEMORY_PEAK - MEMORY_CALM) * progress
        } else if (MEMORY_PEAK_AT..end).contains(&position) {
            MEMORY_PEAK
        } else if (end..end + 0.1).contains(&position) {
            let progress = (position - end) / 0.1;
            MEMORY_AFTER_RESTART + (MEMORY_CALM - MEMORY_AFTER_RESTART) * progress
        } else {
            MEMORY_CALM
        }
    }

    /// The incidents that start or end between two moments, for the log:
    /// `(incident, started)`.
    pub fn changes(&self, before: Duration, now: Duration) -> Vec<(Incident, bool)> {
        let (was, is) = (self.at(before), self.at(now));
        Incident::ALL
            .into_iter()
            .filter(|i| was.is_on(*i) != is.is_on(*i))
            .map(|i| (i, is.is_on(i)))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(scenario: &Scenario, seconds: f64) -> Conditions {
        scenario.at(Duration::from_secs_f64(seconds))
    }

    #[test]
    fn a_cycle_starts_calm_goes_wrong_everywhere_and_recovers() {
        let scenario = Scenario::new(Duration::from_secs(400));
        let calm = at(&scenario, 10.0);
        assert!(Incident::ALL.iter().all(|i| !calm.is_on(*i)), "{calm:?}");
        // 0.40 of the cycle: every incident at once.
        let worst = at(&scenario, 160.0);
        assert!(Incident::ALL.iter().all(|i| worst.is_on(*i)), "{worst:?}");
        assert_eq!(worst.payment_failure_ratio, PAYMENT_FAILURE_RATIO);
        assert!(worst.notification_memory > 0.9);
        // 0.60: everything over.
        let after = at(&scenario, 240.0);
        assert!(Incident::ALL.iter().all(|i| !after.is_on(*i)), "{after:?}");
    }

    #[test]
    fn the_cycle_repeats() {
        let scenario = Scenario::new(Duration::from_secs(100));
        assert_eq!(at(&scenario, 30.0), at(&scenario, 230.0));
        assert!(at(&scenario, 330.0).database_down);
    }

    #[test]
    fn memory_climbs_steadily_then_drops_at_the_restart() {
        let scenario = Scenario::new(Duration::from_secs(100));
        let readings: Vec<f64> = (20..=35)
            .map(|s| at(&scenario, s as f64).notification_memory)
            .collect();
        assert!(readings.windows(2).all(|w| w[1] > w[0]), "{readings:?}");
        assert!(readings[0] < 0.8 && readings[15] > 0.9);
        assert!(at(&scenario, 46.0).notification_memory < 0.5);
        assert_eq!(at(&scenario, 80.0).notification_memory, MEMORY_CALM);
    }

    #[test]
    fn changes_name_what_started_and_what_ended() {
        let scenario = Scenario::new(Duration::from_secs(100));
        let started = scenario.changes(Duration::from_secs(14), Duration::from_secs(16));
        assert_eq!(started, vec![(Incident::PaymentErrors, true)]);
        let ended = scenario.changes(Duration::from_secs(44), Duration::from_secs(46));
        assert_eq!(ended.len(), 4, "{ended:?}");
        assert!(ended.iter().all(|(_, started)| !started));
    }
}
