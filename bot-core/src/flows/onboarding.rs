//! /start and onboarding: the questionnaire in order, with progress, a summary whose
//! edit buttons reopen any answer, and confirmation. Left onboardings can be resumed.

use chrono::{DateTime, Utc};

use crate::domain::{LevelChoice, Profile};
use crate::engine::{
    Button, Context, DialogueState, Effect, Event, Field, Input, Keyboard, Onboarding,
    OnboardingStep, PersonView, Question, Reply, Transition,
};

use super::card::profile_card;
use super::questions::{self, Answer, current_timezone_line, next_level_question};

/// The questions in the order onboarding asks them (levels follow target languages).
const ORDER: [Question; 8] = [
    Question::InterfaceLanguage,
    Question::NativeLanguages,
    Question::TargetLanguages,
    Question::Interests,
    Question::Timezone,
    Question::Availability,
    Question::PracticeStyles,
    Question::Bio,
];

/// Step numbers shown to the person count the level questions as one step.
const STEP_COUNT: usize = ORDER.len() + 1;

pub fn start(
    cx: &Context,
    state: DialogueState,
    person: &PersonView<'_>,
    _event: &Event,
    now: DateTime<Utc>,
) -> Transition {
    match state {
        DialogueState::Onboarding(onboarding) => {
            let locale = onboarding.draft.locale;
            let reply = prompt(cx, &onboarding, now);
            Transition::to(DialogueState::Onboarding(onboarding))
                .say(cx.t(locale, "onboarding-already-started"))
                .reply(reply)
        }
        DialogueState::OnboardingSuspended { onboarding }
        | DialogueState::OfferingResume { onboarding } => {
            let reply = resume_offer(cx, &onboarding);
            Transition::to(DialogueState::OfferingResume { onboarding }).reply(reply)
        }
        DialogueState::Idle if person.profile.completed => Transition::to(DialogueState::Idle)
            .say(cx.t(person.profile.locale, "start-already-registered")),
        DialogueState::Idle => begin(cx, person.profile.clone(), now),
        // Another flow is open: it comes first.
        other => {
            let note = cx.t(super::locale_of(&other, person), "finish-or-cancel");
            super::ask_again(cx, other, person, now, note)
        }
    }
}

fn begin(cx: &Context, draft: Profile, now: DateTime<Utc>) -> Transition {
    let onboarding = Onboarding {
        draft,
        at: OnboardingStep::Ask {
            question: Question::InterfaceLanguage,
        },
        from_summary: false,
        last_activity: now,
    };
    let welcome = cx.t(onboarding.draft.locale, "onboarding-welcome");
    let reply = prompt(cx, &onboarding, now);
    Transition::to(DialogueState::Onboarding(onboarding))
        .say(welcome)
        .reply(reply)
}

/// The current question (with progress) or the summary.
pub fn prompt(cx: &Context, onboarding: &Onboarding, now: DateTime<Utc>) -> Reply {
    let draft = &onboarding.draft;
    let locale = draft.locale;
    match onboarding.at {
        OnboardingStep::Ask { question } => {
            let mut reply = questions::prompt(cx, draft, question, now);
            // An edit from the summary is not a step forward: say where it leads.
            let progress = if onboarding.from_summary {
                cx.t(locale, "onboarding-editing")
            } else {
                cx.tf(
                    locale,
                    "onboarding-progress",
                    &[
                        ("step", step_number(question).into()),
                        ("steps", STEP_COUNT.into()),
                        ("percent", completion_percent(onboarding).into()),
                    ],
                )
            };
            reply.text = format!("{progress}\n{}", reply.text);
            reply
        }
        OnboardingStep::Summary => {
            let text = format!(
                "{}\n\n{}",
                cx.tf(
                    locale,
                    "summary-intro",
                    &[("percent", completion_percent(onboarding).into())]
                ),
                profile_card(cx, locale, draft)
            );
            let mut buttons = vec![Button::new(cx.t(locale, "button-confirm"), "sum:confirm")];
            buttons.extend(Field::ALL.into_iter().map(|field| {
                Button::new(
                    super::profile::edit_label(cx, locale, field),
                    format!("sum:edit:{}", field.token()),
                )
            }));
            Reply::text(text).with_keyboard(Keyboard::Choice(buttons))
        }
    }
}

