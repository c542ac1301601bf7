-- The service map: calls from a service to another node, per minute.
-- Derived from spans as they are ingested (a client span in one service
-- whose server child is in another; a producer and its consumer; or a
-- client span to something that sends no spans, such as a database).
-- Nodes are named rather than numbered because virtual nodes (a database,
-- an external API) are not services in the catalogue.
create table edge_rollups (
    minute_ns bigint not null,
    caller text not null,
    callee text not null,
    -- model/map.rs NodeKind: 0 service, 1 database, 2 cache, 3 queue, 4 external
    callee_kind smallint not null,
    asynchronous boolean not null,
    call_count bigint not null,
    error_count bigint not null,
    -- As the caller saw it (client spans) ...
    client_duration_sum_ns bigint not null,
    client_durations bytea not null,
    -- ... and as the callee did, where its server span is known.
    server_count bigint not null,
    server_duration_sum_ns bigint not null,
    server_durations bytea not null
);

create index edge_rollups_minute on edge_rollups (minute_ns);
