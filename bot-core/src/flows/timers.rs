//! Due timers: each kind's handler, run as a step of the person in the chat the timer
//! was scheduled from. A handler may say nothing (the timer turned out to be moot) and
//! must never leave a state a person would not recognise.

use chrono::{DateTime, Utc};

use crate::engine::{
    self, Context, DialogueState, Effect, FiredTimer, PersonView, TimerKind, TimerSpec, Transition,
};

pub fn fire(
    cx: &Context,
    state: DialogueState,
    person: &PersonView<'_>,
    timer: &FiredTimer,
    now: DateTime<Utc>,
) -> Transition {
    match timer.kind {
        TimerKind::DialogueTimeout => dialogue_timeout(cx, state, person, now),
        TimerKind::Reminder => super::reminders::fire(cx, state, person, timer, now),
        TimerKind::CourseDay => super::courses::fire(cx, state, person, timer, now),
        TimerKind::ExamDeadline => super::exams::fire_deadline(cx, state, person, timer, now),
        TimerKind::ExamIdle => super::exams::fire_idle(cx, state, person, timer, now),
        TimerKind::Reengage => super::reengagement::fire(cx, state, person, now),
        TimerKind::Peer => super::partner::peer_timer(cx, state, person, timer, now),
        TimerKind::ProposalExpiry => super::find::expire_timer(cx, state, person, timer, now),
        TimerKind::PartnerFollowUp => super::partner::follow_up(cx, state, person, timer, now),
        TimerKind::PlacementReminder => super::exams::remind_pending(cx, state, person, now),
    }
}

/// The flow in this chat went unanswered: put it aside and say so. If the person
/// answered since the timer was set, it moves on to the new deadline instead.
fn dialogue_timeout(
    cx: &Context,
    state: DialogueState,
    person: &PersonView<'_>,
    now: DateTime<Utc>,
) -> Transition {
    let Some(last) = state.last_activity() else {
        // The flow ended (its own step would have dropped the timer; this is a late one).
        return Transition::to(state);
    };
    if !engine::is_stale(cx, last, now) {
        let due = last + cx.limits.dialogue_timeout;
        return Transition::to(state).effect(Effect::Schedule(TimerSpec::new(
            TimerKind::DialogueTimeout,
            "",
            due,
        )));
    }
    // Saying so is unasked-for: not in the person's quiet hours, and not to someone
    // who blocked the bot (their flow is still put aside).
    if let Some(until) = super::reminders::quiet_now(cx, person, now)
        && !person.profile.unreachable
    {
        return Transition::to(state).effect(Effect::Schedule(TimerSpec::new(
            TimerKind::DialogueTimeout,
            "",
            until,
        )));
    }
    let (state, notes) = engine::expire_stale_flow(cx, state, person, now);
    Transition {
        state,
        replies: if person.profile.unreachable {
            Vec::new()
        } else {
            notes
        },
        effects: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use crate::flows::transcript::{ONBOARDING, run, run_on};

    #[test]
    fn an_unanswered_onboarding_is_put_aside_by_its_timer() {
        run(r#"
            > /start
            @ dialogue_timeout 2026-03-03T09:00:00Z
            ~ run 23h
            ! It's been a while
            = onboarding
            > #ui:en
            < Step 2 of 9
            // Answering does not move the timer; when it fires it moves itself on.
            @ dialogue_timeout 2026-03-03T09:00:00Z
            ~ run 2h
            = onboarding
            @ dialogue_timeout 2026-03-04T08:00:00Z
            ~ run 23h
            < It's been a while, so I paused your profile setup.
            = onboarding_suspended
            @ dialogue_timeout none
            > /start
            < You started setting up your profile earlier
        "#);
    }

    #[test]
    fn leaving_a_flow_drops_its_timer_and_a_stale_one_says_nothing() {
        run(&format!(
            r#"{ONBOARDING}
            @ dialogue_timeout none
            > /profile
            > [About me]
            @ dialogue_timeout 2026-03-03T09:00:00Z
            > /cancel
            @ dialogue_timeout none
            > /delete_me
            @ dialogue_timeout 2026-03-03T09:00:00Z
            ~ run 25h
            < It's been a while, so I closed the last question.
            = idle
            ? /completed = true
        "#
        ));
    }

    #[test]
    fn the_timeout_note_waits_for_the_end_of_quiet_hours() {
        // Editing the profile at 22:00 in Madrid (21:00 UTC): 24 hours later it is quiet.
        let mut harness = run(ONBOARDING);
        harness.now = chrono::DateTime::parse_from_rfc3339("2026-03-02T21:00:00Z")
            .expect("instant")
            .with_timezone(&chrono::Utc);
        run_on(
            harness,
            r#"
            > /profile
            > [About me]
            @ dialogue_timeout 2026-03-03T21:00:00Z
            ~ run 24h
            ! It's been a while
            = editing
            @ dialogue_timeout 2026-03-04T07:00:00Z
            ~ run 10h
            < It's been a while, so I closed the last question.
            = idle
        "#,
        );
    }
}
