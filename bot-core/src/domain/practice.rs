//! A person's practice record: what lexbot keeps about their training beside the
//! profile (reminders, quiet hours, ...). Every field has a default, so a record written
//! by an older build reads back, and a person without one has the empty record.

use chrono::{DateTime, Datelike, Days, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::{CefrLevel, LanguageCode, LocalTime, Partnering, QuietHours, Weekdays};

/// Exam results kept per person; older ones are dropped.
pub const MAX_EXAM_HISTORY: usize = 50;

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Practice {
    /// In the order they were added.
    pub reminders: Vec<Reminder>,
    /// The id the next reminder gets. Ids are never reused, so a button of a removed
    /// reminder cannot act on a newer one.
    pub next_reminder_id: u32,
    pub quiet_hours: QuietSetting,
    /// The course in progress; one at a time.
    pub course: Option<Enrollment>,
    /// Courses finished, oldest first.
    pub finished_courses: Vec<FinishedCourse>,
    /// The exam in progress (one at a time, in whichever chat it was started).
    pub exam: Option<ActiveExam>,
    /// The number the next exam session gets; never reused, so buttons of an earlier
    /// session cannot act on a later one.
    pub next_exam_session: u32,
    /// Finished, timed-out and abandoned exams, oldest first.
    pub exam_history: Vec<ExamRecord>,
    pub streak: Streak,
    pub reengagement: Reengagement,
    /// Their side of matching: queue, proposal, partnership, blocks.
    pub partnering: Box<Partnering>,
    /// How they can be found on their platform (`@ana_es (Telegram)`), as it last
    /// reported: admins look people up by it (/user @ana_es).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub handle: Option<String>,
}

/// Consecutive local days with practice (a course step done, an exam finished). One
/// missed day a week is bridged automatically (the weekly freeze).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Streak {
    /// The length of the streak ending on `last_day`.
    pub length: u32,
    pub best: u32,
    /// The last local day with practice.
    pub last_day: Option<NaiveDate>,
    /// The last day a freeze bridged; one per ISO week (of the missed day).
    pub frozen_day: Option<NaiveDate>,
}

impl Streak {
    /// Practice on local day `day`. Returns whether the streak changed.
    pub fn record(&mut self, day: NaiveDate) -> bool {
        match self.last_day {
            Some(last) if day <= last => return false,
            Some(last) if Some(day) == last.checked_add_days(Days::new(1)) => self.length += 1,
            Some(last)
                if Some(day) == last.checked_add_days(Days::new(2))
                    && self.freeze_free_for(day - Days::new(1)) =>
            {
                self.frozen_day = day.checked_sub_days(Days::new(1));
                self.length += 1;
            }
            _ => self.length = 1,
        }
        self.last_day = Some(day);
        self.best = self.best.max(self.length);
        true
    }

    /// Whether the weekly freeze may bridge `missed`: it was not used in that ISO week.
    pub fn freeze_free_for(&self, missed: NaiveDate) -> bool {
        self.frozen_day
            .is_none_or(|frozen| frozen.iso_week() != missed.iso_week())
    }

    /// The streak as it stands on local day `today`: alive if the last practice was
    /// today or yesterday, or the day before that with the freeze free for yesterday.
    pub fn current_on(&self, today: NaiveDate) -> u32 {
        let Some(last) = self.last_day else {
            return 0;
        };
        let yesterday = today.checked_sub_days(Days::new(1));
        let before = today.checked_sub_days(Days::new(2));
        let kept = last >= today
            || Some(last) == yesterday
            || (Some(last) == before && yesterday.is_some_and(|y| self.freeze_free_for(y)));
        if kept { self.length } else { 0 }
    }
}

/// The re-engagement ladder: nudges after days without activity, stopped by any activity.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Reengagement {
    /// When the person last did anything (recorded at most once an hour).
    pub last_active: Option<DateTime<Utc>>,
    /// Nudges sent since then; the next one is the ladder's step of this number.
    pub nudged: u8,
    pub last_nudge_at: Option<DateTime<Utc>>,
    /// For the statistics: nudges ever sent, and returns within 48 hours of one.
    pub nudges_sent: u32,
    pub returns: u32,
}

