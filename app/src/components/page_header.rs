use leptos::prelude::*;
use leptos_meta::Title;

/// The title of a page, in the document and on the page.
#[component]
pub fn PageHeader(
    #[prop(into)] title: Signal<String>,
    #[prop(optional, into)] subtitle: Option<Signal<String>>,
) -> impl IntoView {
    view! {
        <Title text=move || title_text(&title.get())/>
        <div class="page-header">
            <h1>{move || title.get()}</h1>
            {subtitle.map(|subtitle| view! { <p class="subtitle">{move || subtitle.get()}</p> })}
        </div>
    }
}

/// leptos_meta 0.8.7 writes `<title>` text into the server-rendered HTML
/// without escaping it, so a path segment like `</title><script>` would run.
/// Titles are text only: the angle brackets become look-alike quotes, which
/// is safe both in that HTML and in `document.title`.
fn title_text(title: &str) -> String {
    title.replace('<', "‹").replace('>', "›")
}

#[cfg(test)]
mod tests {
    #[test]
    fn titles_cannot_close_the_title_element() {
        assert_eq!(
            super::title_text("</title><script>x</script>"),
            "‹/title›‹script›x‹/script›"
        );
        assert_eq!(super::title_text("checkout"), "checkout");
    }
}
