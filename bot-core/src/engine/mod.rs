//! The conversation engine: a pure function from (state, person, event, now) to
//! (next state, replies, effects). No I/O, no platform, no clock of its own.
//!
//! [`step`] expires a stale flow, then hands the event to the flow that owns the
//! state (see `crate::flows`). Effects are data; the runtime commits them together
//! with the next state.

mod admin;
mod event;
mod peer;
mod reply;
mod state;
mod timer;
mod user_error;

#[cfg(test)]
mod proptests;

use chrono::{DateTime, Utc};

use crate::content::Content;
use crate::domain::{
    AccountRef, ChatKey, LanguageCode, Locale, PersonId, Practice, Profile, QuietHours,
};
use crate::flows;
use crate::i18n::{Arg, GrammaticalCase, Texts};

pub use admin::{
    AdminAccounts, AdminInput, AdminOutcome, AdminRequest, AdminStats, Audience, AuditEntry,
    BroadcastProgress, DeadLetterView, LanguagePairCount, MatchingStatus, Moderation,
    PersonSummary, ReportView, Resolution, actor_of_account,
};
pub use event::{ChatKind, Event, Input};
pub use peer::{PeerKind, PeerMessage, Undelivered};
pub use reply::{Attachment, Button, Keyboard, MAX_BUTTON_DATA, Reply, Toggle};
pub use state::{
    AddingReminder, DialogueState, Editing, EnrollStage, Enrolling, ExamPurpose, ExamSession,
    Field, Onboarding, OnboardingStep, Question, STATE_SCHEMA_VERSION,
};
pub use timer::{FiredTimer, TimerKind, TimerSpec, stored_key};
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

/// How training works in this community, from the config.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrainingRules {
    /// Quiet hours for people who chose none of their own.
    pub default_quiet_hours: Option<QuietHours>,
    pub max_reminders: usize,
    /// An exam with no answer for this long is closed without a result.
    pub exam_idle: chrono::Duration,
    /// Nudges after this long without activity, one each, shortest first; empty = none.
    pub reengagement: Vec<chrono::Duration>,
}

impl Default for TrainingRules {
    fn default() -> Self {
        Self {
            default_quiet_hours: QuietHours::parse("22:00-08:00"),
            max_reminders: 5,
            exam_idle: chrono::Duration::minutes(20),
            reengagement: [3, 7, 14, 30].map(chrono::Duration::days).to_vec(),
        }
    }
}

/// How proposals and partnerships work in this community, from the config.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartneringRules {
    /// A proposal not answered by both within this long falls through.
    pub proposal_ttl: chrono::Duration,
    /// "Did you practise?" comes this long after a partnership started.
    pub follow_up_after: chrono::Duration,
    /// After this many no-show reports a person is paused.
    pub max_no_shows: u32,
    /// Messages one person may relay per minute.
    pub relay_per_minute: u32,
    /// The longest relayed message, in characters.
    pub relay_max_chars: usize,
}

impl Default for PartneringRules {
    fn default() -> Self {
        Self {
            proposal_ttl: chrono::Duration::hours(24),
            follow_up_after: chrono::Duration::days(7),
            max_no_shows: 3,
            relay_per_minute: 20,
            relay_max_chars: 2000,
        }
    }
}

/// Everything read-only a transition may consult: texts, content, limits and rules.
#[derive(Debug)]
pub struct Context {
    pub texts: Texts,
    pub content: Content,
    pub limits: Limits,
    pub training: TrainingRules,
    pub partnering: PartneringRules,
    /// Who may run the admin commands.
    pub admins: AdminAccounts,
}

impl Context {
    pub fn t(&self, locale: Locale, key: &str) -> String {
        self.texts.t(locale, key)
    }

    pub fn tf(&self, locale: Locale, key: &str, args: &[(&str, Arg<'_>)]) -> String {
        self.texts.tf(locale, key, args)
    }

    /// A language's name as the placeables of a sentence, one per grammatical case
    /// (`$language`, `$language-genitive`, `$language-prepositional`): each locale's text
    /// takes the form its grammar needs there. Where the locale's names do not inflect,
    /// every placeable holds the menu name.
    pub fn language_args(
        &self,
        locale: Locale,
        code: LanguageCode,
    ) -> Vec<(&'static str, Arg<'static>)> {
        let menu_name = self.content.language_name(code, locale);
        GrammaticalCase::ALL
            .into_iter()
            .map(|case| {
                let name = self
                    .texts
                    .language_name(locale, code.as_str(), case)
                    .map_or_else(|| menu_name.clone(), str::to_owned);
                (case.placeable(), name.into())
            })
            .collect()
    }
}

/// What the engine knows of the person for one step.
#[derive(Debug, Clone, Copy)]
pub struct PersonView<'a> {
    pub id: PersonId,
    pub created_at: DateTime<Utc>,
    pub profile: &'a Profile,
    pub accounts: &'a [AccountRef],
    pub practice: &'a Practice,
}

/// A change the runtime carries out atomically with the next state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    SaveProfile(Profile),
    SavePractice(Practice),
    /// Erase the person; reports stay, and with a privacy key a tombstone
    /// ([`crate::storage::Tombstone`]).
    ErasePerson,
    /// Create a timer, or move the person's timer of this kind and key.
    Schedule(TimerSpec),
    /// Drop the person's timer of this kind and key, if there is one.
    Cancel {
        kind: TimerKind,
        key: String,
    },
    /// Deliver `message` to another person, as a step of theirs in `chat`; nothing
    /// happens if they no longer exist.
    Tell {
        to: PersonId,
        chat: ChatKey,
        message: PeerMessage,
    },
    /// Keep a report about another person for admins.
    Report(NewReport),
    /// Ask the admin desk to do something beyond this person's record (this person is
    /// an admin, or tried to be one); its answer comes back as a step of theirs.
    Admin(AdminRequest),
}

