//! /reminders: practice reminders at local times on chosen weekdays, quiet hours, and
//! the reminder timer's handler.
//!
//! A reminder is kept as a local time and weekdays; its timer is set to the next
//! occurrence in the person's timezone ([`next_occurrence`]) whenever it is added, fires,
//! or the timezone changes. A fired reminder sets its next occurrence from the moment it
//! fired, so one missed during a downtime fires once, not once per missed day.

use chrono::{DateTime, Utc, Weekday};

use crate::domain::{
    LocalTime, Locale, Practice, Profile, QuietHours, QuietSetting, Timezone, Weekdays,
    next_occurrence, outside_quiet,
};
use crate::engine::{
    AddingReminder, Button, Context, DialogueState, Effect, FiredTimer, Input, Keyboard,
    PersonView, Reply, TimerKind, TimerSpec, Toggle, Transition,
};

/// A reminder that fires late (after a downtime) is dropped if its next regular time
/// comes within this long: one reminder, not two in a row.
const LATE_MERGE: chrono::Duration = chrono::Duration::hours(1);

pub fn show(cx: &Context, state: DialogueState, person: &PersonView<'_>) -> Transition {
    let locale = person.profile.locale;
    let Some(tz) = ready(person.profile) else {
        return Transition::to(state).say(cx.t(locale, "profile-incomplete"));
    };
    Transition::to(state).reply(overview(cx, locale, tz, person.practice))
}

/// The timezone of a person who may have reminders or follow a course: a finished
/// profile has one.
pub fn ready(profile: &Profile) -> Option<Timezone> {
    profile.timezone.filter(|_| profile.completed)
}

/// `at`, or the end of the person's quiet hours (their own or the community's) if it
/// falls in them: when something unasked-for may be said.
pub fn quiet_end(
    cx: &Context,
    practice: &Practice,
    tz: Timezone,
    at: DateTime<Utc>,
) -> DateTime<Utc> {
    outside_quiet(
        tz.tz(),
        practice.quiet_hours(cx.training.default_quiet_hours),
        at,
    )
}

/// When the person's quiet hours end, if it is quiet for them at `now` (someone without
/// a timezone has none).
pub fn quiet_now(
    cx: &Context,
    person: &PersonView<'_>,
    now: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    let tz = person.profile.timezone?;
    Some(quiet_end(cx, person.practice, tz, now)).filter(|until| *until > now)
}

/// Why `time` cannot be chosen for something that recurs at it (a reminder, a course's
/// lessons): it falls in the person's quiet hours, when nothing is sent unasked.
pub fn quiet_conflict(
    cx: &Context,
    locale: Locale,
    practice: &Practice,
    time: LocalTime,
) -> Option<String> {
    let hours = practice
        .quiet_hours(cx.training.default_quiet_hours)
        .filter(|hours| hours.contains(time))?;
    Some(cx.tf(
        locale,
        "error-time-in-quiet-hours",
        &[
            ("time", time.to_string().into()),
            ("hours", hours.to_string().into()),
        ],
    ))
}

/// The list of reminders and quiet hours, with buttons to add, remove and set them.
fn overview(cx: &Context, locale: Locale, tz: Timezone, practice: &Practice) -> Reply {
    let mut lines = vec![cx.tf(
        locale,
        "reminders-intro",
        &[("timezone", tz.label().into())],
    )];
    if practice.reminders.is_empty() {
        lines.push(cx.t(locale, "reminders-none"));
    }
    for reminder in &practice.reminders {
        lines.push(cx.tf(
            locale,
            "reminders-line",
            &[
                ("time", reminder.time.to_string().into()),
                ("weekdays", days_text(cx, locale, reminder.days).into()),
            ],
        ));
    }
    lines.push(quiet_line(
        cx,
        locale,
        practice.quiet_hours(cx.training.default_quiet_hours),
    ));
    let mut buttons = Vec::new();
    if practice.reminders.len() < cx.training.max_reminders {
        buttons.push(Button::new(cx.t(locale, "button-reminder-add"), "rem:add"));
    }
    for reminder in &practice.reminders {
        buttons.push(Button::new(
            cx.tf(
                locale,
                "button-reminder-remove",
                &[
                    ("time", reminder.time.to_string().into()),
                    ("weekdays", days_text(cx, locale, reminder.days).into()),
                ],
            ),
            format!("rem:del:{}", reminder.id),
        ));
    }
    buttons.push(Button::new(cx.t(locale, "button-quiet-hours"), "rem:quiet"));
    Reply::text(lines.join("\n")).with_keyboard(Keyboard::Choice(buttons))
}

