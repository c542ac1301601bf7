use leptos::prelude::*;
use leptos_router::components::A;

use crate::model::site::SiteEndpoints;

/// This reader's OTLP endpoints, known on the server with the request and
/// carried into the page (`shell::App` provides it, from the same function
/// as the `site_endpoints` server function). Empty states sit inside their
/// page's Transition, where a request of their own would mean a nested one.
#[derive(Debug, Clone)]
pub struct PageEndpoints(pub Option<SiteEndpoints>);

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

/// How to point an instrumented service at Watchpost: the endpoints and
/// the set-up per language, and a link to the Send data page, which also
/// waits for the first span.
#[component]
pub fn SendDataHelp() -> impl IntoView {
    let endpoints = use_context::<PageEndpoints>().and_then(|known| known.0);
    let details = endpoints.map(|site| {
        let setup_site = site.clone();
        let key_hint = site.ingest_key_required.then(|| {
            view! {
                <p class="muted">"Replace " <code>{crate::setup_snippets::KEY_PLACEHOLDER}</code>
                    " with an ingest key: admins make one on the Send data page (which puts it \
                    into these snippets), on the Admin page or with "
                    <code>"watchpost key create --name my-service"</code>"."</p>
            }
        });
        view! {
            <dl class="endpoints">
                <dt>"OTLP/HTTP"</dt>
                <dd><code>{site.otlp_http}</code>" (protobuf or JSON, "<code>"/v1/traces"</code>", "<code>"/v1/metrics"</code>")"</dd>
                <dt>"OTLP/gRPC"</dt>
                <dd><code>{site.otlp_grpc}</code></dd>
            </dl>
            {key_hint}
            <super::LanguageSetup site=setup_site/>
        }
    });
    view! {
        <div class="send-data">
            <h3>"Send data from your services"</h3>
            {details}
            <p><A href="/send-data">"Send data: set-up, and a live sign of your first span →"</A></p>
        </div>
    }
}
