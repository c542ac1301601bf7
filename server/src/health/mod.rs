//! Active health checks: the scheduler that runs every registered check on
//! its interval, the probes (HTTP, TCP, gRPC), the writer that stores
//! results with their damped state, and the declarative checks file.

pub mod checks_file;
pub mod probe;
pub mod scheduler;
mod writer;

pub use scheduler::{SchedulerSettings, SchedulerStats};
