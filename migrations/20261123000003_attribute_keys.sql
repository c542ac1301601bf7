-- Span attribute keys, interned: `http.response.status_code` is stored once
-- here and as a one- or two-byte id in every span that carries it.
create table attribute_keys (
    id integer generated always as identity primary key,
    key text not null unique
);
