//! Active health checks: the scheduler that runs every registered check on
//! its interval, the probes (HTTP, TCP, gRPC), and the writer that stores
//! results with their damped state.

pub mod probe;
pub mod scheduler;
mod writer;

pub use scheduler::{SchedulerSettings, SchedulerStats};
