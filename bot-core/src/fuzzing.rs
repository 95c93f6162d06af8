//! Fuzzing the conversation: every screen the flows reach, fed arbitrary text and forged
//! button data. The property test (`engine::proptests`, short) and the long run
//! (`cargo bench -p bot-core --bench fuzz`) share these screens, strategies and checks.
//!
//! The screens are found by driving the real flows, not listed by hand: starting from a
//! newcomer, a registered person, one with a proposal on screen and one with a partner,
//! a breadth-first walk presses every button shown, types a few plausible answers
//! (languages, a city, times, a bio), sends every command and lets a day or a week pass
//! (inside a flow, only the commands and the day that do something there). Each distinct screen (the dialogue state without its timestamps
//! and drafts, and the buttons shown) is kept once.

use std::collections::{BTreeSet, HashSet, VecDeque};
use std::sync::OnceLock;

use chrono::Duration;
use proptest::prelude::*;
use proptest::sample::Index;

use crate::domain::PartnerStatus;
use crate::engine::{DialogueState, Input, Keyboard, PeerKind};
use crate::flows::KNOWN_COMMANDS;
use crate::flows::transcript::{self, Harness, Pair};

/// A screen a person can reach, as the flows left it.
pub struct Screen {
    /// Where the walk started, the state and the buttons shown, e.g.
    /// `registered {"state":"adding_reminder","time":null} ["rem:day:done", ...]`.
    pub name: String,
    harness: Harness,
}

impl Screen {
    /// The serialised tag of the screen's dialogue state (`"exam"`, `"reporting"`, ...).
    pub fn state_tag(&self) -> String {
        tag(&self.harness.state)
    }

    /// The dialogue state on this screen.
    pub fn state(&self) -> &DialogueState {
        &self.harness.state
    }

    /// The button data shown on this screen.
    pub fn buttons(&self) -> Vec<String> {
        shown(&self.harness)
    }
}

/// One case: a reachable screen and what the person sends there, in order.
#[derive(Debug, Clone)]
pub struct Case {
    pub screen: Index,
    pub inputs: Vec<Fuzzed>,
}

/// Something a person sends.
#[derive(Debug, Clone)]
pub enum Fuzzed {
    /// Typed text, read as the adapters read it (so `/enroll €` is a command with an
    /// argument).
    Text(String),
    /// A button on the current screen, its data changed by `mangle`.
    Press { button: Index, mangle: Mangle },
    /// A button of any screen (stale, or from another flow), its data changed by `mangle`.
    Foreign { button: Index, mangle: Mangle },
    /// Callback data made up from scratch.
    Forged(String),
}

/// How pressed button data is changed on its way.
#[derive(Debug, Clone)]
pub enum Mangle {
    AsIs,
    /// Garbage appended.
    Tail(String),
    /// Only the first so many characters arrive.
    Truncate(Index),
    /// One `:`-separated part replaced with garbage.
    Part(Index, String),
}

impl Mangle {
    fn apply(&self, data: &str) -> String {
        match self {
            Mangle::AsIs => data.to_owned(),
            Mangle::Tail(tail) => format!("{data}{tail}"),
            Mangle::Truncate(keep) => data
                .chars()
                .take(keep.index(data.chars().count() + 1))
                .collect(),
            Mangle::Part(which, garbage) => {
                let mut parts: Vec<&str> = data.split(':').collect();
                let at = which.index(parts.len());
                parts[at] = garbage;
                parts.join(":")
            }
        }
    }
}

impl Fuzzed {
    /// The event this becomes on `harness`'s current screen.
    fn input(&self, harness: &Harness) -> Input {
        let pick = |button: &Index, mangle: &Mangle, from: &[String]| {
            if from.is_empty() {
                // Nothing shown: the garbage alone.
                Input::Button(mangle.apply(""))
            } else {
                Input::Button(mangle.apply(button.get::<String>(from)))
            }
        };
        match self {
            Fuzzed::Text(text) => Input::from_text(text),
            Fuzzed::Press { button, mangle } => pick(button, mangle, &shown(harness)),
            Fuzzed::Foreign { button, mangle } => pick(button, mangle, every_button()),
            Fuzzed::Forged(data) => Input::Button(data.clone()),
        }
    }
}

/// Where the walk starts.
fn starts() -> Vec<(&'static str, Harness)> {
    let (offered, _) = Pair::offered();
    let (partnered, _) = Pair::partnered();
    vec![
        ("new", Harness::new()),
        ("registered", transcript::run(transcript::ONBOARDING)),
        ("offered", offered.ana),
        ("partnered", partnered.ana),
    ]
}

