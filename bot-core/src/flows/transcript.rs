//! Transcript tests: a conversation written as the person's inputs and what the bot must
//! answer, run through the pure engine with an in-memory person and a hand-set clock.
//!
//! ```text
//! > /start            the person sends text (commands too)
//! > [Done]            presses the button whose label contains "Done" in the last replies
//! > #nat:xx           presses a button with this raw callback data (forged or stale)
//! > <sticker>         sends something that is not text
//! > <resume>          reopens the chat
//! ~ client ru         the client reports this language (before the first message)
//! ~ wait 25h          the clock moves on (m, h or d); no timer fires (as if the
//!                     scheduler were down)
//! ~ run 25h           the clock moves on and due timers fire, each at its due time;
//!                     the screen is then what they said
//! ~ fire              timers already due fire now (the scheduler is back)
//! @ reminder 1 2026-03-03T08:00:00Z   the person's timer (kind, key if any) is due then
//! @ dialogue_timeout none             ... or there is none
//! < text              the replies to the last input contain this (labels as "[label]")
//! ! text              ... and do not contain this
//! = onboarding        the dialogue state is this (its serialised tag)
//! ? /timezone = "Europe/Berlin"   a JSON pointer into the profile (the draft, inside a flow) has this JSON value
//! ? erased            the person was erased
//! ```

use std::collections::BTreeMap;
use std::sync::OnceLock;

use chrono::{DateTime, Duration, TimeZone, Utc};

use crate::content::Content;
use crate::domain::{
    AccountRef, Availability, CefrLevel, ChatKey, LanguageCode, LevelChoice, Locale, PartnerStatus,
    PersonId, Platform, Practice, PracticeStyle, PracticeStyles, Profile, ProposalId, Slot,
    TargetLanguage, Timezone,
};
use crate::engine::{
    self, Context, DialogueState, Effect, Event, FiredTimer, Input, Keyboard, Limits,
    MAX_BUTTON_DATA, PeerKind, PeerMessage, PersonView, Reply, TimerKind, TimerSpec, TrainingRules,
    Transition,
};
use crate::i18n::Texts;

pub fn context() -> &'static Context {
    static CONTEXT: OnceLock<Context> = OnceLock::new();
    CONTEXT.get_or_init(|| Context {
        texts: Texts::embedded().expect("shipped texts parse"),
        content: Content::embedded().expect("shipped content is valid"),
        limits: Limits::default(),
        training: TrainingRules::default(),
        partnering: crate::engine::PartneringRules::default(),
        admins: crate::engine::AdminAccounts::new(vec![AccountRef::new(Platform::Local, ADMIN)]),
    })
}

/// The account the transcript context lists as an admin's.
pub const ADMIN: &str = "root";

/// An in-memory person talking to the engine.
#[derive(Clone)]
pub struct Harness {
    pub id: PersonId,
    pub created_at: DateTime<Utc>,
    pub profile: Option<Profile>,
    pub accounts: Vec<AccountRef>,
    pub state: DialogueState,
    pub now: DateTime<Utc>,
    pub client_language: Option<String>,
    pub replies: Vec<Reply>,
    pub erased: bool,
    pub practice: Practice,
    /// The person's timers by kind and stored key, as the store would keep them.
    pub timers: BTreeMap<(TimerKind, String), TimerSpec>,
    /// Every timer that fired: when, which, and what it said.
    pub fired: Vec<(DateTime<Utc>, TimerKind, Vec<Reply>)>,
    /// Peer messages the steps sent, oldest first, until someone delivers them.
    pub told: Vec<(PersonId, ChatKey, crate::engine::PeerMessage)>,
    /// Reports filed.
    pub reports: Vec<crate::engine::NewReport>,
    /// The handle the platform reports for the person (`/reveal` shares it).
    pub handle: Option<String>,
    /// What the steps asked the admin desk, oldest first.
    pub admin_requests: Vec<crate::engine::AdminRequest>,
}

impl Default for Harness {
    fn default() -> Self {
        Self::new()
    }
}

