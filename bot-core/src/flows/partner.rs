//! The partnership: /partner, the anonymous relay, /reveal, /end with a rating,
//! /report, /block, the "did you practise?" follow-up and no-show reports; and the
//! dispatch of every peer message (proposals go to `find`).
//!
//! Nothing here changes the dialogue of the chat a peer message arrives in: a person in
//! the middle of a question keeps it, and gets the partner's news beside it.

use chrono::{DateTime, Utc};

use crate::domain::{
    EndedBy, PartnerRef, PartnerStatus, Partnering, Partnership, PastPartnership, PersonId,
    Practice, Profile, ProposalId, ReportReason,
};
use crate::engine::{
    Button, Context, DialogueState, Effect, Event, FiredTimer, Input, Keyboard, NewReport,
    PeerKind, PeerMessage, PersonView, Reply, TimerKind, TimerSpec, Transition, Undelivered,
};
use crate::i18n::Arg;

use super::find;

/// The person's practice record with their matching side changed by `change`.
pub fn saved_partnering(person: &PersonView<'_>, change: impl FnOnce(&mut Partnering)) -> Practice {
    let mut practice = person.practice.clone();
    change(&mut practice.partnering);
    practice
}

/// The practice record with the partnership in progress changed by `change`.
pub fn saved_partnership(
    person: &PersonView<'_>,
    change: impl FnOnce(&mut Partnership),
) -> Practice {
    saved_partnering(person, |partnering| {
        if let PartnerStatus::Partnered(held) = &mut partnering.status {
            change(held);
        }
    })
}

/// Tells the partner something about proposal or partnership `about`.
pub fn tell(partner: &PartnerRef, from: PersonId, about: ProposalId, kind: PeerKind) -> Effect {
    Effect::Tell {
        to: partner.person,
        chat: partner.chat.clone(),
        message: PeerMessage {
            from,
            reply_to: None,
            about,
            kind,
        },
    }
}

/// Buttons that work whatever is on screen: a proposal's and a follow-up's.
pub fn owns_button(data: &str) -> bool {
    data.starts_with("pp:") || data.starts_with("pf:")
}

pub fn button(
    cx: &Context,
    state: DialogueState,
    person: &PersonView<'_>,
    data: &str,
    now: DateTime<Utc>,
) -> Transition {
    match data.split(':').collect::<Vec<_>>().as_slice() {
        ["pp", "a", short] => find::answer(cx, state, person, short, true, now),
        ["pp", "d", short] => find::answer(cx, state, person, short, false, now),
        ["pf", short, answer] => follow_up_answer(cx, state, person, short, answer, now),
        _ => super::stale_button(cx, state, person, now),
    }
}

/// A peer message, delivered as a step of this person.
pub fn on_peer(
    cx: &Context,
    state: DialogueState,
    person: &PersonView<'_>,
    message: &PeerMessage,
    now: DateTime<Utc>,
) -> Transition {
    let (from, about, kind) = (message.from, message.about, &message.kind);
    match kind {
        PeerKind::Offer {
            partner_chat,
            partner_profile,
            expires_at,
        } => {
            let partner = PartnerRef {
                person: from,
                chat: partner_chat.clone(),
                profile: Profile::clone(partner_profile),
            };
            find::offer(cx, state, person, about, partner, *expires_at, now)
        }
        PeerKind::Accepted => find::partner_accepted(cx, state, person, message, now),
        PeerKind::Confirmed => find::confirmed(cx, state, person, message, now),
        PeerKind::Declined => find::partner_declined(cx, state, person, from, about),
        PeerKind::Void => match find::fell_through(cx, state.clone(), person, from, about) {
            Some(transition) => transition,
            None => ended_by_partner(cx, state, person, from, about, EndedBy::Gone, now),
        },
        PeerKind::Ended => ended_by_partner(cx, state, person, from, about, EndedBy::Partner, now),
        PeerKind::Relay { text } => relayed(cx, state, person, message, text),
        PeerKind::NotDelivered { reason } => {
            let key = match reason {
                Undelivered::Paused => "relay-undelivered-paused",
                Undelivered::Unreachable => "relay-undelivered-unreachable",
            };
            match held_partnership(person, from, about) {
                Some(_) => Transition::to(state).say(cx.t(person.profile.locale, key)),
                None => Transition::to(state),
            }
        }
        PeerKind::RevealAsked { handle } => {
            handle_arrived(cx, state, person, message, handle, false)
        }
        PeerKind::Revealed { handle } => handle_arrived(cx, state, person, message, handle, true),
        PeerKind::NoShow => no_show(cx, state, person, from, about),
    }
}

