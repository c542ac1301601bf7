-- Active health checks: the registry, every result, state changes, and
-- hourly rollups for uptime and latency over long ranges.

create table checks (
    id bigint generated always as identity primary key,
    name text not null unique,
    service text not null,
    -- The validated check (model/check.rs CheckSpec) as JSON: one place for
    -- every setting, so adding one needs no migration.
    spec jsonb not null,
    -- Where the check came from: 'api', 'ui' or 'file' (file checks are
    -- replaced when the file is reloaded).
    source text not null,
    paused boolean not null default false,
    interval_ms bigint not null,
    -- The scheduler claims due checks with `for update skip locked`, so with
    -- several replicas each check runs once per interval.
    next_run_at timestamptz not null default now(),
    -- model/check.rs CheckState as text, damped by the thresholds.
    state text not null default 'pending',
    state_since timestamptz not null default now(),
    -- The state the latest results point to, and how many in a row.
    streak_state text not null default 'pending',
    streak integer not null default 0,
    last_result jsonb,
    last_result_at timestamptz,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
);

create index checks_due on checks (next_run_at) where not paused;
create index checks_service on checks (service);

-- Every result, partitioned by day (unix nanoseconds) like spans, so
-- retention drops whole partitions.
create table check_results (
    at_ns bigint not null,
    check_id bigint not null,
    state text not null,
    latency_ms real not null,
    http_status smallint,
    reason text,
    -- [{name, state, detail}] as the health endpoint reported them
    dependencies jsonb
) partition by range (at_ns);

create index check_results_check on check_results (check_id, at_ns);

-- Each state change, kept as long as the check exists.
create table check_events (
    id bigint generated always as identity primary key,
    check_id bigint not null references checks (id) on delete cascade,
    at timestamptz not null,
    from_state text not null,
    to_state text not null,
    reason text
);

create index check_events_check on check_events (check_id, at desc);

-- Per check and hour: results by state, added to as results are written
-- (an upsert: counts add up, so replicas never collide). Uptime over 7 and
-- 30 days and the uptime bars read these; latency percentiles come from
-- check_results, which hold the raw figures for the retention window.
create table check_rollups (
    check_id bigint not null references checks (id) on delete cascade,
    hour_ns bigint not null,
    total integer not null,
    healthy integer not null,
    degraded integer not null,
    unhealthy integer not null,
    unreachable integer not null,
    latency_sum_ms double precision not null,
    primary key (check_id, hour_ns)
);
