//! /profile and /language: show the profile card and edit any one field of it.

use chrono::{DateTime, Utc};

use crate::domain::{LevelChoice, Locale, PartnerStatus, Profile};
use crate::engine::{
    Button, Context, DialogueState, Editing, Effect, Field, Input, Keyboard, PersonView, Question,
    Reply, Transition,
};

use super::card::profile_card;
use super::onboarding::first_unanswered;
use super::questions::{self, Answer, current_timezone_line, next_level_question};

pub fn show(
    cx: &Context,
    state: DialogueState,
    person: &PersonView<'_>,
    now: DateTime<Utc>,
) -> Transition {
    let locale = person.profile.locale;
    if !person.profile.completed {
        // Only a started onboarding is a profile to finish; otherwise there is none
        // (never set up, or erased by /delete_me).
        let key = match state {
            DialogueState::Onboarding(_)
            | DialogueState::OnboardingSuspended { .. }
            | DialogueState::OfferingResume { .. } => "profile-incomplete",
            _ => "profile-none",
        };
        return Transition::to(state).say(cx.t(locale, key));
    }
    let mut card = card_with_edit_buttons(cx, locale, person.profile);
    card.text.push('\n');
    card.text.push_str(&cx.t(locale, matching_line(person)));
    card.text.push('\n');
    card.text.push_str(&super::streak::line(
        cx,
        locale,
        person.practice,
        person.profile,
        now,
    ));
    Transition::to(state).reply(card)
}

