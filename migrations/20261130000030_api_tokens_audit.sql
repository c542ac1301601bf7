-- Accounts, part 2 (issue 7): personal API tokens and the audit log.

-- A user's tokens for the JSON API (`Authorization: Bearer wpt_...`). They
-- act with the user's current role, and stop working when the user is
-- disabled, because every lookup joins `users`.
create table api_tokens (
    id bigint generated always as identity primary key,
    user_id bigint not null references users (id) on delete cascade,
    name text not null,
    -- The first characters of the token, so lists can tell tokens apart.
    prefix text not null,
    -- SHA-256 of the token; the token is shown once and never stored.
    token_hash bytea not null unique,
    created_at timestamptz not null default now(),
    last_used_at timestamptz,
    revoked_at timestamptz
);

create index api_tokens_user_id on api_tokens (user_id);

-- Who did what, when, and from where. Rows are only ever inserted.
create table audit_log (
    id bigint generated always as identity primary key,
    at timestamptz not null default now(),
    -- Null for the anonymous (failed logins) and for the command line.
    actor_id bigint references users (id) on delete set null,
    -- The username at the time (kept when the user is renamed or deleted),
    -- or "anonymous", or "cli".
    actor text not null,
    -- A dotted verb: "login", "login.failed", "check.update", "key.revoke".
    action text not null,
    -- What it was done to: a check's name, a key's name, a username.
    target text not null default '',
    detail text not null default '',
    -- The client address, when the action came over the network.
    address text
);

create index audit_log_at on audit_log (at desc, id desc);
