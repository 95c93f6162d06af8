//! /find and proposals: joining the matcher queue, the proposal the matcher makes (the
//! other's card with accept and decline), both answers, and the proposal's expiry.
//!
//! A proposal becomes a partnership when one side holds both acceptances: whoever
//! accepts second (or receives the second acceptance) confirms it to the other. If the
//! two acceptances cross, both sides see both and confirm; a confirmation for a
//! partnership already on changes nothing.

use chrono::{DateTime, Utc};

use crate::domain::{
    PartnerRef, PartnerStatus, Partnership, PersonId, Practice, Proposal, ProposalId,
};
use crate::engine::{
    Button, Context, DialogueState, Effect, FiredTimer, Keyboard, PeerKind, PeerMessage,
    PersonView, Reply, TimerKind, TimerSpec, Transition,
};
use crate::i18n::Arg;

use super::card::profile_card;
use super::partner::{saved_partnering, tell};

/// /find: join the queue (the profile must be complete and matching on).
pub fn find(
    cx: &Context,
    state: DialogueState,
    person: &PersonView<'_>,
    now: DateTime<Utc>,
) -> Transition {
    let locale = person.profile.locale;
    if !person.profile.completed {
        return Transition::to(state).say(cx.t(locale, "profile-incomplete"));
    }
    if person.profile.matching_paused {
        return Transition::to(state).say(cx.t(locale, "find-paused"));
    }
    match &person.practice.partnering.status {
        PartnerStatus::Idle => {
            let practice = saved_partnering(person, |partnering| {
                partnering.status = PartnerStatus::Waiting { since: now };
            });
            Transition::to(state)
                .say(cx.t(locale, "find-queued"))
                .effect(Effect::SavePractice(practice))
        }
        PartnerStatus::Waiting { .. } => Transition::to(state).say(cx.t(locale, "find-waiting")),
        PartnerStatus::Proposed(proposal) => {
            Transition::to(state).reply(proposal_card(cx, person, proposal))
        }
        PartnerStatus::Partnered(_) => Transition::to(state).say(cx.t(locale, "find-partnered")),
    }
}

/// The proposal as the person sees it: the other's card, and accept/decline unless
/// they accepted already.
pub fn proposal_card(cx: &Context, person: &PersonView<'_>, proposal: &Proposal) -> Reply {
    let locale = person.profile.locale;
    let mut text = cx.tf(
        locale,
        "proposal-card",
        &[(
            "card",
            Arg::from(profile_card(cx, locale, &proposal.partner.profile)),
        )],
    );
    if proposal.accepted {
        text.push_str("\n\n");
        text.push_str(&cx.t(locale, "proposal-accepted-waiting"));
        return Reply::text(text);
    }
    let short = proposal.id.short();
    Reply::text(text).with_keyboard(Keyboard::Choice(vec![
        Button::new(cx.t(locale, "button-accept"), format!("pp:a:{short}")),
        Button::new(cx.t(locale, "button-decline"), format!("pp:d:{short}")),
    ]))
}

