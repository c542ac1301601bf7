-- Silences and maintenance windows (issue 8, part 4), and per-rule
-- notification targets.

create table silences (
    id bigint generated always as identity primary key,
    -- Alertmanager-style matchers, all of which must match an alert's
    -- labels: [{"name": "service", "value": "orders", "is_regex": false,
    -- "is_equal": true}, ...]. Labels are alertname, rule, service,
    -- severity and the rule's own labels.
    matchers jsonb not null,
    starts_at timestamptz not null,
    -- Null for "mute until resolved" (alert_id set) and for maintenance
    -- windows that recur with no end.
    ends_at timestamptz,
    -- "Mute until resolved": the silence lasts while this alert is open.
    alert_id bigint references alerts (id) on delete cascade,
    -- A recurring maintenance window: active on these ISO weekdays
    -- (1 = Monday) from `window_start` for `window_secs`, in local time of
    -- `timezone` (a Postgres time zone name), between starts_at and ends_at.
    weekdays smallint[],
    window_start time,
    window_secs integer check (window_secs between 60 and 86400),
    timezone text,
    comment text not null,
    created_by text not null,
    created_at timestamptz not null default now(),
    -- Ended early by hand.
    expired_at timestamptz,
    expired_by text,
    -- When the reminder before its end went out.
    reminded_at timestamptz,
    check (ends_at is not null or alert_id is not null or weekdays is not null),
    check ((weekdays is null) = (window_start is null)
        and (weekdays is null) = (window_secs is null)
        and (weekdays is null) = (timezone is null))
);

create index silences_current on silences (ends_at) where expired_at is null;

-- The silence that mutes an open alert, refreshed every evaluation: muted
-- alerts are evaluated and shown, but not sent.
alter table alerts add column silenced_by bigint references silences (id) on delete set null;

-- Targets a rule notifies, by name; empty: every enabled target.
alter table alert_rules add column notify text[] not null default '{}';

-- A reminder is about a silence, not an alert.
alter table notifications alter column alert_id drop not null;
alter table notifications add column silence_id bigint references silences (id) on delete cascade;
alter table notifications add check ((alert_id is null) <> (silence_id is null));
alter table notifications drop constraint notifications_event_check;
alter table notifications add constraint notifications_event_check check (event in
    ('firing', 'repeat', 'acknowledged', 'unacknowledged', 'resolved', 'silence_expiring'));
