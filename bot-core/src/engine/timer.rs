//! Timers: what a step asks to happen later, and the event a due timer becomes.
//!
//! A step returns [`Effect::Schedule`](super::Effect::Schedule) and
//! [`Effect::Cancel`](super::Effect::Cancel); the runtime writes them in the step's own
//! transaction. When a timer is due, the scheduler turns it into an
//! [`Input::Timer`](super::Input::Timer) event for the person, in the chat the timer was
//! scheduled from, and the step that handles it deletes it in its own transaction.

use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::ChatKey;

/// What a timer is for. Stored by [`TimerKind::as_str`]; never rename one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimerKind {
    /// A flow left unanswered: put it aside and say so.
    DialogueTimeout,
    /// A practice reminder (key: the reminder's id).
    Reminder,
    /// The daily delivery of the person's course.
    CourseDay,
    /// An exam's time limit (key: the exam session).
    ExamDeadline,
    /// An exam left unanswered too long is closed (key: the exam session).
    ExamIdle,
    /// The next nudge of the re-engagement ladder.
    Reengage,
    /// A peer message waiting for delivery (key: unique per message; payload: the
    /// [`super::PeerMessage`]).
    Peer,
    /// A proposal's answers are due (key: the proposal id).
    ProposalExpiry,
    /// "Did you practise?" a while after a partnership started (key: its id).
    PartnerFollowUp,
    /// Once, a day after a placement test chosen in onboarding ("Not sure") started:
    /// take it, if the level still waits for it.
    PlacementReminder,
}

impl TimerKind {
    pub const ALL: [TimerKind; 10] = [
        TimerKind::DialogueTimeout,
        TimerKind::Reminder,
        TimerKind::CourseDay,
        TimerKind::ExamDeadline,
        TimerKind::ExamIdle,
        TimerKind::Reengage,
        TimerKind::Peer,
        TimerKind::ProposalExpiry,
        TimerKind::PartnerFollowUp,
        TimerKind::PlacementReminder,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            TimerKind::DialogueTimeout => "dialogue_timeout",
            TimerKind::Reminder => "reminder",
            TimerKind::CourseDay => "course_day",
            TimerKind::ExamDeadline => "exam_deadline",
            TimerKind::ExamIdle => "exam_idle",
            TimerKind::Reengage => "reengage",
            TimerKind::Peer => "peer",
            TimerKind::ProposalExpiry => "proposal_expiry",
            TimerKind::PartnerFollowUp => "partner_follow_up",
            TimerKind::PlacementReminder => "placement_reminder",
        }
    }

    /// `None` for a kind this build does not know (written by a newer one).
    pub fn parse(input: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.as_str() == input)
    }

    /// Kinds that exist once per chat rather than once per person and key: each chat has
    /// its own dialogue, so each has its own timeout.
    pub fn per_chat(self) -> bool {
        matches!(self, TimerKind::DialogueTimeout)
    }
}

impl fmt::Display for TimerKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A timer a step wants: created, or moved if the person already has one of this kind
/// and key. It fires in the chat of the step that scheduled it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimerSpec {
    pub kind: TimerKind,
    /// Tells timers of one kind apart (a reminder's id); empty when there is one per
    /// person. Ignored for [`TimerKind::per_chat`] kinds, whose key is the chat.
    pub key: String,
    pub due_at: DateTime<Utc>,
    /// Whatever the handler needs beyond the kind and key.
    pub payload: serde_json::Value,
}

impl TimerSpec {
    pub fn new(kind: TimerKind, key: impl Into<String>, due_at: DateTime<Utc>) -> Self {
        Self {
            kind,
            key: key.into(),
            due_at,
            payload: serde_json::Value::Null,
        }
    }

    pub fn with_payload(mut self, payload: serde_json::Value) -> Self {
        self.payload = payload;
        self
    }
}

/// A due timer, as the engine receives it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FiredTimer {
    pub kind: TimerKind,
    pub key: String,
    /// When it was due; the step's `now` is when it fired, later after a downtime.
    pub due_at: DateTime<Utc>,
    pub payload: serde_json::Value,
}

/// The key a timer is stored under: its own, or the chat's for per-chat kinds.
pub fn stored_key(kind: TimerKind, key: &str, chat: &ChatKey) -> String {
    if kind.per_chat() {
        format!("{}:{}", chat.platform, chat.chat_id)
    } else {
        key.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Platform;

    #[test]
    fn kinds_round_trip_through_their_stored_names() {
        for kind in TimerKind::ALL {
            assert_eq!(TimerKind::parse(kind.as_str()), Some(kind));
            assert_eq!(
                serde_json::to_value(kind).ok(),
                Some(serde_json::Value::String(kind.as_str().to_owned()))
            );
        }
        assert_eq!(TimerKind::parse("from_a_newer_build"), None);
    }

    #[test]
    fn per_chat_kinds_are_keyed_by_the_chat() {
        let chat = ChatKey::new(Platform::Telegram, "42");
        assert_eq!(
            stored_key(TimerKind::DialogueTimeout, "", &chat),
            "telegram:42"
        );
    }
}
