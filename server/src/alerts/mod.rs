//! Alert evaluation: rules measured against the rollups, the health checks
//! and the metrics, every `--alert-interval`, on one replica at a time.
//!
//! - [`evaluate`]: one evaluation, `evaluate_once(db, now)`, and the pure
//!   state machine `decide` (pending → firing → resolved).
//! - [`measure`]: what each rule measures per service at a moment.
//! - [`job`]: the loop, and the lease that makes one replica evaluate.
//! - [`notify`]: webhook deliveries from the outbox, with retries.
//! - [`preview`]: a rule replayed over the last hours, for the rules page.

pub mod evaluate;
pub mod job;
pub mod measure;
pub mod notify;
pub mod preview;

pub use evaluate::{EvaluationSummary, evaluate_once};
pub use measure::MEMORY_USAGE_AND_LIMIT;
