-- Instance-wide settings (retention, public URL, ...) that admins change at
-- runtime; every replica reads them from here rather than from its own flags.
create table settings (
    key text primary key,
    value jsonb not null,
    updated_at timestamptz not null default now()
);
