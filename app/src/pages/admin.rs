//! `/admin`: ingest keys and the audit log. The page opens for any
//! signed-in user; its server functions answer admins only, so anyone else
//! sees why.

use leptos::prelude::*;

use crate::components::{NewSecretForm, PageHeader, SecretRow, SecretTable, use_query_param};
use crate::model::audit::AuditRecord;
use crate::model::ingest_key::IngestKeyRecord;
use crate::rpc::account::{CreateIngestKey, RevokeIngestKey, audit_log, ingest_keys};

fn row(key: IngestKeyRecord) -> SecretRow {
    SecretRow {
        handle: key.name.clone(),
        name: key.name,
        prefix: key.prefix,
        created_at: key.created_at,
        last_used_at: key.last_used_at,
        revoked_at: key.revoked_at,
    }
}

#[component]
pub fn AdminPage() -> impl IntoView {
    view! {
        <PageHeader title="Admin"/>
        <IngestKeys/>
        <AuditLog/>
    }
}

#[component]
fn IngestKeys() -> impl IntoView {
    let create = ServerAction::<CreateIngestKey>::new();
    let revoke = ServerAction::<RevokeIngestKey>::new();
    let keys = Resource::new(
        move || (create.version().get(), revoke.version().get()),
        |_| ingest_keys(),
    );
    let on_create = Callback::new(move |name: String| {
        create.dispatch(CreateIngestKey { name });
    });
    let on_revoke = Callback::new(move |name: String| {
        revoke.dispatch(RevokeIngestKey { name });
    });
    view! {
        <section class="panel" data-testid="ingest-keys">
            <h2>"Ingest keys"</h2>
            <p class="muted">"Exporters send one as "
                <code>"OTEL_EXPORTER_OTLP_HEADERS=Authorization=Bearer%20<key>"</code>
                ". A revoked key is refused within seconds on every server."</p>
            <NewSecretForm id="key" label="New key's name" on_create
                check=crate::model::ingest_key::check_name
                result=Signal::derive(move || create.value().get())/>
            <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || keys.get().map(|result| match result {
                    Ok(list) => view! {
                        <SecretTable rows=list.into_iter().map(row).collect() on_revoke/>
                    }.into_any(),
                    Err(error) => view! { <p class="error-banner">{error.to_string()}</p> }.into_any(),
                })}
            </Transition>
        </section>
    }
}

/// The latest records, optionally only one kind of action (`?action=login`
/// matches `login` and `login.failed`).
#[component]
fn AuditLog() -> impl IntoView {
    let action = use_query_param("action");
    let records = Resource::new(move || action.get(), |action| audit_log(None, action));
    view! {
        <section class="panel" data-testid="audit-log">
            <h2>"Audit log"</h2>
            <form method="get" class="inline-form">
                <label for="audit-action">"Action starts with"</label>
                <input id="audit-action" name="action" placeholder="login, check., ingest_key."
                    value=move || action.get()/>
                <button type="submit">"Filter"</button>
            </form>
            <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || records.get().map(|result| match result {
                    Ok(list) => view! { <AuditTable records=list/> }.into_any(),
                    Err(error) => view! { <p class="error-banner">{error.to_string()}</p> }.into_any(),
                })}
            </Transition>
        </section>
    }
}

#[component]
fn AuditTable(records: Vec<AuditRecord>) -> impl IntoView {
    if records.is_empty() {
        return view! { <p class="muted">"Nothing recorded."</p> }.into_any();
    }
    let rows = records
        .into_iter()
        .map(|r| {
            let action = r.action.clone();
            view! {
                <tr data-action=action>
                    <td>{r.at.format("%Y-%m-%d %H:%M:%S UTC").to_string()}</td>
                    <td>{r.actor}</td>
                    <td><code>{r.action}</code></td>
                    <td>{r.target}</td>
                    <td>{r.detail}</td>
                    <td>{r.address.unwrap_or_default()}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <table class="data-table">
            <thead><tr>
                <th>"When"</th><th>"Who"</th><th>"Action"</th><th>"What"</th>
                <th>"Detail"</th><th>"From"</th>
            </tr></thead>
            <tbody>{rows}</tbody>
        </table>
    }
    .into_any()
}