/// A message about a proposal or partnership this person no longer holds: the sender
/// is told, so they do not keep holding it either.
pub fn stale_peer(
    state: DialogueState,
    person: &PersonView<'_>,
    message: &PeerMessage,
) -> Transition {
    let Some(chat) = message.reply_to.clone() else {
        return Transition::to(state);
    };
    Transition::to(state).effect(Effect::Tell {
        to: message.from,
        chat,
        message: PeerMessage {
            from: person.id,
            reply_to: None,
            about: message.about,
            kind: PeerKind::Void,
        },
    })
}

/// A peer timer: the message a step of someone else's left for this person.
pub fn peer_timer(
    cx: &Context,
    state: DialogueState,
    person: &PersonView<'_>,
    timer: &FiredTimer,
    now: DateTime<Utc>,
) -> Transition {
    match serde_json::from_value::<PeerMessage>(timer.payload.clone()) {
        Ok(message) => on_peer(cx, state, person, &message, now),
        // Written by a build that knew other messages: nothing this one can do with it.
        Err(_) => Transition::to(state),
    }
}

/// The follow-up timer: "did you practise?", outside quiet hours.
pub fn follow_up(
    cx: &Context,
    state: DialogueState,
    person: &PersonView<'_>,
    timer: &FiredTimer,
    now: DateTime<Utc>,
) -> Transition {
    let Some(partnership) = person
        .practice
        .partnering
        .partnership()
        .filter(|partnership| Some(partnership.id) == ProposalId::parse(&timer.key))
    else {
        return Transition::to(state);
    };
    if person.profile.unreachable {
        return Transition::to(state);
    }
    if let Some(until) = super::reminders::quiet_now(cx, person, now) {
        return Transition::to(state).effect(Effect::Schedule(TimerSpec::new(
            TimerKind::PartnerFollowUp,
            timer.key.clone(),
            until,
        )));
    }
    let locale = person.profile.locale;
    let short = partnership.id.short();
    let ask = Reply::text(cx.t(locale, "follow-up-ask")).with_keyboard(Keyboard::Choice(vec![
        Button::new(
            cx.t(locale, "button-follow-up-yes"),
            format!("pf:{short}:y"),
        ),
        Button::new(
            cx.t(locale, "button-follow-up-not-yet"),
            format!("pf:{short}:n"),
        ),
        Button::new(
            cx.t(locale, "button-follow-up-no-show"),
            format!("pf:{short}:x"),
        ),
    ]));
    Transition::to(state).reply(ask)
}

fn follow_up_answer(
    cx: &Context,
    state: DialogueState,
    person: &PersonView<'_>,
    short: &str,
    answer: &str,
    now: DateTime<Utc>,
) -> Transition {
    let locale = person.profile.locale;
    let Some(partnership) = person
        .practice
        .partnering
        .partnership()
        .filter(|partnership| partnership.id.short() == short)
        .cloned()
    else {
        let note = cx.t(locale, "follow-up-gone");
        return super::ask_again(cx, state, person, now, note);
    };
    if partnership.follow_up_answered {
        return Transition::to(state).say(cx.t(locale, "follow-up-already"));
    }
    let key = match answer {
        "y" => "follow-up-thanks-yes",
        "n" => "follow-up-thanks-not-yet",
        "x" => "follow-up-thanks-no-show",
        _ => return super::stale_button(cx, state, person, now),
    };
    let mut practice = saved_partnership(person, |held| {
        held.follow_up_answered = true;
    });
    if answer == "y" {
        super::streak::practised(&mut practice, person.profile, now);
    }
    let transition = Transition::to(state)
        .say(cx.t(locale, key))
        .effect(Effect::SavePractice(practice));
    if answer == "x" {
        transition.effect(tell(
            &partnership.partner,
            person.id,
            partnership.id,
            PeerKind::NoShow,
        ))
    } else {
        transition
    }
}