/// Answers the walk types at every screen: enough to get through each question that
/// wants words, not only buttons.
const PLAUSIBLE_TEXTS: &[&str] = &[
    "es",
    "en, German",
    "Madrid",
    "UTC+3",
    "08:30",
    "22:00-08:00",
    "I teach maths in Valencia and love hiking.",
    "B2",
    "yes",
];

/// The commands that act inside a flow (the others ask to finish or cancel it first).
const IN_FLOW_COMMANDS: &[&str] = &["help", "cancel", "start", "delete_me", "export"];

/// The walk stops here; the shipped flows have a few hundred screens.
const MAX_SCREENS: usize = 5_000;

/// Every reachable screen, found once per process.
pub fn screens() -> &'static [Screen] {
    static SCREENS: OnceLock<Vec<Screen>> = OnceLock::new();
    SCREENS.get_or_init(explore)
}

/// The data of every button on every screen.
fn every_button() -> &'static [String] {
    static BUTTONS: OnceLock<Vec<String>> = OnceLock::new();
    BUTTONS.get_or_init(|| {
        let all: BTreeSet<String> = screens().iter().flat_map(Screen::buttons).collect();
        all.into_iter().collect()
    })
}

fn explore() -> Vec<Screen> {
    let mut seen = HashSet::new();
    let mut queue = VecDeque::new();
    for (start, harness) in starts() {
        let harness = tidy(harness);
        if seen.insert(signature(&harness)) {
            queue.push_back((start, harness));
        }
    }
    let mut screens = Vec::new();
    while let Some((start, harness)) = queue.pop_front() {
        // In a flow, other commands only say "finish or cancel first", and a day passing
        // is a timeout: the idle screens are where commands and time lead elsewhere.
        let idle = matches!(
            harness.state,
            DialogueState::Idle | DialogueState::OnboardingSuspended { .. }
        );
        let commands = KNOWN_COMMANDS
            .iter()
            .filter(|name| idle || IN_FLOW_COMMANDS.contains(name));
        let waits = if idle {
            vec![Duration::hours(25), Duration::days(8)]
        } else {
            vec![Duration::hours(25)]
        };
        let moves = shown(&harness)
            .into_iter()
            .map(|data| Move::Send(Input::Button(data)))
            .chain(
                PLAUSIBLE_TEXTS
                    .iter()
                    .map(|text| Move::Send(Input::from_text(text))),
            )
            .chain(commands.map(|name| {
                Move::Send(Input::Command {
                    name: (*name).to_owned(),
                    args: String::new(),
                })
            }))
            .chain(waits.into_iter().map(Move::Run));
        for step in moves {
            let mut next = harness.clone();
            match step {
                Move::Send(input) => next.replies = next.receive(input),
                Move::Run(how_long) => {
                    let until = next.now + how_long;
                    next.run_until(until);
                }
            }
            let next = tidy(next);
            if seen.len() < MAX_SCREENS && seen.insert(signature(&next)) {
                queue.push_back((start, next));
            }
        }
        screens.push(Screen {
            name: format!("{start}: {}", signature(&harness)),
            harness,
        });
    }
    screens
}

enum Move {
    Send(Input),
    Run(Duration),
}

/// Drops the history a screen does not need (what timers said, peer messages sent).
fn tidy(mut harness: Harness) -> Harness {
    harness.fired.clear();
    harness.told.clear();
    harness.reports.clear();
    harness
}

fn shown(harness: &Harness) -> Vec<String> {
    harness
        .replies
        .iter()
        .flat_map(|reply| reply.buttons())
        .map(|button| button.data.clone())
        .collect()
}

fn tag(state: &DialogueState) -> String {
    serde_json::to_value(state)
        .ok()
        .and_then(|json| {
            json.get("state")
                .and_then(|t| t.as_str())
                .map(str::to_owned)
        })
        .unwrap_or_default()
}

/// What makes a screen different from another: the state without its timestamps, ids
/// and drafts (but with how many options of the question on screen are picked), the
/// buttons with their numbers and ids blurred, whether a multi-select has something
/// selected (its "Done" means something else then), and on idle screens what changes
/// the meaning of idle input: a complete profile, a partner (text is relayed) and the
/// course in progress.
fn signature(harness: &Harness) -> String {
    let mut state = serde_json::to_value(&harness.state).unwrap_or_default();
    blur(&mut state);
    let buttons: BTreeSet<String> = shown(harness).iter().map(|data| blur_data(data)).collect();
    let selected = harness.replies.iter().any(|reply| {
        matches!(&reply.keyboard, Some(Keyboard::MultiSelect { options, .. })
            if options.iter().any(|toggle| toggle.selected))
    });
    let mut idle = String::new();
    if matches!(harness.state, DialogueState::Idle) {
        let partner = match harness.practice.partnering.status {
            PartnerStatus::Idle => "none",
            PartnerStatus::Waiting { .. } => "waiting",
            PartnerStatus::Proposed(_) => "proposed",
            PartnerStatus::Partnered(_) => "partnered",
        };
        let registered = harness.profile.as_ref().is_some_and(|p| p.completed);
        idle.push_str(&format!(" (registered: {registered}, partner: {partner})"));
        // /courses offers a switch during a course; and an idle screen without buttons
        // may be the end of a course day or any other, so the walk needs the course's
        // progress to get past the first day.
        match &harness.practice.course {
            Some(_) if !buttons.is_empty() => idle.push_str(" (in a course)"),
            Some(course) => idle.push_str(&format!(
                " ({} day {}, {} steps)",
                course.course,
                course.day,
                course.resolved.len()
            )),
            None => {}
        }
    }
    format!(
        "{state} {buttons:?}{}{idle}",
        if selected { " (selected)" } else { "" }
    )
}

