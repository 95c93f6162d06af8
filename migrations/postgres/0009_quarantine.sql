-- Poison updates: an update that makes its step fail every time must not be stepped
-- forever (a replay at every start would take the bot down with it).
--
-- Every replay of an inbox row counts an attempt; past a limit the row moves to
-- quarantined_updates, and so does an update whose step panicked (at once: a step is a
-- pure function, so it would panic again). A quarantined update is recorded as
-- processed, so a redelivery is recognised, and kept here for the admins.

ALTER TABLE inbox ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;

CREATE TABLE quarantined_updates (
    platform TEXT NOT NULL,
    update_id TEXT NOT NULL,
    quarantined_at TIMESTAMPTZ NOT NULL,
    -- How often it was stepped (or replayed) before it was given up.
    attempts INTEGER NOT NULL,
    -- Why it was given up: "step panicked", or the last error after the limit.
    reason TEXT NOT NULL,
    -- The update as the platform sent it, when the inbox still held it.
    payload TEXT,
    -- Whose step it was, when known (a panicked step); erased with that person.
    person_id UUID,
    PRIMARY KEY (platform, update_id)
);