/// Where the person stands with matching: paused, or what /find has done so far.
fn matching_line(person: &PersonView<'_>) -> &'static str {
    if person.profile.matching_paused {
        return "profile-matching-paused";
    }
    match person.practice.partnering.status {
        PartnerStatus::Idle => "profile-matching-not-started",
        PartnerStatus::Waiting { .. } => "profile-matching-waiting",
        PartnerStatus::Proposed(_) => "profile-matching-proposed",
        PartnerStatus::Partnered(_) => "profile-matching-partnered",
    }
}

fn card_with_edit_buttons(cx: &Context, locale: Locale, profile: &Profile) -> Reply {
    let text = format!(
        "{}\n\n{}",
        cx.t(locale, "profile-intro"),
        profile_card(cx, locale, profile)
    );
    let buttons = Field::ALL
        .into_iter()
        .map(|field| {
            Button::new(
                edit_label(cx, locale, field),
                format!("prof:{}", field.token()),
            )
        })
        .collect();
    Reply::text(text).with_keyboard(Keyboard::Choice(buttons))
}

/// A "prof:<field>" button pressed while idle.
pub fn start_edit_from_button(
    cx: &Context,
    person: &PersonView<'_>,
    data: &str,
    now: DateTime<Utc>,
) -> Option<Transition> {
    let field = data.strip_prefix("prof:").and_then(Field::from_token)?;
    if !person.profile.completed {
        return None;
    }
    Some(start_edit(cx, person.profile.clone(), field, now))
}

pub fn edit_language(
    cx: &Context,
    _state: DialogueState,
    person: &PersonView<'_>,
    now: DateTime<Utc>,
) -> Transition {
    start_edit(cx, person.profile.clone(), Field::InterfaceLanguage, now)
}

fn start_edit(cx: &Context, mut draft: Profile, field: Field, now: DateTime<Utc>) -> Transition {
    let question = question_for(&mut draft, field);
    let reply = questions::prompt(cx, &draft, question, now);
    Transition::to(DialogueState::Editing(Editing {
        draft,
        question,
        last_activity: now,
    }))
    .reply(reply)
}

/// The first question that edits `field`. Editing the levels asks each language's
/// level again, so they are cleared in the draft.
pub fn question_for(draft: &mut Profile, field: Field) -> Question {
    match field {
        Field::InterfaceLanguage => Question::InterfaceLanguage,
        Field::NativeLanguages => Question::NativeLanguages,
        Field::TargetLanguages => Question::TargetLanguages,
        Field::Levels => {
            for target in &mut draft.targets {
                target.level = None;
            }
            next_level_question(draft).unwrap_or(Question::TargetLanguages)
        }
        Field::Interests => Question::Interests,
        Field::Timezone => Question::Timezone,
        Field::Availability => Question::Availability,
        Field::PracticeStyles => Question::PracticeStyles,
        Field::Bio => Question::Bio,
    }
}

pub fn handle_edit(
    cx: &Context,
    mut editing: Editing,
    person: &PersonView<'_>,
    input: &Input,
    now: DateTime<Utc>,
) -> Transition {
    editing.last_activity = now;
    let locale = editing.draft.locale;
    match questions::answer(cx, &editing.draft, editing.question, input) {
        Ok(None) => {
            let note = cx.t(locale, "stale-button");
            super::ask_again(cx, DialogueState::Editing(editing), person, now, note)
        }
        Err(error) => {
            let note = error.message(cx, locale);
            super::ask_again(cx, DialogueState::Editing(editing), person, now, note)
        }
        Ok(Some(Answer::Toggled(draft))) => {
            let reply = questions::prompt_again(
                questions::prompt(cx, &draft, editing.question, now),
                input,
            );
            editing.draft = draft;
            Transition::to(DialogueState::Editing(editing)).reply(reply)
        }
        Ok(Some(Answer::Answered(draft))) => {
            // A complete profile stays complete: an edit that empties another field
            // (a new native language that was a target) asks for it before saving.
            let follow_up = next_level_question(&draft).or_else(|| {
                if person.profile.completed {
                    first_unanswered(&draft)
                } else {
                    None
                }
            });
            let locale = draft.locale;
            let timezone_note = match (editing.question, draft.timezone) {
                (Question::Timezone, Some(tz)) => Some(current_timezone_line(cx, locale, tz, now)),
                _ => None,
            };
            let transition = match follow_up {
                Some(question) => {
                    let reply = questions::prompt(cx, &draft, question, now);
                    Transition::to(DialogueState::Editing(Editing {
                        draft,
                        question,
                        last_activity: now,
                    }))
                    .reply(reply)
                }
                None => {
                    let mut transition =
                        Transition::to(DialogueState::Idle).say(cx.t(locale, "profile-saved"));
                    if draft.completed {
                        transition = transition.reply(card_with_edit_buttons(cx, locale, &draft));
                    }
                    let test = newly_pending(person.profile, &draft)
                        .then(|| {
                            let view = PersonView {
                                profile: &draft,
                                ..*person
                            };
                            super::exams::start_pending_placement(cx, &view, now)
                        })
                        .flatten();
                    transition = transition.effect(Effect::SaveProfile(draft.clone()));
                    match test {
                        Some(test) => Transition {
                            state: test.state,
                            replies: transition.replies.into_iter().chain(test.replies).collect(),
                            effects: transition.effects.into_iter().chain(test.effects).collect(),
                        },
                        None => transition,
                    }
                }
            };
            match timezone_note {
                Some(note) => transition.after(vec![Reply::text(note)]),
                None => transition,
            }
        }
    }
}

/// Whether a completed `draft` leaves a level to the placement test ("Not sure") that
/// the saved profile did not: that test starts once the edit is saved.
fn newly_pending(saved: &Profile, draft: &Profile) -> bool {
    let pending = |profile: &Profile, language| {
        profile
            .targets
            .iter()
            .any(|t| t.language == language && t.level == Some(LevelChoice::PlacementTest))
    };
    draft.completed
        && draft
            .targets
            .iter()
            .any(|t| pending(draft, t.language) && !pending(saved, t.language))
}

pub fn edit_label(cx: &Context, locale: Locale, field: Field) -> String {
    let key = match field {
        Field::InterfaceLanguage => "edit-interface-language",
        Field::NativeLanguages => "edit-native-languages",
        Field::TargetLanguages => "edit-target-languages",
        Field::Levels => "edit-levels",
        Field::Interests => "edit-interests",
        Field::Timezone => "edit-timezone",
        Field::Availability => "edit-availability",
        Field::PracticeStyles => "edit-practice-styles",
        Field::Bio => "edit-bio",
    };
    cx.t(locale, key)
}

#[cfg(test)]
mod tests {
    use crate::flows::transcript::{ONBOARDING, run};

    #[test]
    fn profile_needs_a_finished_onboarding() {
        run(r#"
            > /profile
            < You have no profile yet. Send /start to set one up.
            > #prof:bio
            < That button belongs to an older message
            = idle
            > /start
            > [English]
            > /cancel
            > /profile
            < Your profile is not complete yet. Send /start to finish it.
        "#);
    }

    #[test]
    fn not_sure_when_editing_a_level_starts_the_placement_test_once_saved() {
        run(&format!(
            r#"{ONBOARDING}
            > /profile
            > [Levels]
            > [B2]
            < What is your level in German?
            > [Not sure]
            < ✅ Saved.
            < Learning: English (B2), German (placement test)
            < Now the placement test for German
            < question 1 of 24
            = exam
            "#
        ));
        // A level already left to the test starts nothing when another field changes.
        run(&format!(
            r#"{ONBOARDING}
            > /profile
            > [Levels]
            > [B2]
            > [Not sure]
            > /cancel
            = idle
            > /profile
            > [About me]
            > [Skip]
            < ✅ Saved.
            ! placement test for German
            = idle
            "#
        ));
    }

    #[test]
    fn profile_shows_where_matching_really_stands() {
        run(&format!(
            r#"{ONBOARDING}
            > /profile
            < Matching: not looking for a partner yet. Send /find to join the queue.
            > /find
            > /profile
            < Matching: in the queue
            > /pause
            > /profile
            < Matching: paused. /resume turns it back on.
        "#
        ));
    }

    #[test]
    fn profile_shows_the_card_and_edits_each_field() {
        run(&format!(
            r#"{ONBOARDING}
            > /profile
            < Your profile. Tap a field to change it.
            < About me: I teach maths in Valencia and love hiking.
            < Matching: not looking for a partner yet. Send /find to join the queue.
            ! Matching: active
            > [About me]
            < Tell a future partner a little about yourself
            > Now in Lisbon.
            < ✅ Saved.
            < About me: Now in Lisbon.
            = idle
            > [Interests]
            > [Music]
            > [Films]
            > [Done]
            < Interests: Travel, Films & series
            > [Timezone]
            > Lisbon
            < Europe/Lisbon — it is 09:00 there now.
            < ✅ Saved.
            > [Availability]
            > [Weekend nights]
            > [Done]
            < Available: Weekday evenings, Weekend mornings, Weekend nights
            > [Practice style]
            > [Text chat]
            > [Video calls]
            > [Done]
            < Pick at least one option first.
            > [Voice]
            > [Done]
            < Practice: 🎙 Voice messages and calls
            > [Languages I learn]
            > [English]
            > [French]
            > [Done]
            < What is your level in French?
            > [A1]
            < Learning: German (A2), French (A1)
            > [Levels]
            < What is your level in German?
            > [B1]
            < What is your level in French?
            > [A2]
            < Learning: German (B1), French (A2)
            > [Native languages]
            > [German]
            > [French]
            > [Done]
            < Which language(s) do you want to practise?
            > en
            < What is your level in English?
            > [C2]
            < ✅ Saved.
            < Native: Spanish, German, French
            < Learning: English (C2)
            ? /targets = [{{"language":"en","level":"C2"}}]
            ? /completed = true
        "#
        ));
    }

    #[test]
    fn cancelling_an_edit_keeps_the_profile() {
        run(&format!(
            r#"{ONBOARDING}
            > /profile
            > [About me]
            > /cancel
            < Cancelled. Your profile is unchanged.
            = idle
            ? /bio = "I teach maths in Valencia and love hiking."
            > /profile
            > [Interests]
            > [Books]
            > /cancel
            ? /interests = ["music","travel"]
        "#
        ));
    }

    #[test]
    fn language_switches_the_interface() {
        run(&format!(
            r#"{ONBOARDING}
            > /language
            < Which language should I talk to you in?
            > [Русский]
            < ✅ Сохранено.
            < 🌐 Язык интерфейса: Русский
            < 🗣 Родные языки: Испанский
            > /help
            < Вот что я умею
            > /language
            > english
            < ✅ Saved.
        "#
        ));
        run(r#"
            > /language
            > [Русский]
            < Сохранено.
            > hi
            < Привет! Отправьте /start
            > /start
            < Добро пожаловать
        "#);
    }
}
