//! `/send-data`: how to point services at this server, per language, with
//! the endpoints this reader can reach, and a live sign once the first
//! span of a new service lands.
//!
//! The per-language set-up is `components::LanguageSetup`, shared with the
//! empty states.

mod first_span;

use leptos::prelude::*;
use leptos_router::components::A;

use crate::components::{LanguageSetup, NewSecretForm, PageHeader};
use crate::model::role::Role;
use crate::model::site::SiteEndpoints;
use crate::rpc::account::CreateIngestKey;
use crate::rpc::onboarding::fetch_site_endpoints;
use crate::setup_snippets::KEY_PLACEHOLDER;
use first_span::{FirstSpan, use_new_services};

#[component]
pub fn SendDataPage() -> impl IntoView {
    // Both made here, outside the Transitions, so the server and the
    // browser create them in the same order.
    let site = Resource::new(|| (), |_| fetch_site_endpoints());
    let watch = use_new_services();
    view! {
        <PageHeader title="Send data" subtitle=Signal::derive(|| "Point your services at Watchpost".to_owned())/>
        <FirstSpan watch/>
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || site.get().map(|result| match result {
                Ok(site) => view! { <Setup site/> }.into_any(),
                Err(error) => view! { <p class="error-banner">{error.to_string()}</p> }.into_any(),
            })}
        </Transition>
    }
}

#[component]
fn Setup(site: SiteEndpoints) -> impl IntoView {
    let demo = site.demo.then(|| view! {
        <p class="notice">"This server runs a simulated demo fleet; its services already report. \
            Yours appear beside them."</p>
    });
    let steps_site = site.clone();
    // An admin may make the key here; the snippets then carry it.
    let create = ServerAction::<CreateIngestKey>::new();
    let new_key = Signal::derive(move || create.value().get().and_then(Result::ok));
    view! {
        <section class="panel" data-testid="endpoints">
            <h2>"Endpoints"</h2>
            <dl class="endpoints">
                <dt>"OTLP/HTTP"</dt>
                <dd>
                    <code data-testid="otlp-http-endpoint">{site.otlp_http.clone()}</code>
                    " protocol " <code>"http/protobuf"</code> " (or " <code>"http/json"</code>
                    "): traces to " <code>"/v1/traces"</code> ", metrics to " <code>"/v1/metrics"</code>
                </dd>
                <dt>"OTLP/gRPC"</dt>
                <dd>
                    <code data-testid="otlp-grpc-endpoint">{site.otlp_grpc.clone()}</code>
                    " protocol " <code>"grpc"</code> " (set " <code>"OTEL_EXPORTER_OTLP_PROTOCOL=grpc"</code>
                    " and this endpoint instead)"
                </dd>
            </dl>
            <KeyNote required=site.ingest_key_required create/>
            {demo}
        </section>
        <LanguageSetup site=steps_site key=new_key/>
        <section class="panel">
            <h2>"Metrics"</h2>
            <p>"The same endpoint takes OTLP metrics at " <code>"/v1/metrics"</code>
                " (the SDKs above send them with " <code>"OTEL_METRICS_EXPORTER=otlp"</code>
                "). Memory alerts read " <code>"process.memory.utilization"</code> " or "
                <code>"container.memory.utilization"</code> " (0–1), or "
                <code>"container.memory.usage"</code> " against a limit such as "
                <code>"k8s.container.memory_limit"</code> "."</p>
        </section>
    }
}

/// Whether the snippets' key line is needed, and where keys come from:
/// for admins, a form that makes one on the spot.
#[component]
fn KeyNote(required: bool, create: ServerAction<CreateIngestKey>) -> impl IntoView {
    if !required {
        return view! {
            <p class="muted" data-testid="key-not-required">"No ingest key needed: every listener \
                of this server is on loopback, so only this machine can send to it."</p>
        }
        .into_any();
    }
    let admin = crate::auth::allowed(Role::Admin);
    let where_from = if admin {
        view! { "Make one below (named after the service, say), on the "
        <A href="/admin">"Admin page"</A> ", or with " }
        .into_any()
    } else {
        view! { "Ask an admin for one: admins create them on the Admin page or with " }.into_any()
    };
    let form = admin.then(|| {
        let on_create = Callback::new(move |name: String| {
            create.dispatch(CreateIngestKey { name });
        });
        view! {
            <NewSecretForm id="key" label="New ingest key's name" on_create
                check=crate::model::ingest_key::check_name
                result=Signal::derive(move || create.value().get())/>
            <Show when=move || matches!(create.value().get(), Some(Ok(_)))>
                <p class="muted" data-testid="key-in-snippets">"The snippets below now carry this key."</p>
            </Show>
        }
    });
    view! {
        <p class="notice" data-testid="key-required">
            "This server needs an ingest key on every OTLP request, sent as "
            <code>{format!("Authorization: Bearer {KEY_PLACEHOLDER}")}</code>
            " (the snippets below do). " {where_from}
            <code>"watchpost key create --name my-service"</code> "."
        </p>
        {form}
    }
    .into_any()
}
