use tracing_subscriber::EnvFilter;

use crate::config::{LogConfig, LogFormat};

/// Structured logs on stderr, as text or JSON lines.
pub fn init(config: &LogConfig) {
    let filter = EnvFilter::try_new(&config.filter).unwrap_or_else(|error| {
        eprintln!(
            "watchpost: ignoring log filter {:?}: {error}",
            config.filter
        );
        EnvFilter::new("info")
    });
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let result = match config.format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
    };
    // Tests start several servers in one process; the first one wins.
    let _ = result;
}
