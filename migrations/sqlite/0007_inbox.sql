-- The inbox: platform updates received and not yet handled.
--
-- The poller writes each getUpdates batch here before it asks Telegram for the next
-- offset (which confirms the batch to Telegram for good), so a received update survives
-- a crash without Telegram's help. The commit of an update's step deletes its row in
-- the same transaction as its effects; updates that commit nothing (recognised
-- redeliveries) are deleted after their step. What is still here when the adapter
-- starts, or after a failed commit, is stepped again, oldest first.

CREATE TABLE inbox (
    platform TEXT NOT NULL,
    -- The platform's update id as decimal text (Telegram's update_id); oldest first is
    -- shortest first, then in text order, which is numeric order for such ids.
    update_id TEXT NOT NULL,
    received_at TEXT NOT NULL,
    -- The update as the platform sent it (serde_json of teloxide's Update), kept verbatim.
    payload TEXT NOT NULL,
    PRIMARY KEY (platform, update_id)
) STRICT;
