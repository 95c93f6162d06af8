-- The durable scheduler's timers: everything that must happen later (a reminder, the
-- next day of a course, an exam's time limit, a nudge, a dialogue's timeout).
--
-- A step schedules timers in the same transaction as its state, and a fired timer is
-- deleted in the transaction of the step it caused, so a timer acts exactly once.
-- (person_id, kind, key) is unique: scheduling again replaces the timer (and bumps its
-- revision, so a worker holding the old one cannot act on it).

CREATE TABLE timers (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    person_id TEXT NOT NULL REFERENCES persons (id) ON DELETE CASCADE,
    -- engine::TimerKind, snake_case.
    kind TEXT NOT NULL,
    -- Which timer of its kind (a reminder's id, an exam session, a chat); '' when the
    -- kind has one timer per person.
    key TEXT NOT NULL,
    due_at TEXT NOT NULL,
    -- The chat whose dialogue the fired timer runs in, and where its replies go.
    platform TEXT NOT NULL,
    chat_id TEXT NOT NULL,
    -- Engine-defined JSON, kept verbatim.
    payload TEXT NOT NULL,
    revision INTEGER NOT NULL DEFAULT 0 CHECK (revision >= 0),
    -- Failed firings so far; a failure waits (lease_until, no owner) before the next try.
    attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    -- The scheduler instance firing it, until lease_until; an expired lease lets another
    -- instance take it over.
    lease_owner TEXT,
    lease_until TEXT,
    last_error TEXT,
    created_at TEXT NOT NULL,
    UNIQUE (person_id, kind, key)
) STRICT;

-- Workers look for the earliest due timers.
CREATE INDEX timers_due_at ON timers (due_at);
