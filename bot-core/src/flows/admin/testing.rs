//! The admin flows' test harness: a person talking to the engine (the transcript
//! [`Harness`]) whose requests to the admin desk are collected, and whose desk answers
//! are handed in by the test as the desk would.

use crate::domain::{AccountRef, Platform};
use crate::engine::{AdminInput, AdminOutcome, AdminRequest, Input, Moderation, Reply};
use crate::flows::transcript::{ADMIN, Harness, ready_profile};

pub struct Desk {
    pub harness: Harness,
    /// What the last input asked the desk.
    pub requests: Vec<AdminRequest>,
}

/// An admin (English, with a complete profile).
pub fn admin() -> Desk {
    let mut harness = Harness::new();
    harness.accounts = vec![AccountRef::new(Platform::Local, ADMIN)];
    harness.profile = Some(ready_profile("en", "es"));
    Desk {
        harness,
        requests: Vec::new(),
    }
}

/// Someone who is not an admin (English, with a complete profile).
pub fn stranger() -> Desk {
    let mut harness = Harness::new();
    harness.profile = Some(ready_profile("es", "en"));
    Desk {
        harness,
        requests: Vec::new(),
    }
}

impl Desk {
    fn step(&mut self, input: Input) {
        self.harness.notify(input);
        self.requests = std::mem::take(&mut self.harness.admin_requests);
    }

    pub fn send_text(&mut self, text: &str) {
        self.step(Input::from_text(text));
    }

    /// Presses the button whose label contains `label` on the screen.
    pub fn press(&mut self, label: &str) {
        let data = self
            .harness
            .replies
            .iter()
            .flat_map(Reply::buttons)
            .find(|button| button.label.contains(label))
            .map(|button| button.data.clone())
            .unwrap_or_else(|| panic!("no button {label:?} on screen:\n{}", self.screen()));
        self.step(Input::Button(data));
    }

    pub fn press_data(&mut self, data: &str) {
        self.step(Input::Button(data.to_owned()));
    }

    /// The desk's answer arrives.
    pub fn answer(&mut self, outcome: AdminOutcome) {
        self.step(Input::Admin(AdminInput::Outcome { outcome }));
    }

    /// An admin's order about this person arrives.
    pub fn ordered(&mut self, order: Moderation) {
        self.step(Input::Admin(AdminInput::Order { order }));
    }

    pub fn screen(&self) -> String {
        self.harness.screen()
    }

    pub fn sees(&self, text: &str) {
        assert!(
            self.screen().contains(text),
            "{text:?} not on screen:\n{}",
            self.screen()
        );
    }

    pub fn sees_not(&self, text: &str) {
        assert!(
            !self.screen().contains(text),
            "{text:?} unexpectedly on screen:\n{}",
            self.screen()
        );
    }

    /// The last input was answered with nothing.
    pub fn silent(&self) {
        assert!(
            self.harness.replies.is_empty(),
            "expected silence, got:\n{}",
            self.screen()
        );
    }
}
