-- A person's practice record: reminders, quiet hours, course enrolment, streak, exams
-- and re-engagement (serde_json of domain::Practice). Kept beside the profile rather
-- than in it, so that editing the profile (a draft copy) cannot overwrite what a timer
-- or another chat changed meanwhile; written under the person's version like the rest.
-- JSONB so that statistics can be summed in SQL.

CREATE TABLE practice (
    person_id UUID PRIMARY KEY REFERENCES persons (id) ON DELETE CASCADE,
    data JSONB NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
