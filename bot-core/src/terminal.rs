//! The terminal chat adapter: a local person talks to lexbot through stdin and stdout,
//! served like any platform. What they type is stepped by the runtime; everything lexbot
//! says to them (replies, reminders, lessons, timeouts, proposals, a partner's relayed
//! messages) is queued in the outbox and printed by [`TerminalSender`] as the
//! dispatcher delivers it. Buttons show as numbered choices; typing a number presses one
//! while they are on screen.

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use chrono::Utc;
use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncWrite, AsyncWriteExt};
use tokio::sync::{oneshot, watch};
use tokio::task::JoinHandle;

use crate::app::{Adapter, Connection, PlatformLimits};
use crate::domain::{AccountRef, ChatKey, Locale, Platform};
use crate::engine::{ChatKind, Event, Input, Keyboard, Reply};
use crate::outbox::{Delivery, OutboxMessage, PlatformSender, RateLimits};
use crate::runtime::{Conversations, Incoming};

/// Typed instead of a message: leaves the chat (so does end of input, Ctrl-D).
pub const QUIT: &str = "/quit";

/// A terminal has no limit of its own; long texts come in parts of a few screens, and
/// buttons are numbers that map to data of any length.
const TERMINAL_LIMITS: PlatformLimits = PlatformLimits {
    max_message_chars: 4096,
    max_button_data: usize::MAX,
};

/// Renders messages and maps typed numbers back to the buttons on screen.
#[derive(Debug, Default)]
pub struct Screen {
    /// Callback data of the numbered buttons of the newest message, in order; empty
    /// when it has none.
    numbered: Vec<String>,
}

impl Screen {
    /// One message as terminal text. Its buttons, numbered from 1, are the ones on
    /// screen from now on; a message without buttons leaves none.
    pub fn render(&mut self, reply: &Reply) -> String {
        let mut out = String::new();
        out.push_str(reply.text.trim_end());
        out.push('\n');
        if let Some(attachment) = &reply.attachment {
            out.push_str(&format!(
                "--- {} ---\n{}\n---\n",
                attachment.file_name, attachment.content
            ));
        }
        self.numbered.clear();
        let mut line = |label: &str, data: &str, out: &mut String| {
            self.numbered.push(data.to_owned());
            out.push_str(&format!("  {:>2}) {label}\n", self.numbered.len()));
        };
        match &reply.keyboard {
            None => {}
            Some(Keyboard::Choice(buttons)) => {
                for button in buttons {
                    line(&button.label, &button.data, &mut out);
                }
            }
            Some(Keyboard::MultiSelect { options, done }) => {
                for toggle in options {
                    let mark = if toggle.selected { "[x]" } else { "[ ]" };
                    line(
                        &format!("{mark} {}", toggle.button.label),
                        &toggle.button.data,
                        &mut out,
                    );
                }
                line(&done.label, &done.data, &mut out);
            }
        }
        out
    }

    /// What a typed line means: the number of a button on screen presses it; anything
    /// else (another number, "+3", a number when no buttons are shown) is a message.
    pub fn input_for(&self, line: &str) -> Input {
        let trimmed = line.trim();
        let pressed = trimmed
            .chars()
            .all(|c| c.is_ascii_digit())
            .then(|| trimmed.parse::<usize>().ok())
            .flatten()
            .and_then(|n| n.checked_sub(1))
            .and_then(|index| self.numbered.get(index));
        match pressed {
            Some(data) => Input::Button(data.clone()),
            None => Input::from_text(trimmed),
        }
    }
}

/// Where the conversation is printed; shared by the sender and the intake (which
/// prints the greeting and the apology for a failed step).
type Output = Arc<tokio::sync::Mutex<Box<dyn AsyncWrite + Send + Unpin>>>;

/// The terminal as an [`Adapter`]: one person (`local:NAME`) typing on `input` and
/// reading `output`. Several terminals on one database are different people, each
/// printing only its own person's messages.
pub struct LocalAdapter {
    name: String,
    client_language: Option<String>,
    input: Box<dyn AsyncBufRead + Send + Unpin>,
    output: Output,
    screen: Arc<Mutex<Screen>>,
    left: oneshot::Sender<()>,
}

