//! Events about the chat rather than from the dialogue: the person blocked or unblocked
//! the bot, or spoke to it in a group. None of them touches the dialogue's state.

use crate::engine::{
    ChatKind, Context, DialogueState, Effect, Event, Input, PersonView, Transition,
};
use crate::i18n::Arg;

use super::locale_of;

/// The transition for an event outside the private dialogue (the dialogue's state stays
/// as it is), or `None` if the event belongs to the dialogue.
pub fn outside_dialogue(
    cx: &Context,
    state: &DialogueState,
    person: &PersonView<'_>,
    event: &Event,
) -> Option<Transition> {
    match (&event.input, &event.chat) {
        (Input::ChatBlocked, _) => {
            let mut profile = person.profile.clone();
            profile.unreachable = true;
            // Someone who cannot hear from us must not be offered as a partner.
            profile.matching_paused = true;
            Some(Transition::to(state.clone()).effect(Effect::SaveProfile(profile)))
        }
        (Input::ChatUnblocked, _) => {
            let mut profile = person.profile.clone();
            profile.unreachable = false;
            // Matching stays paused until they say /resume: they left for a reason.
            Some(Transition::to(state.clone()).effect(Effect::SaveProfile(profile)))
        }
        (Input::Command { .. }, ChatKind::Group { private_link }) => {
            let text = cx.tf(
                locale_of(state, person),
                "group-private-only",
                &[("link", Arg::from(private_link.as_str()))],
            );
            Some(Transition::to(state.clone()).say(text))
        }
        // Groups hear nothing else from lexbot; adapters pass on only commands anyway.
        (_, ChatKind::Group { .. }) => Some(Transition::to(state.clone())),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use chrono::Utc;

    use crate::domain::{Locale, PersonId, Profile};
    use crate::engine::{self, ChatKind, DialogueState, Effect, Event, Input, PersonView};
    use crate::flows::transcript::context;

    fn step_with(profile: &Profile, state: DialogueState, event: Event) -> engine::Transition {
        let person = PersonView {
            id: PersonId::new_random(),
            created_at: Utc::now(),
            profile,
            accounts: &[],
            practice: &Default::default(),
        };
        engine::step(context(), state, &person, &event, Utc::now())
    }

    #[test]
    fn blocking_marks_the_person_unreachable_and_paused_and_keeps_the_dialogue() {
        let profile = Profile::new(Locale::En);
        let transition = step_with(
            &profile,
            DialogueState::Idle,
            Event::new(Input::ChatBlocked),
        );
        assert_eq!(transition.state, DialogueState::Idle);
        assert!(transition.replies.is_empty(), "nothing can reach them");
        let [Effect::SaveProfile(saved)] = transition.effects.as_slice() else {
            panic!("expected one profile save, got {:?}", transition.effects);
        };
        assert!(saved.unreachable && saved.matching_paused);

        let transition = step_with(saved, DialogueState::Idle, Event::new(Input::ChatUnblocked));
        let [Effect::SaveProfile(saved)] = transition.effects.as_slice() else {
            panic!("expected one profile save, got {:?}", transition.effects);
        };
        assert!(!saved.unreachable);
        assert!(saved.matching_paused, "matching resumes only on /resume");
    }

    #[test]
    fn a_command_in_a_group_points_to_the_private_chat_and_changes_nothing() {
        let profile = Profile::new(Locale::Ru);
        let mut event = Event::new(Input::from_text("/start@lexbot_bot"));
        event.chat = ChatKind::Group {
            private_link: "https://t.me/lexbot_bot?start=group".into(),
        };
        let transition = step_with(&profile, DialogueState::Idle, event.clone());
        assert_eq!(transition.state, DialogueState::Idle);
        assert!(transition.effects.is_empty());
        assert_eq!(transition.replies.len(), 1);
        assert!(
            transition.replies[0]
                .text
                .contains("https://t.me/lexbot_bot?start=group")
        );
        assert!(
            transition.replies[0].text.contains("в личных сообщениях"),
            "{}",
            transition.replies[0].text
        );

        event.input = Input::Text("hello everyone".into());
        let transition = step_with(&profile, DialogueState::Idle, event);
        assert!(transition.replies.is_empty() && transition.effects.is_empty());
    }
}