/// The share of the steps answered, rounded down. A step counts once it is answered
/// and left: the one being asked does not, whatever its boxes say before "Done", and
/// the interface language counts once the person has picked it.
fn completion_percent(onboarding: &Onboarding) -> usize {
    let draft = &onboarding.draft;
    let asked = match onboarding.at {
        OnboardingStep::Ask { question } => Some(step_number(question)),
        OnboardingStep::Summary => None,
    };
    let answered = [
        true,
        !draft.native.is_empty(),
        !draft.targets.is_empty(),
        !draft.targets.is_empty() && draft.targets.iter().all(|t| t.is_answered()),
        !draft.interests.is_empty(),
        draft.timezone.is_some(),
        !draft.availability.is_empty(),
        !draft.styles.is_empty(),
        draft.bio.is_some(),
    ];
    let count = (1..=STEP_COUNT)
        .zip(answered)
        .filter(|(step, answered)| *answered && Some(*step) != asked)
        .count();
    count * 100 / STEP_COUNT
}

fn step_number(question: Question) -> usize {
    match question {
        Question::TargetLevel { .. } => 4,
        other => {
            let at = ORDER.iter().position(|q| *q == other).unwrap_or(0) + 1;
            if at > 3 { at + 1 } else { at }
        }
    }
}

pub fn handle(
    cx: &Context,
    mut onboarding: Onboarding,
    person: &PersonView<'_>,
    input: &Input,
    now: DateTime<Utc>,
) -> Transition {
    onboarding.last_activity = now;
    let locale = onboarding.draft.locale;
    let question = match onboarding.at {
        OnboardingStep::Summary => return handle_summary(cx, onboarding, person, input, now),
        OnboardingStep::Ask { question } => question,
    };
    match questions::answer(cx, &onboarding.draft, question, input) {
        Ok(None) => again(cx, onboarding, now, cx.t(locale, "stale-button")),
        Err(error) => again(cx, onboarding, now, error.message(cx, locale)),
        Ok(Some(Answer::Toggled(draft))) => {
            onboarding.draft = draft;
            let reply = questions::prompt_again(prompt(cx, &onboarding, now), input);
            Transition::to(DialogueState::Onboarding(onboarding)).reply(reply)
        }
        Ok(Some(Answer::Answered(draft))) => {
            onboarding.at = next_step(&draft, question, onboarding.from_summary);
            if onboarding.at == OnboardingStep::Summary {
                onboarding.from_summary = false;
            }
            onboarding.draft = draft;
            let mut transition = Transition::to(DialogueState::Onboarding(onboarding.clone()));
            if let (Question::Timezone, Some(tz)) = (question, onboarding.draft.timezone) {
                transition =
                    transition.say(current_timezone_line(cx, onboarding.draft.locale, tz, now));
            }
            if let Some(note) = placement_note(cx, &onboarding.draft, question) {
                transition = transition.say(note);
            }
            transition.reply(prompt(cx, &onboarding, now))
        }
    }
}

/// "The placement test starts once you confirm", when `answered` left a level to one.
fn placement_note(cx: &Context, draft: &Profile, answered: Question) -> Option<String> {
    let Question::TargetLevel { language } = answered else {
        return None;
    };
    let pending = draft
        .targets
        .iter()
        .any(|t| t.language == language && t.level == Some(LevelChoice::PlacementTest));
    pending.then(|| {
        cx.tf(
            draft.locale,
            "onboarding-placement-later",
            &cx.language_args(draft.locale, language),
        )
    })
}

