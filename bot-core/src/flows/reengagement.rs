//! The re-engagement ladder: a person who has done nothing for 3, 7, 14 and 30 days (the
//! configured ladder) gets one nudge each, pointing at what waits for them; anything they
//! do stops the rest and starts the ladder over from then.
//!
//! Activity is recorded at most once an hour (one practice write and one timer move per
//! person per hour of use, not per message), so a nudge may come up to an hour early
//! relative to the very last message; a return right after a nudge is always seen.

use chrono::{DateTime, Duration, Utc};

use crate::domain::Practice;
use crate::engine::{Context, Effect, PersonView, TimerKind, TimerSpec, Transition};

/// How finely activity is recorded.
const ACTIVITY_RESOLUTION: Duration = Duration::hours(1);

/// A return this soon after a nudge counts for the statistics.
const RETURN_WINDOW: Duration = Duration::hours(48);

/// After a step the person caused: note the activity and move the ladder's timer.
/// People with a finished profile only; nothing for an erased one.
pub fn record_activity(
    cx: &Context,
    person: &PersonView<'_>,
    transition: &mut Transition,
    now: DateTime<Utc>,
) {
    if cx.training.reengagement.is_empty()
        || transition
            .effects
            .iter()
            .any(|effect| matches!(effect, Effect::ErasePerson))
    {
        return;
    }
    let completed = transition
        .effects
        .iter()
        .rev()
        .find_map(|effect| match effect {
            Effect::SaveProfile(profile) => Some(profile.completed),
            _ => None,
        })
        .unwrap_or(person.profile.completed);
    if !completed {
        return;
    }
    let practice = crate::engine::saved_practice(transition).unwrap_or(person.practice);
    let ladder = &practice.reengagement;
    let fresh = ladder
        .last_active
        .is_some_and(|last| now.signed_duration_since(last) < ACTIVITY_RESOLUTION);
    if fresh && ladder.nudged == 0 {
        return;
    }
    let mut practice = practice.clone();
    let ladder = &mut practice.reengagement;
    if ladder.nudged > 0
        && ladder
            .last_nudge_at
            .is_some_and(|at| now.signed_duration_since(at) <= RETURN_WINDOW)
    {
        ladder.returns += 1;
    }
    ladder.nudged = 0;
    ladder.last_active = Some(now);
    let due = next_nudge(cx, person, &practice, now);
    transition.effects.push(Effect::SavePractice(practice));
    if let Some(due) = due {
        transition.effects.push(nudge_timer(due));
    }
}

/// The ladder's timer, set (or moved) to `at`.
fn nudge_timer(at: DateTime<Utc>) -> Effect {
    Effect::Schedule(TimerSpec::new(TimerKind::Reengage, "", at))
}

/// When the ladder's next nudge is due: its step after the last activity, outside quiet
/// hours, and never in a burst after a downtime (at least a day after the last nudge).
fn next_nudge(
    cx: &Context,
    person: &PersonView<'_>,
    practice: &Practice,
    now: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    let ladder = &practice.reengagement;
    let last = ladder.last_active?;
    let wait = cx.training.reengagement.get(usize::from(ladder.nudged))?;
    let mut due = last + *wait;
    if let Some(nudged) = ladder.last_nudge_at.filter(|_| ladder.nudged > 0) {
        due = due.max(nudged + Duration::days(1));
    }
    let due = due.max(now);
    Some(match person.profile.timezone {
        Some(tz) => super::reminders::quiet_end(cx, practice, tz, due),
        None => due,
    })
}

/// The ladder's timer: send the due nudge and set the next one.
pub fn fire(
    cx: &Context,
    state: crate::engine::DialogueState,
    person: &PersonView<'_>,
    now: DateTime<Utc>,
) -> Transition {
    let transition = Transition::to(state);
    if !person.profile.completed || person.profile.unreachable {
        // Nobody to nudge or to reach: the ladder stops until they are back.
        return transition;
    }
    let Some(due) = next_nudge(cx, person, person.practice, now) else {
        // Nothing to nudge about, or the ladder's last step was taken.
        return transition;
    };
    if due > now {
        // Not yet (activity moved on, or quiet hours): wait for the right time.
        return transition.effect(nudge_timer(due));
    }
    let stage = usize::from(person.practice.reengagement.nudged);
    let mut practice = person.practice.clone();
    practice.reengagement.nudged = practice.reengagement.nudged.saturating_add(1);
    practice.reengagement.last_nudge_at = Some(now);
    practice.reengagement.nudges_sent += 1;
    let mut transition = transition.say(nudge_text(cx, person, stage));
    if let Some(next) = next_nudge(cx, person, &practice, now) {
        transition = transition.effect(nudge_timer(next));
    }
    transition.effect(Effect::SavePractice(practice))
}

/// The nudge of ladder step `stage`: what waits for them, and how hard to ask.
fn nudge_text(cx: &Context, person: &PersonView<'_>, stage: usize) -> String {
    let locale = person.profile.locale;
    let last = stage + 1 >= cx.training.reengagement.len();
    let opening = match stage {
        _ if last => "reengage-last",
        0 => "reengage-first",
        1 => "reengage-second",
        _ => "reengage-third",
    };
    // A partner waiting to hear from them is the strongest reason to come back.
    let partnering = &person.practice.partnering;
    let detail = match super::courses::followed(cx, person.practice) {
        _ if partnering.partnership().is_some() => cx.t(locale, "reengage-partner"),
        _ if partnering.proposal().is_some() => cx.t(locale, "reengage-proposal"),
        Some((course, enrollment)) => cx.tf(
            locale,
            "reengage-course",
            &[
                ("title", course.title.get(locale).into()),
                ("day", (enrollment.day + 1).into()),
            ],
        ),
        None if person.practice.exam_history.is_empty() => cx.t(locale, "reengage-placement"),
        None => cx.t(locale, "reengage-courses"),
    };
    format!("{}\n{detail}", cx.t(locale, opening))
}

#[cfg(test)]
mod tests;
