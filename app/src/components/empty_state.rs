use leptos::prelude::*;

/// Where the OpenTelemetry SDKs and Collector send data by default.
const OTLP_HTTP_ENDPOINT: &str = "http://127.0.0.1:4318";
const OTLP_GRPC_ENDPOINT: &str = "http://127.0.0.1:4317";

/// What a page shows when there is nothing to show yet: what would be here,
/// and the next step to get it.
#[component]
pub fn EmptyState(
    #[prop(into)] title: String,
    #[prop(into)] explanation: String,
    #[prop(optional)] children: Option<Children>,
) -> impl IntoView {
    view! {
        <section class="empty-state" data-testid="empty-state">
            <h2>{title}</h2>
            <p>{explanation}</p>
            {children.map(|children| children())}
        </section>
    }
}

/// How to point an instrumented service at Watchpost. Every stock
/// OpenTelemetry SDK reads these variables; nothing else is needed.
#[component]
pub fn SendDataHelp() -> impl IntoView {
    let env_example = format!(
        "export OTEL_EXPORTER_OTLP_ENDPOINT={OTLP_HTTP_ENDPOINT}\n\
         export OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf\n\
         export OTEL_SERVICE_NAME=checkout"
    );
    let collector_example = format!(
        "exporters:\n  otlphttp/watchpost:\n    endpoint: {OTLP_HTTP_ENDPOINT}\n\
         service:\n  pipelines:\n    traces:\n      exporters: [otlphttp/watchpost]"
    );
    view! {
        <div class="send-data">
            <h3>"Send data from your services"</h3>
            <dl class="endpoints">
                <dt>"OTLP/HTTP"</dt>
                <dd><code>{OTLP_HTTP_ENDPOINT}</code>" (protobuf or JSON, "<code>"/v1/traces"</code>")"</dd>
                <dt>"OTLP/gRPC"</dt>
                <dd><code>{OTLP_GRPC_ENDPOINT}</code></dd>
            </dl>
            <p>"Set these in the environment of any service instrumented with an OpenTelemetry SDK:"</p>
            <pre class="snippet"><code>{env_example}</code></pre>
            <p>"Or add Watchpost as an exporter of an OpenTelemetry Collector:"</p>
            <pre class="snippet"><code>{collector_example}</code></pre>
        </div>
    }
}
