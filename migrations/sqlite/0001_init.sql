-- lexbot's SQLite schema: persons, the platform accounts that lead to them, one saved dialogue per chat.
--
-- Ids are hyphenated lowercase UUID text (SQLx would encode a Uuid as a blob, so the
-- store binds strings). Timestamps are RFC 3339 UTC text with exactly six fractional
-- digits (2024-05-01T12:00:00.000000Z): fixed width, so text order is time order, and
-- the same precision PostgreSQL's TIMESTAMPTZ keeps, so both backends round-trip alike.
-- STRICT makes SQLite refuse values of the wrong type instead of storing them anyway.

CREATE TABLE persons (
    id TEXT NOT NULL PRIMARY KEY,
    -- Optimistic concurrency: every committed step bumps it and must name the version it read.
    version INTEGER NOT NULL CHECK (version >= 0),
    -- serde_json of domain::Profile; not CHECKed, so a bad value is reported on load, not hidden.
    profile TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
) STRICT;

CREATE TABLE accounts (
    platform TEXT NOT NULL,
    platform_user_id TEXT NOT NULL,
    person_id TEXT NOT NULL REFERENCES persons (id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    PRIMARY KEY (platform, platform_user_id)
) STRICT;

-- Loading a person lists their accounts, and erasing one deletes them.
CREATE INDEX accounts_person_id ON accounts (person_id);

CREATE TABLE dialogues (
    person_id TEXT NOT NULL REFERENCES persons (id) ON DELETE CASCADE,
    platform TEXT NOT NULL,
    chat_id TEXT NOT NULL,
    -- The engine migrates states by this number; 0 is never written, so it marks a bug.
    schema_version INTEGER NOT NULL CHECK (schema_version >= 1),
    -- Engine-defined JSON, kept verbatim.
    state TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (person_id, platform, chat_id)
) STRICT;
