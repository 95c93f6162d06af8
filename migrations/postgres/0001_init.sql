-- lexbot's PostgreSQL schema: persons, the platform accounts that lead to them, one saved dialogue per chat.

CREATE TABLE persons (
    id UUID PRIMARY KEY,
    -- Optimistic concurrency: every committed step bumps it and must name the version it read.
    version BIGINT NOT NULL CHECK (version >= 0),
    -- serde_json of domain::Profile. JSONB so that matching can filter on profile fields in SQL.
    profile JSONB NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE accounts (
    platform TEXT NOT NULL,
    platform_user_id TEXT NOT NULL,
    person_id UUID NOT NULL REFERENCES persons (id) ON DELETE CASCADE,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (platform, platform_user_id)
);

-- Loading a person lists their accounts, and erasing one deletes them.
CREATE INDEX accounts_person_id ON accounts (person_id);

CREATE TABLE dialogues (
    person_id UUID NOT NULL REFERENCES persons (id) ON DELETE CASCADE,
    platform TEXT NOT NULL,
    chat_id TEXT NOT NULL,
    -- The engine migrates states by this number; 0 is never written, so it marks a bug.
    schema_version INTEGER NOT NULL CHECK (schema_version >= 1),
    -- Engine-defined JSON, kept verbatim (TEXT, not JSONB, which would reorder keys).
    state TEXT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (person_id, platform, chat_id)
);
