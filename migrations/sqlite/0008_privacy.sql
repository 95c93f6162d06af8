-- Privacy: what outlives /delete_me.
--
-- A person erased while a privacy key is configured leaves a tombstone: their id, whom
-- they blocked and their former partners, under the keyed hash (HMAC-SHA256, the key
-- from the environment) of each platform account they used. Nothing else of theirs is
-- kept: no profile, no text, no platform id. When one of those accounts comes back, the
-- person is created again with the same id and these lists, so everyone else's blocks,
-- former-partner rules and reports about them apply again.

CREATE TABLE tombstones (
    person_id TEXT NOT NULL PRIMARY KEY,
    -- JSON arrays of person ids: people they blocked, and former partners (including
    -- proposals that fell through).
    blocked TEXT NOT NULL,
    former TEXT NOT NULL,
    -- The version they come back at: above every version they had, so a step computed
    -- from a snapshot of them before the erasure can never commit.
    version INTEGER NOT NULL CHECK (version >= 0),
    erased_at TEXT NOT NULL
) STRICT;

CREATE TABLE tombstone_accounts (
    -- HMAC-SHA256 of "platform:account id", 64 lowercase hex digits.
    account_hash TEXT NOT NULL PRIMARY KEY,
    person_id TEXT NOT NULL REFERENCES tombstones (person_id)
) STRICT;

-- Reports outlive the erasure of either side, for the admins: the table is rebuilt
-- without the foreign keys whose cascade deleted them (SQLite cannot drop a constraint).
-- Nothing refers to reports, so dropping the old table checks nothing.
CREATE TABLE reports_kept (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    -- Person ids; either may belong to someone erased since.
    reporter_id TEXT NOT NULL,
    about_id TEXT NOT NULL,
    -- domain::ReportReason, snake_case.
    reason TEXT NOT NULL,
    -- What the reporter wrote; '' for nothing.
    details TEXT NOT NULL,
    -- The proposal or partnership it concerns (hyphenated UUID), if any.
    proposal_id TEXT,
    created_at TEXT NOT NULL
) STRICT;

INSERT INTO reports_kept (id, reporter_id, about_id, reason, details, proposal_id, created_at)
SELECT id, reporter_id, about_id, reason, details, proposal_id, created_at FROM reports;

DROP TABLE reports;

ALTER TABLE reports_kept RENAME TO reports;

-- Admins look up reports by who filed them and whom they are about.
CREATE INDEX reports_reporter_id ON reports (reporter_id);
CREATE INDEX reports_about_id ON reports (about_id);
