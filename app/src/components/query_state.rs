//! Page state kept in the URL query, so every view is a shareable link.

use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::hooks::{use_location, use_navigate, use_query_map};

/// One query parameter as text ("" when absent).
pub fn use_query_param(name: &'static str) -> Memo<String> {
    let query = use_query_map();
    Memo::new(move |_| query.read().get(name).unwrap_or_default())
}

/// Sets or removes query parameters, keeping the others (the time range
/// among them). Replaces the history entry: typing in a filter box should
/// not leave one entry per keystroke.
pub fn use_set_query() -> impl Fn(&[(&'static str, Option<String>)]) + Clone + 'static {
    let query = use_query_map();
    let location = use_location();
    let navigate = use_navigate();
    move |changes: &[(&'static str, Option<String>)]| {
        let mut params = query.get_untracked();
        for (key, value) in changes {
            match value.as_deref().filter(|v| !v.is_empty()) {
                Some(value) => params.replace(*key, value.to_owned()),
                None => {
                    params.remove(key);
                }
            }
        }
        let url = format!(
            "{}{}",
            location.pathname.get_untracked(),
            params.to_query_string()
        );
        navigate(
            &url,
            NavigateOptions {
                replace: true,
                scroll: false,
                ..NavigateOptions::default()
            },
        );
    }
}
