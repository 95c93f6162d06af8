//! The admin commands, one file each, with their transcript tests. An admin is a person
//! with a platform account listed in `[admin] accounts` ([`crate::engine::AdminAccounts`]);
//! anyone else sending one of these commands is answered as for any unknown command,
//! and the attempt goes to the log and the audit log.
//!
//! An admin's step never reads or writes anyone else: it asks the admin desk
//! (`crate::admin`, the I/O side) with an [`Effect::Admin`] request, and the desk's
//! answer comes back as a step of the admin ([`AdminInput::Outcome`]), rendered here in
//! the admin's language. An order about a person (a ban) is a step of that person
//! ([`AdminInput::Order`]), so their record is only ever written by their own steps.

pub(crate) mod ban;
pub(crate) mod broadcast;
mod deadletters;
mod help;
mod match_now;
mod reload_content;
mod reports;
mod stats;
mod user;

#[cfg(test)]
mod testing;

use chrono::{DateTime, Utc};

use crate::engine::{
    AdminInput, AdminOutcome, AdminRequest, Context, DialogueState, Effect, Event, PersonView,
    Transition,
};

/// The admin commands; for anyone but an admin they are unknown commands.
pub const COMMANDS: &[&str] = &[
    "admin",
    "stats",
    "user",
    "ban",
    "unban",
    "reports",
    "broadcast",
    "match_now",
    "reload_content",
    "deadletters",
];

/// Whether the person is an admin: one of their accounts is listed in the config.
pub fn is_admin(cx: &Context, person: &PersonView<'_>) -> bool {
    cx.admins.includes_any(person.accounts)
}

/// An admin command from an admin.
pub fn command(
    cx: &Context,
    state: DialogueState,
    person: &PersonView<'_>,
    name: &str,
    args: &str,
    now: DateTime<Utc>,
) -> Transition {
    match name {
        "stats" => ask(state, AdminRequest::Stats),
        "user" => user::command(cx, state, person, args),
        "ban" => ban::command(cx, state, person, args, true),
        "unban" => ban::command(cx, state, person, args, false),
        "reports" => ask(state, AdminRequest::Reports),
        "broadcast" => broadcast::command(cx, state, person, args),
        "match_now" => ask(state, AdminRequest::MatchNow),
        "reload_content" => ask(state, AdminRequest::ReloadContent),
        "deadletters" => ask(state, AdminRequest::DeadLetters),
        _ => help::show(cx, state, person, now),
    }
}

/// Hands `request` to the admin desk; its answer comes back as a step of the admin, so
/// nothing is said now.
pub fn ask(state: DialogueState, request: AdminRequest) -> Transition {
    Transition::to(state).effect(Effect::Admin(request))
}

/// Buttons of admin messages (reports, dead letters, the broadcast confirmation).
pub fn owns_button(data: &str) -> bool {
    data.starts_with("adm:")
}

pub fn button(
    cx: &Context,
    state: DialogueState,
    person: &PersonView<'_>,
    data: &str,
    now: DateTime<Utc>,
) -> Transition {
    if !is_admin(cx, person) {
        // Forged, or left from when the person was an admin: acts on nothing.
        return super::stale_button(cx, state, person, now);
    }
    match data.split(':').collect::<Vec<_>>().as_slice() {
        ["adm", "rp", action, id] => reports::button(cx, state, person, action, id, now),
        ["adm", "dl", "retry"] => ask(state, AdminRequest::RetryDeadLetters),
        ["adm", "bc", _] => broadcast::handle_confirming(
            cx,
            state,
            person,
            &crate::engine::Input::Button(data.to_owned()),
            now,
        ),
        _ => super::stale_button(cx, state, person, now),
    }
}

/// The desk's answer to this admin, or an admin's order about this person.
pub fn on_input(
    cx: &Context,
    state: DialogueState,
    person: &PersonView<'_>,
    input: &AdminInput,
    now: DateTime<Utc>,
) -> Transition {
    match input {
        AdminInput::Order { order } => ban::order(cx, state, person, order, now),
        AdminInput::Outcome { outcome } => outcome_for(cx, state, person, outcome, now),
    }
}

fn outcome_for(
    cx: &Context,
    state: DialogueState,
    person: &PersonView<'_>,
    outcome: &AdminOutcome,
    now: DateTime<Utc>,
) -> Transition {
    let locale = person.profile.locale;
    match outcome {
        AdminOutcome::Stats { stats } => {
            Transition::to(state).say(stats::render(cx, locale, stats))
        }
        AdminOutcome::User { summary } => {
            Transition::to(state).say(user::render(cx, locale, summary))
        }
        AdminOutcome::NoSuchPerson { target } => Transition::to(state).say(cx.tf(
            locale,
            "admin-no-such-person",
            &[("target", crate::engine::quote(target).into())],
        )),
        AdminOutcome::Moderated {
            person: target,
            ban,
            changed,
        } => Transition::to(state).say(ban::render(cx, locale, *target, *ban, *changed)),
        AdminOutcome::Reports { open, page } => {
            let mut transition = Transition::to(state);
            for reply in reports::render(cx, locale, *open, page) {
                transition = transition.reply(reply);
            }
            transition
        }
        AdminOutcome::ReportClosed {
            report,
            resolution,
            found,
        } => Transition::to(state).say(reports::render_closed(
            cx,
            locale,
            *report,
            *resolution,
            *found,
        )),
        AdminOutcome::BroadcastPreview {
            text,
            audience,
            count,
        } => broadcast::previewed(cx, state, person, text, *audience, *count, now),
        AdminOutcome::BroadcastQueued { broadcast, queued } => {
            Transition::to(state).say(broadcast::render_queued(cx, locale, *broadcast, *queued))
        }
        AdminOutcome::BroadcastProgress { progress } => {
            Transition::to(state).say(broadcast::render_progress(cx, locale, progress))
        }
        AdminOutcome::MatchRequested { waiting } => {
            Transition::to(state).say(match_now::render(cx, locale, *waiting))
        }
        AdminOutcome::ContentReloaded { .. } | AdminOutcome::ContentRefused { .. } => {
            Transition::to(state).say(reload_content::render(cx, locale, outcome))
        }
        AdminOutcome::DeadLetters { count, sample } => {
            Transition::to(state).reply(deadletters::render(cx, locale, *count, sample))
        }
        AdminOutcome::DeadLettersRetried { count } => {
            Transition::to(state).say(deadletters::render_retried(cx, locale, *count))
        }
        AdminOutcome::Failed => Transition::to(state).say(cx.t(locale, "admin-failed")),
    }
}

/// What comes before every flow: an admin's order about this person, and for a banned
/// person, the ban notice as the answer to anything they send. `None`: the flows go on.
pub fn before_flows(
    cx: &Context,
    state: &DialogueState,
    person: &PersonView<'_>,
    event: &Event,
    now: DateTime<Utc>,
) -> Option<Transition> {
    if let crate::engine::Input::Admin(AdminInput::Order { order }) = &event.input {
        return Some(ban::order(cx, state.clone(), person, order, now));
    }
    if person.profile.banned {
        return ban::while_banned(cx, state, person, event, now);
    }
    None
}

/// The first word of a command's arguments and the rest (`/ban 42 spam links`).
fn target_and_rest(args: &str) -> Option<(&str, &str)> {
    let args = args.trim();
    if args.is_empty() {
        return None;
    }
    Some(
        args.split_once(char::is_whitespace)
            .map_or((args, ""), |(target, rest)| (target, rest.trim())),
    )
}
