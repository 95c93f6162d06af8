//! The flows: one file per command or conversation, each with its transcript tests.
//! [`route`] hands an event to the flow that owns the dialogue's state.

pub(crate) mod admin;
mod card;
mod courses;
mod delete;
pub(crate) mod exams;
mod export;
mod find;
mod help;
mod idle;
mod onboarding;
pub(crate) mod partner;
mod pause;
mod profile;
mod progress;
mod questions;
pub(crate) mod reachability;
pub(crate) mod reengagement;
mod reminders;
mod streak;
pub(crate) mod timers;
pub(crate) mod upkeep;

#[cfg(any(test, feature = "fuzzing"))]
pub(crate) mod transcript;

pub use help::command_menu;

use chrono::{DateTime, Utc};

use crate::domain::Locale;
use crate::engine::{Context, DialogueState, Event, Input, PersonView, Reply, Transition, quote};

/// The interface language of a step: a draft's choice wins over the saved profile.
pub fn locale_of(state: &DialogueState, person: &PersonView<'_>) -> Locale {
    match state {
        DialogueState::Onboarding(o)
        | DialogueState::OnboardingSuspended { onboarding: o }
        | DialogueState::OfferingResume { onboarding: o } => o.draft.locale,
        DialogueState::Editing(e) => e.draft.locale,
        DialogueState::Idle
        | DialogueState::ConfirmingDelete { .. }
        | DialogueState::AddingReminder(_)
        | DialogueState::SettingQuietHours { .. }
        | DialogueState::Enrolling(_)
        | DialogueState::Exam(_)
        | DialogueState::ConfirmingLevel { .. }
        | DialogueState::ConfirmingEnd { .. }
        | DialogueState::Reporting { .. }
        | DialogueState::ConfirmingBlock { .. }
        | DialogueState::ConfirmingBroadcast { .. } => person.profile.locale,
    }
}

/// The commands the bot knows; anything else gets the unknown-command hint.
pub const KNOWN_COMMANDS: &[&str] = &[
    "start",
    "help",
    "cancel",
    "profile",
    "language",
    "pause",
    "resume",
    "delete_me",
    "export",
    "reminders",
    "courses",
    "enroll",
    "done",
    "skip",
    "progress",
    "placement",
    "find",
    "partner",
    "end",
    "report",
    "block",
    "reveal",
];

pub fn route(
    cx: &Context,
    state: DialogueState,
    person: &PersonView<'_>,
    event: &Event,
    now: DateTime<Utc>,
) -> Transition {
    match &event.input {
        Input::Command { name, .. } => command(cx, state, person, name, event, now),
        Input::Timer(timer) => timers::fire(cx, state, person, timer, now),
        Input::Peer(message) => partner::on_peer(cx, state, person, message, now),
        Input::Admin(input) => admin::on_input(cx, state, person, input, now),
        Input::Button(data) if admin::owns_button(data) => {
            admin::button(cx, state, person, data, now)
        }
        // Proposals and follow-ups arrive unasked, so their buttons work in any state.
        Input::Button(data) if partner::owns_button(data) => {
            partner::button(cx, state, person, data, now)
        }
        Input::Resume => {
            let replies = current_prompt(cx, &state, person, now);
            if replies.is_empty() {
                idle::welcome_back(cx, state, person)
            } else {
                Transition {
                    state,
                    replies,
                    effects: Vec::new(),
                }
            }
        }
        input => match state {
            DialogueState::Idle | DialogueState::OnboardingSuspended { .. } => {
                idle::handle_input(cx, state, person, input, now)
            }
            DialogueState::OfferingResume { onboarding } => {
                onboarding::handle_resume_choice(cx, onboarding, input, now)
            }
            DialogueState::Onboarding(onboarding) => {
                onboarding::handle(cx, onboarding, person, input, now)
            }
            DialogueState::Editing(editing) => {
                profile::handle_edit(cx, editing, person, input, now)
            }
            DialogueState::ConfirmingDelete { since, interrupted } => {
                delete::handle(cx, since, interrupted, person, input, now)
            }
            DialogueState::AddingReminder(adding) => {
                reminders::handle_adding(cx, adding, person, input, now)
            }
            DialogueState::SettingQuietHours { .. } => {
                reminders::handle_quiet(cx, person, input, now)
            }
            DialogueState::Enrolling(enrolling) => {
                courses::handle_enrolling(cx, enrolling, person, input, now)
            }
            DialogueState::Exam(running) => exams::handle(cx, running, person, input, now),
            DialogueState::ConfirmingLevel {
                language, level, ..
            } => exams::handle_level(cx, language, level, person, input, now),
            DialogueState::ConfirmingEnd { partnership, .. } => {
                partner::handle_end(cx, partnership, person, input, now)
            }
            DialogueState::Reporting {
                about,
                proposal,
                reason,
                ..
            } => partner::handle_report(cx, about, proposal, reason, person, input, now),
            DialogueState::ConfirmingBlock { about, .. } => {
                partner::handle_block(cx, about, person, input, now)
            }
            DialogueState::ConfirmingBroadcast { .. } => {
                admin::broadcast::handle_confirming(cx, state, person, input, now)
            }
        },
    }
}

