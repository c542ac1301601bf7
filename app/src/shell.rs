use leptos::prelude::*;
use leptos_meta::{MetaTags, Stylesheet, Title, provide_meta_context};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{SsrMode, path};

use crate::components::{Footer, Header};
use crate::pages::{
    AdminPage, AlertDetailPage, AlertsPage, HealthCheckPage, HealthPage, LoginPage, MapPage,
    MetricsPage, NewCheckPage, NotFoundPage, ProfilePage, RulesPage, SendDataPage, ServicePage,
    ServicesPage, SetupPage, StatusPageView, TracePage, TracesPage,
};

/// Applies a saved theme before the first paint, so a dark-theme user never
/// sees a white flash. It reads only our own localStorage key.
const THEME_BOOT_SCRIPT: &str = "try{var t=localStorage.getItem('watchpost-theme');\
if(t==='light'||t==='dark'){document.documentElement.dataset.theme=t}}catch(e){}";

/// Watchpost's icon. Pages carry it inline ([`favicon_data_url`]), so
/// browsers do not ask for /favicon.ico; the server serves it there too,
/// for the plain-text answers that carry no page (a used setup link, an
/// API error opened in a tab), which would otherwise log a 404.
pub const FAVICON_SVG: &str = "<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 16 16'>\
    <circle cx='8' cy='8' r='6' fill='#2f7d6d'/><circle cx='8' cy='8' r='2.5' fill='white'/></svg>";

/// The icon as a `data:` URL.
pub fn favicon_data_url() -> String {
    let escaped = FAVICON_SVG
        .replace('<', "%3C")
        .replace('>', "%3E")
        .replace('#', "%23");
    format!("data:image/svg+xml,{escaped}")
}

/// The HTML document the server renders around the app.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="color-scheme" content="light dark"/>
                <link rel="icon" href=favicon_data_url()/>
                <script inner_html=THEME_BOOT_SCRIPT></script>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// The application: header with navigation and time range, one page, footer.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    let user = SharedValue::new(crate::auth::signed_in_user).into_inner();
    provide_context(crate::auth::SessionUser(user));
    // Where to send data, for the empty states; fixed for the page's life.
    let endpoints = SharedValue::new(crate::rpc::onboarding::endpoints_for_page).into_inner();
    provide_context(crate::components::PageEndpoints(endpoints));

    view! {
        <Stylesheet id="leptos" href="/pkg/watchpost.css"/>
        <Title formatter=|page: String| format!("{page} · Watchpost")/>
        <Router>
            <AppChrome>
                <Header/>
            </AppChrome>
            <main class="page">
                <Routes fallback=NotFoundPage>
                    <Route path=path!("/") view=ServicesPage/>
                    <Route path=path!("/services") view=ServicesPage/>
                    <Route path=path!("/services/:name") view=ServicePage/>
                    <Route path=path!("/traces") view=TracesPage/>
                    <Route path=path!("/traces/:id") view=TracePage/>
                    <Route path=path!("/map") view=MapPage/>
                    <Route path=path!("/health") view=HealthPage/>
                    <Route path=path!("/health/new") view=NewCheckPage/>
                    <Route path=path!("/health/:check") view=HealthCheckPage/>
                    <Route path=path!("/status") view=StatusPageView/>
                    <Route path=path!("/alerts") view=AlertsPage/>
                    <Route path=path!("/alerts/:id") view=AlertDetailPage/>
                    <Route path=path!("/rules") view=RulesPage/>
                    <Route path=path!("/explore") view=MetricsPage/>
                    // Whole before it is sent, so the set-up reads without the bundle.
                    <Route path=path!("/send-data") view=SendDataPage ssr=SsrMode::Async/>
                    <Route path=path!("/account") view=ProfilePage/>
                    <Route path=path!("/admin") view=AdminPage/>
                    <Route path=path!("/login") view=LoginPage/>
                    <Route path=path!("/setup") view=SetupPage/>
                </Routes>
            </main>
            <AppChrome>
                <Footer/>
            </AppChrome>
        </Router>
    }
}

/// The app's navigation and footer, left off the public status page: its
/// readers are customers, not engineers, and have nothing to navigate to.
#[component]
fn AppChrome(children: ChildrenFn) -> impl IntoView {
    let location = leptos_router::hooks::use_location();
    let public = move || location.pathname.get() == "/status";
    view! { <Show when=move || !public()>{children()}</Show> }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_inline_icon_is_an_escaped_data_url() {
        let url = super::favicon_data_url();
        assert!(url.starts_with("data:image/svg+xml,%3Csvg "), "{url}");
        assert!(!url.contains(['<', '>', '#']), "{url}");
    }
}