impl Harness {
    /// A new person on Monday 2 March 2026, 09:00 UTC.
    pub fn new() -> Self {
        Self::starting_at(
            Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0)
                .single()
                .expect("valid date"),
        )
    }

    pub fn starting_at(now: DateTime<Utc>) -> Self {
        Self {
            id: PersonId::new_random(),
            created_at: now,
            profile: None,
            accounts: vec![AccountRef::new(Platform::Local, "tester")],
            state: DialogueState::Idle,
            now,
            client_language: None,
            replies: Vec::new(),
            erased: false,
            practice: Practice::default(),
            timers: BTreeMap::new(),
            fired: Vec::new(),
            told: Vec::new(),
            reports: Vec::new(),
            handle: None,
            admin_requests: Vec::new(),
        }
    }

    /// The one chat the harness talks in.
    pub fn chat() -> ChatKey {
        ChatKey::new(Platform::Local, "tester")
    }

    /// Sends one event and applies the transition, like the runtime does.
    pub fn send(&mut self, input: Input) {
        let transition = self.step(input);
        assert!(
            !transition.replies.is_empty(),
            "no answer to the last input"
        );
        self.replies = transition.replies.clone();
        self.apply(transition);
    }

    /// Runs a step and applies it, whatever it says (a peer message's step).
    pub fn receive(&mut self, input: Input) -> Vec<Reply> {
        let transition = self.step(input);
        let replies = transition.replies.clone();
        self.apply(transition);
        replies
    }

    /// Sends an event that needs no answer (the chat was blocked, say).
    #[cfg(test)]
    pub fn notify(&mut self, input: Input) {
        let transition = self.step(input);
        self.replies = transition.replies.clone();
        self.apply(transition);
    }

    /// Moves the clock to `until`, firing every timer that comes due on the way at its
    /// due time; the replies are what the timers said.
    pub fn run_until(&mut self, until: DateTime<Utc>) {
        let mut said = Vec::new();
        while let Some(((kind, key), spec)) = self
            .timers
            .iter()
            .filter(|(_, spec)| spec.due_at <= until)
            .min_by_key(|(_, spec)| spec.due_at)
            .map(|(id, spec)| (id.clone(), spec.clone()))
        {
            self.now = self.now.max(spec.due_at);
            said.extend(self.fire(kind, key, spec));
        }
        self.now = self.now.max(until);
        self.replies = said;
    }

    /// Fires, at the current time, every timer already due (after a downtime).
    pub fn fire_due(&mut self) {
        let now = self.now;
        self.run_until(now);
    }

    fn fire(&mut self, kind: TimerKind, key: String, spec: TimerSpec) -> Vec<Reply> {
        self.timers.remove(&(kind, key));
        let transition = self.step(Input::Timer(FiredTimer {
            kind,
            key: spec.key.clone(),
            due_at: spec.due_at,
            payload: spec.payload.clone(),
        }));
        let replies = transition.replies.clone();
        self.fired.push((self.now, kind, replies.clone()));
        self.apply(transition);
        replies
    }

    /// The person's timer of `kind` and `key` (stored key, as the runtime keeps it).
    pub fn timer(&self, kind: TimerKind, key: &str) -> Option<&TimerSpec> {
        self.timers.get(&(kind, key.to_owned()))
    }

    fn step(&mut self, input: Input) -> Transition {
        let profile = self
            .profile
            .get_or_insert_with(|| {
                Profile::new(Locale::from_client_language(
                    self.client_language.as_deref(),
                ))
            })
            .clone();
        let person = PersonView {
            id: self.id,
            created_at: self.created_at,
            profile: &profile,
            accounts: &self.accounts,
            practice: &self.practice,
        };
        let event = Event {
            input,
            client_language: self.client_language.clone(),
            chat: crate::engine::ChatKind::Private,
            handle: self.handle.clone(),
        };
        let transition = engine::step(context(), self.state.clone(), &person, &event, self.now);
        if let Err(broken) = transition.state.check_invariants() {
            panic!(
                "invalid state after {event:?}: {broken}\n{:#?}",
                transition.state
            );
        }
        for reply in &transition.replies {
            assert!(!reply.text.trim().is_empty(), "empty reply to {event:?}");
            for button in reply.buttons() {
                assert!(
                    button.data.len() <= MAX_BUTTON_DATA,
                    "button data too long: {}",
                    button.data
                );
            }
        }
        transition
    }

    fn apply(&mut self, transition: Transition) {
        self.state = transition.state;
        let chat = Self::chat();
        for effect in transition.effects {
            match effect {
                Effect::SaveProfile(profile) => self.profile = Some(profile),
                Effect::SavePractice(practice) => self.practice = practice,
                Effect::ErasePerson => {
                    self.erased = true;
                    self.profile = None;
                    self.practice = Practice::default();
                    self.state = DialogueState::Idle;
                    self.id = PersonId::new_random();
                    self.timers.clear();
                }
                Effect::Schedule(spec) => {
                    let key = engine::stored_key(spec.kind, &spec.key, &chat);
                    self.timers.insert((spec.kind, key), spec);
                }
                Effect::Cancel { kind, key } => {
                    let key = engine::stored_key(kind, &key, &chat);
                    self.timers.remove(&(kind, key));
                }
                Effect::Tell {
                    to,
                    chat: to_chat,
                    mut message,
                } => {
                    message.reply_to.get_or_insert_with(|| chat.clone());
                    self.told.push((to, to_chat, message));
                }
                Effect::Report(report) => self.reports.push(report),
                Effect::Admin(request) => self.admin_requests.push(request),
            }
        }
    }

    /// Everything the last replies showed: texts and, as `[label]`, buttons.
    pub fn screen(&self) -> String {
        let mut screen = String::new();
        for reply in &self.replies {
            screen.push_str(&reply.text);
            screen.push('\n');
            match &reply.keyboard {
                Some(Keyboard::MultiSelect { options, done }) => {
                    for toggle in options {
                        let mark = if toggle.selected { "✓ " } else { "" };
                        screen.push_str(&format!("[{mark}{}]\n", toggle.button.label));
                    }
                    screen.push_str(&format!("[{}]\n", done.label));
                }
                _ => {
                    for button in reply.buttons() {
                        screen.push_str(&format!("[{}]\n", button.label));
                    }
                }
            }
            if let Some(attachment) = &reply.attachment {
                screen.push_str(&attachment.content);
                screen.push('\n');
            }
        }
        screen
    }

    pub fn press(&mut self, label: &str) {
        let data = self
            .replies
            .iter()
            .flat_map(|r| r.buttons())
            .find(|b| b.label.contains(label))
            .map(|b| b.data.clone())
            .unwrap_or_else(|| {
                panic!("no button labelled {label:?} on screen:\n{}", self.screen())
            });
        self.send(Input::Button(data));
    }
}

