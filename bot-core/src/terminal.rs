//! The terminal chat adapter: a local person talks to the real engine through stdin and
//! stdout. Buttons show as numbered choices; typing a number presses one.

use chrono::Utc;
use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncWrite, AsyncWriteExt};

use crate::domain::{AccountRef, ChatKey, Platform};
use crate::engine::{Event, Input, Keyboard, Reply};
use crate::runtime::{Conversations, Incoming};

/// Typed instead of a message: leaves the chat (so does end of input, Ctrl-D).
pub const QUIT: &str = "/quit";

/// Renders replies and maps typed numbers back to the buttons on screen.
#[derive(Debug, Default)]
pub struct Screen {
    /// Callback data of the numbered buttons last shown, in order.
    numbered: Vec<String>,
}

impl Screen {
    /// Replies as terminal text. The newest reply with buttons numbers them from 1.
    pub fn render(&mut self, replies: &[Reply]) -> String {
        let mut out = String::new();
        for reply in replies {
            out.push_str(reply.text.trim_end());
            out.push('\n');
            if let Some(attachment) = &reply.attachment {
                out.push_str(&format!(
                    "--- {} ---\n{}\n---\n",
                    attachment.file_name, attachment.content
                ));
            }
            let Some(keyboard) = &reply.keyboard else {
                continue;
            };
            self.numbered.clear();
            let mut line = |label: &str, data: &str, out: &mut String| {
                self.numbered.push(data.to_owned());
                out.push_str(&format!("  {:>2}) {label}\n", self.numbered.len()));
            };
            match keyboard {
                Keyboard::Choice(buttons) => {
                    for button in buttons {
                        line(&button.label, &button.data, &mut out);
                    }
                }
                Keyboard::MultiSelect { options, done } => {
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
        }
        out
    }

    /// What a typed line means: a number of a button on screen presses it; anything
    /// else is a message.
    pub fn input_for(&self, line: &str) -> Input {
        let trimmed = line.trim();
        match trimmed.parse::<usize>() {
            Ok(n) if (1..=self.numbered.len()).contains(&n) => {
                Input::Button(self.numbered[n - 1].clone())
            }
            _ => Input::from_text(trimmed),
        }
    }
}

/// Runs the chat until end of input or [`QUIT`]. Each line is one message; the
/// conversation is durable, so a new session continues where the last one stopped.
pub async fn run_chat<R, W>(
    conversations: &Conversations,
    user: &str,
    client_language: Option<String>,
    input: R,
    mut output: W,
) -> anyhow::Result<()>
where
    R: AsyncBufRead + Unpin,
    W: AsyncWrite + Unpin,
{
    let account = AccountRef::new(Platform::Local, user);
    let chat = ChatKey::new(Platform::Local, user);
    let mut screen = Screen::default();
    let mut lines = input.lines();
    let mut next = Some(Input::Resume);
    loop {
        if let Some(input) = next.take() {
            let incoming = Incoming::new(
                account.clone(),
                chat.clone(),
                Event {
                    input,
                    client_language: client_language.clone(),
                    chat: crate::engine::ChatKind::Private,
                    handle: Some(format!("{} on this computer", account.user_id)),
                },
            );
            let replies = match conversations.handle(&incoming, Utc::now()).await {
                Ok(replies) => replies,
                Err(error) => {
                    tracing::error!(%error, "step failed");
                    vec![conversations.internal_error_reply(client_language.as_deref())]
                }
            };
            output.write_all(screen.render(&replies).as_bytes()).await?;
        }
        output.write_all(b"> ").await?;
        output.flush().await?;
        let Some(line) = lines.next_line().await? else {
            break;
        };
        if line.trim() == QUIT {
            break;
        }
        if !line.trim().is_empty() {
            next = Some(screen.input_for(&line));
        }
    }
    output.write_all(b"\n").await?;
    output.flush().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{Button, Toggle};

    #[test]
    fn numbers_press_the_buttons_of_the_newest_keyboard() {
        let mut screen = Screen::default();
        let text = screen.render(&[
            Reply::text("Pick").with_keyboard(Keyboard::Choice(vec![Button::new("Old", "old")])),
            Reply::text("Languages").with_keyboard(Keyboard::MultiSelect {
                options: vec![Toggle {
                    button: Button::new("Spanish", "nat:es"),
                    selected: true,
                }],
                done: Button::new("Done", "nat:done"),
            }),
        ]);
        assert!(text.contains("   1) [x] Spanish\n   2) Done\n"), "{text}");
        assert_eq!(screen.input_for(" 2 "), Input::Button("nat:done".into()));
        assert_eq!(screen.input_for("3"), Input::Text("3".into()));
        assert_eq!(screen.input_for("0"), Input::Text("0".into()));
        assert_eq!(
            screen.input_for("/help"),
            Input::Command {
                name: "help".into(),
                args: String::new()
            }
        );
    }
}