fn command(
    cx: &Context,
    state: DialogueState,
    person: &PersonView<'_>,
    name: &str,
    event: &Event,
    now: DateTime<Utc>,
) -> Transition {
    let in_flow = !matches!(
        state,
        DialogueState::Idle | DialogueState::OnboardingSuspended { .. }
    );
    if admin::is_admin(cx, person) && admin::COMMANDS.contains(&name) {
        return admin::command(cx, state, person, name, command_args(event), now);
    }
    match name {
        "help" => help::help(cx, state, person, now),
        "cancel" => help::cancel(cx, state, person, now),
        "delete_me" => delete::ask(cx, state, person, now),
        "export" => export::export(cx, state, person, now),
        "start" => onboarding::start(cx, state, person, event, now),
        known if in_flow && KNOWN_COMMANDS.contains(&known) => {
            let note = cx.t(locale_of(&state, person), "finish-or-cancel");
            ask_again(cx, state, person, now, note)
        }
        "profile" => profile::show(cx, state, person, now),
        "language" => profile::edit_language(cx, state, person, now),
        "pause" => pause::pause(cx, state, person),
        "resume" => pause::resume(cx, state, person),
        "reminders" => reminders::show(cx, state, person),
        "courses" => courses::list(cx, state, person),
        "enroll" => courses::enroll_command(cx, state, person, command_args(event), now),
        "done" => courses::resolve_step(cx, state, person, true, None, now),
        "skip" => courses::resolve_step(cx, state, person, false, None, now),
        "progress" => progress::show(cx, state, person, now),
        "placement" => exams::placement(cx, state, person, command_args(event), now),
        "find" => find::find(cx, state, person, now),
        "partner" => partner::show(cx, state, person, now),
        "end" => partner::end(cx, state, person, now),
        "report" => partner::report(cx, state, person, now),
        "block" => partner::block(cx, state, person, now),
        "reveal" => partner::reveal(cx, state, person, event, now),
        unknown => {
            let note = cx.tf(
                locale_of(&state, person),
                "unknown-command",
                &[("command", quote(unknown).into())],
            );
            let transition = ask_again(cx, state, person, now, note);
            // Someone who is not an admin gets the same answer as for any unknown
            // command; the attempt is logged and audited.
            match admin::COMMANDS.contains(&unknown) {
                true => transition.effect(crate::engine::Effect::Admin(
                    crate::engine::AdminRequest::Refused {
                        command: unknown.to_owned(),
                    },
                )),
                false => transition,
            }
        }
    }
}

/// The arguments of a command event (`/enroll first-conversations`).
fn command_args(event: &Event) -> &str {
    match &event.input {
        Input::Command { args, .. } => args,
        _ => "",
    }
}

/// The question (or confirmation) on screen in `state`, asked again; empty when idle.
pub fn current_prompt(
    cx: &Context,
    state: &DialogueState,
    person: &PersonView<'_>,
    now: DateTime<Utc>,
) -> Vec<Reply> {
    match state {
        DialogueState::Idle | DialogueState::OnboardingSuspended { .. } => Vec::new(),
        DialogueState::OfferingResume { onboarding } => {
            vec![onboarding::resume_offer(cx, onboarding)]
        }
        DialogueState::Onboarding(onboarding) => vec![onboarding::prompt(cx, onboarding, now)],
        DialogueState::Editing(editing) => {
            vec![questions::prompt(cx, &editing.draft, editing.question, now)]
        }
        DialogueState::ConfirmingDelete { .. } => vec![delete::prompt(cx, person.profile.locale)],
        DialogueState::AddingReminder(adding) => match person.profile.timezone {
            Some(tz) => vec![reminders::prompt_adding(
                cx,
                person.profile.locale,
                tz,
                adding,
            )],
            None => Vec::new(),
        },
        DialogueState::SettingQuietHours { .. } => {
            vec![reminders::prompt_quiet(cx, person.profile.locale)]
        }
        DialogueState::Enrolling(enrolling) => vec![courses::prompt(cx, person, enrolling)],
        DialogueState::Exam(running) => exams::prompt(cx, person.profile.locale, running, now),
        DialogueState::ConfirmingLevel {
            language, level, ..
        } => vec![exams::level_prompt(cx, person, *language, *level)],
        DialogueState::ConfirmingEnd { .. } => vec![partner::end_prompt(cx, person)],
        DialogueState::Reporting { reason, .. } => {
            vec![partner::report_prompt(cx, person, *reason)]
        }
        DialogueState::ConfirmingBlock { .. } => vec![partner::block_prompt(cx, person)],
        DialogueState::ConfirmingBroadcast {
            text,
            audience,
            count,
            ..
        } => vec![admin::broadcast::prompt(
            cx, person, text, *audience, *count,
        )],
    }
}

/// `note`, then the question on screen in `state` asked again (nothing when idle).
pub fn ask_again(
    cx: &Context,
    state: DialogueState,
    person: &PersonView<'_>,
    now: DateTime<Utc>,
    note: String,
) -> Transition {
    let mut replies = vec![Reply::text(note)];
    replies.extend(current_prompt(cx, &state, person, now));
    Transition {
        state,
        replies,
        effects: Vec::new(),
    }
}

/// The answer to a button that does not belong to what is on screen (an old message,
/// or data nobody sent): say so and show what is current.
pub fn stale_button(
    cx: &Context,
    state: DialogueState,
    person: &PersonView<'_>,
    now: DateTime<Utc>,
) -> Transition {
    let locale = locale_of(&state, person);
    // "Here is where we are:" only when a question follows it.
    let key = if current_prompt(cx, &state, person, now).is_empty() {
        "stale-button-idle"
    } else {
        "stale-button"
    };
    ask_again(cx, state, person, now, cx.t(locale, key))
}