/// The exam a person is taking; its questions and answers live in the dialogue of the
/// chat it runs in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActiveExam {
    pub session: u32,
    pub exam: String,
    pub started_at: DateTime<Utc>,
    pub deadline: DateTime<Utc>,
}

/// How an exam ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExamEnd {
    /// Every question answered.
    Completed,
    /// The time limit ran out; unanswered questions count as wrong.
    TimeUp,
    /// The person stopped it (/cancel).
    Cancelled,
    /// No answer for too long: closed without a result.
    Abandoned,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExamRecord {
    pub exam: String,
    pub started_at: DateTime<Utc>,
    pub ended_at: DateTime<Utc>,
    pub end: ExamEnd,
    pub correct: u32,
    pub answered: u32,
    pub questions: u32,
    /// The level a placement test proposed.
    pub level: Option<CefrLevel>,
    /// Whether a step exam was passed.
    pub passed: Option<bool>,
}

/// A person's place in a course.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Enrollment {
    /// The course's id in the content pack.
    pub course: String,
    /// The learned language whose words and step exams the person gets, if the course
    /// has any for a language they learn.
    pub language: Option<LanguageCode>,
    /// When each day's steps arrive, local time.
    pub time: LocalTime,
    /// The day delivered last, from 0.
    pub day: usize,
    /// When it was delivered: the next day comes on a later local date.
    pub delivered_at: DateTime<Utc>,
    /// Ids of that day's steps the person finished or skipped, in order.
    pub resolved: Vec<ResolvedStep>,
    pub started_at: DateTime<Utc>,
    /// Over the whole course.
    pub steps_done: u32,
    pub steps_skipped: u32,
    /// Deliveries in a row that found the day still unfinished; after a few the lessons
    /// pause until the person finishes it (the re-engagement nudges take over).
    #[serde(default)]
    pub unanswered_deliveries: u8,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResolvedStep {
    pub step: String,
    pub done: bool,
}

impl Enrollment {
    pub fn is_resolved(&self, step: &str) -> bool {
        self.resolved.iter().any(|resolved| resolved.step == step)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FinishedCourse {
    pub course: String,
    pub finished_at: DateTime<Utc>,
    pub steps_done: u32,
    pub steps_skipped: u32,
}

/// "Remind me to practise at `time` on `days`", in the person's timezone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reminder {
    pub id: u32,
    pub time: LocalTime,
    pub days: Weekdays,
}

/// A person's choice of quiet hours.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QuietSetting {
    /// The community's default (from the config).
    #[default]
    Default,
    /// No quiet hours.
    Off,
    Custom(QuietHours),
}

impl Practice {
    /// The quiet hours that apply, given the configured default.
    pub fn quiet_hours(&self, default: Option<QuietHours>) -> Option<QuietHours> {
        match self.quiet_hours {
            QuietSetting::Default => default,
            QuietSetting::Off => None,
            QuietSetting::Custom(hours) => Some(hours),
        }
    }

    pub fn reminder(&self, id: u32) -> Option<&Reminder> {
        self.reminders.iter().find(|reminder| reminder.id == id)
    }

    /// Adds a reminder and returns it.
    pub fn add_reminder(&mut self, time: LocalTime, days: Weekdays) -> Reminder {
        let reminder = Reminder {
            id: self.next_reminder_id,
            time,
            days,
        };
        self.next_reminder_id = self.next_reminder_id.saturating_add(1);
        self.reminders.push(reminder);
        reminder
    }

    /// Keeps an exam's result, dropping the oldest beyond [`MAX_EXAM_HISTORY`].
    pub fn record_exam(&mut self, record: ExamRecord) {
        self.exam_history.push(record);
        let excess = self.exam_history.len().saturating_sub(MAX_EXAM_HISTORY);
        self.exam_history.drain(..excess);
    }