/// `note`, then the current question again.
fn again(cx: &Context, onboarding: Onboarding, now: DateTime<Utc>, note: String) -> Transition {
    let reply = prompt(cx, &onboarding, now);
    Transition::to(DialogueState::Onboarding(onboarding))
        .say(note)
        .reply(reply)
}

/// Where onboarding goes once `answered` is answered.
fn next_step(draft: &Profile, answered: Question, from_summary: bool) -> OnboardingStep {
    if let Some(question) = next_level_question(draft) {
        return OnboardingStep::Ask { question };
    }
    let following = if from_summary {
        None
    } else {
        match answered {
            Question::TargetLevel { .. } => Some(Question::Interests),
            other => ORDER.iter().skip_while(|q| **q != other).nth(1).copied(),
        }
    };
    match following.or_else(|| first_unanswered(draft)) {
        Some(question) => OnboardingStep::Ask { question },
        None => OnboardingStep::Summary,
    }
}

/// The first question whose field is still empty, in onboarding order.
pub fn first_unanswered(draft: &Profile) -> Option<Question> {
    if draft.native.is_empty() {
        Some(Question::NativeLanguages)
    } else if draft.targets.is_empty() {
        Some(Question::TargetLanguages)
    } else if let Some(level) = next_level_question(draft) {
        Some(level)
    } else if draft.interests.is_empty() {
        Some(Question::Interests)
    } else if draft.timezone.is_none() {
        Some(Question::Timezone)
    } else if draft.availability.is_empty() {
        Some(Question::Availability)
    } else if draft.styles.is_empty() {
        Some(Question::PracticeStyles)
    } else if draft.bio.is_none() {
        Some(Question::Bio)
    } else {
        None
    }
}

fn handle_summary(
    cx: &Context,
    mut onboarding: Onboarding,
    person: &PersonView<'_>,
    input: &Input,
    now: DateTime<Utc>,
) -> Transition {
    let locale = onboarding.draft.locale;
    let data = match input {
        Input::Button(data) => data.as_str(),
        Input::Unsupported
        | Input::Text(_)
        | Input::Command { .. }
        | Input::Resume
        | Input::ChatBlocked
        | Input::ChatUnblocked
        | Input::Timer(_)
        | Input::Peer(_)
        | Input::Admin(_) => {
            return again(cx, onboarding, now, cx.t(locale, "error-use-buttons"));
        }
    };
    if data == "sum:confirm" {
        let mut profile = onboarding.draft;
        profile.completed = true;
        let saved = Transition::to(DialogueState::Idle)
            .say(cx.t(locale, "onboarding-done"))
            .effect(Effect::SaveProfile(profile.clone()));
        let view = PersonView {
            profile: &profile,
            ..*person
        };
        return match super::exams::start_pending_placement(cx, &view, now) {
            Some(test) => Transition {
                state: test.state,
                replies: saved.replies.into_iter().chain(test.replies).collect(),
                effects: saved.effects.into_iter().chain(test.effects).collect(),
            },
            None => saved.say(cx.t(locale, "onboarding-next")),
        };
    }
    let field = data.strip_prefix("sum:edit:").and_then(Field::from_token);
    let Some(field) = field else {
        return again(cx, onboarding, now, cx.t(locale, "stale-button"));
    };
    let question = super::profile::question_for(&mut onboarding.draft, field);
    onboarding.at = OnboardingStep::Ask { question };
    onboarding.from_summary = true;
    let reply = prompt(cx, &onboarding, now);
    Transition::to(DialogueState::Onboarding(onboarding)).reply(reply)
}

pub fn resume_offer(cx: &Context, onboarding: &Onboarding) -> Reply {
    let locale = onboarding.draft.locale;
    Reply::text(cx.tf(
        locale,
        "resume-offer",
        &[("percent", completion_percent(onboarding).into())],
    ))
    .with_keyboard(Keyboard::Choice(vec![
        Button::new(cx.t(locale, "button-continue"), "resume:continue"),
        Button::new(cx.t(locale, "button-start-over"), "resume:restart"),
    ]))
}

