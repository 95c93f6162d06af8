-- Partner matching: the matcher's queue, its waves and reports people file about each
-- other. (The one matcher leader is chosen with a session advisory lock, not a table.)
--
-- Who waits and since when is the practice record's (partnering.status); match_queue
-- mirrors it, written in the same transaction as the record, so a wave reads the queue
-- without scanning every record.

CREATE TABLE match_queue (
    person_id UUID PRIMARY KEY REFERENCES persons (id) ON DELETE CASCADE,
    waiting_since TIMESTAMPTZ NOT NULL
);

-- A wave takes the oldest waiters first.
CREATE INDEX match_queue_waiting_since ON match_queue (waiting_since);

-- /report, for admins. Both sides' ids cascade: /delete_me of either erases the report.
CREATE TABLE reports (
    id BIGSERIAL PRIMARY KEY,
    reporter_id UUID NOT NULL REFERENCES persons (id) ON DELETE CASCADE,
    about_id UUID NOT NULL REFERENCES persons (id) ON DELETE CASCADE,
    -- domain::ReportReason, snake_case.
    reason TEXT NOT NULL,
    -- What the reporter wrote; '' for nothing.
    details TEXT NOT NULL,
    -- The proposal or partnership it concerns, if any.
    proposal_id UUID,
    created_at TIMESTAMPTZ NOT NULL
);

-- Erasing a person deletes the reports they filed and those about them.
CREATE INDEX reports_reporter_id ON reports (reporter_id);
CREATE INDEX reports_about_id ON reports (about_id);

-- One row per matcher wave: missed waves are counted from it, admins read it.
CREATE TABLE match_waves (
    id BIGSERIAL PRIMARY KEY,
    started_at TIMESTAMPTZ NOT NULL,
    finished_at TIMESTAMPTZ NOT NULL,
    -- People in the queue, those of them who could be paired at all, candidate edges,
    -- pairs proposed and the matching's total weight.
    waiting BIGINT NOT NULL CHECK (waiting >= 0),
    eligible BIGINT NOT NULL CHECK (eligible >= 0),
    edges BIGINT NOT NULL CHECK (edges >= 0),
    pairs BIGINT NOT NULL CHECK (pairs >= 0),
    total_weight BIGINT NOT NULL
);

CREATE INDEX match_waves_started_at ON match_waves (started_at);