/// A partner said this person did not show up: noted, and after too many, matching
/// pauses.
fn no_show(
    cx: &Context,
    state: DialogueState,
    person: &PersonView<'_>,
    from: PersonId,
    about: ProposalId,
) -> Transition {
    let known = held_partnership(person, from, about).is_some()
        || person
            .practice
            .partnering
            .history
            .iter()
            .any(|past| past.id == about && past.partner == from);
    if !known {
        return Transition::to(state);
    }
    let locale = person.profile.locale;
    let practice = saved_partnering(person, |partnering| {
        partnering.no_shows = partnering.no_shows.saturating_add(1);
    });
    let count = practice.partnering.no_shows;
    let transition = Transition::to(state).effect(Effect::SavePractice(practice));
    if count >= cx.partnering.max_no_shows && !person.profile.matching_paused {
        let mut profile = person.profile.clone();
        profile.matching_paused = true;
        return transition
            .say(cx.tf(locale, "no-show-paused", &[("count", count.into())]))
            .effect(Effect::SaveProfile(profile));
    }
    transition.say(cx.t(locale, "no-show-noted"))
}

/// /partner: the partner's card and what can be done, or where matching stands.
pub fn show(
    cx: &Context,
    state: DialogueState,
    person: &PersonView<'_>,
    _now: DateTime<Utc>,
) -> Transition {
    let locale = person.profile.locale;
    match &person.practice.partnering.status {
        PartnerStatus::Idle => Transition::to(state).say(cx.t(locale, "partner-none")),
        PartnerStatus::Waiting { .. } => Transition::to(state).say(cx.t(locale, "find-waiting")),
        PartnerStatus::Proposed(proposal) => {
            Transition::to(state).reply(find::proposal_card(cx, person, proposal))
        }
        PartnerStatus::Partnered(partnership) => {
            let reveal = if partnership.revealed {
                cx.tf(
                    locale,
                    "partner-revealed",
                    &[(
                        "handle",
                        Arg::from(partnership.partner_handle.as_deref().unwrap_or_default()),
                    )],
                )
            } else if partnership.reveal_asked {
                cx.t(locale, "partner-reveal-waiting")
            } else if partnership.partner_handle.is_some() {
                cx.t(locale, "reveal-partner-asked")
            } else {
                cx.t(locale, "partner-anonymous")
            };
            let text = cx.tf(
                locale,
                "partner-show",
                &[
                    (
                        "card",
                        Arg::from(super::card::profile_card(
                            cx,
                            locale,
                            &partnership.partner.profile,
                        )),
                    ),
                    (
                        "since",
                        Arg::from(partnership.since.format("%Y-%m-%d").to_string()),
                    ),
                    ("sent", partnership.sent.into()),
                    ("received", partnership.received.into()),
                    ("reveal", Arg::from(reveal)),
                ],
            );
            Transition::to(state).say(text)
        }
    }
}

/// Free text while partnered and no question is open: relayed to the partner.
/// `None` when the person has no partnership (the text is then not for the relay).
pub fn relay(
    cx: &Context,
    state: DialogueState,
    person: &PersonView<'_>,
    input: &Input,
    now: DateTime<Utc>,
) -> Option<Transition> {
    let partnership = person.practice.partnering.partnership()?.clone();
    let locale = person.profile.locale;
    let text = match input {
        Input::Text(text) => text.trim(),
        Input::Unsupported => {
            return Some(Transition::to(state).say(cx.t(locale, "relay-text-only")));
        }
        _ => return None,
    };
    if text.is_empty() {
        return Some(Transition::to(state));
    }
    let length = text.chars().count();
    if length > cx.partnering.relay_max_chars {
        return Some(Transition::to(state).say(cx.tf(
            locale,
            "relay-too-long",
            &[
                ("max", cx.partnering.relay_max_chars.into()),
                ("length", length.into()),
            ],
        )));
    }
    let partnering = &person.practice.partnering;
    let window_open = partnering
        .relay_window
        .is_some_and(|start| now.signed_duration_since(start) < chrono::Duration::minutes(1));
    if window_open && partnering.relayed_in_window >= cx.partnering.relay_per_minute {
        return Some(Transition::to(state).say(cx.t(locale, "relay-slow-down")));
    }
    let mut practice = saved_partnering(person, |partnering| {
        if !window_open {
            partnering.relay_window = Some(now);
            partnering.relayed_in_window = 0;
        }
        partnering.relayed_in_window += 1;
        if let PartnerStatus::Partnered(held) = &mut partnering.status {
            held.sent = held.sent.saturating_add(1);
        }
    });
    // Talking to the partner is practice.
    super::streak::practised(&mut practice, person.profile, now);
    Some(
        Transition::to(state)
            .effect(Effect::SavePractice(practice))
            .effect(tell(
                &partnership.partner,
                person.id,
                partnership.id,
                PeerKind::Relay {
                    text: text.to_owned(),
                },
            )),
    )
}

