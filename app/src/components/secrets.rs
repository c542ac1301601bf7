//! Lists of secrets people make and revoke (personal API tokens, ingest
//! keys): the table, and the form that makes one and shows it once.

use chrono::{DateTime, Utc};
use leptos::prelude::*;

use crate::error::AppError;

/// One secret as a list shows it: never the secret itself.
#[derive(Debug, Clone, PartialEq)]
pub struct SecretRow {
    /// What the revoke callback gets (an id or a name).
    pub handle: String,
    pub name: String,
    pub prefix: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

fn when(at: Option<DateTime<Utc>>) -> String {
    at.map_or("never".to_owned(), |at| {
        at.format("%Y-%m-%d %H:%M UTC").to_string()
    })
}

/// A loaded list as its table, or why it did not load (for a viewer on
/// the admin page: that the role is too low).
pub fn secret_list(
    loaded: Result<Vec<SecretRow>, AppError>,
    on_revoke: Callback<String>,
) -> AnyView {
    match loaded {
        Ok(rows) => view! { <SecretTable rows on_revoke/> }.into_any(),
        Err(error) => view! { <p class="error-banner">{error.to_string()}</p> }.into_any(),
    }
}

/// The table, newest or alphabetical as given; live ones can be revoked.
#[component]
pub fn SecretTable(rows: Vec<SecretRow>, on_revoke: Callback<String>) -> impl IntoView {
    if rows.is_empty() {
        return view! { <p class="muted">"None yet."</p> }.into_any();
    }
    let rows = rows
        .into_iter()
        .map(|row| {
            let revoke = row.revoked_at.is_none().then(|| {
                let handle = row.handle.clone();
                view! {
                    <button type="button" class="danger"
                        on:click=move |_| on_revoke.run(handle.clone())>"Revoke"</button>
                }
            });
            view! {
                <tr data-secret=row.name.clone()>
                    <td>{row.name.clone()}</td>
                    <td><code>{format!("{}…", row.prefix)}</code></td>
                    <td>{when(Some(row.created_at))}</td>
                    <td>{when(row.last_used_at)}</td>
                    <td>{row.revoked_at.map_or("active".to_owned(), |at| format!("revoked {}", when(Some(at))))}</td>
                    <td>{revoke}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <table class="data-table">
            <thead><tr>
                <th>"Name"</th><th>"Starts with"</th><th>"Created"</th>
                <th>"Last used"</th><th>"State"</th><th></th>
            </tr></thead>
            <tbody>{rows}</tbody>
        </table>
    }
    .into_any()
}

/// A name field and a button; the new secret is shown once below, and a
/// refused name gets its message next to the field.
#[component]
pub fn NewSecretForm(
    /// Ids of the elements, e.g. "token".
    id: &'static str,
    label: &'static str,
    /// The name rules, checked here before sending (the server checks again).
    check: fn(&str) -> Result<(), &'static str>,
    on_create: Callback<String>,
    result: Signal<Option<Result<String, AppError>>>,
) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let refused = RwSignal::new(None::<&'static str>);
    let error = move || match result.get() {
        Some(Err(AppError::InvalidInput(errors))) => errors
            .into_iter()
            .map(|e| e.message)
            .collect::<Vec<_>>()
            .join("; "),
        Some(Err(other)) => other.to_string(),
        _ => String::new(),
    };
    let error = move || refused.get().map_or_else(error, str::to_owned);
    let input_id = format!("{id}-name");
    view! {
        <form class="secret-form" on:submit=move |ev| {
            ev.prevent_default();
            let typed = name.get_untracked().trim().to_owned();
            refused.set(check(&typed).err());
            if refused.get_untracked().is_none() {
                on_create.run(typed);
            }
        }>
            <div class="field" class:invalid=move || !error().is_empty()>
                <label for=input_id.clone()>{label}</label>
                <input id=input_id name="name" required
                    prop:value=move || name.get()
                    on:input=move |ev| name.set(event_target_value(&ev))/>
                <p class="field-error" data-testid=format!("error-{id}-name")>{error}</p>
            </div>
            <button type="submit" class="primary">"Create"</button>
        </form>
        {move || match result.get() {
            Some(Ok(secret)) => Some(view! {
                <div class="new-secret" role="status">
                    <p>"Copy it now: it is not shown again."</p>
                    <code data-testid=format!("new-{id}")>{secret}</code>
                </div>
            }),
            _ => None,
        }}
    }
}
