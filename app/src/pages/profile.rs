//! `/account`: who you are, and your personal API tokens for the JSON API.

use leptos::prelude::*;

use crate::auth::use_user;
use crate::components::{NewSecretForm, PageHeader, SecretRow, secret_list};
use crate::model::account::ApiTokenRecord;
use crate::rpc::account::{CreateMyToken, EndOtherSessions, RevokeMyToken, my_tokens};

fn row(token: ApiTokenRecord) -> SecretRow {
    SecretRow {
        handle: token.id.to_string(),
        name: token.name,
        prefix: token.prefix,
        created_at: token.created_at,
        last_used_at: token.last_used_at,
        revoked_at: token.revoked_at,
    }
}

#[component]
pub fn ProfilePage() -> impl IntoView {
    let create = ServerAction::<CreateMyToken>::new();
    let revoke = ServerAction::<RevokeMyToken>::new();
    // Reload the list after every create and revoke.
    let tokens = Resource::new(
        move || (create.version().get(), revoke.version().get()),
        |_| my_tokens(),
    );
    let on_create = Callback::new(move |name: String| {
        create.dispatch(CreateMyToken { name });
    });
    let on_revoke = Callback::new(move |id: String| {
        if let Ok(id) = id.parse() {
            revoke.dispatch(RevokeMyToken { id });
        }
    });
    let who = use_user().map(|user| {
        view! {
            <p data-testid="profile-who">
                <strong>{user.display_name}</strong> " (" <code>{user.username}</code> "), "
                {user.role.as_str()}
            </p>
        }
    });
    let end_others = ServerAction::<EndOtherSessions>::new();
    let ended = move || {
        end_others.value().get().map(|result| match result {
            Ok(0) => "No other sessions were open.".to_owned(),
            Ok(n) => format!("Ended {n} other session(s)."),
            Err(error) => error.to_string(),
        })
    };
    view! {
        <PageHeader title="Your account"/>
        {who}
        <section class="panel">
            <h2>"Sessions"</h2>
            <p class="muted">"Signed in somewhere you no longer are? End every session but this one."</p>
            <button type="button" on:click=move |_| { end_others.dispatch(EndOtherSessions {}); }>
                "Log out everywhere else"
            </button>
            <p role="status" data-testid="sessions-ended">{ended}</p>
        </section>
        <section class="panel">
            <h2>"API tokens"</h2>
            <p class="muted">"For scripts and tools using the JSON API: send "
                <code>"Authorization: Bearer <token>"</code>
                ". A token acts with your role and stops working when it is revoked or your account is disabled."</p>
            <NewSecretForm id="token" label="New token's name" on_create
                check=crate::model::account::check_token_name
                result=Signal::derive(move || create.value().get())/>
            <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || tokens.get().map(|loaded| {
                    secret_list(loaded.map(|list| list.into_iter().map(row).collect()), on_revoke)
                })}
            </Transition>
        </section>
    }
}
