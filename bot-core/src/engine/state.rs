//! The saved state of one dialogue: an enum whose variants carry the data of the flow in progress.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::{LanguageCode, Profile};

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
        }
    }
}
