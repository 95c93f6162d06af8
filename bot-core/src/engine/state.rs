//! The saved state of one dialogue: an enum whose variants carry the data of the flow in progress.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::{
    CefrLevel, LanguageCode, LocalTime, PersonId, Profile, ProposalId, ReportReason, Weekdays,
};

/// Bump when a variant's serialised form changes incompatibly; the runtime refuses
/// states newer than it knows and upgrades older ones.
pub const STATE_SCHEMA_VERSION: i32 = 1;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum DialogueState {
    /// No flow in progress.
    #[default]
    Idle,
    /// Onboarding was left (by /cancel or a timeout) and can be resumed with /start.
    OnboardingSuspended { onboarding: Onboarding },
    /// /start found a suspended onboarding and asked: continue or start over?
    OfferingResume { onboarding: Onboarding },
    /// Onboarding in progress.
    Onboarding(Onboarding),
    /// Editing one profile field from /profile or /language; saved when the answer is complete.
    Editing(Editing),
    /// /delete_me asked for confirmation; `interrupted` is where "no" goes back to.
    ConfirmingDelete {
        since: DateTime<Utc>,
        interrupted: Box<DialogueState>,
    },
    /// /reminders: adding a reminder (its time first, then its days).
    AddingReminder(AddingReminder),
    /// /reminders: asking for the quiet hours.
    SettingQuietHours { last_activity: DateTime<Utc> },
    /// /courses, /enroll: joining a course.
    Enrolling(Enrolling),
    /// Taking an exam (placement or a course step's).
    Exam(ExamSession),
    /// A placement test proposed a level: set it on the profile?
    ConfirmingLevel {
        language: LanguageCode,
        level: CefrLevel,
        last_activity: DateTime<Utc>,
    },
    /// /end asked: end the partnership, with an optional rating?
    ConfirmingEnd {
        partnership: ProposalId,
        last_activity: DateTime<Utc>,
    },
    /// /report: the reason first, then what happened in the person's words.
    Reporting {
        about: PersonId,
        proposal: Option<ProposalId>,
        reason: Option<ReportReason>,
        last_activity: DateTime<Utc>,
    },
    /// /block asked: block this person for good?
    ConfirmingBlock {
        about: PersonId,
        last_activity: DateTime<Utc>,
    },
    /// An admin's /broadcast was previewed: send it to `count` people?
    ConfirmingBroadcast {
        text: String,
        audience: super::Audience,
        count: u64,
        last_activity: DateTime<Utc>,
    },
}

/// An exam in progress in this chat.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExamSession {
    /// Matches `Practice::exam`; carried in the exam's buttons.
    pub session: u32,
    pub exam: String,
    pub purpose: ExamPurpose,
    /// Draws the questions and shuffles each one's options, the same way every time
    /// they are shown.
    pub seed: u64,
    /// The questions this session asks, in order, as indices into the exam's questions
    /// ([`crate::content::Exam::draw`]). Empty in sessions saved before exams drew
    /// their questions: those ask every question in the file's order.
    #[serde(default)]
    pub questions: Vec<usize>,
    /// The question on screen (position in the questions asked); as many are answered.
    pub current: usize,
    /// Whether each answered question was right, in order.
    pub results: Vec<bool>,
    /// The options toggled (multiple choice) or put in order so far (ordering) for the
    /// current question, as indices into its options.
    pub picked: Vec<usize>,
    /// /cancel came after answers were given and waits for "Stop the test" or
    /// "Continue"; the question stays as it was meanwhile. Absent in older saved states.
    #[serde(default)]
    pub confirming_cancel: bool,
    pub started_at: DateTime<Utc>,
    pub deadline: DateTime<Utc>,
    pub last_answer_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ExamPurpose {
    /// Proposes a level for the exam's language.
    Placement,
    /// Checks a course step: passing it marks the step done.
    Step {
        course: String,
        day: usize,
        step: String,
    },
}

/// Joining a course: confirming a switch, then the language, then the daily time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Enrolling {
    pub course: String,
    pub stage: EnrollStage,
    /// The learned language whose words the course shows; `None` until chosen, or when
    /// the person learns none the course covers.
    pub language: Option<LanguageCode>,
    pub last_activity: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EnrollStage {
    /// Another course is in progress: switch?
    ConfirmSwitch,
    /// Which learned language?
    Language,
    /// At what time each day?
    Time,
}

/// A reminder being added: `time` is `None` until the person typed it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AddingReminder {
    pub time: Option<LocalTime>,
    pub days: Weekdays,
    pub last_activity: DateTime<Utc>,
}

/// An onboarding in progress: the answers so far and the question on screen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Onboarding {
    pub draft: Profile,
    pub at: OnboardingStep,
    /// The current question was opened from the summary's edit buttons: go back there
    /// when it is answered.
    pub from_summary: bool,
    pub last_activity: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum OnboardingStep {
    Ask { question: Question },
    Summary,
}

/// Editing one field of a completed profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Editing {
    pub draft: Profile,
    pub question: Question,
    pub last_activity: DateTime<Utc>,
}

/// One question of the profile questionnaire; onboarding asks them in order, /profile
/// asks one (and the follow-ups it needs, such as the level of a new target language).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "question", rename_all = "snake_case")]
pub enum Question {
    InterfaceLanguage,
    NativeLanguages,
    TargetLanguages,
    TargetLevel { language: LanguageCode },
    Interests,
    Timezone,
    Availability,
    PracticeStyles,
    Bio,
}

