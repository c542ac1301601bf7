//! The span detail panel: everything recorded about one span. Every value
//! is untrusted text and is only ever placed in text nodes.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::chart_scale::format_duration_ns;
use crate::model::attributes::{Attribute, AttributeValue};
use crate::model::trace::{Trace, hex};

#[component]
pub fn SpanDetail(
    trace: StoredValue<Trace>,
    index: usize,
    on_close: impl Fn() + Send + Sync + 'static,
) -> impl IntoView {
    let (span, resource, scope) = trace.with_value(|t| {
        let span = t.spans[index].clone();
        (
            span.clone(),
            t.resources[span.resource].clone(),
            t.scopes[span.scope].clone(),
        )
    });
    let trace_start = trace.with_value(|t| t.bounds().0);
    let status = match span.status_code.otel_name() {
        Some(name) if !span.status_message.is_empty() => format!("{name}: {}", span.status_message),
        Some(name) => name.to_owned(),
        None => "unset".to_owned(),
    };
    let events = span
        .events
        .iter()
        .map(|event| {
            view! {
                <li>
                    <span class="muted">"+"{format_duration_ns((event.time_ns - trace_start) as f64)}" "</span>
                    <strong>{event.name.clone()}</strong>
                    <AttributeTable attributes=event.attributes.clone()/>
                </li>
            }
        })
        .collect_view();
    let links = span
        .links
        .iter()
        .map(|link| {
            let trace_id = hex(&link.trace_id);
            view! {
                <li>
                    <A href=format!("/traces/{trace_id}")>{trace_id.clone()}</A>
                    <span class="muted">" span "{hex(&link.span_id)}</span>
                    <AttributeTable attributes=link.attributes.clone()/>
                </li>
            }
        })
        .collect_view();
    let scope_label = if scope.version.is_empty() {
        scope.name.clone()
    } else {
        format!("{} {}", scope.name, scope.version)
    };
    view! {
        <aside class="span-detail" data-testid="span-detail" aria-label="Span details">
            <header>
                <h2>{span.name.clone()}</h2>
                <button on:click=move |_| on_close() aria-label="Close span details">"×"</button>
            </header>
            <dl class="span-facts">
                <dt>"Service"</dt><dd>{resource.service.clone()}</dd>
                <dt>"Kind"</dt><dd>{span.kind.otel_name().unwrap_or("unspecified")}</dd>
                <dt>"Status"</dt><dd class:bad=span.status_code == crate::model::span::StatusCode::Error>{status}</dd>
                <dt>"Duration"</dt><dd>{format_duration_ns(span.duration_ns as f64)}</dd>
                <dt>"Starts at"</dt><dd>"+"{format_duration_ns((span.start_ns - trace_start) as f64)}</dd>
                <dt>"Span id"</dt><dd><code>{hex(&span.span_id.to_be_bytes())}</code></dd>
                <dt>"Parent"</dt><dd><code>{span.parent_span_id.map(|p| hex(&p.to_be_bytes())).unwrap_or_else(|| "none (root)".to_owned())}</code></dd>
                <dt>"Scope"</dt><dd>{scope_label}</dd>
            </dl>
            <h3>"Attributes"</h3>
            <AttributeTable attributes=span.attributes.clone()/>
            {(span.dropped_attributes_count > 0).then(|| view! {
                <p class="muted">{span.dropped_attributes_count}" attributes were dropped by the sender"</p>
            })}
            <h3>"Resource"</h3>
            <AttributeTable attributes=resource.attributes.clone()/>
            <h3>"Events"</h3>
            {if span.events.is_empty() {
                view! { <p class="muted">"None"</p> }.into_any()
            } else {
                view! { <ul class="events">{events}</ul> }.into_any()
            }}
            <h3>"Links"</h3>
            {if span.links.is_empty() {
                view! { <p class="muted">"None"</p> }.into_any()
            } else {
                view! { <ul class="links">{links}</ul> }.into_any()
            }}
        </aside>
    }
}

/// Keys, types and values; types matter (`"200"` is not `200`).
#[component]
fn AttributeTable(attributes: Vec<Attribute>) -> impl IntoView {
    if attributes.is_empty() {
        return view! { <p class="muted">"None"</p> }.into_any();
    }
    let rows = attributes
        .into_iter()
        .map(|attribute| {
            view! {
                <tr>
                    <th scope="row">{attribute.key.clone()}</th>
                    <td class="muted">{type_name(&attribute.value)}</td>
                    <td class="value" data-testid="attribute-value">{attribute.value.to_text()}</td>
                </tr>
            }
        })
        .collect_view();
    view! { <table class="attributes"><tbody>{rows}</tbody></table> }.into_any()
}

fn type_name(value: &AttributeValue) -> &'static str {
    match value {
        AttributeValue::Empty => "empty",
        AttributeValue::String(_) => "string",
        AttributeValue::Bool(_) => "bool",
        AttributeValue::Int(_) => "int",
        AttributeValue::Double(_) => "double",
        AttributeValue::Bytes(_) => "bytes",
        AttributeValue::Array(_) => "array",
        AttributeValue::KvList(_) => "map",
    }
}
