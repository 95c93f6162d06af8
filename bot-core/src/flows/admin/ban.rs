//! /ban and /unban, and the orders they become: a step of the person banned or
//! unbanned. A banned person is never matched (they leave the queue, and a proposal or
//! partnership they hold ends, the other side told as when a partner leaves lexbot),
//! hears one notice, and that notice is all lexbot answers them with until the unban.

use chrono::{DateTime, Utc};

use crate::domain::{Locale, PartnerStatus, PastPartnership, PersonId};
use crate::engine::{
    AdminRequest, Context, DialogueState, Effect, Event, Input, Moderation, PersonView, TimerKind,
    Transition,
};
use crate::i18n::Arg;

pub fn command(
    cx: &Context,
    state: DialogueState,
    person: &PersonView<'_>,
    args: &str,
    ban: bool,
) -> Transition {
    let Some((target, reason)) = super::target_and_rest(args) else {
        let usage = if ban {
            "admin-usage-ban"
        } else {
            "admin-usage-unban"
        };
        return Transition::to(state).say(cx.t(person.profile.locale, usage));
    };
    let target = target.to_owned();
    let request = if ban {
        AdminRequest::Ban {
            target,
            reason: reason.to_owned(),
        }
    } else {
        AdminRequest::Unban { target }
    };
    super::ask(state, request)
}

/// What the admin hears once the order went through.
pub fn render(cx: &Context, locale: Locale, person: PersonId, ban: bool, changed: bool) -> String {
    let key = match (ban, changed) {
        (true, true) => "admin-banned",
        (true, false) => "admin-already-banned",
        (false, true) => "admin-unbanned",
        (false, false) => "admin-not-banned",
    };
    cx.tf(locale, key, &[("id", Arg::from(person.to_string()))])
}

/// An admin's order, as a step of the person it is about.
pub fn order(
    cx: &Context,
    state: DialogueState,
    person: &PersonView<'_>,
    order: &Moderation,
    now: DateTime<Utc>,
) -> Transition {
    let locale = person.profile.locale;
    match order {
        Moderation::Ban if person.profile.banned => Transition::to(state),
        Moderation::Ban => banned(cx, person, locale, now),
        Moderation::Unban if !person.profile.banned => Transition::to(state),
        Moderation::Unban => {
            let mut profile = person.profile.clone();
            profile.banned = false;
            Transition::to(state)
                .say(cx.t(locale, "unban-notice"))
                .effect(Effect::SaveProfile(profile))
        }
    }
}

fn banned(cx: &Context, person: &PersonView<'_>, locale: Locale, now: DateTime<Utc>) -> Transition {
    let mut profile = person.profile.clone();
    profile.banned = true;
    // Whatever flow was open is dropped: nothing they send reaches one any more.
    let mut transition = Transition::to(DialogueState::Idle)
        .say(cx.t(locale, "ban-notice"))
        .effect(Effect::SaveProfile(profile));
    let partnering = &person.practice.partnering;
    if matches!(partnering.status, PartnerStatus::Idle) {
        return transition;
    }
    // The other side of a proposal or partnership hears it as when a partner leaves.
    if let Some(farewell) = super::super::partner::farewell(person) {
        transition = transition.effect(farewell);
    }
    let practice = super::super::partner::saved_partnering(person, |partnering| {
        match &partnering.status {
            PartnerStatus::Partnered(partnership) => {
                let partnership = partnership.clone();
                partnering.remember_former(partnership.partner.person);
                PastPartnership::push(
                    &mut partnering.history,
                    PastPartnership {
                        id: partnership.id,
                        partner: partnership.partner.person,
                        since: partnership.since,
                        ended_at: now,
                        ended_by: crate::domain::EndedBy::Gone,
                        rating: None,
                    },
                );
            }
            PartnerStatus::Proposed(proposal) => {
                let other = proposal.partner.person;
                partnering.remember_former(other);
            }
            PartnerStatus::Idle | PartnerStatus::Waiting { .. } => {}
        }
        partnering.status = PartnerStatus::Idle;
    });
    match &partnering.status {
        PartnerStatus::Partnered(partnership) => {
            transition = transition.effect(Effect::Cancel {
                kind: TimerKind::PartnerFollowUp,
                key: partnership.id.to_string(),
            });
        }
        PartnerStatus::Proposed(proposal) => {
            transition = transition.effect(Effect::Cancel {
                kind: TimerKind::ProposalExpiry,
                key: proposal.id.to_string(),
            });
        }
        PartnerStatus::Idle | PartnerStatus::Waiting { .. } => {}
    }
    transition.effect(Effect::SavePractice(practice))
}

