//! What the engine answers: platform-neutral replies that adapters render.

use serde::{Deserialize, Serialize};

/// One message to the person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reply {
    /// Localised text; people's own words in it are plain text, adapters escape them.
    pub text: String,
    pub keyboard: Option<Keyboard>,
    pub attachment: Option<Attachment>,
    /// This reply is the same prompt again with a changed selection (a multi-select
    /// toggle): adapters that can edit the previous message in place should.
    pub updates_previous: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Keyboard {
    /// Pick one.
    Choice(Vec<Button>),
    /// Toggle any number of options, then press `done`.
    MultiSelect { options: Vec<Toggle>, done: Button },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Button {
    pub label: String,
    /// Callback data, at most [`MAX_BUTTON_DATA`] bytes.
    pub data: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Toggle {
    pub button: Button,
    pub selected: bool,
}

/// A file sent with the message (the /export JSON).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attachment {
    pub file_name: String,
    pub mime_type: String,
    pub content: String,
}

/// The longest button data the engine makes, in bytes: every adapter's buttons must
/// carry at least this much (checked when it connects), so flows never depend on the
/// platform.
pub const MAX_BUTTON_DATA: usize = 64;

impl Reply {
    pub fn text(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            keyboard: None,
            attachment: None,
            updates_previous: false,
        }
    }

    pub fn with_keyboard(mut self, keyboard: Keyboard) -> Self {
        self.keyboard = Some(keyboard);
        self
    }

    pub fn with_attachment(mut self, attachment: Attachment) -> Self {
        self.attachment = Some(attachment);
        self
    }

    pub fn updating_previous(mut self) -> Self {
        self.updates_previous = true;
        self
    }

    /// Every button of the reply in display order (toggles, then done).
    pub fn buttons(&self) -> Vec<&Button> {
        match &self.keyboard {
            None => Vec::new(),
            Some(Keyboard::Choice(buttons)) => buttons.iter().collect(),
            Some(Keyboard::MultiSelect { options, done }) => options
                .iter()
                .map(|t| &t.button)
                .chain(std::iter::once(done))
                .collect(),
        }
    }
}

impl Button {
    pub fn new(label: impl Into<String>, data: impl Into<String>) -> Self {
        Self {
            label: label.into(),
            data: data.into(),
        }
    }
}
