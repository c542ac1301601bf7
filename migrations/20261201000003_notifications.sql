-- Alert notifications (issue 8, part 3): webhook targets, an outbox of
-- deliveries, and every attempt.

create table notification_targets (
    id bigint generated always as identity primary key,
    name text not null unique,
    -- alertmanager: Alertmanager's webhook payload (version 4), so existing
    -- receivers work; json: Watchpost's own event.
    kind text not null check (kind in ('alertmanager', 'json')),
    url text not null,
    -- While an alert fires unacknowledged, it is sent again this often.
    repeat_secs integer not null default 3600 check (repeat_secs >= 60),
    enabled boolean not null default true,
    created_at timestamptz not null default now()
);

-- One row per (alert event, target): written with the change that caused
-- it, delivered by whichever replica claims it, retried with backoff.
create table notifications (
    id bigint generated always as identity primary key,
    alert_id bigint not null references alerts (id) on delete cascade,
    target_id bigint not null references notification_targets (id) on delete cascade,
    event text not null check (event in ('firing', 'repeat', 'acknowledged', 'unacknowledged', 'resolved')),
    created_at timestamptz not null default now(),
    next_attempt_at timestamptz not null default now(),
    attempts integer not null default 0,
    delivered_at timestamptz,
    given_up_at timestamptz
);

create index notifications_due on notifications (next_attempt_at)
    where delivered_at is null and given_up_at is null;
create index notifications_alert on notifications (alert_id, id);

create table notification_attempts (
    id bigint generated always as identity primary key,
    notification_id bigint not null references notifications (id) on delete cascade,
    at timestamptz not null default now(),
    -- The HTTP status, when there was an answer.
    status integer,
    error text not null default '',
    duration_ms integer not null
);

create index notification_attempts_notification on notification_attempts (notification_id, id);

-- When the alert was last sent, for the repeat interval.
alter table alerts add column last_notified_at timestamptz;
