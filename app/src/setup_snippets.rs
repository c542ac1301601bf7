//! Copy-paste set-up for sending telemetry to this server, per language.
//!
//! Every stock OpenTelemetry SDK reads the same `OTEL_*` variables, so each
//! language is the same environment plus its own install and run commands.
//! The text is plain and rendered as text; only the endpoint and the key
//! line depend on the server.

use crate::model::site::SiteEndpoints;

/// The service name the examples use; readers replace it with theirs.
const SERVICE: &str = "my-service";
/// Where the reader's key goes.
pub const KEY_PLACEHOLDER: &str = "wpk_…";

/// The languages the Send data page has set-up for, in tab order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Language {
    Python,
    Node,
    Java,
    Go,
    Rust,
    Collector,
}

impl Language {
    pub const ALL: [Language; 6] = [
        Language::Python,
        Language::Node,
        Language::Java,
        Language::Go,
        Language::Rust,
        Language::Collector,
    ];

    /// As it appears in the URL (`?lang=`).
    pub fn key(self) -> &'static str {
        match self {
            Language::Python => "python",
            Language::Node => "node",
            Language::Java => "java",
            Language::Go => "go",
            Language::Rust => "rust",
            Language::Collector => "collector",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Language::Python => "Python",
            Language::Node => "Node.js",
            Language::Java => "Java",
            Language::Go => "Go",
            Language::Rust => "Rust",
            Language::Collector => "OpenTelemetry Collector",
        }
    }

    /// The language a URL asks for; Python for anything else.
    pub fn from_key(key: &str) -> Language {
        Language::ALL
            .into_iter()
            .find(|l| l.key() == key)
            .unwrap_or(Language::Python)
    }

    /// The steps, each a caption and a snippet.
    pub fn steps(self, site: &SiteEndpoints) -> Vec<(&'static str, String)> {
        match self {
            Language::Python => python(site),
            Language::Node => node(site),
            Language::Java => java(site),
            Language::Go => go(site),
            Language::Rust => rust(site),
            Language::Collector => collector(site),
        }
    }
}

/// The variables every SDK reads: where, how, who. The key's value is
/// percent-encoded (`%20` for the space), as the specification has it.
pub fn env_block(site: &SiteEndpoints) -> String {
    let mut text = format!(
        "export OTEL_SERVICE_NAME={SERVICE}\n\
         export OTEL_EXPORTER_OTLP_ENDPOINT={}\n\
         export OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf\n",
        site.otlp_http
    );
    if site.ingest_key_required {
        text.push_str(&format!(
            "export OTEL_EXPORTER_OTLP_HEADERS=Authorization=Bearer%20{KEY_PLACEHOLDER}\n"
        ));
    }
    text
}

/// Traces and metrics over OTLP; Watchpost takes no logs, so the agents
/// that export logs by default are told not to (they would get 404s).
const SIGNALS: &str = "export OTEL_TRACES_EXPORTER=otlp\n\
                       export OTEL_METRICS_EXPORTER=otlp\n\
                       export OTEL_LOGS_EXPORTER=none\n";

fn python(site: &SiteEndpoints) -> Vec<(&'static str, String)> {
    vec![
        (
            "Install the SDK, the OTLP exporter and instrumentation for the libraries you use",
            "pip install opentelemetry-distro opentelemetry-exporter-otlp\n\
             opentelemetry-bootstrap -a install"
                .to_owned(),
        ),
        (
            "Point it at Watchpost",
            format!("{}{SIGNALS}", env_block(site)),
        ),
        (
            "Run your app under the instrumentation",
            "opentelemetry-instrument python app.py".to_owned(),
        ),
    ]
}

fn node(site: &SiteEndpoints) -> Vec<(&'static str, String)> {
    vec![
        (
            "Install the automatic instrumentation",
            "npm install --save @opentelemetry/api @opentelemetry/auto-instrumentations-node"
                .to_owned(),
        ),
        (
            "Point it at Watchpost",
            format!("{}{SIGNALS}", env_block(site)),
        ),
        (
            "Load it before your code",
            "node --require @opentelemetry/auto-instrumentations-node/register app.js\n\
             # or: export NODE_OPTIONS=\"--require @opentelemetry/auto-instrumentations-node/register\""
                .to_owned(),
        ),
    ]
}

fn java(site: &SiteEndpoints) -> Vec<(&'static str, String)> {
    vec![
        (
            "Download the Java agent",
            "curl -L -O https://github.com/open-telemetry/opentelemetry-java-instrumentation/releases/latest/download/opentelemetry-javaagent.jar"
                .to_owned(),
        ),
        (
            "Point it at Watchpost",
            format!("{}{SIGNALS}", env_block(site)),
        ),
        (
            "Start the JVM with the agent",
            "java -javaagent:opentelemetry-javaagent.jar -jar app.jar".to_owned(),
        ),
    ]
}

fn go(site: &SiteEndpoints) -> Vec<(&'static str, String)> {
    vec![
        (
            "Add the SDK and the OTLP/HTTP exporters",
            "go get go.opentelemetry.io/otel \\\n  \
             go.opentelemetry.io/otel/sdk \\\n  \
             go.opentelemetry.io/otel/sdk/metric \\\n  \
             go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp \\\n  \
             go.opentelemetry.io/otel/exporters/otlp/otlpmetric/otlpmetrichttp \\\n  \
             go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
                .to_owned(),
        ),
        (
            "Set up the providers at start-up; the exporters read OTEL_EXPORTER_OTLP_ENDPOINT and _HEADERS, the resource OTEL_SERVICE_NAME",
            GO_SETUP.to_owned(),
        ),
        ("Point it at Watchpost", env_block(site)),
    ]
}

