//! /delete_me: erase the person, after a confirmation. What outlives it (reports, and with
//! a privacy key their blocks and former partners under a keyed hash of their accounts) is
//! the runtime's and the store's business: see [`crate::storage::Tombstone`].

use chrono::{DateTime, Utc};

use crate::domain::Locale;
use crate::engine::{
    Button, Context, DialogueState, Effect, Input, Keyboard, PersonView, Reply, Transition,
};

pub fn ask(
    cx: &Context,
    state: DialogueState,
    person: &PersonView<'_>,
    now: DateTime<Utc>,
) -> Transition {
    // Asked again while asking: keep the flow that was interrupted the first time.
    let interrupted = match state {
        DialogueState::ConfirmingDelete { interrupted, .. } => interrupted,
        other => Box::new(other),
    };
    Transition::to(DialogueState::ConfirmingDelete {
        since: now,
        interrupted,
    })
    .reply(prompt(cx, person.profile.locale))
}

pub fn prompt(cx: &Context, locale: Locale) -> Reply {
    Reply::text(cx.t(locale, "delete-confirm")).with_keyboard(Keyboard::Choice(vec![
        Button::new(cx.t(locale, "button-delete-yes"), "del:yes"),
        Button::new(cx.t(locale, "button-delete-no"), "del:no"),
    ]))
}

pub fn handle(
    cx: &Context,
    since: DateTime<Utc>,
    interrupted: Box<DialogueState>,
    person: &PersonView<'_>,
    input: &Input,
    now: DateTime<Utc>,
) -> Transition {
    let locale = person.profile.locale;
    match input {
        Input::Button(data) if data == "del:yes" => {
            let transition = Transition::to(DialogueState::Idle).say(cx.t(locale, "delete-done"));
            // The partner hears it ended before the person is gone.
            match super::partner::farewell(person) {
                Some(farewell) => transition.effect(farewell),
                None => transition,
            }
            .effect(Effect::ErasePerson)
        }
        Input::Button(data) if data == "del:no" => {
            let note = cx.t(locale, "delete-cancelled");
            super::ask_again(cx, *interrupted, person, now, note)
        }
        Input::Button(_) => super::stale_button(
            cx,
            DialogueState::ConfirmingDelete { since, interrupted },
            person,
            now,
        ),
        _ => {
            let note = cx.t(locale, "error-use-buttons");
            let state = DialogueState::ConfirmingDelete { since, interrupted };
            super::ask_again(cx, state, person, now, note)
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::flows::transcript::{ONBOARDING, run};

    #[test]
    fn delete_asks_first_and_can_be_declined() {
        run(&format!(
            r#"{ONBOARDING}
            > /delete_me
            < Delete everything?
            = confirming_delete
            > yes
            < Please answer with the buttons below.
            > [No, keep my data]
            < Deletion cancelled. Nothing was changed.
            = idle
            ? /completed = true
        "#
        ));
    }

    #[test]
    fn delete_erases_and_later_input_starts_afresh() {
        let harness = run(&format!(
            r#"{ONBOARDING}
            > /delete_me
            > [Yes, delete everything]
            < Your data is erased.
            ? erased
            > hello
            < Hi! Send /start to set up your profile
            > #del:yes
            < That button belongs to an older message
            > /profile
            < You have no profile yet. Send /start to set one up.
            ! not complete
        "#
        ));
        assert!(!harness.profile.expect("a fresh person").completed);
    }

    #[test]
    fn delete_during_onboarding_returns_to_the_question() {
        run(r#"
            > /start
            > [English]
            > [Spanish]
            > /delete_me
            < Delete everything?
            > /delete_me
            < Delete everything?
            > [No]
            < Deletion cancelled.
            < Step 2 of 9
            < [✓ Spanish]
            > /delete_me
            > /cancel
            < Deletion cancelled.
            = onboarding_suspended
            > /delete_me
            ~ wait 25h
            > [Yes]
            < It's been a while, so I closed the last question.
            < That button belongs to an older message
            = onboarding_suspended
        "#);
    }
}
