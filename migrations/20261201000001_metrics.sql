-- OTLP metrics (issue 8, part 1): streams and their points.

-- One row per metric stream: a metric of one service with one set of
-- attributes. The id is a hash of everything here, computed by the
-- server, so replicas intern the same stream without coordinating.
create table metric_streams (
    id bigint primary key,
    service text not null,
    name text not null,
    -- 1 gauge, 2 sum, 3 histogram, 4 exponential histogram, 5 summary.
    kind smallint not null check (kind between 1 and 5),
    unit text not null default '',
    description text not null default '',
    -- OTLP's AggregationTemporality: 0 unspecified, 1 delta, 2 cumulative.
    temporality smallint not null default 0,
    monotonic boolean not null default false,
    -- The point's attributes, and the resource's besides `service.name`
    -- (host, container, pod: where limits and group-bys come from).
    attributes jsonb not null default '{}',
    resource jsonb not null default '{}',
    first_seen_ns bigint not null
);

create index metric_streams_service_name on metric_streams (service, name);

-- Every point, partitioned by day on its time like spans. Which columns
-- are set depends on the stream's kind:
--   gauge, sum:             value
--   histogram:              count, sum, min, max, bounds, bucket_counts
--   exponential histogram:  count, sum, min, max, scale, zero_count,
--                           positive_offset, bucket_counts (positive),
--                           negative_offset, negative_counts
--   summary:                count, sum, quantiles, quantile_values
create table metric_points (
    stream_id bigint not null,
    time_ns bigint not null,
    start_ns bigint not null default 0,
    value double precision,
    count bigint,
    sum double precision,
    min double precision,
    max double precision,
    bounds double precision[],
    bucket_counts bigint[],
    scale integer,
    zero_count bigint,
    positive_offset integer,
    negative_offset integer,
    negative_counts bigint[],
    quantiles double precision[],
    quantile_values double precision[],
    -- OTLP DataPointFlags (1: no recorded value).
    flags integer not null default 0
) partition by range (time_ns);

create index metric_points_stream_time on metric_points (stream_id, time_ns);
