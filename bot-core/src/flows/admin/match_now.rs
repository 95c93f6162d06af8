//! /match_now: the matcher runs a wave at once instead of at its next interval.

use crate::domain::Locale;
use crate::engine::Context;
use crate::i18n::Arg;

pub fn render(cx: &Context, locale: Locale, waiting: u64) -> String {
    cx.tf(
        locale,
        "admin-match-requested",
        &[("waiting", Arg::from(waiting.to_string()))],
    )
}

#[cfg(test)]
mod tests {
    use super::super::testing::{admin, stranger};
    use crate::engine::{AdminOutcome, AdminRequest};

    #[test]
    fn match_now_asks_for_a_wave_and_says_how_many_wait() {
        let mut desk = admin();
        desk.send_text("/match_now");
        assert_eq!(desk.requests, vec![AdminRequest::MatchNow]);
        desk.answer(AdminOutcome::MatchRequested { waiting: 14 });
        desk.sees("A matcher wave was asked for; people waiting: 14");
    }

    #[test]
    fn a_strangers_match_now_is_unknown() {
        let mut desk = stranger();
        desk.send_text("/match_now");
        desk.sees("I don't know the command /match_now");
    }
}
