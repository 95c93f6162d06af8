//! /progress: the person's streak, course and latest exam results.

use crate::engine::{Context, DialogueState, PersonView, Transition};

pub fn show(
    cx: &Context,
    state: DialogueState,
    person: &PersonView<'_>,
    now: chrono::DateTime<chrono::Utc>,
) -> Transition {
    let locale = person.profile.locale;
    if !person.profile.completed {
        return Transition::to(state).say(cx.t(locale, "profile-incomplete"));
    }
    let mut lines = vec![
        cx.t(locale, "progress-intro"),
        super::streak::line(cx, locale, person.practice, person.profile, now),
    ];
    lines.extend(super::courses::progress_lines(cx, locale, person.practice));
    lines.extend(super::exams::progress_lines(cx, locale, person.practice));
    Transition::to(state).say(lines.join("\n"))
}