fn blur(json: &mut serde_json::Value) {
    const VOLATILE: &[&str] = &[
        "last_activity",
        "since",
        "started_at",
        "deadline",
        "last_answer_at",
        "seed",
        "session",
        "draft",
        "partnership",
        "about",
        "proposal",
        "results",
        "days",
    ];
    match json {
        serde_json::Value::Object(map) => {
            map.retain(|key, _| !VOLATILE.contains(&key.as_str()));
            // How far an ordering question got matters, not which options were picked.
            if let Some(picked) = map.get_mut("picked") {
                *picked = picked.as_array().map_or(0, Vec::len).into();
            }
            map.values_mut().for_each(blur);
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(blur),
        _ => {}
    }
}

/// `pa:accept:3f2a…` and `ex:12:3:a1` as `pa:accept:*` and `ex:#:#:a#`.
fn blur_data(data: &str) -> String {
    data.split(':')
        .map(|part| {
            if part.len() >= 8 && part.chars().all(|c| c.is_ascii_hexdigit() || c == '-') {
                "*".to_owned()
            } else {
                part.chars()
                    .map(|c| if c.is_ascii_digit() { '#' } else { c })
                    .collect()
            }
        })
        .collect::<Vec<_>>()
        .join(":")
}

/// What went wrong in a case, other than a panic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    pub screen: String,
    pub input: Input,
    pub what: String,
}

/// Runs `case`: each input is stepped on the screen it leads to. A panic propagates
/// (proptest reports it; the bench catches it); `trace` holds the inputs sent so far, the
/// last one being the one that was stepped when something went wrong.
pub fn run(case: &Case, trace: &mut Vec<Input>) -> Result<(), Box<Violation>> {
    let screen = case.screen.get(screens());
    let mut harness = screen.harness.clone();
    for fuzzed in &case.inputs {
        let input = fuzzed.input(&harness);
        trace.push(input.clone());
        screen.step(&mut harness, input)?;
    }
    Ok(())
}

impl Screen {
    /// Sends `inputs` one after another from this screen, checking each step.
    pub fn send(&self, inputs: impl IntoIterator<Item = Input>) -> Result<(), Box<Violation>> {
        let mut harness = self.harness.clone();
        inputs
            .into_iter()
            .try_for_each(|input| self.step(&mut harness, input))
    }

    /// One step of `harness` (which started on this screen): the person gets an answer,
    /// and the state, the profile and the practice record survive a save and a load and
    /// hold no NUL.
    /// Invariants and reply sizes are checked by the harness, which panics.
    fn step(&self, harness: &mut Harness, input: Input) -> Result<(), Box<Violation>> {
        let violation = |what: String| {
            Box::new(Violation {
                screen: self.name.clone(),
                input: input.clone(),
                what,
            })
        };
        // Text for a partner is relayed without an answer to the writer, and blank text
        // (which platforms do not even send) has nothing to relay: both on purpose.
        let blank_for_partner = matches!(&input, Input::Text(text) if text.trim().is_empty())
            && harness.practice.partnering.partnership().is_some();
        let told_before = harness.told.len();
        let replies = harness.receive(input.clone());
        let relayed = harness.told[told_before..]
            .iter()
            .any(|(_, _, message)| matches!(message.kind, PeerKind::Relay { .. }));
        if replies.is_empty() && !relayed && !blank_for_partner {
            return Err(violation("no answer".to_owned()));
        }
        harness.replies = replies;
        let saved = crate::runtime::encode_state(&harness.state);
        match crate::runtime::decode_state(Some(&saved)) {
            Ok(Ok(loaded)) if loaded == harness.state => {}
            other => {
                return Err(violation(format!(
                    "the state does not survive a save: {:?} became {other:?}",
                    harness.state
                )));
            }
        }
        let mut saved_json = vec![("state", Some(saved.json))];
        if let Some(profile) = &harness.profile {
            saved_json.push(("profile", saved_as_json(profile)));
        }
        saved_json.push(("practice record", saved_as_json(&harness.practice)));
        for (what, json) in saved_json {
            match json {
                None => {
                    return Err(violation(format!(
                        "the {what} does not survive a save: {:?} {:?}",
                        harness.profile, harness.practice
                    )));
                }
                // PostgreSQL refuses NUL in text and JSON: every later write would fail.
                Some(json) if json.contains("\\u0000") => {
                    return Err(violation(format!("the {what} holds a NUL: {json}")));
                }
                Some(_) => {}
            }
        }
        Ok(())
    }
}

