//! Background work. Each job is an `async fn run(.., cancel)` that returns
//! promptly once the shared cancellation token fires.

pub mod migrate;
pub mod partitions;
pub mod rollups;
