use leptos::prelude::*;

/// Light or dark. Until someone picks, the operating system's preference
/// applies (CSS `prefers-color-scheme`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Theme {
    Light,
    Dark,
}

impl Theme {
    fn other(self) -> Theme {
        match self {
            Theme::Light => Theme::Dark,
            Theme::Dark => Theme::Light,
        }
    }

    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    fn key(self) -> &'static str {
        match self {
            Theme::Light => "light",
            Theme::Dark => "dark",
        }
    }
}

/// Switches between light and dark and remembers the choice in this browser.
#[component]
pub fn ThemeToggle() -> impl IntoView {
    // The server cannot know the browser's theme; the real value is read once
    // the page is live, so hydration sees the same markup the server sent.
    let theme = RwSignal::new(None::<Theme>);
    Effect::new(move |_| theme.set(Some(browser::current_theme())));

    let toggle = move |_| {
        let next = theme.get_untracked().unwrap_or(Theme::Light).other();
        browser::apply_theme(next);
        theme.set(Some(next));
    };
    let label = move || match theme.get() {
        Some(Theme::Dark) => "Light theme",
        _ => "Dark theme",
    };

    view! {
        <button
            type="button"
            class="theme-toggle"
            data-testid="theme-toggle"
            title="Switch between light and dark"
            on:click=toggle
        >
            {label}
        </button>
    }
}

#[cfg(feature = "hydrate")]
mod browser {
    use super::Theme;

    const STORAGE_KEY: &str = "watchpost-theme";

    pub fn current_theme() -> Theme {
        let Some(window) = web_sys::window() else {
            return Theme::Light;
        };
        let explicit = window
            .document()
            .and_then(|d| d.document_element())
            .and_then(|root| root.get_attribute("data-theme"));
        match explicit.as_deref() {
            Some("dark") => Theme::Dark,
            Some("light") => Theme::Light,
            _ => {
                let prefers_dark = window
                    .match_media("(prefers-color-scheme: dark)")
                    .ok()
                    .flatten()
                    .is_some_and(|query| query.matches());
                if prefers_dark {
                    Theme::Dark
                } else {
                    Theme::Light
                }
            }
        }
    }

    pub fn apply_theme(theme: Theme) {
        let Some(window) = web_sys::window() else {
            return;
        };
        if let Some(root) = window.document().and_then(|d| d.document_element()) {
            let _ = root.set_attribute("data-theme", theme.key());
        }
        // Private browsing may refuse storage; the theme still applies to this page.
        if let Ok(Some(storage)) = window.local_storage() {
            let _ = storage.set_item(STORAGE_KEY, theme.key());
        }
    }
}

/// Rendering on the server never runs effects or click handlers.
#[cfg(not(feature = "hydrate"))]
mod browser {
    use super::Theme;

    pub fn current_theme() -> Theme {
        Theme::Light
    }

    pub fn apply_theme(_theme: Theme) {}
}