/// Resolves when the person left the chat ([`QUIT`] or end of input).
pub type ChatLeft = oneshot::Receiver<()>;

impl LocalAdapter {
    /// The terminal of the person called `name`; `client_language` (from `LANG`) picks
    /// the language of a newcomer.
    pub fn new(
        name: &str,
        client_language: Option<String>,
        input: impl AsyncBufRead + Send + Unpin + 'static,
        output: impl AsyncWrite + Send + Unpin + 'static,
    ) -> (Self, ChatLeft) {
        let (left, on_left) = oneshot::channel();
        let adapter = Self {
            name: name.to_owned(),
            client_language,
            input: Box::new(input),
            output: Arc::new(tokio::sync::Mutex::new(Box::new(output))),
            screen: Arc::new(Mutex::new(Screen::default())),
            left,
        };
        (adapter, on_left)
    }

    fn chat(&self) -> ChatKey {
        ChatKey::new(Platform::Local, &self.name)
    }
}

#[async_trait]
impl Adapter for LocalAdapter {
    fn name(&self) -> &'static str {
        "terminal"
    }

    async fn connect(&mut self, _conversations: &Conversations) -> anyhow::Result<Connection> {
        let sender = TerminalSender {
            chat: self.chat(),
            output: self.output.clone(),
            screen: self.screen.clone(),
        };
        Ok(Connection {
            sender: Arc::new(sender),
            routes: None,
            identity: self.chat().chat_id,
            limits: TERMINAL_LIMITS,
        })
    }

    fn start_intake(
        self: Box<Self>,
        conversations: Conversations,
        stop: watch::Receiver<bool>,
    ) -> JoinHandle<()> {
        tokio::spawn(async move {
            let LocalAdapter {
                name,
                client_language,
                input,
                output,
                screen,
                left,
            } = *self;
            let intake = Intake {
                account: AccountRef::new(Platform::Local, &name),
                chat: ChatKey::new(Platform::Local, &name),
                client_language,
                output,
                screen,
                conversations,
            };
            let locale = Locale::from_client_language(intake.client_language.as_deref());
            let greeting = intake.conversations.context().tf(
                locale,
                "terminal-greeting",
                &[("name", name.as_str().into())],
            );
            intake.print(&format!("{greeting}\n\n")).await;
            if intake.read(input, stop).await {
                let _ = left.send(());
            }
        })
    }
}

/// The intake's half of the terminal: turns typed lines into steps.
struct Intake {
    account: AccountRef,
    chat: ChatKey,
    client_language: Option<String>,
    output: Output,
    screen: Arc<Mutex<Screen>>,
    conversations: Conversations,
}

impl Intake {
    /// Steps each line until [`QUIT`] or end of input (true: the person left) or until
    /// `stop` (false). The conversation is durable: it first resumes where the last
    /// session stopped.
    async fn read(
        &self,
        input: Box<dyn AsyncBufRead + Send + Unpin>,
        mut stop: watch::Receiver<bool>,
    ) -> bool {
        self.step(Input::Resume).await;
        let mut lines = input.lines();
        loop {
            let line = tokio::select! {
                _ = stop.wait_for(|stop| *stop) => return false,
                line = lines.next_line() => line,
            };
            let line = match line {
                Ok(Some(line)) => line,
                Ok(None) => return true,
                Err(error) => {
                    tracing::error!(%error, "cannot read the terminal");
                    return true;
                }
            };
            let typed = line.trim();
            if typed == QUIT {
                return true;
            }
            if typed.is_empty() {
                continue;
            }
            let input = self
                .screen
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .input_for(typed);
            self.step(input).await;
        }
    }

