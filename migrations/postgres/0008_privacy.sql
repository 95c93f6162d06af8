-- Privacy: what outlives /delete_me.
--
-- A person erased while a privacy key is configured leaves a tombstone: their id, whom
-- they blocked and their former partners, under the keyed hash (HMAC-SHA256, the key
-- from the environment) of each platform account they used. Nothing else of theirs is
-- kept: no profile, no text, no platform id. When one of those accounts comes back, the
-- person is created again with the same id and these lists, so everyone else's blocks,
-- former-partner rules and reports about them apply again.

CREATE TABLE tombstones (
    person_id UUID PRIMARY KEY,
    -- JSON arrays of person ids: people they blocked, and former partners (including
    -- proposals that fell through).
    blocked TEXT NOT NULL,
    former TEXT NOT NULL,
    -- The version they come back at: above every version they had, so a step computed
    -- from a snapshot of them before the erasure can never commit.
    version BIGINT NOT NULL CHECK (version >= 0),
    erased_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE tombstone_accounts (
    -- HMAC-SHA256 of "platform:account id", 64 lowercase hex digits.
    account_hash TEXT PRIMARY KEY,
    person_id UUID NOT NULL REFERENCES tombstones (person_id)
);

-- Reports outlive the erasure of either side, for the admins: the foreign keys whose
-- cascade deleted them go. Either id may now belong to someone erased since.
ALTER TABLE reports
    DROP CONSTRAINT reports_reporter_id_fkey,
    DROP CONSTRAINT reports_about_id_fkey;
