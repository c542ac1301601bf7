-- Ingest keys: the bearer tokens OTLP exporters send. Only a SHA-256 of
-- each key is stored; the key itself is shown once, when it is created.
create table ingest_keys (
    id bigint generated always as identity primary key,
    -- Unique even among revoked keys, so a name in a log or a list always
    -- means one key.
    name text not null unique,
    -- The key's first characters, enough to tell keys apart in a list
    -- without revealing them.
    prefix text not null,
    key_hash bytea not null unique,
    created_at timestamptz not null default now(),
    -- Written in batches by each replica's key cache, a few seconds late.
    last_used_at timestamptz,
    -- A revoked key stays listed; the key caches drop it within seconds.
    revoked_at timestamptz
);
