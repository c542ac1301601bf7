-- Trace storage. Spans are the bulk of the data, so everything that repeats
-- across spans lives once in a small table and spans point at it:
-- services, operations (service + span name + kind), resources and scopes.

-- The service catalogue, kept up to date from resource attributes.
create table services (
    id integer generated always as identity primary key,
    name text not null unique,
    namespace text,
    version text,
    environment text,
    sdk_name text,
    sdk_language text,
    sdk_version text,
    first_seen timestamptz not null,
    last_seen timestamptz not null
);

-- One row per (service, span name, kind): spans carry a 4-byte id instead
-- of the name, and "the operations of a service" is a lookup here.
create table operations (
    id integer generated always as identity primary key,
    service_id integer not null references services (id),
    name text not null,
    kind smallint not null,
    unique (service_id, name, kind)
);

-- Each distinct resource once. The id is a 64-bit hash of its contents, so
-- writers on any replica agree on it without asking the database.
create table resources (
    id bigint primary key,
    service_id integer not null references services (id),
    attributes bytea not null,
    dropped_attributes_count integer not null default 0,
    schema_url text not null default '',
    first_seen timestamptz not null default now()
);

-- Each distinct instrumentation scope once, keyed the same way.
create table scopes (
    id bigint primary key,
    name text not null,
    version text not null,
    attributes bytea not null,
    dropped_attributes_count integer not null default 0,
    schema_url text not null default ''
);

-- Spans, partitioned by start time (unix nanoseconds) so retention drops
-- whole partitions. Fixed-width columns come first to avoid padding;
-- attributes, events and links use the compact encoding in storage/codec.rs.
-- Ids are stored as they are sent: the 8 span-id bytes as a big-endian int8.
create table spans (
    start_ns bigint not null,
    duration_ns bigint not null,
    span_id bigint not null,
    parent_span_id bigint,
    resource_id bigint not null,
    scope_id bigint not null,
    operation_id integer not null,
    flags integer not null,
    status_code smallint not null,
    trace_id bytea not null,
    status_message text,
    trace_state text,
    attributes bytea not null,
    events bytea,
    links bytea,
    dropped_attributes_count integer,
    dropped_events_count integer,
    dropped_links_count integer
) partition by range (start_ns);

-- Defined on the parent, so every partition gets them:
-- a trace by id; a search by operation (hence service) and time; and by
-- operation and duration.
create index spans_trace_id on spans (trace_id);
create index spans_operation_start on spans (operation_id, start_ns);
create index spans_operation_duration on spans (operation_id, duration_ns);
