//! `/admin`: ingest keys and the audit log. The page opens for any
//! signed-in user; its server functions answer admins only, so anyone else
//! sees why.

use leptos::prelude::*;

use crate::components::{NewSecretForm, PageHeader, SecretRow, secret_list, use_query_param};
use crate::model::account::{NewUserForm, UserRecord};
use crate::model::audit::AuditRecord;
use crate::model::ingest_key::IngestKeyRecord;
use crate::model::role::Role;
use crate::rpc::account::{
    CreateIngestKey, CreateUser, RevokeIngestKey, UpdateUser, audit_log, ingest_keys, users,
};
use crate::search_form::FieldError;

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
        <Users/>
        <IngestKeys/>
        <AuditLog/>
    }
}

/// The users: their roles, disabling and enabling, and adding one.
#[component]
fn Users() -> impl IntoView {
    let create = ServerAction::<CreateUser>::new();
    let update = ServerAction::<UpdateUser>::new();
    let list = Resource::new(
        move || (create.version().get(), update.version().get()),
        |_| users(),
    );
    let me = crate::auth::use_user()
        .map(|user| user.username)
        .unwrap_or_default();
    let failure = move || {
        update
            .value()
            .get()
            .and_then(Result::err)
            .map(|e| e.to_string())
    };
    view! {
        <section class="panel" data-testid="users">
            <h2>"Users"</h2>
            <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || {
                    let me = me.clone();
                    list.get().map(|result| match result {
                        Ok(list) => view! { <UserTable users=list me update/> }.into_any(),
                        Err(error) => view! { <p class="error-banner">{error.to_string()}</p> }.into_any(),
                    })
                }}
            </Transition>
            {move || failure().map(|text| view! { <p class="error-banner">{text}</p> })}
            <NewUser create/>
        </section>
    }
}

#[component]
fn UserTable(
    users: Vec<UserRecord>,
    me: String,
    update: ServerAction<UpdateUser>,
) -> impl IntoView {
    let when = |at: Option<chrono::DateTime<chrono::Utc>>| {
        at.map_or("never".to_owned(), |at| {
            at.format("%Y-%m-%d %H:%M UTC").to_string()
        })
    };
    let rows = users
        .into_iter()
        .map(|user| {
            let own = user.username.eq_ignore_ascii_case(&me);
            let (name, name_for_role) = (user.username.clone(), user.username.clone());
            let roles = Role::ALL
                .into_iter()
                .map(|role| view! { <option value=role.as_str() selected=role == user.role>{role.as_str()}</option> })
                .collect_view();
            let toggle = (!own).then(|| {
                let disabled = !user.disabled;
                let label = if user.disabled { "Enable" } else { "Disable" };
                view! {
                    <button type="button" class:danger=disabled on:click=move |_| {
                        update.dispatch(UpdateUser { username: name.clone(), role: None, disabled: Some(disabled) });
                    }>{label}</button>
                }
            });
            view! {
                <tr data-user=user.username.clone()>
                    <td><code>{user.username.clone()}</code></td>
                    <td>{user.display_name}</td>
                    <td>
                        <select aria-label=format!("Role of {}", user.username) disabled=own
                            on:change=move |ev| {
                                update.dispatch(UpdateUser {
                                    username: name_for_role.clone(),
                                    role: Some(event_target_value(&ev)),
                                    disabled: None,
                                });
                            }>{roles}</select>
                    </td>
                    <td>{if user.disabled { "disabled" } else { "active" }}</td>
                    <td>{when(user.last_login_at)}</td>
                    <td>{toggle}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <table class="data-table">
            <thead><tr>
                <th>"Username"</th><th>"Name"</th><th>"Role"</th><th>"State"</th>
                <th>"Last login"</th><th></th>
            </tr></thead>
            <tbody>{rows}</tbody>
        </table>
    }
}

/// Adds a user; each refused field says why next to itself.
#[component]
fn NewUser(create: ServerAction<CreateUser>) -> impl IntoView {
    let form = RwSignal::new(NewUserForm {
        role: Role::Viewer.as_str().to_owned(),
        ..NewUserForm::default()
    });
    let errors = RwSignal::new(Vec::<FieldError>::new());
    Effect::new(move |_| match create.value().get() {
        Some(Ok(())) => {
            errors.set(Vec::new());
            form.set(NewUserForm {
                role: Role::Viewer.as_str().to_owned(),
                ..NewUserForm::default()
            });
        }
        Some(Err(error)) => errors.set(crate::components::refusal_errors(error, "username")),
        None => {}
    });
    let message = move |field: &'static str| crate::components::field_message(errors, field);
    let text_field = move |field: &'static str, label: &'static str, kind: &'static str| {
        let id = format!("new-user-{field}");
        view! {
            <div class="field">
                <label for=id.clone()>{label}</label>
                <input id=id type=kind autocomplete="off"
                    prop:value=move || form.with(|f| match field {
                        "username" => f.username.clone(),
                        "display_name" => f.display_name.clone(),
                        _ => f.password.clone(),
                    })
                    on:input=move |ev| {
                        let value = event_target_value(&ev);
                        form.update(|f| match field {
                            "username" => f.username = value,
                            "display_name" => f.display_name = value,
                            _ => f.password = value,
                        });
                    }/>
                <p class="field-error" data-testid=format!("error-user-{field}")>{message(field)}</p>
            </div>
        }
    };
    view! {
        <h3>"Add a user"</h3>
        <form class="secret-form" on:submit=move |ev| {
            ev.prevent_default();
            let typed = form.get_untracked();
            match typed.validate() {
                Ok(_) => {
                    errors.set(Vec::new());
                    create.dispatch(CreateUser { form: typed });
                }
                Err(refused) => errors.set(refused),
            }
        }>
            {text_field("username", "Username", "text")}
            {text_field("display_name", "Display name", "text")}
            <div class="field">
                <label for="new-user-role">"Role"</label>
                <select id="new-user-role"
                    on:change=move |ev| form.update(|f| f.role = event_target_value(&ev))>
                    {Role::ALL.into_iter().map(|role| view! {
                        <option value=role.as_str() selected=move || form.with(|f| f.role == role.as_str())>{role.as_str()}</option>
                    }).collect_view()}
                </select>
                <p class="field-error">{message("role")}</p>
            </div>
            {text_field("password", "Initial password", "password")}
            <button type="submit" class="primary">"Add user"</button>
        </form>
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
                {move || keys.get().map(|loaded| {
                    secret_list(loaded.map(|list| list.into_iter().map(row).collect()), on_revoke)
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