fn quiet_line(cx: &Context, locale: Locale, quiet: Option<QuietHours>) -> String {
    match quiet {
        Some(hours) => cx.tf(
            locale,
            "reminders-quiet",
            &[("hours", hours.to_string().into())],
        ),
        None => cx.t(locale, "reminders-quiet-off"),
    }
}

/// A `rem:` button pressed while no flow is open; `None` if it is not one of ours.
pub fn button(
    cx: &Context,
    state: DialogueState,
    person: &PersonView<'_>,
    data: &str,
    now: DateTime<Utc>,
) -> Option<Transition> {
    let action = data.strip_prefix("rem:")?;
    let locale = person.profile.locale;
    let Some(tz) = ready(person.profile) else {
        return Some(Transition::to(state).say(cx.t(locale, "profile-incomplete")));
    };
    let transition = match action {
        "add" if person.practice.reminders.len() >= cx.training.max_reminders => {
            let note = cx.tf(
                locale,
                "reminders-limit",
                &[("max", cx.training.max_reminders.into())],
            );
            Transition::to(state)
                .say(note)
                .reply(overview(cx, locale, tz, person.practice))
        }
        "add" => {
            let adding = AddingReminder {
                time: None,
                days: Weekdays::EVERY_DAY,
                last_activity: now,
            };
            let reply = prompt_adding(cx, locale, tz, &adding);
            Transition::to(DialogueState::AddingReminder(adding)).reply(reply)
        }
        "quiet" => Transition::to(DialogueState::SettingQuietHours { last_activity: now })
            .reply(prompt_quiet(cx, locale)),
        other => {
            let id = other.strip_prefix("del:")?.parse::<u32>().ok()?;
            let mut practice = person.practice.clone();
            practice.remove_reminder(id)?;
            let reply = overview(cx, locale, tz, &practice);
            Transition::to(state)
                .say(cx.t(locale, "reminders-removed"))
                .reply(reply)
                .effect(Effect::Cancel {
                    kind: TimerKind::Reminder,
                    key: id.to_string(),
                })
                .effect(Effect::SavePractice(practice))
        }
    };
    Some(transition)
}

pub fn prompt_adding(cx: &Context, locale: Locale, tz: Timezone, adding: &AddingReminder) -> Reply {
    let Some(time) = adding.time else {
        return Reply::text(cx.tf(
            locale,
            "reminders-ask-time",
            &[("timezone", tz.label().into())],
        ));
    };
    let options = Weekdays::ORDER
        .into_iter()
        .map(|day| Toggle {
            button: Button::new(
                weekday_name(cx, locale, day),
                format!("rem:day:{}", Weekdays::token(day)),
            ),
            selected: adding.days.contains(day),
        })
        .collect();
    Reply::text(cx.tf(
        locale,
        "reminders-ask-days",
        &[("time", time.to_string().into())],
    ))
    .with_keyboard(Keyboard::MultiSelect {
        options,
        done: Button::new(cx.t(locale, "button-done"), "rem:day:done"),
    })
}

