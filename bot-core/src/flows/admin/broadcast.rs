//! /broadcast [lang:CODE] TEXT: a preview with the number of people it would reach,
//! then, once confirmed, the desk queues it in the outbox (sent within the platforms'
//! rate limits like every message) and reports back: queued, then sent and failed.

use chrono::{DateTime, Utc};

use crate::domain::Locale;
use crate::engine::{
    AdminRequest, Audience, BroadcastProgress, Button, Context, DialogueState, Input, Keyboard,
    PersonView, Reply, Transition,
};
use crate::i18n::Arg;

/// The longest broadcast, in characters: one message on every platform (Discord's
/// limit is the tightest).
pub const MAX_CHARS: usize = 2000;

pub fn command(
    cx: &Context,
    state: DialogueState,
    person: &PersonView<'_>,
    args: &str,
) -> Transition {
    let locale = person.profile.locale;
    let (audience, text) = match super::target_and_rest(args) {
        None => return Transition::to(state).say(cx.t(locale, "admin-usage-broadcast")),
        Some((first, rest)) => match first.strip_prefix("lang:") {
            Some(code) => match Locale::parse(code) {
                Some(only) => (Audience::Locale { locale: only }, rest),
                None => {
                    return Transition::to(state).say(cx.tf(
                        locale,
                        "admin-broadcast-unknown-locale",
                        &[("input", Arg::from(crate::engine::quote(code)))],
                    ));
                }
            },
            None => (Audience::Everyone, args.trim()),
        },
    };
    if text.is_empty() {
        return Transition::to(state).say(cx.t(locale, "admin-usage-broadcast"));
    }
    let length = text.chars().count();
    if length > MAX_CHARS {
        return Transition::to(state).say(cx.tf(
            locale,
            "admin-broadcast-too-long",
            &[("max", MAX_CHARS.into()), ("length", length.into())],
        ));
    }
    super::ask(
        state,
        AdminRequest::PreviewBroadcast {
            text: text.to_owned(),
            audience,
        },
    )
}

fn audience_name(cx: &Context, locale: Locale, audience: Audience) -> String {
    match audience {
        Audience::Everyone => cx.t(locale, "admin-audience-everyone"),
        Audience::Locale { locale: only } => cx.tf(
            locale,
            "admin-audience-locale",
            &[("interface", Arg::from(only.native_name()))],
        ),
    }
}

/// The preview with its Send and Cancel buttons.
pub fn prompt(
    cx: &Context,
    person: &PersonView<'_>,
    text: &str,
    audience: Audience,
    count: u64,
) -> Reply {
    let locale = person.profile.locale;
    let question = cx.tf(
        locale,
        "admin-broadcast-preview",
        &[
            ("text", Arg::from(text)),
            ("audience", Arg::from(audience_name(cx, locale, audience))),
            ("people", Arg::from(count.to_string())),
        ],
    );
    Reply::text(question).with_keyboard(Keyboard::Choice(vec![
        Button::new(cx.t(locale, "button-admin-broadcast-send"), "adm:bc:send"),
        Button::new(cx.t(locale, "button-admin-broadcast-cancel"), "adm:bc:no"),
    ]))
}

/// The desk counted the audience: ask to confirm (nothing to confirm for nobody).
pub fn previewed(
    cx: &Context,
    state: DialogueState,
    person: &PersonView<'_>,
    text: &str,
    audience: Audience,
    count: u64,
    now: DateTime<Utc>,
) -> Transition {
    let locale = person.profile.locale;
    if count == 0 {
        return Transition::to(state).say(cx.t(locale, "admin-broadcast-nobody"));
    }
    // A flow the admin was in gives way to the confirmation, as /delete_me's does.
    Transition::to(DialogueState::ConfirmingBroadcast {
        text: text.to_owned(),
        audience,
        count,
        last_activity: now,
    })
    .reply(prompt(cx, person, text, audience, count))
}

/// An answer to the preview.
pub fn handle_confirming(
    cx: &Context,
    state: DialogueState,
    person: &PersonView<'_>,
    input: &Input,
    now: DateTime<Utc>,
) -> Transition {
    let locale = person.profile.locale;
    let DialogueState::ConfirmingBroadcast {
        text,
        audience,
        count,
        ..
    } = &state
    else {
        return super::super::stale_button(cx, state, person, now);
    };
    match input {
        Input::Button(data) if data == "adm:bc:send" => {
            let request = AdminRequest::SendBroadcast {
                text: text.clone(),
                audience: *audience,
            };
            let note = cx.tf(
                locale,
                "admin-broadcast-sending",
                &[("people", Arg::from(count.to_string()))],
            );
            super::ask(DialogueState::Idle, request).say(note)
        }
        Input::Button(data) if data == "adm:bc:no" => {
            Transition::to(DialogueState::Idle).say(cx.t(locale, "admin-broadcast-cancelled"))
        }
        Input::Button(_) => super::super::stale_button(cx, state, person, now),
        _ => super::super::ask_again(cx, state, person, now, cx.t(locale, "error-use-buttons")),
    }
}