/// The fields a person can pick from the summary or /profile to edit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    InterfaceLanguage,
    NativeLanguages,
    TargetLanguages,
    Levels,
    Interests,
    Timezone,
    Availability,
    PracticeStyles,
    Bio,
}

impl Field {
    pub const ALL: [Field; 9] = [
        Field::InterfaceLanguage,
        Field::NativeLanguages,
        Field::TargetLanguages,
        Field::Levels,
        Field::Interests,
        Field::Timezone,
        Field::Availability,
        Field::PracticeStyles,
        Field::Bio,
    ];

    pub fn token(self) -> &'static str {
        match self {
            Field::InterfaceLanguage => "ui",
            Field::NativeLanguages => "native",
            Field::TargetLanguages => "targets",
            Field::Levels => "levels",
            Field::Interests => "interests",
            Field::Timezone => "tz",
            Field::Availability => "avail",
            Field::PracticeStyles => "style",
            Field::Bio => "bio",
        }
    }

    pub fn from_token(token: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.token() == token)
    }
}

impl DialogueState {
    /// When the person last answered inside the flow in progress, if one is.
    pub fn last_activity(&self) -> Option<DateTime<Utc>> {
        match self {
            DialogueState::Onboarding(o) => Some(o.last_activity),
            DialogueState::Editing(e) => Some(e.last_activity),
            DialogueState::ConfirmingDelete { since, .. } => Some(*since),
            DialogueState::AddingReminder(adding) => Some(adding.last_activity),
            DialogueState::SettingQuietHours { last_activity } => Some(*last_activity),
            DialogueState::Enrolling(enrolling) => Some(enrolling.last_activity),
            DialogueState::ConfirmingLevel { last_activity, .. }
            | DialogueState::ConfirmingEnd { last_activity, .. }
            | DialogueState::Reporting { last_activity, .. }
            | DialogueState::ConfirmingBlock { last_activity, .. }
            | DialogueState::ConfirmingBroadcast { last_activity, .. } => Some(*last_activity),
            // An exam has its own time limit and idle timeout, both durable timers.
            DialogueState::Exam(_) => None,
            DialogueState::Idle
            | DialogueState::OnboardingSuspended { .. }
            | DialogueState::OfferingResume { .. } => None,
        }
    }

    /// The invariants every reachable state keeps; the property test checks them after
    /// every transition.
    pub fn check_invariants(&self) -> Result<(), String> {
        let check_question = |draft: &Profile, question: &Question| match question {
            Question::TargetLevel { language } => {
                if draft.targets.iter().any(|t| t.language == *language) {
                    Ok(())
                } else {
                    Err(format!(
                        "asking the level of {language}, which is not a target"
                    ))
                }
            }
            _ => Ok(()),
        };
        let check_draft = |draft: &Profile| {
            if draft
                .targets
                .iter()
                .any(|t| draft.native.contains(&t.language))
            {
                return Err("a target language is also native".to_owned());
            }
            let mut codes: Vec<_> = draft.targets.iter().map(|t| t.language).collect();
            codes.sort();
            codes.dedup();
            if codes.len() != draft.targets.len() {
                return Err("a target language is listed twice".to_owned());
            }
            Ok(())
        };
        match self {
            DialogueState::Idle => Ok(()),
            DialogueState::ConfirmingDelete { interrupted, .. } => match interrupted.as_ref() {
                DialogueState::ConfirmingDelete { .. } => {
                    Err("a deletion prompt interrupted another".to_owned())
                }
                other => other.check_invariants(),
            },
            DialogueState::Onboarding(o)
            | DialogueState::OnboardingSuspended { onboarding: o }
            | DialogueState::OfferingResume { onboarding: o } => {
                check_draft(&o.draft)?;
                match &o.at {
                    OnboardingStep::Ask { question } => check_question(&o.draft, question),
                    OnboardingStep::Summary if !o.draft.all_answered() => {
                        Err("summary shown with unanswered fields".to_owned())
                    }
                    OnboardingStep::Summary => Ok(()),
                }
            }
            DialogueState::Editing(e) => {
                check_draft(&e.draft)?;
                check_question(&e.draft, &e.question)
            }
            DialogueState::AddingReminder(adding)
                if adding.time.is_none() && adding.days != Weekdays::EVERY_DAY =>
            {
                Err("days chosen before the time of a reminder".to_owned())
            }
            DialogueState::AddingReminder(_)
            | DialogueState::SettingQuietHours { .. }
            | DialogueState::ConfirmingEnd { .. }
            | DialogueState::Reporting { .. }
            | DialogueState::ConfirmingBlock { .. }
            | DialogueState::ConfirmingBroadcast { .. } => Ok(()),
            DialogueState::Exam(exam) => {
                if exam.results.len() != exam.current {
                    Err(format!(
                        "{} answers for question {}",
                        exam.results.len(),
                        exam.current
                    ))
                } else if exam.deadline < exam.started_at {
                    Err("an exam that ends before it starts".to_owned())
                } else {
                    Ok(())
                }
            }
            DialogueState::ConfirmingLevel { .. } => Ok(()),
            DialogueState::Enrolling(enrolling) => match (enrolling.stage, enrolling.language) {
                (EnrollStage::Time, _)
                | (EnrollStage::ConfirmSwitch | EnrollStage::Language, None) => Ok(()),
                (stage, Some(language)) => {
                    Err(format!("{language} chosen before the {stage:?} stage"))
                }
            },
        }
    }
}