pub fn handle_resume_choice(
    cx: &Context,
    mut onboarding: Onboarding,
    input: &Input,
    now: DateTime<Utc>,
) -> Transition {
    let locale = onboarding.draft.locale;
    match input {
        Input::Button(data) if data == "resume:continue" => {
            onboarding.last_activity = now;
            let reply = prompt(cx, &onboarding, now);
            Transition::to(DialogueState::Onboarding(onboarding)).reply(reply)
        }
        Input::Button(data) if data == "resume:restart" => begin(cx, Profile::new(locale), now),
        Input::Button(_) => {
            let reply = resume_offer(cx, &onboarding);
            let note = cx.t(locale, "stale-button");
            Transition::to(DialogueState::OfferingResume { onboarding })
                .say(note)
                .reply(reply)
        }
        _ => {
            let reply = resume_offer(cx, &onboarding);
            let note = cx.t(locale, "error-use-buttons");
            Transition::to(DialogueState::OfferingResume { onboarding })
                .say(note)
                .reply(reply)
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::flows::transcript::{ONBOARDING, run};

    #[test]
    fn complete_onboarding_in_english() {
        let harness = run(ONBOARDING);
        let profile = harness.profile.expect("saved");
        assert!(profile.all_answered());
        assert_eq!(profile.timezone.map(|tz| tz.name()), Some("Europe/Madrid"));
    }

    #[test]
    fn interface_language_is_guessed_from_the_client_and_can_be_changed() {
        run(r#"
            ~ client ru-RU
            > /start
            < Добро пожаловать в lexbot
            < Шаг 1 из 9
            > [English]
            < Step 2 of 9
            > #ui:ru
            < That button belongs to an older message
        "#);
        run(r#"
            ~ client ru
            > /start
            > [Русский]
            < Какой язык для вас родной? Если их несколько, отметьте все, но не больше 3 языков
            > испанский
            < Шаг 3 из 9
            ? /locale = "ru"
        "#);
    }

    #[test]
    fn languages_are_checked() {
        run(r#"
            > /start
            > [English]
            > [Done]
            < Pick at least one option first.
            > xx
            < I don't know the language “xx”. Type a language name or its two-letter ISO 639-1 code
            > Klingon
            < I don't know the language “Klingon”
            > 🙂🙂
            < I don't know the language “🙂🙂”
            > uk, pt
            < Step 3 of 9
            > #tgt:uk
            < You speak Ukrainian natively
            > #tgt:xx
            < That button belongs to an older message
            > Ukrainian
            < You speak Ukrainian natively
            > es de fr it
            < You can pick at most 3
            > [Spanish]
            > [German]
            > [French]
            > [Italian]
            < You can pick at most 3
            > [French]
            > [Done]
            < What is your level in Spanish?
            > c1
            < What is your level in German?
            > expert
            < Please answer with the buttons below.
            > #lvl:es:B1
            < That button belongs to an older message
            > #lvl:de:Z9
            < That button belongs to an older message
            > [A2]
            < Step 5 of 9
            ? /targets = [{"language":"es","level":"C1"},{"language":"de","level":"A2"}]
        "#);
    }

    #[test]
    fn interests_availability_and_style_take_buttons() {
        run(r#"
            > /start
            > [English]
            > es
            > en
            > [B1]
            < Pick up to 5
            > I like music
            < Please answer with the buttons below.
            > BOOKS
            < [✓ Culture · Books]
            > books
            < [Culture · Books]
            > [Music]
            > [Books]
            > [Travel]
            > [Sport]
            > [Science]
            > [History]
            < You can pick at most 5
            > [Science]
            < [✓ Culture · Music]
            > [History]
            > [Done]
            > UTC+3
            < UTC+3 is a fixed offset
            > [Keep UTC+3]
            < UTC+3 — it is 12:00 there now.
            > [Done]
            < Pick at least one option first.
            > evenings
            < Please answer with the buttons below.
            > weekend nights
            < [✓ Weekend nights]
            > [Done]
            > <sticker>
            < I can only read text and buttons here.
            > voice messages and calls
            < [✓ 🎙 Voice messages and calls]
            > [Done]
            < Step 9 of 9
            ? /interests = ["music","books","travel","sport","history"]
            ? /styles = ["voice"]
        "#);
    }

    #[test]
    fn timezones_from_cities_offsets_and_names() {
        let to_timezone = "> /start\n> [English]\n> es\n> en\n> [B1]\n> [Music]\n> [Done]\n";
        for (typed, expected) in [
            ("Москва", "Europe/Moscow"),
            ("new york", "America/New_York"),
            ("America/Sao_Paulo", "America/Sao_Paulo"),
            ("UTC-03:30", "America/St_Johns"),
            ("gmt+5:30", "Asia/Kolkata"),
        ] {
            run(&format!(
                "{to_timezone}> {typed}\n< Step 7 of 9\n? /timezone = \"{expected}\"\n"
            ));
        }
        run(&format!(
            "{to_timezone}> Atlantis\n< I couldn't find a timezone for “Atlantis”\n> UTC+20\n< is not a UTC offset that exists\n= onboarding\n"
        ));
    }

    #[test]
    fn a_utc_offset_warns_about_daylight_saving_and_offers_its_cities() {
        let to_timezone = "> /start\n> [English]\n> es\n> en\n> [B1]\n> [Music]\n> [Done]\n";
        run(&format!(
            r#"{to_timezone}
            > UTC+1
            < UTC+1 — it is 10:00 there now.
            < UTC+1 is a fixed offset: it does not follow daylight saving time.
            < Live in one of these cities?
            < [Berlin]
            < [Keep UTC+1]
            ! Etc/GMT
            = onboarding
            ? /timezone = "Etc/GMT-1"
            > [Berlin]
            < Europe/Berlin — it is 10:00 there now.
            < Step 7 of 9
            ? /timezone = "Europe/Berlin"
        "#
        ));
        // Kept on purpose, by the button or by typing it again: shown as written.
        run(&format!(
            r#"{to_timezone}
            > gmt+3
            < UTC+3 is a fixed offset
            < [Moscow]
            > UTC+3
            < UTC+3 — it is 12:00 there now.
            < Step 7 of 9
            ? /timezone = "Etc/GMT-3"
        "#
        ));
        run(&format!(
            r#"{to_timezone}
            > UTC+1
            > #tz:Etc/GMT-5
            < That button belongs to an older message
            > #tz:Atlantis
            < That button belongs to an older message
            > Madrid
            < Step 7 of 9
            ? /timezone = "Europe/Madrid"
        "#
        ));
    }

    #[test]
    fn completion_counts_the_steps_answered_and_left() {
        run(r#"
            > /start
            < Step 1 of 9 · 0% complete
            > /cancel
            > /start
            < (0% complete)
            > [Continue]
            > [English]
            < Step 2 of 9 · 11% complete
            > [Spanish]
            < Step 2 of 9 · 11% complete
            > [Done]
            < Step 3 of 9 · 22% complete
            > /cancel
            > /start
            < (22% complete)
        "#);
        let at_summary = ONBOARDING.split("> [Confirm]").next().unwrap_or_default();
        run(&format!(
            r#"{at_summary}
            < Almost done (100%)
            > [Timezone]
            < Changing one answer
            ! Step
            ! 100%
            > Berlin
            < Almost done (100%)
        "#
        ));
    }

    #[test]
    fn bio_limits_and_skip() {
        let long = "a".repeat(10 * 1024);
        run(&ONBOARDING.replace(
            "> I teach maths in Valencia and love hiking.",
            &format!("> {long}\n< That is 10240 characters; at most 300 fit.\n! aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n> [Skip]"),
        )
        .replace("< All set!", "< All set!\n? /bio = \"\""));
        run(&ONBOARDING.replace(
            "> I teach maths in Valencia and love hiking.",
            "> Hola 👋 ¡Me encanta el café! ☕\n< About me: Hola 👋 ¡Me encanta el café! ☕",
        ));
    }

    #[test]
    fn summary_edits_return_to_the_summary() {
        let at_summary = ONBOARDING.split("> [Confirm]").next().unwrap_or_default();
        run(&format!(
            r#"{at_summary}
            > [Timezone]
            < Which timezone are you in?
            < Europe/Madrid — it is 10:00 there now.
            > Berlin
            < Almost done (100%)
            < Timezone: Europe/Berlin
            > [Levels]
            < What is your level in English?
            > [C1]
            < What is your level in German?
            > [A1]
            < Learning: English (C1), German (A1)
            > [Native languages]
            > [English]
            > [Done]
            ! What is your level
            < Native: Spanish, English
            < Learning: German (A1)
            > [Native languages]
            > [German]
            > [Done]
            < Which language(s) do you want to practise?
            > fr
            < What is your level in French?
            > [B1]
            < Almost done
            > [About me]
            > [Skip]
            < About me: (skipped)
            > hello?
            < Please answer with the buttons below.
            > [Confirm]
            < All set!
            ? /native = ["es","en","de"]
            ? /targets = [{{"language":"fr","level":"B1"}}]
        "#
        ));
    }

    #[test]
    fn cancelled_onboarding_resumes_or_starts_over() {
        run(r#"
            > /start
            > [English]
            > [Spanish]
            > /cancel
            < Your answers are kept
            = onboarding_suspended
            > hello
            < You have an unfinished profile. Send /start to continue.
            > /start
            < You started setting up your profile earlier (11% complete). Continue where you left off?
            = offering_resume
            > maybe
            < Please answer with the buttons below.
            > [Continue]
            < Step 2 of 9
            < [✓ Spanish]
            > /cancel
            > /start
            > [Start over]
            < Step 1 of 9
            = onboarding
        "#);
    }

    #[test]
    fn a_forgotten_onboarding_is_suspended_after_the_timeout() {
        run(r#"
            > /start
            > [English]
            ~ wait 23h
            > [Spanish]
            < [✓ Spanish]
            ~ wait 25h
            > [Done]
            < It's been a while, so I paused your profile setup.
            = onboarding_suspended
            > /start
            > [Continue]
            < [✓ Spanish]
        "#);
    }

    #[test]
    fn start_again_during_and_after_onboarding() {
        run(r#"
            > /start
            > [English]
            > /start
            < You are already setting up your profile
            < Step 2 of 9
        "#);
        run(&format!(
            "{ONBOARDING}\n> /start\n< Welcome back! Your profile is complete.\n= idle\n"
        ));
    }

    #[test]
    fn stale_and_forged_buttons_never_act() {
        run(r#"
            > #nat:es
            < That button belongs to an older message
            = idle
            > /start
            > #sum:confirm
            < That button belongs to an older message
            < Step 1 of 9
            > #ui:de
            < That button belongs to an older message
            > #ui
            > #
            > #💥💥💥
            > #nat:es:es:es
            > #xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx
            < That button belongs to an older message
            = onboarding
            ? /completed = false
        "#);
    }

    #[test]
    fn commands_in_the_wrong_state_get_an_answer() {
        run(r#"
            > /start
            > [English]
            > /profile
            < Let's finish this first
            < Step 2 of 9
            > /pause
            < Let's finish this first
            > /frobnicate
            < I don't know the command /frobnicate.
            < Step 2 of 9
            > /help
            < /delete_me — erase everything I store about you
            < You are in the middle of a question
            < Step 2 of 9
        "#);
    }
}
