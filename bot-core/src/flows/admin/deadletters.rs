//! /deadletters: how many messages could not be delivered, a sample (where to and why,
//! never their text), and a button that queues them all again.

use crate::domain::Locale;
use crate::engine::{Button, Context, DeadLetterView, Keyboard, Reply};
use crate::i18n::Arg;

pub fn render(cx: &Context, locale: Locale, count: u64, sample: &[DeadLetterView]) -> Reply {
    if count == 0 {
        return Reply::text(cx.t(locale, "admin-deadletters-none"));
    }
    let mut lines = vec![cx.tf(
        locale,
        "admin-deadletters",
        &[("dead", Arg::from(count.to_string()))],
    )];
    for letter in sample {
        lines.push(format!(
            "  #{} {} ×{}: {}",
            letter.id,
            letter.chat,
            letter.attempts,
            crate::engine::quote(&letter.last_error)
        ));
    }
    Reply::text(lines.join("\n")).with_keyboard(Keyboard::Choice(vec![Button::new(
        cx.t(locale, "button-admin-retry"),
        "adm:dl:retry",
    )]))
}

pub fn render_retried(cx: &Context, locale: Locale, count: u64) -> String {
    cx.tf(
        locale,
        "admin-deadletters-retried",
        &[("queued", Arg::from(count.to_string()))],
    )
}

#[cfg(test)]
mod tests {
    use super::super::testing::{admin, stranger};
    use crate::engine::{AdminOutcome, AdminRequest, DeadLetterView};

    #[test]
    fn deadletters_shows_count_and_sample_and_retries() {
        let mut desk = admin();
        desk.send_text("/deadletters");
        assert_eq!(desk.requests, vec![AdminRequest::DeadLetters]);
        desk.answer(AdminOutcome::DeadLetters {
            count: 3,
            sample: vec![DeadLetterView {
                id: 17,
                chat: "telegram:99".into(),
                attempts: 8,
                last_error: "network: connection refused".into(),
            }],
        });
        desk.sees("Dead messages: 3");
        desk.sees("#17 telegram:99 ×8: network: connection refused");
        desk.press("Retry");
        assert_eq!(desk.requests, vec![AdminRequest::RetryDeadLetters]);
        desk.answer(AdminOutcome::DeadLettersRetried { count: 3 });
        desk.sees("Queued again: 3");
    }

    #[test]
    fn no_dead_letters_no_button() {
        let mut desk = admin();
        desk.send_text("/deadletters");
        desk.answer(AdminOutcome::DeadLetters {
            count: 0,
            sample: Vec::new(),
        });
        desk.sees("No dead messages");
        desk.sees_not("[Retry");
        let mut desk = stranger();
        desk.press_data("adm:dl:retry");
        assert!(desk.requests.is_empty());
    }
}
