-- Service-map facts that waited a few seconds in one server's memory without
-- meeting their other half. With several replicas on one database, a client
-- span and its server span are often ingested by different ones; here any
-- replica can pair them (server/src/map/shared.rs).
-- Unlogged: the rows are derived from stored spans and live at most five
-- minutes; a crash loses the pairing of calls in flight, as memory would.
create unlogged table edge_pending (
    trace_id bytea not null,
    -- a caller's own span id; for a callee, the caller span it answers
    span_id bytea not null,
    is_caller boolean not null,
    service text not null,
    start_ns bigint not null,
    duration_ns bigint not null,
    error boolean not null,
    asynchronous boolean not null,
    -- who a caller says it calls (model/map.rs NodeRef), if anyone
    peer_name text,
    peer_kind smallint,
    -- when the fact began waiting, unix milliseconds
    waiting_since_ms bigint not null
);

create index edge_pending_span on edge_pending (trace_id, span_id);

-- Running servers, each seen every few seconds. While more than one runs
-- on this database the service map shares its waiting facts.
create table server_replicas (
    id bigint primary key,
    seen_at timestamptz not null default now()
);
