-- The durable outbox and the record of processed platform updates.
--
-- A conversation step writes its outgoing messages here in the same transaction as its
-- state, and the update that caused it into processed_updates, so a crash can neither
-- lose a reply nor make a redelivered update act twice.

CREATE TABLE outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    -- Who the message is about, so erasing a person erases their queued messages.
    -- NULL for the goodbye sent after /delete_me.
    person_id TEXT REFERENCES persons (id) ON DELETE CASCADE,
    platform TEXT NOT NULL,
    chat_id TEXT NOT NULL,
    -- serde_json of outbox::OutboxBody.
    body TEXT NOT NULL,
    -- Delivered messages are deleted; 'dead' ones stay for admins to inspect or retry.
    status TEXT NOT NULL CHECK (status IN ('pending', 'dead')),
    attempts INTEGER NOT NULL CHECK (attempts >= 0),
    -- Not sent before this time (retry backoff).
    not_before TEXT NOT NULL,
    -- The dispatcher instance holding the message, until lease_until; an expired lease
    -- lets another instance take it over.
    lease_owner TEXT,
    lease_until TEXT,
    last_error TEXT,
    created_at TEXT NOT NULL
) STRICT;

CREATE INDEX outbox_pending ON outbox (status, lease_until);
CREATE INDEX outbox_person_id ON outbox (person_id);

CREATE TABLE processed_updates (
    platform TEXT NOT NULL,
    update_id TEXT NOT NULL,
    processed_at TEXT NOT NULL,
    PRIMARY KEY (platform, update_id)
) STRICT;

-- Old entries are pruned: platforms stop redelivering after a day.
CREATE INDEX processed_updates_processed_at ON processed_updates (processed_at);