/// The matcher proposes `partner`: taken if the person still waits and may be paired
/// with them; otherwise the partner is told at once that it fell through.
pub fn offer(
    cx: &Context,
    state: DialogueState,
    person: &PersonView<'_>,
    about: ProposalId,
    partner: PartnerRef,
    expires_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Transition {
    let partnering = &person.practice.partnering;
    let available = person.profile.completed
        && !person.profile.matching_paused
        && !person.profile.unreachable
        && !partnering.excludes(partner.person);
    let Some(since) = partnering.waiting_since().filter(|_| available) else {
        return Transition::to(state).effect(tell(&partner, person.id, about, PeerKind::Void));
    };
    let proposal = Proposal {
        id: about,
        partner,
        made_at: now,
        expires_at,
        accepted: false,
        partner_accepted: false,
        waiting_since: since,
    };
    let card = proposal_card(cx, person, &proposal);
    let practice = saved_partnering(person, |partnering| {
        partnering.status = PartnerStatus::Proposed(Box::new(proposal));
    });
    Transition::to(state)
        .reply(card)
        .effect(Effect::SavePractice(practice))
        .effect(Effect::Schedule(TimerSpec::new(
            TimerKind::ProposalExpiry,
            about.to_string(),
            expires_at,
        )))
}

/// The person pressed accept or decline on the proposal `short` names.
pub fn answer(
    cx: &Context,
    state: DialogueState,
    person: &PersonView<'_>,
    short: &str,
    accept: bool,
    now: DateTime<Utc>,
) -> Transition {
    let locale = person.profile.locale;
    let Some(proposal) = person
        .practice
        .partnering
        .proposal()
        .filter(|proposal| proposal.id.short() == short)
    else {
        let note = cx.t(locale, "proposal-gone");
        return super::ask_again(cx, state, person, now, note);
    };
    if proposal.accepted {
        return Transition::to(state).say(cx.t(locale, "proposal-accepted-waiting"));
    }
    let proposal = proposal.clone();
    if !accept {
        let practice = saved_partnering(person, |partnering| {
            partnering.remember_former(proposal.partner.person);
            partnering.status = PartnerStatus::Waiting {
                since: proposal.waiting_since,
            };
        });
        return Transition::to(state)
            .say(cx.t(locale, "proposal-declined"))
            .effect(Effect::SavePractice(practice))
            .effect(cancel_expiry(proposal.id))
            .effect(tell(
                &proposal.partner,
                person.id,
                proposal.id,
                PeerKind::Declined,
            ));
    }
    if proposal.partner_accepted {
        let transition = start_partnership(cx, state, person, proposal.clone(), now);
        return transition.effect(tell(
            &proposal.partner,
            person.id,
            proposal.id,
            PeerKind::Confirmed,
        ));
    }
    let practice = saved_proposal(person, |held| held.accepted = true);
    Transition::to(state)
        .say(cx.t(locale, "proposal-accepted-waiting"))
        .effect(Effect::SavePractice(practice))
        .effect(tell(
            &proposal.partner,
            person.id,
            proposal.id,
            PeerKind::Accepted,
        ))
}

/// The proposal's partner accepted it.
pub fn partner_accepted(
    cx: &Context,
    state: DialogueState,
    person: &PersonView<'_>,
    message: &PeerMessage,
    now: DateTime<Utc>,
) -> Transition {
    let (from, about) = (message.from, message.about);
    let Some(proposal) = held_proposal(person, from, about) else {
        return super::partner::stale_peer(state, person, message);
    };
    if proposal.accepted {
        let partner = proposal.partner.clone();
        return start_partnership(cx, state, person, proposal, now).effect(tell(
            &partner,
            person.id,
            about,
            PeerKind::Confirmed,
        ));
    }
    let locale = person.profile.locale;
    let practice = saved_proposal(person, |held| held.partner_accepted = true);
    let mut updated = proposal;
    updated.partner_accepted = true;
    let card = proposal_card(cx, person, &updated);
    Transition::to(state)
        .say(cx.t(locale, "proposal-partner-accepted"))
        .reply(card)
        .effect(Effect::SavePractice(practice))
}

/// The partner saw both acceptances: the partnership is on (if this side accepted).
pub fn confirmed(
    cx: &Context,
    state: DialogueState,
    person: &PersonView<'_>,
    message: &PeerMessage,
    now: DateTime<Utc>,
) -> Transition {
    let (from, about) = (message.from, message.about);
    if let Some(partnership) = person.practice.partnering.partnership()
        && partnership.id == about
    {
        // The acceptances crossed: both sides confirmed; it is on already.
        return Transition::to(state);
    }
    match held_proposal(person, from, about) {
        Some(proposal) if proposal.accepted => start_partnership(cx, state, person, proposal, now),
        _ => super::partner::stale_peer(state, person, message),
    }
}

/// The partner declined: back to the queue with the place kept.
pub fn partner_declined(
    cx: &Context,
    state: DialogueState,
    person: &PersonView<'_>,
    from: PersonId,
    about: ProposalId,
) -> Transition {
    let Some(proposal) = held_proposal(person, from, about) else {
        return Transition::to(state);
    };
    back_to_queue(cx, state, person, &proposal, "proposal-partner-declined")
}

/// The proposal fell through on the other side (expired there, they left ...).
pub fn fell_through(
    cx: &Context,
    state: DialogueState,
    person: &PersonView<'_>,
    from: PersonId,
    about: ProposalId,
) -> Option<Transition> {
    let proposal = held_proposal(person, from, about)?;
    Some(back_to_queue(
        cx,
        state,
        person,
        &proposal,
        "proposal-fell-through",
    ))
}

/// A proposal's expiry timer (its key is the proposal id).
pub fn expire_timer(
    cx: &Context,
    state: DialogueState,
    person: &PersonView<'_>,
    timer: &FiredTimer,
    now: DateTime<Utc>,
) -> Transition {
    match ProposalId::parse(&timer.key) {
        Some(about) => expire(cx, state, person, about, now),
        None => Transition::to(state),
    }
}

/// The proposal's time is up. Someone who accepted goes back to the queue with their
/// place kept; someone who did not answer goes to the back and loses priority.
fn expire(
    cx: &Context,
    state: DialogueState,
    person: &PersonView<'_>,
    about: ProposalId,
    now: DateTime<Utc>,
) -> Transition {
    let Some(proposal) = person
        .practice
        .partnering
        .proposal()
        .filter(|proposal| proposal.id == about)
        .cloned()
    else {
        return Transition::to(state);
    };
    let locale = person.profile.locale;
    let answered = proposal.accepted;
    let practice = saved_partnering(person, |partnering| {
        partnering.remember_former(proposal.partner.person);
        if !answered {
            partnering.missed_proposals = partnering.missed_proposals.saturating_add(1);
        }
        partnering.status = PartnerStatus::Waiting {
            since: if answered {
                proposal.waiting_since
            } else {
                now
            },
        };
    });
    let key = if answered {
        "proposal-expired-partner"
    } else {
        "proposal-expired-you"
    };
    let transition = Transition::to(state)
        .effect(Effect::SavePractice(practice))
        .effect(tell(
            &proposal.partner,
            person.id,
            proposal.id,
            PeerKind::Void,
        ));
    if person.profile.unreachable {
        transition
    } else {
        transition.say(cx.t(locale, key))
    }
}

/// The practice record with the open proposal changed by `change`.
fn saved_proposal(person: &PersonView<'_>, change: impl FnOnce(&mut Proposal)) -> Practice {
    saved_partnering(person, |partnering| {
        if let PartnerStatus::Proposed(held) = &mut partnering.status {
            change(held);
        }
    })
}

fn held_proposal(person: &PersonView<'_>, from: PersonId, about: ProposalId) -> Option<Proposal> {
    person
        .practice
        .partnering
        .proposal()
        .filter(|proposal| proposal.id == about && proposal.partner.person == from)
        .cloned()
}

fn back_to_queue(
    cx: &Context,
    state: DialogueState,
    person: &PersonView<'_>,
    proposal: &Proposal,
    key: &str,
) -> Transition {
    let practice = saved_partnering(person, |partnering| {
        partnering.remember_former(proposal.partner.person);
        partnering.status = PartnerStatus::Waiting {
            since: proposal.waiting_since,
        };
    });
    Transition::to(state)
        .say(cx.t(person.profile.locale, key))
        .effect(Effect::SavePractice(practice))
        .effect(cancel_expiry(proposal.id))
}

fn start_partnership(
    cx: &Context,
    state: DialogueState,
    person: &PersonView<'_>,
    proposal: Proposal,
    now: DateTime<Utc>,
) -> Transition {
    let locale = person.profile.locale;
    let id = proposal.id;
    let text = cx.tf(
        locale,
        "partnership-started",
        &[(
            "card",
            Arg::from(profile_card(cx, locale, &proposal.partner.profile)),
        )],
    );
    let practice = saved_partnering(person, |partnering| {
        partnering.status = PartnerStatus::Partnered(Box::new(Partnership {
            id,
            partner: proposal.partner,
            since: now,
            reveal_asked: false,
            partner_handle: None,
            revealed: false,
            sent: 0,
            received: 0,
            follow_up_answered: false,
        }));
    });
    Transition::to(state)
        .say(text)
        .effect(Effect::SavePractice(practice))
        .effect(cancel_expiry(id))
        .effect(Effect::Schedule(TimerSpec::new(
            TimerKind::PartnerFollowUp,
            id.to_string(),
            now + cx.partnering.follow_up_after,
        )))
}

fn cancel_expiry(id: ProposalId) -> Effect {
    Effect::Cancel {
        kind: TimerKind::ProposalExpiry,
        key: id.to_string(),
    }
}
