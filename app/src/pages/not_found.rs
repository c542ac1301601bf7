use leptos::prelude::*;
use leptos_router::components::A;

use crate::components::PageHeader;

/// Unknown paths get a real 404 status, not a 200 with an error message.
#[component]
pub fn NotFoundPage() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(axum::http::StatusCode::NOT_FOUND);
    }
    view! {
        <PageHeader title="Page not found"/>
        <p>"There is nothing at this address. " <A href="/services">"Go to Services"</A></p>
    }
}
