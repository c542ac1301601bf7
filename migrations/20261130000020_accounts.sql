-- Accounts (issue 7, part 1): users, their sessions and the first-run
-- setup token. Roles are stored but not yet enforced on any route.

create table users (
    id bigint generated always as identity primary key,
    username text not null,
    display_name text not null,
    -- A PHC string (`$argon2id$v=19$...`): algorithm, parameters and salt
    -- travel with the hash, so parameters can be raised later.
    password_hash text not null,
    role text not null check (role in ('viewer', 'responder', 'admin')),
    disabled boolean not null default false,
    created_at timestamptz not null default now()
);

-- Usernames are unique regardless of case: "Alice" and "alice" are one person.
create unique index users_username_key on users (lower(username));

create table sessions (
    id bigint generated always as identity primary key,
    -- SHA-256 of the cookie's token; the token itself is never stored, so a
    -- leaked backup or a read-only SQL hole does not hand out live sessions.
    token_hash bytea not null unique,
    user_id bigint not null references users (id) on delete cascade,
    created_at timestamptz not null default now(),
    -- Idle expiry counts from here; refreshed at most once a minute.
    last_seen_at timestamptz not null default now(),
    -- Absolute expiry, fixed at login.
    expires_at timestamptz not null,
    revoked_at timestamptz
);

create index sessions_user_id on sessions (user_id);

-- One-time tokens for creating the first admin, hashed like session tokens.
-- Every start that finds no user adds one; creating the first user clears them.
create table setup_tokens (
    token_hash bytea primary key,
    created_at timestamptz not null default now()
);