/// The partner's relayed text arrives: shown, unless this person cannot or asked not to
/// hear now (the sender is told).
fn relayed(
    cx: &Context,
    state: DialogueState,
    person: &PersonView<'_>,
    message: &PeerMessage,
    text: &str,
) -> Transition {
    let (from, about) = (message.from, message.about);
    let Some(partnership) = held_partnership(person, from, about) else {
        return stale_peer(state, person, message);
    };
    let undelivered = if person.profile.unreachable {
        Some(Undelivered::Unreachable)
    } else if person.profile.matching_paused {
        Some(Undelivered::Paused)
    } else {
        None
    };
    if let Some(reason) = undelivered {
        return Transition::to(state).effect(tell(
            &partnership.partner,
            person.id,
            about,
            PeerKind::NotDelivered { reason },
        ));
    }
    let practice = saved_partnership(person, |held| {
        held.received = held.received.saturating_add(1);
    });
    let shown = cx.tf(
        person.profile.locale,
        "relay-from-partner",
        &[("text", Arg::from(text))],
    );
    Transition::to(state)
        .say(shown)
        .effect(Effect::SavePractice(practice))
}

/// /reveal: ask to exchange handles; they are shown once both asked.
pub fn reveal(
    cx: &Context,
    state: DialogueState,
    person: &PersonView<'_>,
    event: &Event,
    _now: DateTime<Utc>,
) -> Transition {
    let locale = person.profile.locale;
    let Some(partnership) = person.practice.partnering.partnership().cloned() else {
        return Transition::to(state).say(cx.t(locale, "partner-none"));
    };
    if partnership.revealed {
        let handle = partnership.partner_handle.unwrap_or_default();
        return Transition::to(state).say(cx.tf(
            locale,
            "reveal-done",
            &[("handle", Arg::from(handle))],
        ));
    }
    if partnership.reveal_asked {
        return Transition::to(state).say(cx.t(locale, "partner-reveal-waiting"));
    }
    let Some(mine) = event
        .handle
        .clone()
        .filter(|handle| !handle.trim().is_empty())
    else {
        return Transition::to(state).say(cx.t(locale, "reveal-no-handle"));
    };
    let both = partnership.partner_handle.is_some();
    let practice = saved_partnership(person, |held| {
        held.reveal_asked = true;
        held.revealed = both;
    });
    let transition = Transition::to(state).effect(Effect::SavePractice(practice));
    if let Some(theirs) = partnership.partner_handle {
        transition
            .say(cx.tf(locale, "reveal-done", &[("handle", Arg::from(theirs))]))
            .effect(tell(
                &partnership.partner,
                person.id,
                partnership.id,
                PeerKind::Revealed { handle: mine },
            ))
    } else {
        transition.say(cx.t(locale, "reveal-asked")).effect(tell(
            &partnership.partner,
            person.id,
            partnership.id,
            PeerKind::RevealAsked { handle: mine },
        ))
    }
}

/// The partner's handle arrived: with their request (`answer` false), or as the answer
/// to this person's (`answer` true). Once both asked, each side has the other's handle.
fn handle_arrived(
    cx: &Context,
    state: DialogueState,
    person: &PersonView<'_>,
    message: &PeerMessage,
    handle: &str,
    answer: bool,
) -> Transition {
    let (from, about) = (message.from, message.about);
    let Some(partnership) = held_partnership(person, from, about) else {
        return stale_peer(state, person, message);
    };
    if answer && !partnership.reveal_asked {
        // Only an answer to this person's own request reveals anything.
        return Transition::to(state);
    }
    let locale = person.profile.locale;
    // Both asked (requests may cross): each request carried its handle, so both are done.
    let both = partnership.reveal_asked;
    let practice = saved_partnership(person, |held| {
        held.partner_handle = Some(handle.to_owned());
        held.revealed = both;
    });
    let text = if both {
        cx.tf(locale, "reveal-done", &[("handle", Arg::from(handle))])
    } else {
        cx.t(locale, "reveal-partner-asked")
    };
    Transition::to(state)
        .say(text)
        .effect(Effect::SavePractice(practice))
}