/// A complete profile of someone who speaks `native` and learns `learns` at B1, lives in
/// Madrid, is free at any time and practises by text chat.
pub fn ready_profile(native: &str, learns: &str) -> Profile {
    let mut profile = Profile::new(Locale::En);
    profile.native = vec![LanguageCode::parse(native).expect("known code")];
    profile.targets = vec![TargetLanguage {
        language: LanguageCode::parse(learns).expect("known code"),
        level: Some(LevelChoice::Known(CefrLevel::B1)),
    }];
    profile.timezone = Timezone::parse("Europe/Madrid").ok();
    profile.availability = Availability::from_slots(Slot::ALL);
    profile.styles = PracticeStyles::default().toggled(PracticeStyle::Text);
    profile.completed = true;
    profile
}

/// Two people who could be partners, a Spanish speaker learning English and an English
/// speaker learning Spanish, whose peer messages are carried from one to the other as the
/// runtime would deliver them; the matcher's offer is made by hand.
pub struct Pair {
    pub ana: Harness,
    pub ben: Harness,
    /// What each said to the last delivered message (ana's, ben's).
    pub heard: (Vec<Reply>, Vec<Reply>),
}

impl Default for Pair {
    fn default() -> Self {
        Self::new()
    }
}

impl Pair {
    pub fn new() -> Self {
        let mut ana = Harness::new();
        ana.profile = Some(ready_profile("es", "en"));
        ana.handle = Some("@ana on Telegram".into());
        let mut ben = Harness::new();
        ben.profile = Some(ready_profile("en", "es"));
        ben.handle = Some("@ben on Telegram".into());
        Self {
            ana,
            ben,
            heard: (Vec::new(), Vec::new()),
        }
    }

    /// Both asked for a partner.
    pub fn waiting() -> Self {
        let mut pair = Self::new();
        pair.ana.send(Input::from_text("/find"));
        pair.ben.send(Input::from_text("/find"));
        assert!(pair.ana.practice.partnering.waiting_since().is_some());
        assert!(pair.ben.practice.partnering.waiting_since().is_some());
        pair
    }