pub fn handle_adding(
    cx: &Context,
    mut adding: AddingReminder,
    person: &PersonView<'_>,
    input: &Input,
    now: DateTime<Utc>,
) -> Transition {
    adding.last_activity = now;
    let locale = person.profile.locale;
    let Some(tz) = ready(person.profile) else {
        return Transition::to(DialogueState::Idle).say(cx.t(locale, "profile-incomplete"));
    };
    let again = |adding: AddingReminder, note: String| {
        super::ask_again(cx, DialogueState::AddingReminder(adding), person, now, note)
    };
    match (adding.time, input) {
        (None, Input::Text(text)) => {
            let Some(time) = LocalTime::parse(text) else {
                let note = cx.tf(
                    locale,
                    "error-bad-time",
                    &[("input", crate::engine::quote(text).into())],
                );
                return again(adding, note);
            };
            if let Some(note) = quiet_conflict(cx, locale, person.practice, time) {
                return again(adding, note);
            }
            adding.time = Some(time);
            let reply = prompt_adding(cx, locale, tz, &adding);
            Transition::to(DialogueState::AddingReminder(adding)).reply(reply)
        }
        (Some(time), Input::Button(data)) if data.starts_with("rem:day:") => {
            let token = data.strip_prefix("rem:day:").unwrap_or_default();
            if token == "done" {
                if adding.days.is_empty() {
                    return again(adding, cx.t(locale, "error-pick-at-least-one"));
                }
                return add(cx, locale, tz, person.practice, time, adding.days, now);
            }
            let Some(day) = Weekdays::from_token(token) else {
                return again(adding, cx.t(locale, "stale-button"));
            };
            adding.days = adding.days.toggled(day);
            let reply = prompt_adding(cx, locale, tz, &adding).updating_previous();
            Transition::to(DialogueState::AddingReminder(adding)).reply(reply)
        }
        (_, Input::Button(_)) => again(adding, cx.t(locale, "stale-button")),
        (Some(_), Input::Text(_)) => again(adding, cx.t(locale, "error-use-buttons")),
        (_, Input::Unsupported) => again(adding, cx.t(locale, "error-unsupported-message")),
        (_, _) => {
            let reply = prompt_adding(cx, locale, tz, &adding);
            Transition::to(DialogueState::AddingReminder(adding)).reply(reply)
        }
    }
}

fn add(
    cx: &Context,
    locale: Locale,
    tz: Timezone,
    practice: &Practice,
    time: LocalTime,
    days: Weekdays,
    now: DateTime<Utc>,
) -> Transition {
    let mut practice = practice.clone();
    if practice.reminders.len() >= cx.training.max_reminders {
        let note = cx.tf(
            locale,
            "reminders-limit",
            &[("max", cx.training.max_reminders.into())],
        );
        return Transition::to(DialogueState::Idle).say(note);
    }
    let reminder = practice.add_reminder(time, days);
    let mut transition = Transition::to(DialogueState::Idle);
    if let Some(next) = next_occurrence(tz.tz(), time, days, now) {
        transition = transition
            .say(cx.tf(
                locale,
                "reminders-added",
                &[
                    ("time", time.to_string().into()),
                    ("weekdays", days_text(cx, locale, days).into()),
                    ("next", when_text(cx, locale, tz, next).into()),
                ],
            ))
            .effect(Effect::Schedule(timer(reminder.id, next)));
    }
    let reply = overview(cx, locale, tz, &practice);
    transition
        .reply(reply)
        .effect(Effect::SavePractice(practice))
}

pub fn prompt_quiet(cx: &Context, locale: Locale) -> Reply {
    let default = match cx.training.default_quiet_hours {
        Some(hours) => hours.to_string(),
        None => cx.t(locale, "quiet-hours-none"),
    };
    Reply::text(cx.t(locale, "reminders-ask-quiet")).with_keyboard(Keyboard::Choice(vec![
        Button::new(
            cx.tf(locale, "button-quiet-default", &[("hours", default.into())]),
            "rem:q:default",
        ),
        Button::new(cx.t(locale, "button-quiet-off"), "rem:q:off"),
    ]))
}

pub fn handle_quiet(
    cx: &Context,
    person: &PersonView<'_>,
    input: &Input,
    now: DateTime<Utc>,
) -> Transition {
    let locale = person.profile.locale;
    let again = |note: String| {
        let state = DialogueState::SettingQuietHours { last_activity: now };
        super::ask_again(cx, state, person, now, note)
    };
    let setting = match input {
        Input::Button(data) if data == "rem:q:default" => QuietSetting::Default,
        Input::Button(data) if data == "rem:q:off" => QuietSetting::Off,
        Input::Button(_) => return again(cx.t(locale, "stale-button")),
        Input::Text(text) => match QuietHours::parse(text) {
            Some(hours) => QuietSetting::Custom(hours),
            None => {
                return again(cx.tf(
                    locale,
                    "error-bad-quiet-hours",
                    &[("input", crate::engine::quote(text).into())],
                ));
            }
        },
        Input::Unsupported => return again(cx.t(locale, "error-unsupported-message")),
        _ => {
            return Transition::to(DialogueState::SettingQuietHours { last_activity: now })
                .reply(prompt_quiet(cx, locale));
        }
    };
    let mut practice = person.practice.clone();
    practice.quiet_hours = setting;
    let mut transition =
        Transition::to(DialogueState::Idle).say(cx.t(locale, "reminders-quiet-saved"));
    if let Some(tz) = ready(person.profile) {
        transition = transition.reply(overview(cx, locale, tz, &practice));
    }
    transition.effect(Effect::SavePractice(practice))
}

