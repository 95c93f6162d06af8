-- Claims look only at timers nobody holds. With one index over every timer's due time, a
-- claim walked past all the held (in-flight) timers before finding free ones: harmless
-- with a batch or two in flight, quadratic when a backlog is claimed (a day-long outage).
-- Held timers leave the partial index, and those whose holder's lease ran out are found
-- through their own small index.

DROP INDEX timers_due_at;
CREATE INDEX timers_claimable ON timers (due_at, id) WHERE lease_owner IS NULL;
CREATE INDEX timers_leased ON timers (lease_until) WHERE lease_owner IS NOT NULL;