pub fn render_queued(cx: &Context, locale: Locale, broadcast: i64, queued: u64) -> String {
    cx.tf(
        locale,
        "admin-broadcast-queued",
        &[
            ("id", Arg::from(broadcast.to_string())),
            ("queued", Arg::from(queued.to_string())),
        ],
    )
}

pub fn render_progress(cx: &Context, locale: Locale, progress: &BroadcastProgress) -> String {
    let key = if progress.finished() {
        "admin-broadcast-done"
    } else {
        "admin-broadcast-progress"
    };
    cx.tf(
        locale,
        key,
        &[
            ("id", Arg::from(progress.broadcast.to_string())),
            ("queued", Arg::from(progress.queued.to_string())),
            ("delivered", Arg::from(progress.sent.to_string())),
            ("failed", Arg::from(progress.failed.to_string())),
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::super::testing::{admin, stranger};
    use crate::domain::Locale;
    use crate::engine::{AdminOutcome, AdminRequest, Audience, BroadcastProgress};

    #[test]
    fn broadcast_previews_with_the_count_then_sends_on_confirmation() {
        let mut desk = admin();
        desk.send_text("/broadcast");
        desk.sees("Usage: /broadcast");
        desk.send_text("/broadcast Hello everyone!\nNew courses are out.");
        let request = AdminRequest::PreviewBroadcast {
            text: "Hello everyone!\nNew courses are out.".into(),
            audience: Audience::Everyone,
        };
        assert_eq!(desk.requests, vec![request]);
        desk.answer(AdminOutcome::BroadcastPreview {
            text: "Hello everyone!\nNew courses are out.".into(),
            audience: Audience::Everyone,
            count: 500,
        });
        desk.sees("Hello everyone!\nNew courses are out.");
        desk.sees("Recipients: 500 (everyone)");
        desk.sees("[Send]");
        assert_eq!(
            serde_json::to_value(&desk.harness.state)
                .ok()
                .and_then(|v| v.get("state").and_then(|s| s.as_str().map(str::to_owned))),
            Some("confirming_broadcast".to_owned())
        );
        desk.send_text("yes");
        desk.sees("Please answer with the buttons below");
        desk.press("Send");
        assert_eq!(
            desk.requests,
            vec![AdminRequest::SendBroadcast {
                text: "Hello everyone!\nNew courses are out.".into(),
                audience: Audience::Everyone,
            }]
        );
        desk.sees("Queuing the broadcast for 500 recipients");
        desk.answer(AdminOutcome::BroadcastQueued {
            broadcast: 9,
            queued: 500,
        });
        desk.sees("Broadcast #9: 500 messages queued");
        desk.answer(AdminOutcome::BroadcastProgress {
            progress: BroadcastProgress {
                broadcast: 9,
                queued: 500,
                sent: 498,
                failed: 2,
            },
        });
        desk.sees("Broadcast #9 finished: 500 queued, 498 sent, 2 failed");
        // The confirmation's buttons are spent.
        desk.press_data("adm:bc:send");
        assert!(desk.requests.is_empty());
        desk.sees("That button belongs to an older message");
    }

    #[test]
    fn broadcast_to_one_interface_language_and_cancelled() {
        let mut desk = admin();
        desk.send_text("/broadcast lang:xx Hi");
        desk.sees("There is no interface language “xx”");
        assert!(desk.requests.is_empty());
        desk.send_text("/broadcast lang:ru Привет!");
        assert_eq!(
            desk.requests,
            vec![AdminRequest::PreviewBroadcast {
                text: "Привет!".into(),
                audience: Audience::Locale { locale: Locale::Ru },
            }]
        );
        desk.answer(AdminOutcome::BroadcastPreview {
            text: "Привет!".into(),
            audience: Audience::Locale { locale: Locale::Ru },
            count: 12,
        });
        desk.sees("Recipients: 12 (people using Русский)");
        desk.press("Cancel");
        desk.sees("Broadcast cancelled");
        assert!(desk.requests.is_empty());
    }

    #[test]
    fn a_broadcast_to_nobody_or_too_long_is_not_offered() {
        let mut desk = admin();
        desk.send_text(&format!("/broadcast {}", "ä".repeat(super::MAX_CHARS + 1)));
        desk.sees("at most 2000 characters");
        assert!(desk.requests.is_empty());
        desk.send_text("/broadcast lang:ru Hi");
        desk.answer(AdminOutcome::BroadcastPreview {
            text: "Hi".into(),
            audience: Audience::Locale { locale: Locale::Ru },
            count: 0,
        });
        desk.sees("Nobody would receive it");
        desk.sees_not("[Send]");
    }

    #[test]
    fn a_strangers_broadcast_goes_nowhere() {
        let mut desk = stranger();
        desk.send_text("/broadcast Buy my course");
        desk.sees("I don't know the command /broadcast");
        assert_eq!(
            desk.requests,
            vec![AdminRequest::Refused {
                command: "broadcast".into()
            }]
        );
    }
}
