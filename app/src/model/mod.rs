//! The domain vocabulary shared by the server and the browser: what a span,
//! an attribute and a service are, independent of how they are stored or sent.

pub mod account;
pub mod alert;
pub mod alert_rule_input;
pub mod attributes;
pub mod audit;
pub mod check;
pub mod check_form;
pub mod check_input;
mod check_parse;
mod check_text;
pub mod damping;
pub mod incident;
pub mod ingest_key;
pub mod map;
pub mod metric_chart;
pub mod metric_rate;
pub mod peer;
pub mod public_url;
pub mod red;
pub mod role;
pub mod rule_form;
pub mod rule_preview;
pub mod silence;
pub mod silence_form;
pub mod silence_input;
pub mod site;
pub mod sketch;
pub mod span;
pub mod trace;