/// A report a person files about another (/report).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewReport {
    pub about: PersonId,
    pub reason: crate::domain::ReportReason,
    /// What the person wrote, if anything.
    pub details: String,
    /// The partnership or proposal it concerns.
    pub proposal: Option<crate::domain::ProposalId>,
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
    let mut transition = step_flows(cx, state, person, event, now);
    // A banned person's timers and peer messages still keep their record in order, but
    // the ban notice is all they hear from lexbot.
    if person.profile.banned && matches!(event.input, Input::Timer(_) | Input::Peer(_)) {
        transition.replies.clear();
    }
    transition
}

fn step_flows(
    cx: &Context,
    state: DialogueState,
    person: &PersonView<'_>,
    event: &Event,
    now: DateTime<Utc>,
) -> Transition {
    if let Some(transition) = flows::reachability::outside_dialogue(cx, &state, person, event) {
        return transition;
    }
    // An admin's order, and everything a banned person does, comes before any flow.
    if let Some(transition) = flows::admin::before_flows(cx, &state, person, event, now) {
        return transition;
    }
    // The state a step starts from has a timeout timer exactly when it is a flow.
    let armed = state.last_activity().is_some();
    if let Input::Timer(timer) = &event.input {
        // A timer can open a flow too (an exam's time limit asks about the level).
        let mut transition = flows::timers::fire(cx, state, person, timer, now);
        arm_dialogue_timeout(armed, &mut transition, cx.limits.dialogue_timeout);
        return transition;
    }
    // What another person's step said concerns the partnership, not this chat's flow.
    if let Input::Peer(message) = &event.input {
        return flows::partner::on_peer(cx, state, person, message, now);
    }
    // An exam whose time ran out ends before the input is looked at; the rest of the
    // step sees the practice record as that left it.
    let (state, closed) = match flows::exams::close_overdue(cx, &state, person, now) {
        Some(closed) => (closed.state.clone(), Some(closed)),
        None => (state, None),
    };
    let closed_practice = closed.as_ref().and_then(saved_practice).cloned();
    let view = match &closed_practice {
        Some(practice) => PersonView {
            practice,
            ..*person
        },
        None => *person,
    };
    let (state, notes) = expire_stale_flow(cx, state, &view, now);
    let mut transition = flows::route(cx, state, &view, event, now).after(notes);
    if let Some(closed) = closed {
        transition = transition.after(closed.replies);
        let mut effects = closed.effects;
        effects.append(&mut transition.effects);
        transition.effects = effects;
    }
    arm_dialogue_timeout(armed, &mut transition, cx.limits.dialogue_timeout);
    flows::upkeep::after_step(cx, &view, &mut transition, now);
    flows::reengagement::record_activity(cx, &view, &mut transition, now);
    transition
}

/// The practice record as a transition leaves it, if it changes it.
pub(crate) fn saved_practice(transition: &Transition) -> Option<&Practice> {
    transition
        .effects
        .iter()
        .rev()
        .find_map(|effect| match effect {
            Effect::SavePractice(practice) => Some(practice),
            _ => None,
        })
}

/// A flow that starts gets a timeout timer, which fires when the flow has gone
/// unanswered for `timeout` (it moves itself on when the person answered meanwhile, so
/// answers do not each have to move it); a flow that ends drops its timer. `armed`:
/// the step started in a flow, so the timer exists (possibly overdue, when the flow was
/// put aside as stale: it then moves itself to the new flow's deadline when it fires).
fn arm_dialogue_timeout(armed: bool, transition: &mut Transition, timeout: chrono::Duration) {
    match transition.state.last_activity() {
        Some(last) if !armed => transition.effects.push(Effect::Schedule(TimerSpec::new(
            TimerKind::DialogueTimeout,
            "",
            last + timeout,
        ))),
        None if armed => transition.effects.push(Effect::Cancel {
            kind: TimerKind::DialogueTimeout,
            key: String::new(),
        }),
        _ => {}
    }
}

/// Whether a flow last answered at `last` has gone unanswered too long at `now`.
pub(crate) fn is_stale(cx: &Context, last: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    now.signed_duration_since(last) >= cx.limits.dialogue_timeout
}

/// A flow nobody answered for `dialogue_timeout` is put aside: onboarding can be
/// resumed later, an edit or a deletion prompt is dropped.
pub(crate) fn expire_stale_flow(
    cx: &Context,
    state: DialogueState,
    person: &PersonView<'_>,
    now: DateTime<Utc>,
) -> (DialogueState, Vec<Reply>) {
    let expired = state
        .last_activity()
        .is_some_and(|last| is_stale(cx, last, now));
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
