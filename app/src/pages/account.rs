//! The login page and the first-run setup page.
//!
//! Both are plain HTML forms POSTing to axum handlers (`server/src/accounts/`),
//! so they work before the WebAssembly bundle has loaded. The handlers send
//! the browser back here with a short error code in the query; the page
//! turns it into a sentence and never echoes what was typed.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::components::PageHeader;
use crate::model::account::{MIN_PASSWORD_CHARS, safe_next};

/// Shown for every failed login, whether or not the user exists.
pub const LOGIN_FAILED: &str = "wrong username or password";

#[component]
pub fn LoginPage() -> impl IntoView {
    let query = use_query_map();
    let next = move || safe_next(query.read().get("next").as_deref()).to_owned();
    let failed = move || query.read().get("failed").is_some();
    // Before anyone has an account, say where the first one comes from.
    let pending = Resource::new(|| (), |_| crate::rpc::account::setup_pending());
    view! {
        <PageHeader title="Log in"/>
        <Suspense>
            {move || pending.get().and_then(Result::ok).filter(|p| *p).map(|_| view! {
                <p class="notice" data-testid="setup-hint">
                    "Nobody has an account yet. Open the one-time setup link in Watchpost's log ("
                    <code>"first run: create the first admin at …"</code>
                    "), or run " <code>"watchpost user add --role admin"</code> "."
                </p>
            })}
        </Suspense>
        <form class="account-form" method="post" action="/login">
            // An attribute, not a property: the form must carry it before
            // (or without) the WebAssembly bundle.
            <input type="hidden" name="next" value=next/>
            <div class="field">
                <label for="login-username">"Username"</label>
                <input id="login-username" name="username" autocomplete="username" required autofocus/>
            </div>
            <div class="field">
                <label for="login-password">"Password"</label>
                <input id="login-password" name="password" type="password" autocomplete="current-password" required/>
            </div>
            <p class="field-error" role="alert" data-testid="login-error">
                {move || failed().then_some(LOGIN_FAILED)}
            </p>
            <button type="submit">"Log in"</button>
        </form>
    }
}

/// What a setup error code means; unknown codes say nothing.
fn setup_error(code: &str) -> Option<String> {
    use crate::model::account::AccountRuleError as E;
    let message = match code {
        "short" => E::PasswordTooShort.to_string(),
        "long" => E::PasswordTooLong.to_string(),
        "differ" => E::PasswordsDiffer.to_string(),
        "username" => E::BadUsername.to_string(),
        "display" => E::BadDisplayName.to_string(),
        _ => return None,
    };
    Some(message)
}

/// First run: create the first admin. The server answers 410 here once a
/// user exists, so this page only renders while setup is open.
#[component]
pub fn SetupPage() -> impl IntoView {
    let query = use_query_map();
    let token = move || query.read().get("token").unwrap_or_default();
    let error = move || {
        query
            .read()
            .get("error")
            .and_then(|code| setup_error(&code))
    };
    view! {
        <PageHeader title="Create the first admin"/>
        <p>"Watchpost has no users yet. The account you create here is an admin; \
            add more people later with " <code>"watchpost user add"</code> "."</p>
        <form class="account-form" method="post" action="/setup">
            <input type="hidden" name="token" value=token/>
            <div class="field">
                <label for="setup-username">"Username"</label>
                <input id="setup-username" name="username" autocomplete="username" required/>
            </div>
            <div class="field">
                <label for="setup-display-name">"Display name"</label>
                <input id="setup-display-name" name="display_name" autocomplete="name" required/>
            </div>
            <div class="field">
                <label for="setup-password">
                    {format!("Password (at least {MIN_PASSWORD_CHARS} characters)")}
                </label>
                <input id="setup-password" name="password" type="password" autocomplete="new-password" required/>
            </div>
            <div class="field">
                <label for="setup-password-repeat">"Password again"</label>
                <input id="setup-password-repeat" name="password_repeat" type="password" autocomplete="new-password" required/>
            </div>
            <p class="field-error" role="alert" data-testid="setup-error">{error}</p>
            <button type="submit">"Create admin and log in"</button>
        </form>
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn setup_error_codes_become_sentences_and_others_nothing() {
        assert!(super::setup_error("short").is_some_and(|m| m.contains("12")));
        assert_eq!(super::setup_error("<script>"), None);
    }
}
