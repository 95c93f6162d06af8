//! Property test: random event sequences, from whatever state they lead to, never panic,
//! always answer, and always leave a state that keeps its invariants and survives a save.

use proptest::prelude::*;

use crate::engine::{DialogueState, Input, TimerKind};
use crate::flows::transcript::Harness;

/// Button data a person might press: real prefixes with real and bogus values, plus garbage.
fn button_data() -> impl Strategy<Value = String> {
    let prefix = prop::sample::select(vec![
        "ui",
        "nat",
        "tgt",
        "lvl",
        "int",
        "av",
        "sty",
        "bio",
        "sum",
        "sum:edit",
        "prof",
        "del",
        "resume",
        "x",
        "rem",
        "rem:del",
        "rem:day",
        "rem:q",
        "crs:pick",
        "crs:lang",
        "crs:time",
        "crs:switch",
        "crs:done:0",
        "crs:skip:0",
        "plc:lang",
        "plc:yes:de",
        "plc:no:de",
        "ex:0:0",
        "ex:0:1",
        "ex:1:0",
    ]);
    let value = prop::sample::select(vec![
        "en",
        "es",
        "de",
        "ru",
        "uk",
        "xx",
        "done",
        "skip",
        "confirm",
        "continue",
        "restart",
        "yes",
        "no",
        "es:B2",
        "de:test",
        "en:Z9",
        "music",
        "travel",
        "wd-evening",
        "we-night",
        "text",
        "video",
        "ui",
        "native",
        "targets",
        "levels",
        "interests",
        "tz",
        "avail",
        "style",
        "bio",
        "add",
        "quiet",
        "0",
        "1",
        "mon",
        "sun",
        "default",
        "off",
        "first-conversations",
        "greet",
        "08:00",
        "a0",
        "a1",
        "t0",
        "d",
        "o0",
        "r",
        "B1",
        "",
    ]);
    prop_oneof![
        8 => (prefix, value).prop_map(|(p, v)| format!("{p}:{v}")),
        1 => ".{0,80}",
    ]
}

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "es",
            "en, de",
            "Spanish",
            "испанский",
            "xx",
            "Berlin",
            "UTC+3",
            "UTC+99",
            "08:30",
            "23:15",
            "22:00-08:00",
            "Москва",
            "B2",
            "c1",
            "yes",
            "english",
            "Русский",
            "🙂",
            "",
            "   ",
        ])
        .prop_map(str::to_owned),
        ".{0,200}",
        Just("x".repeat(10 * 1024)),
    ]
}

fn input() -> impl Strategy<Value = Input> {
    let command = prop::sample::select(
        crate::flows::KNOWN_COMMANDS
            .iter()
            .copied()
            .chain(["bogus", "start@other_bot"])
            .collect::<Vec<_>>(),
    );
    prop_oneof![
        4 => command.prop_map(|name| Input::Command { name: name.to_owned(), args: String::new() }),
        6 => button_data().prop_map(Input::Button),
        4 => text().prop_map(Input::Text),
        1 => Just(Input::Unsupported),
        1 => Just(Input::Resume),
    ]
}

/// Presses one of the buttons on screen: random walks then reach deep states often.
#[derive(Debug, Clone)]
enum Action {
    Send(Input),
    PressShown(prop::sample::Index),
    Wait(u16),
    /// Time passes and due timers fire.
    Run(u16),
}