    /// Removes a reminder; `None` if there is none with that id.
    pub fn remove_reminder(&mut self, id: u32) -> Option<Reminder> {
        let index = self.reminders.iter().position(|r| r.id == id)?;
        Some(self.reminders.remove(index))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_or_older_record_reads_back_with_defaults() {
        let empty: Practice = serde_json::from_str("{}").expect("defaults");
        assert_eq!(empty, Practice::default());
        let mut practice = Practice::default();
        let time = LocalTime::new(8, 0).expect("valid");
        let first = practice.add_reminder(time, Weekdays::WORKDAYS);
        practice.quiet_hours = QuietSetting::Custom(QuietHours::parse("23-7").expect("valid"));
        let json = serde_json::to_string(&practice).expect("serialises");
        assert_eq!(
            serde_json::from_str::<Practice>(&json).ok().as_ref(),
            Some(&practice)
        );
        assert!(json.contains(r#""time":"08:00""#), "{json}");
        assert!(json.contains(r#""custom":"23:00-07:00""#), "{json}");
        assert_eq!(practice.remove_reminder(first.id), Some(first));
        assert_eq!(practice.remove_reminder(first.id), None);
        assert_eq!(
            practice.add_reminder(time, Weekdays::WEEKEND).id,
            1,
            "ids are not reused"
        );
    }

    #[test]
    fn quiet_hours_follow_the_choice() {
        let default = QuietHours::parse("22-8");
        let mut practice = Practice::default();
        assert_eq!(practice.quiet_hours(default), default);
        practice.quiet_hours = QuietSetting::Off;
        assert_eq!(practice.quiet_hours(default), None);
        let own = QuietHours::parse("23-6").expect("valid");
        practice.quiet_hours = QuietSetting::Custom(own);
        assert_eq!(practice.quiet_hours(default), Some(own));
    }
}

#[cfg(test)]
mod streak_tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        // March 2026: the 2nd is a Monday.
        NaiveDate::from_ymd_opt(2026, 3, d).expect("valid date")
    }

    #[test]
    fn consecutive_days_grow_the_streak_and_the_same_day_counts_once() {
        let mut streak = Streak::default();
        assert!(streak.record(day(2)));
        assert!(!streak.record(day(2)));
        assert!(streak.record(day(3)));
        assert!(streak.record(day(4)));
        assert_eq!((streak.length, streak.best), (3, 3));
        assert_eq!(streak.current_on(day(4)), 3);
        assert_eq!(streak.current_on(day(5)), 3, "alive until the day ends");
        assert!(!streak.record(day(1)), "a day in the past changes nothing");
    }

    #[test]
    fn one_missed_day_a_week_is_bridged_by_the_freeze() {
        let mut streak = Streak::default();
        streak.record(day(2));
        streak.record(day(3));
        // Wednesday missed: bridged.
        assert_eq!(streak.current_on(day(5)), 2, "the freeze keeps it alive");
        streak.record(day(5));
        assert_eq!(streak.length, 3);
        assert_eq!(streak.frozen_day, Some(day(4)));
        // Friday missed in the same week: the freeze is used up.
        assert_eq!(streak.current_on(day(7)), 0);
        streak.record(day(7));
        assert_eq!((streak.length, streak.best), (1, 3));
        // The next week has a freeze again.
        streak.record(day(8));
        streak.record(day(10));
        assert_eq!(streak.length, 3, "Monday 9 March bridged");
        // Two missed days are never bridged.
        streak.record(day(13));
        assert_eq!(streak.length, 1);
    }

    #[test]
    fn a_broken_streak_shows_zero_but_keeps_the_best() {
        let mut streak = Streak::default();
        for d in 2..=6 {
            streak.record(day(d));
        }
        assert_eq!(streak.current_on(day(9)), 0);
        streak.record(day(9));
        assert_eq!((streak.length, streak.best), (1, 5));
    }
}
