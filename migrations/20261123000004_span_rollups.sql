-- RED metrics without scanning spans: per operation (hence service and
-- kind) and minute, the span count, the errors, the summed duration and a
-- mergeable latency sketch (model/sketch.rs, every percentile within 1 %).
--
-- Writers append one row per (operation, minute) per batch, in the same
-- transaction as the spans, so rollups and spans never disagree; a job
-- merges the rows of each key into one. Readers sum whatever rows exist, so
-- they are right before and after that merge.
create table span_rollups (
    minute_ns bigint not null,
    operation_id integer not null,
    span_count bigint not null,
    error_count bigint not null,
    duration_sum_ns bigint not null,
    durations bytea not null
);

create index span_rollups_minute_operation on span_rollups (minute_ns, operation_id);
