//! The conversation engine: a pure function from (state, person, event, now) to
//! (next state, replies, effects). No I/O, no platform, no clock of its own.
//!
//! [`step`] expires a stale flow, then hands the event to the flow that owns the
//! state (see `crate::flows`). Effects are data; the runtime commits them together
//! with the next state.

mod event;
mod reply;
mod state;
mod user_error;

#[cfg(test)]
mod proptests;

use chrono::{DateTime, Utc};

use crate::content::Content;
use crate::domain::{AccountRef, Locale, PersonId, Profile};
use crate::flows;
use crate::i18n::{Arg, Texts};

pub use event::{ChatKind, Event, Input};
pub use reply::{Attachment, Button, Keyboard, MAX_BUTTON_DATA, Reply, Toggle};
pub use state::{
    DialogueState, Editing, Field, Onboarding, OnboardingStep, Question, STATE_SCHEMA_VERSION,
};
pub use user_error::{UserError, quote};

/// Limits on what a person may enter, from the config.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    pub max_native_languages: usize,
    pub max_target_languages: usize,
    pub max_interests: usize,
    pub bio_max_chars: usize,
    /// A flow with no answer for this long is suspended (onboarding) or dropped.
    pub dialogue_timeout: chrono::Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_native_languages: 3,
            max_target_languages: 3,
            max_interests: 5,
            bio_max_chars: 300,
            dialogue_timeout: chrono::Duration::hours(24),
        }
    }
}

/// Everything read-only a transition may consult: texts, content and limits.
#[derive(Debug)]
pub struct Context {
    pub texts: Texts,
    pub content: Content,
    pub limits: Limits,
}

impl Context {
    pub fn t(&self, locale: Locale, key: &str) -> String {
        self.texts.t(locale, key)
    }

    pub fn tf(&self, locale: Locale, key: &str, args: &[(&str, Arg<'_>)]) -> String {
        self.texts.tf(locale, key, args)
    }
}

/// What the engine knows of the person for one step.
#[derive(Debug, Clone, Copy)]
pub struct PersonView<'a> {
    pub id: PersonId,
    pub created_at: DateTime<Utc>,
    pub profile: &'a Profile,
    pub accounts: &'a [AccountRef],
}

/// A change the runtime carries out atomically with the next state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    SaveProfile(Profile),
    /// Erase the person and everything that mentions them.
    ErasePerson,
}

/// The outcome of one step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transition {
    pub state: DialogueState,
    pub replies: Vec<Reply>,
    pub effects: Vec<Effect>,
}

impl Transition {
    pub fn to(state: DialogueState) -> Self {
        Self {
            state,
            replies: Vec::new(),
            effects: Vec::new(),
        }
    }

    pub fn reply(mut self, reply: Reply) -> Self {
        self.replies.push(reply);
        self
    }

    pub fn say(self, text: impl Into<String>) -> Self {
        self.reply(Reply::text(text))
    }

    pub fn effect(mut self, effect: Effect) -> Self {
        self.effects.push(effect);
        self
    }

    /// Puts `notes` before this transition's replies.
    pub fn after(mut self, notes: Vec<Reply>) -> Self {
        let mut replies = notes;
        replies.append(&mut self.replies);
        self.replies = replies;
        self
    }
}

/// One step of a person's conversation in one chat.
pub fn step(
    cx: &Context,
    state: DialogueState,
    person: &PersonView<'_>,
    event: &Event,
    now: DateTime<Utc>,
) -> Transition {
    if let Some(transition) = flows::reachability::outside_dialogue(cx, &state, person, event) {
        return transition;
    }
    let (state, notes) = expire_stale_flow(cx, state, person, now);
    flows::route(cx, state, person, event, now).after(notes)
}

/// A flow nobody answered for `dialogue_timeout` is put aside: onboarding can be
/// resumed later, an edit or a deletion prompt is dropped.
fn expire_stale_flow(
    cx: &Context,
    state: DialogueState,
    person: &PersonView<'_>,
    now: DateTime<Utc>,
) -> (DialogueState, Vec<Reply>) {
    let expired = state
        .last_activity()
        .is_some_and(|last| now.signed_duration_since(last) > cx.limits.dialogue_timeout);
    if !expired {
        return (state, Vec::new());
    }
    let locale = flows::locale_of(&state, person);
    match state {
        DialogueState::Onboarding(onboarding) => (
            DialogueState::OnboardingSuspended { onboarding },
            vec![Reply::text(cx.t(locale, "expired-onboarding"))],
        ),
        DialogueState::ConfirmingDelete { interrupted, .. } => {
            // The deletion question expires; a started onboarding it interrupted stays resumable.
            let state = match *interrupted {
                DialogueState::Onboarding(onboarding)
                | DialogueState::OfferingResume { onboarding }
                | DialogueState::OnboardingSuspended { onboarding } => {
                    DialogueState::OnboardingSuspended { onboarding }
                }
                _ => DialogueState::Idle,
            };
            (state, vec![Reply::text(cx.t(locale, "expired-flow"))])
        }
        _ => (
            DialogueState::Idle,
            vec![Reply::text(cx.t(locale, "expired-flow"))],
        ),
    }
}
