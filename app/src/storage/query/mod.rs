//! The read side: whole traces, trace search, RED figures from rollups,
//! the service catalogue.

mod catalogue;
mod key_names;
mod red;
mod search;
mod traces;

pub use catalogue::{OperationRef, WriteActivity};
pub use key_names::KeyNames;
pub use search::{MAX_SCANNED_SPANS, TraceSearch, derived_tag};