/// /end: asks first, with an optional 1-5 rating.
pub fn end(
    cx: &Context,
    state: DialogueState,
    person: &PersonView<'_>,
    now: DateTime<Utc>,
) -> Transition {
    let locale = person.profile.locale;
    match &person.practice.partnering.status {
        PartnerStatus::Partnered(partnership) => Transition::to(DialogueState::ConfirmingEnd {
            partnership: partnership.id,
            last_activity: now,
        })
        .reply(end_prompt(cx, person)),
        PartnerStatus::Proposed(proposal) => Transition::to(state)
            .say(cx.t(locale, "end-proposal"))
            .reply(find::proposal_card(cx, person, proposal)),
        PartnerStatus::Waiting { .. } | PartnerStatus::Idle => {
            Transition::to(state).say(cx.t(locale, "partner-none"))
        }
    }
}

pub fn end_prompt(cx: &Context, person: &PersonView<'_>) -> Reply {
    let locale = person.profile.locale;
    let mut buttons: Vec<Button> = (1..=5)
        .map(|stars| Button::new("⭐".repeat(stars), format!("pe:{stars}")))
        .collect();
    buttons.push(Button::new(cx.t(locale, "button-end-no-rating"), "pe:0"));
    buttons.push(Button::new(cx.t(locale, "button-end-keep"), "pe:keep"));
    Reply::text(cx.t(locale, "end-confirm")).with_keyboard(Keyboard::Choice(buttons))
}

pub fn handle_end(
    cx: &Context,
    id: ProposalId,
    person: &PersonView<'_>,
    input: &Input,
    now: DateTime<Utc>,
) -> Transition {
    let locale = person.profile.locale;
    let state = DialogueState::ConfirmingEnd {
        partnership: id,
        last_activity: now,
    };
    let Input::Button(data) = input else {
        return super::ask_again(cx, state, person, now, cx.t(locale, "error-use-buttons"));
    };
    let rating = match data.strip_prefix("pe:") {
        Some("keep") => {
            return Transition::to(DialogueState::Idle).say(cx.t(locale, "end-kept"));
        }
        Some(stars) => match stars.parse::<u8>() {
            Ok(0) => None,
            Ok(stars @ 1..=5) => Some(stars),
            _ => return super::stale_button(cx, state, person, now),
        },
        None => return super::stale_button(cx, state, person, now),
    };
    let Some(partnership) = person
        .practice
        .partnering
        .partnership()
        .filter(|partnership| partnership.id == id)
        .cloned()
    else {
        return Transition::to(DialogueState::Idle).say(cx.t(locale, "partner-none"));
    };
    let practice = closed(person, &partnership, EndedBy::Me, rating, now);
    Transition::to(DialogueState::Idle)
        .say(cx.t(locale, "end-done"))
        .effect(Effect::SavePractice(practice))
        .effect(cancel_follow_up(partnership.id))
        .effect(tell(
            &partnership.partner,
            person.id,
            partnership.id,
            PeerKind::Ended,
        ))
}

/// The partner ended the partnership (`EndedBy::Partner`), or it fell apart on their
/// side (`EndedBy::Gone`: they left lexbot).
fn ended_by_partner(
    cx: &Context,
    state: DialogueState,
    person: &PersonView<'_>,
    from: PersonId,
    about: ProposalId,
    how: EndedBy,
    now: DateTime<Utc>,
) -> Transition {
    let Some(partnership) = held_partnership(person, from, about) else {
        return Transition::to(state);
    };
    let practice = closed(person, &partnership, how, None, now);
    let key = match how {
        EndedBy::Gone => "partner-gone",
        _ => "partner-ended",
    };
    Transition::to(state)
        .say(cx.t(person.profile.locale, key))
        .effect(Effect::SavePractice(practice))
        .effect(cancel_follow_up(partnership.id))
}

