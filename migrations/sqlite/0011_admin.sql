-- Admins: the audit log of every admin action, how reports were closed, and broadcasts.

-- One row per admin action, from a bot command or the admin API: who (a platform account
-- `telegram:123` or an API token's name `token:NAME`), what, about whom, when, and how it
-- ended. The target is a bare person id, kept after their erasure like a report's.
CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    target_id TEXT,
    details TEXT NOT NULL,
    outcome TEXT NOT NULL
) STRICT;

-- /user reads a person's entries, newest first.
CREATE INDEX audit_log_target_id ON audit_log (target_id, id);

-- A report is open while resolution is NULL; then 'resolved', 'dismissed' or 'banned',
-- with when and by whom.
ALTER TABLE reports ADD COLUMN resolution TEXT
    CHECK (resolution IS NULL OR resolution IN ('resolved', 'dismissed', 'banned'));
ALTER TABLE reports ADD COLUMN resolved_at TEXT;
ALTER TABLE reports ADD COLUMN resolved_by TEXT;

-- The queue, oldest first.
CREATE INDEX reports_open ON reports (created_at, id) WHERE resolution IS NULL;

-- A broadcast: its messages are outbox rows marked with its id, so its progress is what
-- is left of them (pending, dead) against how many were queued.
CREATE TABLE broadcasts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at TEXT NOT NULL,
    actor TEXT NOT NULL,
    -- serde_json of engine::Audience.
    audience TEXT NOT NULL,
    text TEXT NOT NULL,
    queued INTEGER NOT NULL CHECK (queued >= 0)
) STRICT;

ALTER TABLE outbox ADD COLUMN broadcast_id INTEGER REFERENCES broadcasts (id);

CREATE INDEX outbox_broadcast_id ON outbox (broadcast_id, status) WHERE broadcast_id IS NOT NULL;
