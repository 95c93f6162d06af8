-- Partner matching: the matcher's queue, its waves, reports people file about each
-- other, and the lease that keeps one matcher leader at a time.
--
-- Who waits and since when is the practice record's (partnering.status); match_queue
-- mirrors it, written in the same transaction as the record, so a wave reads the queue
-- without scanning every record.

CREATE TABLE match_queue (
    person_id TEXT NOT NULL PRIMARY KEY REFERENCES persons (id) ON DELETE CASCADE,
    waiting_since TEXT NOT NULL
) STRICT;

-- A wave takes the oldest waiters first.
CREATE INDEX match_queue_waiting_since ON match_queue (waiting_since);

-- /report, for admins. Both sides' ids cascade: /delete_me of either erases the report.
CREATE TABLE reports (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    reporter_id TEXT NOT NULL REFERENCES persons (id) ON DELETE CASCADE,
    about_id TEXT NOT NULL REFERENCES persons (id) ON DELETE CASCADE,
    -- domain::ReportReason, snake_case.
    reason TEXT NOT NULL,
    -- What the reporter wrote; '' for nothing.
    details TEXT NOT NULL,
    -- The proposal or partnership it concerns (hyphenated UUID), if any.
    proposal_id TEXT,
    created_at TEXT NOT NULL
) STRICT;

-- Erasing a person deletes the reports they filed and those about them.
CREATE INDEX reports_reporter_id ON reports (reporter_id);
CREATE INDEX reports_about_id ON reports (about_id);

-- One row per matcher wave: missed waves are counted from it, admins read it.
CREATE TABLE match_waves (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    started_at TEXT NOT NULL,
    finished_at TEXT NOT NULL,
    -- People in the queue, those of them who could be paired at all, candidate edges,
    -- pairs proposed and the matching's total weight.
    waiting INTEGER NOT NULL CHECK (waiting >= 0),
    eligible INTEGER NOT NULL CHECK (eligible >= 0),
    edges INTEGER NOT NULL CHECK (edges >= 0),
    pairs INTEGER NOT NULL CHECK (pairs >= 0),
    total_weight INTEGER NOT NULL
) STRICT;

CREATE INDEX match_waves_started_at ON match_waves (started_at);

-- Leadership leases (PostgreSQL uses advisory locks instead): `owner` leads `role`
-- (e.g. 'matcher') until `until`, renewing it while alive; an expired lease may be taken
-- by anyone.
CREATE TABLE leaders (
    role TEXT NOT NULL PRIMARY KEY,
    owner TEXT NOT NULL,
    until TEXT NOT NULL
) STRICT;