/// The practice record with the partnership moved to the history.
fn closed(
    person: &PersonView<'_>,
    partnership: &Partnership,
    how: EndedBy,
    rating: Option<u8>,
    now: DateTime<Utc>,
) -> Practice {
    saved_partnering(person, |partnering| {
        partnering.remember_former(partnership.partner.person);
        PastPartnership::push(
            &mut partnering.history,
            PastPartnership {
                id: partnership.id,
                partner: partnership.partner.person,
                since: partnership.since,
                ended_at: now,
                ended_by: how,
                rating,
            },
        );
        partnering.status = PartnerStatus::Idle;
    })
}

fn cancel_follow_up(id: ProposalId) -> Effect {
    Effect::Cancel {
        kind: TimerKind::PartnerFollowUp,
        key: id.to_string(),
    }
}

fn held_partnership(
    person: &PersonView<'_>,
    from: PersonId,
    about: ProposalId,
) -> Option<Partnership> {
    person
        .practice
        .partnering
        .partnership()
        .filter(|partnership| partnership.id == about && partnership.partner.person == from)
        .cloned()
}

/// Whom /report and /block are about: the partner, the proposed partner, or the last
/// partner.
fn counterpart(partnering: &Partnering) -> Option<(PersonId, Option<ProposalId>)> {
    if let Some((partner, about)) = partnering.current() {
        return Some((partner.person, Some(about)));
    }
    // The most recent person they met or were proposed (former is in that order).
    partnering.former.last().map(|&last| {
        let partnership = partnering
            .history
            .iter()
            .rev()
            .find(|past| past.partner == last)
            .map(|past| past.id);
        (last, partnership)
    })
}

/// /report: about the partner (or the proposed or last one), for admins.
pub fn report(
    cx: &Context,
    state: DialogueState,
    person: &PersonView<'_>,
    now: DateTime<Utc>,
) -> Transition {
    let Some((about, proposal)) = counterpart(&person.practice.partnering) else {
        return Transition::to(state).say(cx.t(person.profile.locale, "report-nobody"));
    };
    Transition::to(DialogueState::Reporting {
        about,
        proposal,
        reason: None,
        last_activity: now,
    })
    .reply(report_prompt(cx, person, None))
}

pub fn report_prompt(cx: &Context, person: &PersonView<'_>, reason: Option<ReportReason>) -> Reply {
    let locale = person.profile.locale;
    match reason {
        None => Reply::text(cx.t(locale, "report-ask-reason")).with_keyboard(Keyboard::Choice(
            ReportReason::ALL
                .into_iter()
                .map(|reason| {
                    Button::new(
                        cx.t(locale, reason_label(reason)),
                        format!("pr:{}", reason.as_str()),
                    )
                })
                .collect(),
        )),
        Some(_) => {
            Reply::text(cx.t(locale, "report-ask-details")).with_keyboard(Keyboard::Choice(vec![
                Button::new(cx.t(locale, "button-report-skip"), "pr:skip"),
            ]))
        }
    }
}

fn reason_label(reason: ReportReason) -> &'static str {
    match reason {
        ReportReason::Spam => "report-reason-spam",
        ReportReason::Harassment => "report-reason-harassment",
        ReportReason::Inappropriate => "report-reason-inappropriate",
        ReportReason::NoShow => "report-reason-no_show",
        ReportReason::Other => "report-reason-other",
    }
}

/// The most of a report's details kept, in characters.
const MAX_REPORT_DETAILS: usize = 1000;

pub fn handle_report(
    cx: &Context,
    about: PersonId,
    proposal: Option<ProposalId>,
    reason: Option<ReportReason>,
    person: &PersonView<'_>,
    input: &Input,
    now: DateTime<Utc>,
) -> Transition {
    let locale = person.profile.locale;
    let state = DialogueState::Reporting {
        about,
        proposal,
        reason,
        last_activity: now,
    };
    let Some(reason) = reason else {
        return match input {
            Input::Button(data) => match data.strip_prefix("pr:").and_then(ReportReason::parse) {
                Some(reason) => Transition::to(DialogueState::Reporting {
                    about,
                    proposal,
                    reason: Some(reason),
                    last_activity: now,
                })
                .reply(report_prompt(cx, person, Some(reason))),
                None => super::stale_button(cx, state, person, now),
            },
            _ => super::ask_again(cx, state, person, now, cx.t(locale, "error-use-buttons")),
        };
    };
    let details = match input {
        Input::Button(data) if data == "pr:skip" => String::new(),
        Input::Button(_) => return super::stale_button(cx, state, person, now),
        Input::Text(text) => {
            let trimmed = text.trim();
            let length = trimmed.chars().count();
            if length > MAX_REPORT_DETAILS {
                let note = cx.tf(
                    locale,
                    "error-text-too-long",
                    &[
                        ("max", MAX_REPORT_DETAILS.into()),
                        ("length", length.into()),
                    ],
                );
                return super::ask_again(cx, state, person, now, note);
            }
            trimmed.to_owned()
        }
        _ => {
            let note = cx.t(locale, "error-unsupported-message");
            return super::ask_again(cx, state, person, now, note);
        }
    };
    Transition::to(DialogueState::Idle)
        .say(cx.t(locale, "report-filed"))
        .effect(Effect::Report(NewReport {
            about,
            reason,
            details,
            proposal,
        }))
}

