//! Integration tests: the real server on a random port, against a real
//! PostgreSQL with a fresh database per test. One binary, many modules, so
//! the project links once.

mod helpers;

mod access;
mod access_attacks;
mod accounts;
mod alerts;
mod checks_api;
mod checks_file;
mod checks_pages;
mod checks_scheduler;
mod checks_storage;
mod demo;
mod incidents;
mod ingest_errors;
mod ingest_grpc;
mod ingest_http;
mod ingest_keys;
mod interop;
mod jaeger_golden;
mod jaeger_params;
mod log_capture;
mod memory;
mod metric_charts;
mod metrics;
mod metrics_ingest;
mod notifications;
mod onboarding;
mod otlp_build;
mod outage;
mod pages;
mod probes;
mod retention;
mod rollups;
mod rules_preview;
mod service_map;
mod shutdown;
mod silences;
mod storage;
