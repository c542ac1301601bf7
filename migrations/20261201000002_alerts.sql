-- Alert rules, their instances and every transition (issue 8, part 2).

create table alert_rules (
    id bigint generated always as identity primary key,
    name text not null unique,
    -- What is measured: error_rate (errors / requests, 0..1), latency
    -- (seconds; `statistic` avg, p50, p95 or p99), memory (utilisation
    -- 0..1), check (1 while a check of the service is down), metric (the
    -- latest value of the metric named in `statistic`).
    kind text not null check (kind in ('error_rate', 'latency', 'memory', 'check', 'metric')),
    statistic text not null default '',
    -- Services the rule watches; empty: every service.
    services text[] not null default '{}',
    comparison text not null check (comparison in ('>', '>=', '<', '<=')),
    threshold double precision not null,
    window_secs integer not null check (window_secs between 60 and 86400),
    -- How long the condition must hold before pending becomes firing.
    for_secs integer not null default 0 check (for_secs >= 0),
    severity text not null check (severity in ('warning', 'critical')),
    labels jsonb not null default '{}',
    runbook_url text not null default '',
    enabled boolean not null default true,
    -- Shipped with Watchpost: editable and can be disabled, not deleted.
    builtin boolean not null default false,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
);

-- The classic microservice thresholds, for every service out of the box.
insert into alert_rules (name, kind, statistic, comparison, threshold, window_secs, for_secs, severity, builtin)
values
    ('High error rate', 'error_rate', '', '>', 0.05, 300, 0, 'warning', true),
    ('Slow responses', 'latency', 'avg', '>', 2.0, 300, 0, 'warning', true),
    ('Memory nearly full', 'memory', 'utilization', '>', 0.8, 300, 0, 'critical', true),
    ('Health check failing', 'check', 'unhealthy', '>', 0.5, 60, 60, 'critical', true);

-- One row per alert instance: a rule's condition on one service, from
-- pending until resolved. The fingerprint (rule, service, labels) keeps at
-- most one instance open at a time.
create table alerts (
    id bigint generated always as identity primary key,
    fingerprint text not null,
    rule_id bigint not null references alert_rules (id) on delete cascade,
    service text not null,
    state text not null check (state in ('pending', 'firing', 'resolved')),
    -- The value that last moved or confirmed the state.
    value double precision,
    pending_since timestamptz not null,
    firing_since timestamptz,
    resolved_at timestamptz,
    -- Who resolved it by hand, when it did not clear by itself.
    resolved_by text,
    acknowledged_by text,
    acknowledged_at timestamptz,
    ack_comment text,
    evaluated_at timestamptz not null
);

create unique index alerts_open_fingerprint on alerts (fingerprint) where state <> 'resolved';
create index alerts_state on alerts (state, pending_since desc);

-- Every transition of every alert, with the value that caused it.
create table alert_transitions (
    id bigint generated always as identity primary key,
    alert_id bigint not null references alerts (id) on delete cascade,
    at timestamptz not null,
    from_state text,
    to_state text not null,
    value double precision,
    note text not null default ''
);

create index alert_transitions_alert on alert_transitions (alert_id, at);