const GO_SETUP: &str = r#"import (
	"context"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/exporters/otlp/otlpmetric/otlpmetrichttp"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

func setupTelemetry(ctx context.Context) (shutdown func(context.Context) error, err error) {
	spans, err := otlptracehttp.New(ctx)
	if err != nil {
		return nil, err
	}
	metrics, err := otlpmetrichttp.New(ctx)
	if err != nil {
		return nil, err
	}
	tracer := sdktrace.NewTracerProvider(sdktrace.WithBatcher(spans))
	meter := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewPeriodicReader(metrics)))
	otel.SetTracerProvider(tracer)
	otel.SetMeterProvider(meter)
	return func(ctx context.Context) error {
		_ = meter.Shutdown(ctx)
		return tracer.Shutdown(ctx)
	}, nil
}

// Then wrap your handlers: http.ListenAndServe(":8080", otelhttp.NewHandler(mux, "server"))"#;

fn rust(site: &SiteEndpoints) -> Vec<(&'static str, String)> {
    vec![
        (
            "Add the SDK and the OTLP exporter (HTTP with protobuf)",
            "cargo add opentelemetry opentelemetry_sdk\n\
             cargo add opentelemetry-otlp --features http-proto"
                .to_owned(),
        ),
        (
            "Set up the tracer provider at start-up; the exporter reads OTEL_EXPORTER_OTLP_ENDPOINT and _HEADERS, the resource OTEL_SERVICE_NAME",
            RUST_SETUP.to_owned(),
        ),
        ("Point it at Watchpost", env_block(site)),
    ]
}

const RUST_SETUP: &str = r#"use opentelemetry_otlp::{Protocol, SpanExporter, WithExportConfig};
use opentelemetry_sdk::{trace::SdkTracerProvider, Resource};

fn init_tracing() -> Result<SdkTracerProvider, Box<dyn std::error::Error>> {
    let exporter = SpanExporter::builder()
        .with_http()
        .with_protocol(Protocol::HttpBinary)
        .build()?;
    let provider = SdkTracerProvider::builder()
        .with_resource(Resource::builder().build())
        .with_batch_exporter(exporter)
        .build();
    opentelemetry::global::set_tracer_provider(provider.clone());
    Ok(provider) // call provider.shutdown() before exiting, to flush
}"#;

fn collector(site: &SiteEndpoints) -> Vec<(&'static str, String)> {
    let headers = if site.ingest_key_required {
        format!("\n    headers:\n      authorization: \"Bearer {KEY_PLACEHOLDER}\"")
    } else {
        String::new()
    };
    let config = format!(
        "receivers:\n  \
           otlp:\n    \
             protocols:\n      \
               grpc:\n      \
               http:\n\
         processors:\n  \
           batch:\n\
         exporters:\n  \
           otlphttp/watchpost:\n    \
             endpoint: {}{headers}\n\
         service:\n  \
           pipelines:\n    \
             traces:\n      \
               receivers: [otlp]\n      \
               processors: [batch]\n      \
               exporters: [otlphttp/watchpost]\n    \
             metrics:\n      \
               receivers: [otlp]\n      \
               processors: [batch]\n      \
               exporters: [otlphttp/watchpost]",
        site.otlp_http
    );
    vec![
        (
            "Add Watchpost as an exporter in the Collector's configuration",
            config,
        ),
        (
            "Then point your services at the Collector as usual (its own OTLP receiver), and start it",
            "otelcol-contrib --config config.yaml".to_owned(),
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(keys: bool) -> SiteEndpoints {
        SiteEndpoints {
            otlp_http: "http://watchpost.internal:4318".to_owned(),
            otlp_grpc: "http://watchpost.internal:4317".to_owned(),
            ingest_key_required: keys,
            demo: false,
        }
    }

    #[test]
    fn every_language_names_the_real_endpoint_and_the_key_when_needed() {
        for language in Language::ALL {
            let text: String = language
                .steps(&site(true))
                .into_iter()
                .map(|(_, code)| code)
                .collect();
            assert!(
                text.contains("http://watchpost.internal:4318"),
                "{language:?}"
            );
            assert!(text.contains("Bearer"), "{language:?}");
            let open: String = language
                .steps(&site(false))
                .into_iter()
                .map(|(_, code)| code)
                .collect();
            assert!(!open.contains("Bearer"), "{language:?}");
        }
    }

    #[test]
    fn the_environment_is_what_every_sdk_reads() {
        let env = env_block(&site(true));
        assert!(env.contains("OTEL_SERVICE_NAME=my-service\n"));
        assert!(env.contains("OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf\n"));
        assert!(env.contains("OTEL_EXPORTER_OTLP_HEADERS=Authorization=Bearer%20wpk_"));
    }

    #[test]
    fn languages_round_trip_through_the_url() {
        for language in Language::ALL {
            assert_eq!(Language::from_key(language.key()), language);
        }
        assert_eq!(Language::from_key("cobol"), Language::Python);
    }
}
