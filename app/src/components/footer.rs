use leptos::prelude::*;

use crate::instance::{DatabaseState, get_instance_status};

/// The version, and whether Watchpost's own database is reachable: when it
/// is not, every page is empty for that reason, and people should know.
#[component]
pub fn Footer() -> impl IntoView {
    let status = Resource::new(|| (), |_| get_instance_status());
    view! {
        <footer class="footer">
            <Suspense fallback=|| view! { <span class="status-dot pending"></span> }>
                {move || {
                    status
                        .get()
                        .map(|result| match result {
                            Ok(status) => {
                                let class = match status.database {
                                    DatabaseState::Ready => "status-dot ok",
                                    DatabaseState::MigrationsPending => "status-dot warn",
                                    DatabaseState::Unreachable => "status-dot bad",
                                };
                                view! {
                                    <span class=class></span>
                                    <span data-testid="database-state">{status.database.label()}</span>
                                    <span class="muted">" · Watchpost " {status.version}</span>
                                }
                                    .into_any()
                            }
                            Err(error) => {
                                view! {
                                    <span class="status-dot bad"></span>
                                    <span data-testid="database-state">{error.to_string()}</span>
                                }
                                    .into_any()
                            }
                        })
                }}
            </Suspense>
        </footer>
    }
}
