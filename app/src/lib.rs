//! Watchpost's user interface and the server-side code it calls.
//!
//! This crate is compiled twice: with `hydrate` into the WebAssembly bundle the
//! browser runs, and with `ssr` into the server, where it also carries the
//! storage layer. Anything that touches the database sits behind `ssr`.

// Release builds keep every view's full type (debug builds erase them):
// the header and the pages nest deeper than the compiler's default limit.
#![recursion_limit = "256"]

/// Who is signed in: the current user for server functions and the header.
pub mod auth;
/// Sizes written the way people write them: `512KiB`, `16MiB`.
pub mod byte_size;
/// Scales, ticks and number formats for the SVG charts.
pub mod chart_scale;
/// Durations written the way people write them: `10s`, `500ms`, `5m`.
pub mod duration;
/// Errors server functions hand back to the browser.
pub mod error;
/// Go's duration syntax, as Jaeger's API and our search form accept it.
pub mod go_duration;
/// What the server says about itself: version and database state.
pub mod instance;
/// The service map's layered layout and blast radius.
pub mod map_layout;
/// Spans, attributes and services, as the rest of the code talks about them.
pub mod model;
/// Server functions the pages read their data through.
pub mod rpc;
/// The trace search form and its validation.
pub mod search_form;
/// Copy-paste set-up per language for the Send data page.
pub mod setup_snippets;
/// The document around every page and the router that picks the page.
pub mod shell;
/// The time window every page looks at, kept in the URL.
pub mod time_range;
/// The trace waterfall's span tree, critical path and virtual scrolling.
pub mod waterfall;

mod components;
mod pages;

/// Shared server-side state handed to server functions.
#[cfg(feature = "ssr")]
pub mod state;
/// All SQL lives here.
#[cfg(feature = "ssr")]
pub mod storage;

/// Entry point of the WebAssembly bundle: attach to the server-rendered page.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(shell::App);
    // Hydration is synchronous: from here on every handler is live. The mark
    // lets browser tests (and curious people) tell a live page from static HTML.
    if let Some(root) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
    {
        let _ = root.set_attribute("data-hydrated", "true");
    }
}