    /// Steps one input; its replies arrive through the outbox. A failed step is
    /// apologised for here, since it queued nothing.
    async fn step(&self, input: Input) {
        let incoming = Incoming::new(
            self.account.clone(),
            self.chat.clone(),
            Event {
                input,
                client_language: self.client_language.clone(),
                chat: ChatKind::Private,
                handle: Some(format!("{} on this computer", self.account.user_id)),
            },
        );
        let results = self
            .conversations
            .handle_batch(vec![incoming], Utc::now())
            .await;
        for result in results {
            if let Err(error) = result {
                tracing::error!(%error, "step failed");
                let apology = self
                    .conversations
                    .internal_error_reply(self.client_language.as_deref());
                let text = self
                    .screen
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .render(&apology);
                self.print(&text).await;
            }
        }
    }

    async fn print(&self, text: &str) {
        if let Err(error) = write_flushed(&self.output, text).await {
            tracing::error!(%error, "cannot write to the terminal");
        }
    }
}

/// Prints the messages of one terminal's chat as the dispatcher delivers them.
pub struct TerminalSender {
    chat: ChatKey,
    output: Output,
    screen: Arc<Mutex<Screen>>,
}

#[async_trait]
impl PlatformSender for TerminalSender {
    fn platform(&self) -> Platform {
        Platform::Local
    }

    fn limits(&self) -> RateLimits {
        RateLimits::unlimited()
    }

    fn is_group(&self, _chat: &ChatKey) -> bool {
        false
    }

    /// Only this terminal's person: other terminals on the database print their own.
    fn only_chats(&self) -> Option<Vec<ChatKey>> {
        Some(vec![self.chat.clone()])
    }

    async fn deliver(&self, message: &OutboxMessage) -> Delivery {
        if message.chat != self.chat {
            // The dispatcher is scoped to this chat; anything else is a bug, not ours.
            return Delivery::Permanent(format!(
                "terminal of {} was handed a message for {}",
                self.chat.chat_id, message.chat.chat_id
            ));
        }
        // A toggled multi-select is printed again below, with its new marks.
        let text = self
            .screen
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .render(message.body.reply());
        match write_flushed(&self.output, &format!("{text}\n")).await {
            Ok(()) => Delivery::Sent,
            Err(error) => Delivery::Transient(format!("cannot write to the terminal: {error}")),
        }
    }
}

async fn write_flushed(output: &Output, text: &str) -> std::io::Result<()> {
    let mut output = output.lock().await;
    output.write_all(text.as_bytes()).await?;
    output.flush().await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{Button, Toggle};

    #[test]
    fn numbers_press_the_buttons_of_the_newest_message_only_while_shown() {
        let mut screen = Screen::default();
        screen.render(
            &Reply::text("Pick").with_keyboard(Keyboard::Choice(vec![Button::new("Old", "old")])),
        );
        let text = screen.render(
            &Reply::text("Languages").with_keyboard(Keyboard::MultiSelect {
                options: vec![Toggle {
                    button: Button::new("Spanish", "nat:es"),
                    selected: true,
                }],
                done: Button::new("Done", "nat:done"),
            }),
        );
        assert!(text.contains("   1) [x] Spanish\n   2) Done\n"), "{text}");
        assert_eq!(screen.input_for(" 2 "), Input::Button("nat:done".into()));
        assert_eq!(screen.input_for("1"), Input::Button("nat:es".into()));
        // Out of range, signed or zero: text.
        assert_eq!(screen.input_for("3"), Input::Text("3".into()));
        assert_eq!(screen.input_for("0"), Input::Text("0".into()));
        assert_eq!(screen.input_for("+1"), Input::Text("+1".into()));
        assert_eq!(
            screen.input_for("/help"),
            Input::Command {
                name: "help".into(),
                args: String::new()
            }
        );

        // A question without buttons (the timezone's) takes numbers as text.
        screen.render(&Reply::text("What is your UTC offset?"));
        assert_eq!(screen.input_for("3"), Input::Text("3".into()));
        assert_eq!(screen.input_for("+3"), Input::Text("+3".into()));
    }
}
