//! Core replies out, as Bot API message parts: HTML-escaped text (everything in a
//! reply is plain text, including what people typed) and inline keyboards.

use bot_core::engine::{Button, Keyboard};
use teloxide::types::{InlineKeyboardButton, InlineKeyboardMarkup};

/// Buttons with labels up to this many characters go two to a row.
const SHORT_LABEL: usize = 16;

/// The text, safe for `parse_mode = HTML`: `<`, `>` and `&` are the only characters
/// Telegram's HTML parser treats specially outside tags.
pub fn escape_html(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '&' => escaped.push_str("&amp;"),
            c => escaped.push(c),
        }
    }
    escaped
}

pub fn keyboard(keyboard: &Keyboard) -> InlineKeyboardMarkup {
    match keyboard {
        Keyboard::Choice(buttons) => {
            let buttons: Vec<(String, &str)> = buttons
                .iter()
                .map(|Button { label, data }| (label.clone(), data.as_str()))
                .collect();
            InlineKeyboardMarkup::new(rows(buttons))
        }
        Keyboard::MultiSelect { options, done } => {
            let toggles: Vec<(String, &str)> = options
                .iter()
                .map(|toggle| {
                    let mark = if toggle.selected { "✅" } else { "▫️" };
                    (
                        format!("{mark} {}", toggle.button.label),
                        toggle.button.data.as_str(),
                    )
                })
                .collect();
            let mut rows = rows(toggles);
            rows.push(vec![InlineKeyboardButton::callback(
                done.label.clone(),
                done.data.clone(),
            )]);
            InlineKeyboardMarkup::new(rows)
        }
    }
}

fn rows(buttons: Vec<(String, &str)>) -> Vec<Vec<InlineKeyboardButton>> {
    let per_row = if buttons
        .iter()
        .all(|(label, _)| label.chars().count() <= SHORT_LABEL)
    {
        2
    } else {
        1
    };
    buttons
        .chunks(per_row)
        .map(|row| {
            row.iter()
                .map(|(label, data)| InlineKeyboardButton::callback(label.clone(), *data))
                .collect()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use bot_core::engine::Toggle;
    use teloxide::types::InlineKeyboardButtonKind;

    #[test]
    fn html_is_escaped() {
        assert_eq!(
            escape_html("<b>Tom & Jerry</b> ёж"),
            "&lt;b&gt;Tom &amp; Jerry&lt;/b&gt; ёж"
        );
    }

    #[test]
    fn multi_select_marks_toggles_and_puts_done_last() {
        let button = |label: &str, data: &str| Button {
            label: label.into(),
            data: data.into(),
        };
        let markup = keyboard(&Keyboard::MultiSelect {
            options: vec![
                Toggle {
                    button: button("Music", "int:music"),
                    selected: true,
                },
                Toggle {
                    button: button("Travel", "int:travel"),
                    selected: false,
                },
            ],
            done: button("Done", "int:done"),
        });
        let rows = &markup.inline_keyboard;
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0][0].text, "✅ Music");
        assert_eq!(rows[0][1].text, "▫️ Travel");
        assert_eq!(rows[1][0].text, "Done");
        assert!(matches!(
            &rows[1][0].kind,
            InlineKeyboardButtonKind::CallbackData(data) if data == "int:done"
        ));
    }
}