/// `value` as the store writes it, if it reads back the same.
fn saved_as_json<T>(value: &T) -> Option<String>
where
    T: serde::Serialize + serde::de::DeserializeOwned + PartialEq,
{
    let json = serde_json::to_string(value).ok()?;
    let back: T = serde_json::from_str(&json).ok()?;
    (back == *value).then_some(json)
}

/// A character of what people type: mostly ASCII, digits and the signs parsers look for,
/// then letters of other scripts (2, 3 and 4 bytes in UTF-8), emoji, combining marks,
/// direction marks, NUL and other controls, and any character at all.
pub fn fuzz_char() -> impl Strategy<Value = char> {
    prop_oneof![
        4 => proptest::char::range(' ', '~'),
        3 => prop::sample::select(vec![
            '0', '1', '2', '3', '4', '5', '9', '+', '-', ':', '.', ',', '/', ' ', '@', '_',
        ]),
        3 => prop::sample::select(vec![
            'é', 'ß', 'ё', 'Ж', 'ع', 'א', '€', '中', 'ー', '–', '—', '’', '🙂', '👍', '\u{1F3FD}',
            '𝄞', '١',
        ]),
        1 => proptest::char::range('\u{300}', '\u{36F}'),
        1 => prop::sample::select(vec![
            '\u{200F}', '\u{202E}', '\u{200E}', '\u{200D}', '\u{FEFF}', '\u{2028}', '\0', '\n',
            '\t', '\r',
        ]),
        1 => any::<char>(),
    ]
}

/// Pieces that get parsers deep: prefixes of valid answers, numbers at the edges of
/// their types, signs in odd places, commands that take arguments.
fn fragment() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "UTC+",
        "GMT-",
        "UTC+1",
        "+1",
        "-12",
        "1",
        "22",
        "+05:30",
        "-0",
        "08:",
        ":00",
        "22-",
        "0805",
        "en",
        "de, ",
        "Madrid",
        "B2",
        "/enroll ",
        "/placement ",
        "/start ",
        "ex:",
        "crs:",
        "rem:",
        "1€",
        "+1€",
        "4294967296",
        "18446744073709551616",
        "-2147483648",
        "9223372036854775807",
        "+-",
        "::",
    ])
    .prop_map(str::to_owned)
}

/// Short garbage: characters and fragments mixed.
fn garbage(max: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            3 => fuzz_char().prop_map(String::from),
            1 => fragment(),
        ],
        0..max,
    )
    .prop_map(|pieces| pieces.concat())
}

/// Text a person might send: garbage, the start of a valid answer with an odd tail,
/// sometimes 10 KB.
pub fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => garbage(24),
        6 => (fragment(), garbage(3)).prop_map(|(start, tail)| start + &tail),
        1 => garbage(6).prop_map(|unit| {
            let unit = if unit.is_empty() { "€".to_owned() } else { unit };
            unit.repeat(10 * 1024 / unit.len() + 1)
        }),
    ]
}

fn mangle() -> impl Strategy<Value = Mangle> {
    prop_oneof![
        1 => Just(Mangle::AsIs),
        3 => garbage(8).prop_map(Mangle::Tail),
        2 => any::<Index>().prop_map(Mangle::Truncate),
        3 => (any::<Index>(), garbage(6)).prop_map(|(at, part)| Mangle::Part(at, part)),
    ]
}

pub fn fuzzed() -> impl Strategy<Value = Fuzzed> {
    prop_oneof![
        5 => text().prop_map(Fuzzed::Text),
        4 => (any::<Index>(), mangle()).prop_map(|(button, mangle)| Fuzzed::Press { button, mangle }),
        2 => (any::<Index>(), mangle()).prop_map(|(button, mangle)| Fuzzed::Foreign { button, mangle }),
        1 => garbage(16).prop_map(Fuzzed::Forged),
    ]
}

/// A screen and one to four inputs sent there.
pub fn case() -> impl Strategy<Value = Case> {
    (any::<Index>(), prop::collection::vec(fuzzed(), 1..=4))
        .prop_map(|(screen, inputs)| Case { screen, inputs })
}
