//! Capturing what the server logs during one test.
//!
//! One global subscriber, installed once per test process, writes each
//! event into the buffer of the thread it happens on, when that thread is
//! capturing (a per-event check of a thread-local). A global subscriber,
//! rather than a scoped one per test, because tracing caches each
//! callsite's interest process-wide: a scoped subscriber on one test's
//! thread lost events when another test's thread registered a callsite
//! first (seen under the full suite's load).
//!
//! `#[tokio::test]` runs on a current-thread runtime, so the server a test
//! spawns runs its tasks on the test's own thread and is captured with it.

use std::cell::RefCell;
use std::io::Write;
use std::sync::{Arc, Mutex, Once};

use tracing_subscriber::Layer;
use tracing_subscriber::layer::SubscriberExt;

thread_local! {
    static BUFFER: RefCell<Option<Captured>> = const { RefCell::new(None) };
}

fn capturing() -> bool {
    BUFFER.with(|buffer| buffer.borrow().is_some())
}

/// Everything written to the log on this thread while its guard lives.
#[derive(Clone, Default)]
pub struct Captured(Arc<Mutex<Vec<u8>>>);

/// Stops the capture when dropped.
pub struct CaptureGuard;

impl Drop for CaptureGuard {
    fn drop(&mut self) {
        BUFFER.with(|buffer| buffer.borrow_mut().take());
    }
}

impl Captured {
    /// Captures this thread's events, every level, until the guard drops.
    pub fn install(&self) -> CaptureGuard {
        static GLOBAL: Once = Once::new();
        GLOBAL.call_once(|| {
            let layer = tracing_subscriber::fmt::layer()
                .with_ansi(false)
                .with_writer(|| ThreadWriter)
                // Decided per event: a callsite first seen on a thread that
                // is not capturing must not be switched off for good.
                .with_filter(
                    tracing_subscriber::filter::DynFilterFn::new(|_, _| capturing())
                        .with_callsite_filter(|_| tracing::subscriber::Interest::sometimes()),
                );
            let subscriber = tracing_subscriber::registry().with(layer);
            tracing::subscriber::set_global_default(subscriber)
                .expect("no other global subscriber in the test process");
        });
        BUFFER.with(|buffer| *buffer.borrow_mut() = Some(self.clone()));
        CaptureGuard
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

/// Writes into the capturing thread's buffer; elsewhere, nowhere.
struct ThreadWriter;

impl Write for ThreadWriter {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        BUFFER.with(|buffer| {
            if let Some(captured) = buffer.borrow().as_ref() {
                captured.0.lock().unwrap().extend_from_slice(bytes);
            }
        });
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
