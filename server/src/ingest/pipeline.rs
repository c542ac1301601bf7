//! The write queue between request handlers and PostgreSQL.
//!
//! Handlers submit a request's spans and wait. Writers take whatever is
//! queued (up to a batch size), write it with one COPY, and only then answer
//! every request in that batch. The queue is bounded in spans by a
//! semaphore: when it is full, submitters are told to retry instead of
//! growing memory.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use app::storage::spans::SpanBatch;

use crate::map::EdgeTracker;
use crate::map::facts::facts_of;
use app::storage::{Database, StorageError};
use tokio::sync::{Mutex, OwnedSemaphorePermit, Semaphore, mpsc, oneshot};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use super::IngestError;

#[derive(Debug, Clone)]
pub struct PipelineSettings {
    /// Most spans waiting to be written; beyond it requests get 429/UNAVAILABLE.
    pub queue_spans: usize,
    /// Most spans in one COPY.
    pub batch_spans: usize,
    /// Concurrent writers (database connections busy with COPY).
    pub writers: usize,
}

struct Job {
    batch: SpanBatch,
    /// Held until the spans are written: queued and in-flight spans both count.
    permit: OwnedSemaphorePermit,
    done: oneshot::Sender<Result<(), IngestError>>,
}

/// Counters for `/metrics`.
#[derive(Debug, Default)]
pub struct IngestStats {
    pub spans_accepted: AtomicU64,
    pub spans_rejected: AtomicU64,
    pub values_truncated: AtomicU64,
    pub request_bytes: AtomicU64,
    pub requests_refused_overload: AtomicU64,
    pub batches_written: AtomicU64,
    pub batch_spans_total: AtomicU64,
    pub write_seconds_total_micros: AtomicU64,
    pub write_failures: AtomicU64,
}

#[derive(Clone)]
pub struct IngestPipeline {
    sender: mpsc::UnboundedSender<Job>,
    capacity: Arc<Semaphore>,
    queue_spans: usize,
    pub stats: Arc<IngestStats>,
}

impl IngestPipeline {
    /// Starts the writers on `tracker`. They run until `drain` is cancelled
    /// and then write what is still queued before stopping, so requests the
    /// HTTP and gRPC servers accepted while draining are still answered.
    pub fn start(
        db: Database,
        settings: PipelineSettings,
        tracker: &TaskTracker,
        drain: CancellationToken,
        edges: EdgeTracker,
    ) -> IngestPipeline {
        let (sender, receiver) = mpsc::unbounded_channel();
        let receiver = Arc::new(Mutex::new(receiver));
        let stats = Arc::new(IngestStats::default());
        for _ in 0..settings.writers.max(1) {
            tracker.spawn(run_writer(
                db.clone(),
                receiver.clone(),
                settings.batch_spans.max(1),
                stats.clone(),
                drain.clone(),
                edges.clone(),
            ));
        }
        IngestPipeline {
            sender,
            capacity: Arc::new(Semaphore::new(settings.queue_spans)),
            queue_spans: settings.queue_spans,
            stats,
        }
    }

    /// Queues a request's spans and waits until they are committed.
    pub async fn submit(&self, batch: SpanBatch) -> Result<(), IngestError> {
        let spans = batch.spans.len();
        if spans == 0 {
            return Ok(());
        }
        // A single request larger than the whole queue may still pass alone.
        let wanted = spans.min(self.queue_spans) as u32;
        let Ok(permit) = self.capacity.clone().try_acquire_many_owned(wanted) else {
            self.stats
                .requests_refused_overload
                .fetch_add(1, Ordering::Relaxed);
            return Err(IngestError::Overloaded);
        };
        let (done, answer) = oneshot::channel();
        self.sender
            .send(Job {
                batch,
                permit,
                done,
            })
            .map_err(|_| IngestError::StorageUnavailable)?;
        let result = answer.await.unwrap_or(Err(IngestError::StorageUnavailable));
        if result.is_ok() {
            self.stats
                .spans_accepted
                .fetch_add(spans as u64, Ordering::Relaxed);
        }
        result
    }

    /// Spans queued or being written right now.
    pub fn queued_spans(&self) -> usize {
        self.queue_spans - self.capacity.available_permits()
    }
}

async fn run_writer(
    db: Database,
    receiver: Arc<Mutex<mpsc::UnboundedReceiver<Job>>>,
    batch_spans: usize,
    stats: Arc<IngestStats>,
    drain: CancellationToken,
    edges: EdgeTracker,
) {
    loop {
        let jobs = {
            let mut receiver = receiver.lock().await;
            let first = tokio::select! {
                job = receiver.recv() => job,
                () = drain.cancelled() => receiver.try_recv().ok(),
            };
            let Some(first) = first else { return };
            let mut jobs = vec![first];
            let mut spans = jobs[0].batch.spans.len();
            while spans < batch_spans {
                match receiver.try_recv() {
                    Ok(job) => {
                        spans += job.batch.spans.len();
                        jobs.push(job);
                    }
                    Err(_) => break,
                }
            }
            jobs
        };
        write_jobs(&db, jobs, &stats, &edges).await;
    }
}

async fn write_jobs(db: &Database, jobs: Vec<Job>, stats: &IngestStats, edges: &EdgeTracker) {
    let mut merged = SpanBatch::default();
    let mut answers = Vec::with_capacity(jobs.len());
    for job in jobs {
        merged.append(job.batch);
        answers.push((job.done, job.permit));
    }
    let spans = merged.spans.len();
    // Taken before the batch is consumed; used only once it is committed,
    // so the map never shows a call whose spans were not stored.
    let edge_facts = facts_of(&merged);
    let started = Instant::now();
    let result = db.write_spans(merged).await;
    stats
        .write_seconds_total_micros
        .fetch_add(started.elapsed().as_micros() as u64, Ordering::Relaxed);
    let answer = match result {
        Ok(()) => {
            edges.observe(edge_facts);
            stats.batches_written.fetch_add(1, Ordering::Relaxed);
            stats
                .batch_spans_total
                .fetch_add(spans as u64, Ordering::Relaxed);
            Ok(())
        }
        Err(error) => {
            stats.write_failures.fetch_add(1, Ordering::Relaxed);
            match error {
                StorageError::Unavailable(_) => {
                    tracing::warn!(error = %error, spans, "span batch not written: database unavailable");
                    Err(IngestError::StorageUnavailable)
                }
                other => {
                    tracing::error!(error = %other, spans, "span batch not written");
                    Err(IngestError::Internal)
                }
            }
        }
    };
    for (done, permit) in answers {
        drop(permit);
        // The requester may have gone away (client timeout); nothing to do.
        let _ = done.send(answer.clone());
    }
}