/// /block: asks first; then the person is never paired or relayed with them again.
pub fn block(
    cx: &Context,
    state: DialogueState,
    person: &PersonView<'_>,
    now: DateTime<Utc>,
) -> Transition {
    let Some((about, _)) = counterpart(&person.practice.partnering) else {
        return Transition::to(state).say(cx.t(person.profile.locale, "block-nobody"));
    };
    if person.practice.partnering.blocked.contains(&about) {
        return Transition::to(state).say(cx.t(person.profile.locale, "block-already"));
    }
    Transition::to(DialogueState::ConfirmingBlock {
        about,
        last_activity: now,
    })
    .reply(block_prompt(cx, person))
}

pub fn block_prompt(cx: &Context, person: &PersonView<'_>) -> Reply {
    let locale = person.profile.locale;
    Reply::text(cx.t(locale, "block-confirm")).with_keyboard(Keyboard::Choice(vec![
        Button::new(cx.t(locale, "button-block-yes"), "pb:yes"),
        Button::new(cx.t(locale, "button-block-no"), "pb:no"),
    ]))
}

pub fn handle_block(
    cx: &Context,
    about: PersonId,
    person: &PersonView<'_>,
    input: &Input,
    now: DateTime<Utc>,
) -> Transition {
    let locale = person.profile.locale;
    let state = DialogueState::ConfirmingBlock {
        about,
        last_activity: now,
    };
    match input {
        Input::Button(data) if data == "pb:no" => {
            Transition::to(DialogueState::Idle).say(cx.t(locale, "block-cancelled"))
        }
        Input::Button(data) if data == "pb:yes" => {
            let partnering = &person.practice.partnering;
            let mut transition =
                Transition::to(DialogueState::Idle).say(cx.t(locale, "block-done"));
            let mut practice = match &partnering.status {
                PartnerStatus::Partnered(partnership) if partnership.partner.person == about => {
                    transition = transition
                        .effect(cancel_follow_up(partnership.id))
                        .effect(tell(
                            &partnership.partner,
                            person.id,
                            partnership.id,
                            PeerKind::Ended,
                        ));
                    closed(person, partnership, EndedBy::Block, None, now)
                }
                PartnerStatus::Proposed(proposal) if proposal.partner.person == about => {
                    transition = transition
                        .effect(Effect::Cancel {
                            kind: TimerKind::ProposalExpiry,
                            key: proposal.id.to_string(),
                        })
                        .effect(tell(
                            &proposal.partner,
                            person.id,
                            proposal.id,
                            PeerKind::Declined,
                        ));
                    let since = proposal.waiting_since;
                    saved_partnering(person, |partnering| {
                        partnering.remember_former(about);
                        partnering.status = PartnerStatus::Waiting { since };
                    })
                }
                _ => person.practice.clone(),
            };
            if !practice.partnering.blocked.contains(&about) {
                practice.partnering.blocked.push(about);
            }
            transition.effect(Effect::SavePractice(practice))
        }
        Input::Button(_) => super::stale_button(cx, state, person, now),
        _ => super::ask_again(cx, state, person, now, cx.t(locale, "error-use-buttons")),
    }
}

/// What /delete_me tells the partner before the person is erased.
pub fn farewell(person: &PersonView<'_>) -> Option<Effect> {
    let (partner, about) = person.practice.partnering.current()?;
    Some(tell(partner, person.id, about, PeerKind::Void))
}

#[cfg(test)]
mod tests;