/// A banned person's step: what they send is answered with the ban notice alone and
/// changes nothing. Timers and peer messages go on as usual (their replies are dropped
/// by `engine::step`), as do the chat's blocked/unblocked events.
pub fn while_banned(
    cx: &Context,
    state: &DialogueState,
    person: &PersonView<'_>,
    event: &Event,
    _now: DateTime<Utc>,
) -> Option<Transition> {
    match &event.input {
        Input::Command { .. }
        | Input::Text(_)
        | Input::Button(_)
        | Input::Unsupported
        | Input::Resume => {
            Some(Transition::to(state.clone()).say(cx.t(person.profile.locale, "ban-notice")))
        }
        Input::ChatBlocked
        | Input::ChatUnblocked
        | Input::Timer(_)
        | Input::Peer(_)
        | Input::Admin(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{Desk, admin, stranger};
    use crate::domain::{PartnerStatus, PersonId};
    use crate::engine::{AdminOutcome, AdminRequest, Input, Moderation};
    use crate::flows::transcript::Pair;

    #[test]
    fn ban_and_unban_ask_the_desk_with_the_target_and_reason() {
        let mut desk = admin();
        desk.send_text("/ban");
        desk.sees("Usage: /ban");
        assert!(desk.requests.is_empty());
        desk.send_text("/ban telegram:42 spam links everywhere");
        assert_eq!(
            desk.requests,
            vec![AdminRequest::Ban {
                target: "telegram:42".into(),
                reason: "spam links everywhere".into()
            }]
        );
        desk.silent();
        let id = PersonId::new_random();
        desk.answer(AdminOutcome::Moderated {
            person: id,
            ban: true,
            changed: true,
        });
        desk.sees(&format!("{id} is banned"));
        desk.send_text("/unban telegram:42");
        assert_eq!(
            desk.requests,
            vec![AdminRequest::Unban {
                target: "telegram:42".into()
            }]
        );
        desk.answer(AdminOutcome::Moderated {
            person: id,
            ban: false,
            changed: false,
        });
        desk.sees("was not banned");
    }

    #[test]
    fn a_strangers_ban_does_nothing_but_the_unknown_command_answer() {
        let mut desk = stranger();
        desk.send_text("/ban telegram:42");
        desk.sees("I don't know the command /ban");
        assert_eq!(
            desk.requests,
            vec![AdminRequest::Refused {
                command: "ban".into()
            }]
        );
        assert!(!desk.harness.profile.as_ref().is_some_and(|p| p.banned));
    }

    fn banned_person() -> Desk {
        let mut desk = stranger();
        desk.send_text("/find");
        assert!(desk.harness.practice.partnering.waiting_since().is_some());
        desk.ordered(Moderation::Ban);
        desk
    }

    #[test]
    fn a_banned_person_leaves_the_queue_hears_one_notice_and_only_that_notice() {
        let mut desk = banned_person();
        desk.sees("An admin has suspended your lexbot account");
        assert!(desk.harness.profile.as_ref().is_some_and(|p| p.banned));
        assert_eq!(
            desk.harness.practice.partnering.status,
            PartnerStatus::Idle,
            "out of the queue"
        );
        // A second order changes nothing and says nothing.
        desk.ordered(Moderation::Ban);
        desk.silent();
        for input in ["/find", "hello", "/profile", "/start", "/stats"] {
            desk.send_text(input);
            assert_eq!(desk.harness.replies.len(), 1, "{input}");
            desk.sees("An admin has suspended your lexbot account");
            assert_eq!(
                desk.harness.practice.partnering.status,
                PartnerStatus::Idle,
                "{input} changed nothing"
            );
        }
        desk.press_data("pp:a:whatever");
        desk.sees("An admin has suspended your lexbot account");
    }

    #[test]
    fn an_unban_lets_the_person_back_in() {
        let mut desk = banned_person();
        desk.ordered(Moderation::Unban);
        desk.sees("Your lexbot account is active again");
        assert!(!desk.harness.profile.as_ref().is_some_and(|p| p.banned));
        desk.send_text("/find");
        assert!(desk.harness.practice.partnering.waiting_since().is_some());
    }

    #[test]
    fn a_ban_ends_the_partnership_and_the_partner_hears_it_as_a_leave() {
        let (mut pair, _) = Pair::partnered();
        pair.act(true, |ana| {
            let replies = ana.receive(Input::Admin(crate::engine::AdminInput::Order {
                order: Moderation::Ban,
            }));
            ana.replies = replies;
        });
        assert_eq!(pair.ana.practice.partnering.status, PartnerStatus::Idle);
        assert_eq!(pair.ben.practice.partnering.status, PartnerStatus::Idle);
        let heard: String = pair.heard.1.iter().map(|r| r.text.clone()).collect();
        assert!(heard.contains("Your partner has left lexbot"), "{heard}");
        assert!(pair.ana.practice.partnering.former.contains(&pair.ben.id));
        // Ben's messages no longer reach Ana.
        pair.act(false, |ben| ben.send(Input::Text("hola?".into())));
        let heard: String = pair.heard.0.iter().map(|r| r.text.clone()).collect();
        assert!(!heard.contains("hola?"), "{heard}");
    }

    #[test]
    fn a_ban_during_a_proposal_lets_the_other_side_fall_back_to_waiting() {
        let (mut pair, _) = Pair::offered();
        pair.act(false, |ben| {
            ben.receive(Input::Admin(crate::engine::AdminInput::Order {
                order: Moderation::Ban,
            }));
        });
        assert_eq!(pair.ben.practice.partnering.status, PartnerStatus::Idle);
        assert!(
            !matches!(
                pair.ana.practice.partnering.status,
                PartnerStatus::Proposed(_)
            ),
            "{:?}",
            pair.ana.practice.partnering.status
        );
    }
}