/// A reminder's timer is due: remind the person, unless it is their quiet hours (then
/// the reminder waits until they end) or it is late and the next one comes soon anyway.
pub fn fire(
    cx: &Context,
    state: DialogueState,
    person: &PersonView<'_>,
    fired: &FiredTimer,
    now: DateTime<Utc>,
) -> Transition {
    let reminder = fired
        .key
        .parse::<u32>()
        .ok()
        .and_then(|id| person.practice.reminder(id));
    let (Some(reminder), Some(tz)) = (reminder, person.profile.timezone) else {
        // Removed, or the profile lost its timezone: nothing to remind of.
        return Transition::to(state);
    };
    let next = next_occurrence(tz.tz(), reminder.time, reminder.days, now);
    let mut transition = Transition::to(state);
    let quiet_until = quiet_end(cx, person.practice, tz, now);
    if quiet_until > now {
        // In quiet hours (they were changed after the reminder was set): wait for their
        // end, unless the next regular time comes first.
        let at = match next {
            Some(next) if next <= quiet_until => next,
            _ => quiet_until,
        };
        return transition.effect(Effect::Schedule(timer(reminder.id, at)));
    }
    let late = now.signed_duration_since(fired.due_at) > chrono::Duration::minutes(1);
    let next_soon = next.is_some_and(|next| next.signed_duration_since(now) <= LATE_MERGE);
    let merged_into_next = late && next_soon;
    if !person.profile.unreachable && !merged_into_next {
        transition = transition.say(cx.t(person.profile.locale, "reminder-due"));
    }
    match next {
        Some(next) => transition.effect(Effect::Schedule(timer(reminder.id, next))),
        None => transition,
    }
}

/// Timers for every reminder, from `now` in `tz` (after a timezone change).
pub fn reschedule_all(practice: &Practice, tz: Timezone, now: DateTime<Utc>) -> Vec<Effect> {
    practice
        .reminders
        .iter()
        .filter_map(|reminder| {
            next_occurrence(tz.tz(), reminder.time, reminder.days, now)
                .map(|next| Effect::Schedule(timer(reminder.id, next)))
        })
        .collect()
}

/// The timer of reminder `id`, keyed by the id.
fn timer(id: u32, at: DateTime<Utc>) -> TimerSpec {
    TimerSpec::new(TimerKind::Reminder, id.to_string(), at)
}

pub fn days_text(cx: &Context, locale: Locale, days: Weekdays) -> String {
    match days {
        Weekdays::EVERY_DAY => cx.t(locale, "days-every-day"),
        Weekdays::WORKDAYS => cx.t(locale, "days-workdays"),
        _ => days
            .days()
            .map(|day| weekday_name(cx, locale, day))
            .collect::<Vec<_>>()
            .join(", "),
    }
}

pub fn weekday_name(cx: &Context, locale: Locale, day: Weekday) -> String {
    let key = match day {
        Weekday::Mon => "weekday-mon",
        Weekday::Tue => "weekday-tue",
        Weekday::Wed => "weekday-wed",
        Weekday::Thu => "weekday-thu",
        Weekday::Fri => "weekday-fri",
        Weekday::Sat => "weekday-sat",
        Weekday::Sun => "weekday-sun",
    };
    cx.t(locale, key)
}

/// "Tue 08:00": an instant within the coming week, in the person's timezone.
pub fn when_text(cx: &Context, locale: Locale, tz: Timezone, at: DateTime<Utc>) -> String {
    use chrono::Datelike;
    let local = at.with_timezone(&tz.tz());
    format!(
        "{} {}",
        weekday_name(cx, locale, local.weekday()),
        LocalTime::of(tz.tz(), at)
    )
}

#[cfg(test)]
mod tests;