fn action() -> impl Strategy<Value = Action> {
    prop_oneof![
        4 => input().prop_map(Action::Send),
        6 => any::<prop::sample::Index>().prop_map(Action::PressShown),
        1 => (0u16..3000).prop_map(Action::Wait),
        1 => (0u16..6000).prop_map(Action::Run),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn random_conversations_keep_valid_states(
        client in prop::option::of(prop::sample::select(vec!["en", "ru-RU", "de"])),
        registered in any::<bool>(),
        actions in prop::collection::vec(action(), 1..80),
    ) {
        // Half the walks start from a finished profile, where random input seldom gets:
        // reminders, and whatever else needs a registered person.
        let mut harness = if registered {
            crate::flows::transcript::run(crate::flows::transcript::ONBOARDING)
        } else {
            Harness::new()
        };
        if !registered {
            harness.client_language = client.map(str::to_owned);
        }
        for action in actions {
            match action {
                Action::Send(input) => harness.send(input),
                Action::PressShown(index) => {
                    let shown: Vec<String> = harness.replies.iter().flat_map(|r| r.buttons()).map(|b| b.data.clone()).collect();
                    let input = if shown.is_empty() { Input::Resume } else { Input::Button(index.get(&shown).clone()) };
                    harness.send(input);
                }
                Action::Wait(minutes) => harness.now += chrono::Duration::minutes(i64::from(minutes)),
                Action::Run(minutes) => {
                    let until = harness.now + chrono::Duration::minutes(i64::from(minutes));
                    harness.run_until(until);
                }
            }
            // Timers match what they serve: a flow in progress has its timeout, and
            // every reminder (and nothing else) has its timer.
            let chat_key = crate::engine::stored_key(TimerKind::DialogueTimeout, "", &Harness::chat());
            prop_assert_eq!(
                harness.state.last_activity().is_some(),
                harness.timer(TimerKind::DialogueTimeout, &chat_key).is_some(),
                "timeout timer vs state {:?}", harness.state
            );
            let mut reminder_timers: Vec<String> = harness.timers.keys()
                .filter(|(kind, _)| *kind == TimerKind::Reminder)
                .map(|(_, key)| key.clone())
                .collect();
            reminder_timers.sort();
            let mut reminders: Vec<String> = harness.practice.reminders.iter().map(|r| r.id.to_string()).collect();
            reminders.sort();
            prop_assert_eq!(reminder_timers, reminders);
            if harness.practice.course.is_none() {
                prop_assert!(harness.timer(TimerKind::CourseDay, "").is_none(), "lessons without a course");
            }
            // `Harness::send` already checked invariants, answers and button sizes;
            // the state must also survive a save and a load.
            let saved = crate::runtime::encode_state(&harness.state);
            let loaded = crate::runtime::decode_state(Some(&saved)).expect("known schema").expect("readable");
            prop_assert_eq!(&loaded, &harness.state);
            if let Some(profile) = &harness.profile {
                let json = serde_json::to_string(profile).expect("profile serialises");
                let back: crate::domain::Profile = serde_json::from_str(&json).expect("profile reads back");
                prop_assert_eq!(&back, profile);
                if profile.completed {
                    prop_assert!(profile.all_answered(), "a completed profile with gaps: {:?}", profile);
                }
            }
            if let DialogueState::Onboarding(o) = &harness.state {
                prop_assert!(!o.draft.completed || harness.profile.as_ref().is_some_and(|p| p.completed));
            }
        }
    }
}

proptest! {
    // Short here; `cargo bench -p bot-core --bench fuzz` runs a million events.
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    /// Arbitrary text and mangled, stale or forged button data on every reachable
    /// screen: no panic, an answer, and a state that survives a save.
    #[test]
    fn arbitrary_input_on_any_screen_is_answered_and_keeps_a_valid_state(
        case in crate::fuzzing::case(),
    ) {
        let mut trace = Vec::new();
        if let Err(violation) = crate::fuzzing::run(&case, &mut trace) {
            prop_assert!(false, "{violation:?}");
        }
    }
}

/// The walk finds every kind of screen, so the fuzzing above reaches every question.
#[test]
fn the_fuzzed_screens_cover_every_state_and_question() {
    let mut found = std::collections::BTreeSet::new();
    for screen in crate::fuzzing::screens() {
        let json = serde_json::to_value(screen.state()).expect("state serialises");
        let tag = screen.state_tag();
        found.insert(tag.clone());
        for pointer in [
            "/at/question/question",
            "/question/question",
            "/stage",
            "/purpose/kind",
        ] {
            if let Some(what) = json.pointer(pointer).and_then(|v| v.as_str()) {
                found.insert(format!("{tag} {what}"));
            }
        }
        if matches!(
            screen.state(),
            DialogueState::Reporting {
                reason: Some(_),
                ..
            }
        ) {
            found.insert("reporting with a reason".to_owned());
        }
    }
    let mut wanted: Vec<String> = [
        "idle",
        "onboarding_suspended",
        "offering_resume",
        "onboarding",
        "editing",
        "confirming_delete",
        "adding_reminder",
        "setting_quiet_hours",
        "enrolling",
        "exam",
        "confirming_level",
        "confirming_end",
        "reporting",
        "reporting with a reason",
        "confirming_block",
        "enrolling language",
        "enrolling time",
        "enrolling confirm_switch",
        "exam placement",
        "exam step",
    ]
    .map(str::to_owned)
    .to_vec();
    for question in [
        "interface_language",
        "native_languages",
        "target_languages",
        "target_level",
        "interests",
        "timezone",
        "availability",
        "practice_styles",
        "bio",
    ] {
        wanted.push(format!("onboarding {question}"));
        wanted.push(format!("editing {question}"));
    }
    let missing: Vec<&String> = wanted.iter().filter(|w| !found.contains(*w)).collect();
    assert!(
        missing.is_empty(),
        "never reached: {missing:?}\nfound: {found:?}"
    );
}

/// Every screen, deterministically: multi-byte, combining, direction marks, NUL, numbers
/// too big for their types and 10 KB as text, and each button shown with a multi-byte
/// tail, cut inside its prefix and with its last part replaced.
#[test]
fn every_screen_survives_hostile_text_and_mangled_buttons() {
    let texts = [
        "+1€",
        "UTC+1€",
        "1€:00",
        "€€€€",
        "22:0€-08:00",
        "e\u{301}s",
        "\u{202E}en, de\u{200F}",
        "\0",
        "+-2147483648",
        "UTC-99999999999999999999",
        "18446744073709551616:00",
        "/enroll \u{1F642}",
        "/placement ё",
    ];
    let long = "€🙂".repeat(10 * 1024 / 7 + 1);
    for screen in crate::fuzzing::screens() {
        for text in texts.iter().copied().chain([long.as_str()]) {
            if let Err(violation) = screen.send([Input::from_text(text)]) {
                panic!("{violation:?}");
            }
        }
        for data in screen.buttons() {
            let cut = data
                .chars()
                .take(data.chars().count() / 2)
                .collect::<String>();
            let replaced = match data.rsplit_once(':') {
                Some((head, _)) => format!("{head}:ё€"),
                None => "ё€".to_owned(),
            };
            for forged in [format!("{data}€"), format!("{data}:\u{301}"), cut, replaced] {
                if let Err(violation) = screen.send([Input::Button(forged)]) {
                    panic!("{violation:?}");
                }
            }
        }
    }
}