    /// The matcher's wave pairs them, as `matcher::worker` does.
    pub fn offer(&mut self) -> ProposalId {
        let id = ProposalId::new_random();
        let expires_at = self.ana.now + Duration::hours(24);
        let offer = |partner: &Harness, chat: &str| PeerMessage {
            from: partner.id,
            reply_to: None,
            about: id,
            kind: PeerKind::Offer {
                partner_chat: ChatKey::new(Platform::Local, chat),
                partner_profile: Box::new(partner.profile.clone().expect("profile")),
                expires_at,
            },
        };
        let (to_ana, to_ben) = (offer(&self.ben, "ben"), offer(&self.ana, "ana"));
        self.heard.0 = self.ana.receive(Input::Peer(to_ana));
        self.heard.1 = self.ben.receive(Input::Peer(to_ben));
        self.deliver();
        id
    }

    /// Carries every told message to its recipient until nobody has anything to say;
    /// `heard` collects what each said meanwhile.
    pub fn deliver(&mut self) {
        for _ in 0..20 {
            let from_ana = std::mem::take(&mut self.ana.told);
            let from_ben = std::mem::take(&mut self.ben.told);
            if from_ana.is_empty() && from_ben.is_empty() {
                return;
            }
            for (to, _, message) in from_ana {
                assert_eq!(to, self.ben.id, "ana told someone else");
                let said = self.ben.receive(Input::Peer(message));
                self.heard.1.extend(said);
            }
            for (to, _, message) in from_ben {
                assert_eq!(to, self.ana.id, "ben told someone else");
                let said = self.ana.receive(Input::Peer(message));
                self.heard.0.extend(said);
            }
        }
        panic!("the two keep telling each other things");
    }

    /// One of the two acts (`act` runs on their harness and leaves their screen in
    /// `replies`); what they told the other is delivered, and `heard` is what that made
    /// each say.
    pub fn act(&mut self, ana: bool, act: impl FnOnce(&mut Harness)) {
        self.heard = (Vec::new(), Vec::new());
        act(if ana { &mut self.ana } else { &mut self.ben });
        self.deliver();
    }

    /// Offered: each has the other's card with accept and decline on screen.
    pub fn offered() -> (Self, ProposalId) {
        let mut pair = Self::waiting();
        let id = pair.offer();
        pair.ana.replies = pair.heard.0.clone();
        pair.ben.replies = pair.heard.1.clone();
        (pair, id)
    }

    /// Offered and both accepted.
    pub fn partnered() -> (Self, ProposalId) {
        let (mut pair, id) = Self::offered();
        pair.act(true, |ana| ana.press("Accept"));
        pair.act(false, |ben| ben.press("Accept"));
        assert!(pair.both_partnered());
        (pair, id)
    }

    /// Each has the other as an active partner.
    pub fn both_partnered(&self) -> bool {
        [&self.ana, &self.ben].iter().all(|person| {
            matches!(
                person.practice.partnering.status,
                PartnerStatus::Partnered(_)
            )
        })
    }
}

/// Runs a transcript; panics with the line and the screen on the first mismatch.
pub fn run(script: &str) -> Harness {
    run_on(Harness::new(), script)
}

