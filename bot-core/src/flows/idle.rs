//! What the bot does with text and buttons when no flow is in progress.

use crate::engine::{Context, DialogueState, Input, PersonView, Transition};

pub fn handle_input(
    cx: &Context,
    state: DialogueState,
    person: &PersonView<'_>,
    input: &Input,
    now: chrono::DateTime<chrono::Utc>,
) -> Transition {
    if let Input::Button(data) = input {
        if let Some(transition) = super::profile::start_edit_from_button(cx, person, data, now) {
            return transition;
        }
        if let Some(transition) = super::reminders::button(cx, state.clone(), person, data, now) {
            return transition;
        }
        if let Some(transition) = super::courses::button(cx, state.clone(), person, data, now) {
            return transition;
        }
        if let Some(transition) = super::exams::button(cx, state.clone(), person, data, now) {
            return transition;
        }
        return super::stale_button(cx, state, person, now);
    }
    if matches!(state, DialogueState::Idle)
        && let Some(transition) = super::partner::relay(cx, state.clone(), person, input, now)
    {
        return transition;
    }
    let locale = person.profile.locale;
    let key = match (&state, person.profile.completed) {
        (DialogueState::OnboardingSuspended { .. }, _) => "idle-hint-suspended",
        (_, true) => "idle-hint",
        (_, false) => "idle-hint-new",
    };
    Transition::to(state).say(cx.t(locale, key))
}

/// The person reopened the chat and no question is open.
pub fn welcome_back(cx: &Context, state: DialogueState, person: &PersonView<'_>) -> Transition {
    let locale = person.profile.locale;
    let key = match (&state, person.profile.completed) {
        (DialogueState::OnboardingSuspended { .. }, _) => "welcome-suspended",
        (_, true) => "welcome-back",
        (_, false) => "welcome-new",
    };
    Transition::to(state).say(cx.t(locale, key))
}

#[cfg(test)]
mod tests {
    use crate::flows::transcript::{ONBOARDING, run};

    #[test]
    fn an_old_button_with_no_question_open_says_so_without_a_dangling_colon() {
        let harness = run(&format!(
            "{ONBOARDING}\n> #sum:confirm\n< That button belongs to an older message and no longer works. Nothing is waiting for your answer now; /help lists what I can do.\n= idle\n"
        ));
        assert!(!harness.screen().contains("Here is where we are:"));
        // With a question open, it still follows the note.
        run(&format!(
            "{ONBOARDING}\n> /profile\n> [Timezone]\n> #sum:confirm\n< Here is where we are:\n< Which timezone are you in?\n"
        ));
    }
}
