//! /pause and /resume: stop and restart being proposed partners.

use crate::engine::{Context, DialogueState, Effect, PersonView, Transition};

pub fn pause(cx: &Context, state: DialogueState, person: &PersonView<'_>) -> Transition {
    set_paused(cx, state, person, true)
}

pub fn resume(cx: &Context, state: DialogueState, person: &PersonView<'_>) -> Transition {
    set_paused(cx, state, person, false)
}

fn set_paused(
    cx: &Context,
    state: DialogueState,
    person: &PersonView<'_>,
    paused: bool,
) -> Transition {
    let locale = person.profile.locale;
    if !person.profile.completed {
        return Transition::to(state).say(cx.t(locale, "profile-incomplete"));
    }
    if person.profile.matching_paused == paused {
        let key = if paused {
            "pause-already"
        } else {
            "resume-already"
        };
        return Transition::to(state).say(cx.t(locale, key));
    }
    let mut profile = person.profile.clone();
    profile.matching_paused = paused;
    let key = if paused { "pause-done" } else { "resume-done" };
    Transition::to(state)
        .say(cx.t(locale, key))
        .effect(Effect::SaveProfile(profile))
}

#[cfg(test)]
mod tests {
    use crate::flows::transcript::{ONBOARDING, run};

    #[test]
    fn pause_and_resume_matching() {
        run(r#"
            > /pause
            < Your profile is not complete yet.
            > /resume
            < Your profile is not complete yet.
        "#);
        run(&format!(
            r#"{ONBOARDING}
            > /resume
            < Matching is already on.
            > /pause
            < Matching is paused
            ? /matching_paused = true
            > /pause
            < Matching is already paused.
            > /profile
            < Matching: paused
            > /resume
            < Matching is on again.
            ? /matching_paused = false
        "#
        ));
    }
}