/// Runs a transcript on a harness that has a past.
pub fn run_on(mut harness: Harness, script: &str) -> Harness {
    for (number, raw) in script.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with("//") {
            continue;
        }
        let (kind, rest) = line.split_at(1);
        let rest = rest.trim();
        let fail = |why: String| -> ! { panic!("transcript line {}: `{line}`: {why}", number + 1) };
        match kind {
            ">" => {
                if let Some(label) = rest.strip_prefix('[').and_then(|r| r.strip_suffix(']')) {
                    harness.press(label);
                } else if let Some(data) = rest.strip_prefix('#') {
                    harness.send(Input::Button(data.to_owned()));
                } else if rest == "<sticker>" {
                    harness.send(Input::Unsupported);
                } else if rest == "<resume>" {
                    harness.send(Input::Resume);
                } else {
                    let text = rest.replace("\\n", "\n");
                    harness.send(Input::from_text(&text));
                }
            }
            "~" => match rest.split_once(' ') {
                Some(("client", language)) => harness.client_language = Some(language.to_owned()),
                Some(("wait", amount)) => {
                    harness.now += duration(amount).unwrap_or_else(|| fail("bad amount".into()));
                }
                Some(("run", amount)) => {
                    let amount = duration(amount).unwrap_or_else(|| fail("bad amount".into()));
                    let until = harness.now + amount;
                    harness.run_until(until);
                }
                None if rest == "fire" => harness.fire_due(),
                _ => fail("unknown directive".into()),
            },
            "@" => {
                let words: Vec<&str> = rest.split_whitespace().collect();
                let (kind, key, due) = match words.as_slice() {
                    [kind, due] => (*kind, None, *due),
                    [kind, key, due] => (*kind, Some(*key), *due),
                    _ => fail("expected `kind [key] due|none`".into()),
                };
                let kind = TimerKind::parse(kind).unwrap_or_else(|| fail("unknown kind".into()));
                let key = engine::stored_key(kind, key.unwrap_or(""), &Harness::chat());
                let actual = harness.timer(kind, &key).map(|spec| spec.due_at);
                let expected = match due {
                    "none" => None,
                    due => Some(
                        DateTime::parse_from_rfc3339(due)
                            .unwrap_or_else(|e| fail(format!("bad time: {e}")))
                            .with_timezone(&Utc),
                    ),
                };
                if actual != expected {
                    fail(format!("the timer is due {actual:?}"));
                }
            }
            "<" => {
                if !harness.screen().contains(rest) {
                    fail(format!("not on screen:\n{}", harness.screen()));
                }
            }
            "!" => {
                if harness.screen().contains(rest) {
                    fail(format!("unexpectedly on screen:\n{}", harness.screen()));
                }
            }
            "=" => {
                let json = serde_json::to_value(&harness.state).unwrap_or_default();
                let tag = json
                    .get("state")
                    .and_then(|t| t.as_str())
                    .unwrap_or_default();
                if tag != rest {
                    fail(format!("state is {tag}"));
                }
            }
            "?" if rest == "erased" => {
                if !harness.erased {
                    fail("the person was not erased".into());
                }
            }
            "?" => {
                let (pointer, expected) = rest
                    .split_once(" = ")
                    .unwrap_or_else(|| fail("expected `pointer = json`".into()));
                let expected: serde_json::Value = serde_json::from_str(expected)
                    .unwrap_or_else(|e| fail(format!("bad JSON: {e}")));
                // Inside a flow the draft is what the person sees as their profile.
                let state = serde_json::to_value(&harness.state).unwrap_or_default();
                let profile = match state
                    .pointer("/draft")
                    .or_else(|| state.pointer("/onboarding/draft"))
                {
                    Some(draft) => draft.clone(),
                    None => serde_json::to_value(&harness.profile).unwrap_or_default(),
                };
                let actual = profile
                    .pointer(pointer)
                    .cloned()
                    .unwrap_or(serde_json::Value::Null);
                if actual != expected {
                    fail(format!("profile{pointer} is {actual}"));
                }
            }
            _ => fail("unknown line kind".into()),
        }
    }
    harness
}

/// `25h`, `90m`, `3d`.
fn duration(amount: &str) -> Option<Duration> {
    let split = amount.len().checked_sub(1)?;
    let (number, unit) = amount.split_at(split);
    let number: i64 = number.parse().ok()?;
    match unit {
        "m" => Some(Duration::minutes(number)),
        "h" => Some(Duration::hours(number)),
        "d" => Some(Duration::days(number)),
        _ => None,
    }
}

/// The whole onboarding of a Spanish speaker learning English (B2) and German (A2), in
/// English.
pub const ONBOARDING: &str = r#"
    > /start
    < Welcome to lexbot
    < Step 1 of 9
    < [English]
    < [Русский]
    > [English]
    < Step 2 of 9
    < Which language(s) do you speak natively?
    > [Spanish]
    < [✓ Spanish]
    > [Done]
    < Step 3 of 9
    ! [Spanish]
    > en, German
    < Step 4 of 9
    < What is your level in English?
    > [B2]
    < What is your level in German?
    > [A2]
    < Step 5 of 9
    > [Music]
    > [Travel]
    > [Done]
    < Step 6 of 9
    > Madrid
    < Europe/Madrid — it is 10:00 there now.
    < Step 7 of 9
    > [Weekday evenings]
    > [Weekend mornings]
    > [Done]
    < Step 8 of 9
    > [Text chat]
    > [Video calls]
    > [Done]
    < Step 9 of 9
    > I teach maths in Valencia and love hiking.
    < Almost done (100%)
    < Native: Spanish
    < Learning: English (B2), German (A2)
    < Interests: Music, Travel
    < Timezone: Europe/Madrid
    < Available: Weekday evenings, Weekend mornings
    > [Confirm]
    < All set!
    = idle
    ? /completed = true
"#;
