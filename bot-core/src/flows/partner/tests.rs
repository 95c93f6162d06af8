//! Lifecycle tests: two people through the pure engine, their peer messages carried
//! from one to the other as the runtime would deliver them, and the matcher's offer made
//! by hand.

use chrono::Duration;

use crate::domain::{EndedBy, PartnerStatus, ProposalId, ReportReason};
use crate::engine::{Input, Reply};
use crate::flows::transcript::{Harness, Pair, ready_profile as profile};

fn screen(replies: &[Reply]) -> String {
    replies
        .iter()
        .map(|reply| {
            let buttons: Vec<String> = reply
                .buttons()
                .iter()
                .map(|b| format!("[{}]", b.label))
                .collect();
            format!("{}\n{}", reply.text, buttons.join(" "))
        })
        .collect::<Vec<_>>()
        .join("\n")
}

impl Pair {
    /// One of the two acts and what they told the other is delivered; returns their screen.
    fn turn(&mut self, ana: bool, act: impl FnOnce(&mut Harness)) -> String {
        self.act(ana, act);
        let person = if ana { &self.ana } else { &self.ben };
        screen(&person.replies)
    }

    fn says(harness: &mut Harness, text: &str) {
        harness.replies = harness.receive(Input::from_text(text));
    }

    fn ana_says(&mut self, text: &str) -> String {
        self.turn(true, |ana| Self::says(ana, text))
    }

    fn ben_says(&mut self, text: &str) -> String {
        self.turn(false, |ben| Self::says(ben, text))
    }

    fn ana_presses(&mut self, label: &str) -> String {
        self.turn(true, |ana| ana.press(label))
    }

    fn ben_presses(&mut self, label: &str) -> String {
        self.turn(false, |ben| ben.press(label))
    }

    fn ana_heard(&self) -> String {
        screen(&self.heard.0)
    }

    fn ben_heard(&self) -> String {
        screen(&self.heard.1)
    }
}

fn contains(haystack: &str, needle: &str) {
    assert!(
        haystack.contains(needle),
        "expected {needle:?} in:\n{haystack}"
    );
}

#[test]
fn find_needs_a_complete_profile_and_matching_on() {
    let mut person = Harness::new();
    person.send(Input::from_text("/find"));
    contains(&screen(&person.replies), "profile is not complete");
    person.profile = Some(profile("es", "en"));
    person.send(Input::from_text("/pause"));
    person.send(Input::from_text("/find"));
    contains(&screen(&person.replies), "Send /resume first");
    person.send(Input::from_text("/resume"));
    person.send(Input::from_text("/find"));
    contains(&screen(&person.replies), "You're in the queue");
    assert!(person.practice.partnering.waiting_since().is_some());
    person.send(Input::from_text("/find"));
    contains(&screen(&person.replies), "I'll propose a partner as soon");
}

#[test]
fn both_accept_then_talk_reveal_and_end() {
    let mut pair = Pair::waiting();
    let id = pair.offer();
    contains(&pair.ana_heard(), "I found a practice partner");
    contains(&pair.ana_heard(), "Native: English");
    contains(&pair.ana_heard(), "[✅ Accept]");
    contains(&pair.ben_heard(), "Native: Spanish");
    assert!(!pair.ben_heard().contains("@ana"), "the card is anonymous");
    pair.ana.replies = pair.heard.0.clone();
    pair.ben.replies = pair.heard.1.clone();

    contains(&pair.ana_presses("Accept"), "You accepted");
    contains(&pair.ben_heard(), "Your proposed partner accepted!");
    contains(&pair.ben_heard(), "[✅ Accept]");
    contains(&pair.ben_presses("Accept"), "You're practice partners now!");
    contains(&pair.ana_heard(), "You're practice partners now!");
    assert!(
        pair.ana
            .timer(crate::engine::TimerKind::ProposalExpiry, &id.to_string())
            .is_none()
    );
    assert!(
        pair.ben
            .timer(crate::engine::TimerKind::ProposalExpiry, &id.to_string())
            .is_none()
    );

    // The relay, both ways, anonymous, and counted as practice for the writer.
    assert_eq!(pair.ana_says("¡Hola! ¿Practicamos el martes?"), "");
    contains(
        &pair.ben_heard(),
        "💬 Partner: ¡Hola! ¿Practicamos el martes?",
    );
    pair.ben_says("Sure, Tuesday 7pm works <3");
    contains(&pair.ana_heard(), "💬 Partner: Sure, Tuesday 7pm works <3");
    assert_eq!(pair.ana.practice.streak.length, 1);
    contains(&pair.ana_says("/partner"), "Messages: 1 sent, 1 received.");

    // Handles only once both asked.
    contains(&pair.ana_says("/reveal"), "I asked your partner");
    contains(&pair.ben_heard(), "would like to exchange handles");
    assert!(!pair.ben_heard().contains("@ana"));
    contains(&pair.ben_says("/reveal"), "Your partner: @ana on Telegram");
    contains(&pair.ana_heard(), "Your partner: @ben on Telegram");
    contains(&pair.ana_says("/partner"), "@ben on Telegram");

    // /end with a rating.
    contains(&pair.ana_says("/end"), "End your partnership?");
    contains(&pair.ana_presses("⭐⭐⭐⭐"), "Your partnership has ended");
    contains(&pair.ben_heard(), "Your partner ended the partnership");
    assert_eq!(pair.ana.practice.partnering.status, PartnerStatus::Idle);
    assert_eq!(pair.ben.practice.partnering.status, PartnerStatus::Idle);
    let past = pair
        .ana
        .practice
        .partnering
        .history
        .last()
        .expect("history");
    assert_eq!(
        (past.id, past.rating, past.ended_by),
        (id, Some(4), EndedBy::Me)
    );
    assert_eq!(
        pair.ben
            .practice
            .partnering
            .history
            .last()
            .map(|p| p.ended_by),
        Some(EndedBy::Partner)
    );
    assert!(pair.ana.practice.partnering.former.contains(&pair.ben.id));
    assert!(pair.ben.practice.partnering.former.contains(&pair.ana.id));
    // After the end, text is no longer relayed.
    contains(&pair.ana_says("still there?"), "I didn't catch that");
    assert!(pair.ben_heard().is_empty());
}

/// Ana's /export, as text.
fn ana_exports(pair: &mut Pair) -> String {
    pair.ana.send(Input::from_text("/export"));
    let export = pair.ana.replies[0]
        .attachment
        .as_ref()
        .expect("a JSON file");
    export.content.clone()
}

#[test]
fn an_export_shows_the_partner_by_reference_and_their_handle_once_both_revealed() {
    let (mut pair, _) = Pair::partnered();
    let ben = [pair.ben.id.to_string(), "\"ben\"".to_owned()];
    contains(&pair.ben_says("/reveal"), "I asked your partner");
    let export = ana_exports(&mut pair);
    contains(&export, "\"partner\": \"partner-1\"");
    for trace in ben.iter().chain([&"@ben".to_owned()]) {
        assert!(!export.contains(trace.as_str()), "{trace} in {export}");
    }
    // Ben's handle came with his request; Ana sees it once she asks too.
    contains(&pair.ana_says("/reveal"), "Your partner: @ben on Telegram");
    let export = ana_exports(&mut pair);
    contains(&export, "\"partner_handle\": \"@ben on Telegram\"");
    for trace in &ben {
        assert!(!export.contains(trace.as_str()), "{trace} in {export}");
    }
}

#[test]
fn acceptances_that_cross_make_one_partnership() {
    let mut pair = Pair::waiting();
    pair.offer();
    pair.ana.replies = pair.heard.0.clone();
    pair.ben.replies = pair.heard.1.clone();
    // Both press before either hears of the other.
    pair.ana.press("Accept");
    pair.ben.press("Accept");
    pair.heard = (Vec::new(), Vec::new());
    pair.deliver();
    contains(&pair.ana_heard(), "You're practice partners now!");
    contains(&pair.ben_heard(), "You're practice partners now!");
    assert_eq!(
        pair.ana_heard().matches("practice partners now").count(),
        1,
        "told once"
    );
    assert!(pair.both_partnered());
}

#[test]
fn a_decline_sends_both_back_to_the_queue_and_they_are_never_proposed_again() {
    let mut pair = Pair::waiting();
    let since = pair.ana.practice.partnering.waiting_since();
    pair.offer();
    pair.ana.replies = pair.heard.0.clone();
    pair.ben.replies = pair.heard.1.clone();
    contains(&pair.ben_presses("Decline"), "OK, declined");
    contains(&pair.ana_heard(), "couldn't make it this time");
    assert_eq!(
        pair.ana.practice.partnering.waiting_since(),
        since,
        "place kept"
    );
    assert!(pair.ben.practice.partnering.waiting_since().is_some());
    assert!(pair.ana.practice.partnering.excludes(pair.ben.id));
    assert!(pair.ben.practice.partnering.excludes(pair.ana.id));
    // The old buttons no longer act.
    pair.ana.press("Accept");
    contains(&screen(&pair.ana.replies), "no longer open");
    assert!(pair.ana.practice.partnering.waiting_since().is_some());
}

#[test]
fn an_unanswered_proposal_expires_and_the_silent_side_loses_priority() {
    let mut pair = Pair::waiting();
    let ana_since = pair.ana.practice.partnering.waiting_since();
    pair.offer();
    pair.ana.replies = pair.heard.0.clone();
    pair.ana_presses("Accept");
    let expiry = pair.ana.now + Duration::hours(24);
    pair.ana.run_until(expiry);
    contains(&screen(&pair.ana.replies), "didn't answer in time");
    pair.ben.run_until(expiry);
    contains(
        &screen(&pair.ben.replies),
        "because you didn't answer in time",
    );
    pair.deliver();
    assert_eq!(pair.ana.practice.partnering.waiting_since(), ana_since);
    assert_eq!(pair.ana.practice.partnering.missed_proposals, 0);
    assert_eq!(pair.ben.practice.partnering.missed_proposals, 1);
    assert_eq!(
        pair.ben.practice.partnering.waiting_since(),
        Some(expiry),
        "to the back of the queue"
    );
    // A late press does nothing.
    pair.ben.replies = pair.heard.1.clone();
    pair.ben.send(Input::Button(format!(
        "pp:a:{}",
        ProposalId::new_random().short()
    )));
    contains(&screen(&pair.ben.replies), "no longer open");
}

#[test]
fn an_offer_to_someone_who_left_the_queue_falls_through_for_the_other() {
    let mut pair = Pair::waiting();
    pair.ben.send(Input::from_text("/pause"));
    pair.offer();
    assert!(pair.ben_heard().is_empty(), "a paused person hears nothing");
    contains(&pair.ana_heard(), "fell through");
    assert!(pair.ana.practice.partnering.waiting_since().is_some());
    assert!(pair.ben.practice.partnering.waiting_since().is_some());
}

#[test]
fn the_relay_tells_the_sender_when_the_partner_cannot_hear() {
    let (mut pair, _) = Pair::partnered();
    pair.ben.send(Input::from_text("/pause"));
    pair.ana_says("hello?");
    assert!(pair.ben_heard().is_empty());
    contains(
        &pair.ana_heard(),
        "paused lexbot, so your message was not delivered",
    );
    pair.ben.send(Input::from_text("/resume"));
    pair.ben.notify(Input::ChatBlocked);
    pair.ana_says("hello again");
    contains(&pair.ana_heard(), "they blocked the bot");
    // Stickers and over-long texts are refused before anything is sent.
    pair.ben.notify(Input::ChatUnblocked);
    pair.ana.send(Input::Unsupported);
    contains(&screen(&pair.ana.replies), "only pass text");
    contains(&pair.ana_says(&"x".repeat(2001)), "at most 2000 go through");
    assert!(pair.ben_heard().is_empty());
}

#[test]
fn the_relay_is_rate_limited_per_minute() {
    let (mut pair, _) = Pair::partnered();
    for n in 0..20 {
        assert_eq!(pair.ana_says(&format!("message {n}")), "");
    }
    contains(&pair.ana_says("one too many"), "wait a minute");
    assert!(pair.ben_heard().is_empty());
    pair.ana.now += Duration::seconds(61);
    assert_eq!(pair.ana_says("later"), "");
    contains(&pair.ben_heard(), "Partner: later");
}

#[test]
fn block_ends_the_partnership_and_stops_all_contact() {
    let (mut pair, _) = Pair::partnered();
    contains(&pair.ana_says("/block"), "Block this person?");
    contains(&pair.ana_presses("No"), "nobody was blocked");
    pair.ana_says("/block");
    contains(&pair.ana_presses("Yes, block"), "Blocked");
    contains(&pair.ben_heard(), "Your partner ended the partnership");
    assert!(pair.ana.practice.partnering.blocked.contains(&pair.ben.id));
    assert_eq!(pair.ana.practice.partnering.status, PartnerStatus::Idle);
    contains(&pair.ben_says("are you there?"), "I didn't catch that");
    assert!(pair.ana_heard().is_empty());
    contains(&pair.ana_says("/block"), "already blocked");
}

#[test]
fn report_is_kept_for_admins_with_reason_and_details() {
    let mut alone = Harness::new();
    alone.profile = Some(profile("es", "en"));
    alone.send(Input::from_text("/report"));
    contains(&screen(&alone.replies), "nobody to report");

    let (mut pair, id) = Pair::partnered();
    contains(&pair.ana_says("/report"), "What's wrong?");
    contains(&pair.ana_says("they were rude"), "answer with the buttons");
    contains(
        &pair.ana_presses("Harassment"),
        "Tell the admins what happened",
    );
    contains(
        &pair.ana_says("Insults in every message."),
        "the admins will look into it",
    );
    let [report] = pair.ana.reports.as_slice() else {
        panic!("one report expected: {:?}", pair.ana.reports);
    };
    assert_eq!(report.about, pair.ben.id);
    assert_eq!(report.reason, ReportReason::Harassment);
    assert_eq!(report.details, "Insults in every message.");
    assert_eq!(report.proposal, Some(id));
    assert!(
        pair.ben_heard().is_empty(),
        "the reported person is not told"
    );
    // The partnership goes on unless they block.
    assert!(matches!(
        pair.ana.practice.partnering.status,
        PartnerStatus::Partnered(_)
    ));
}

#[test]
fn follow_up_after_a_week_and_no_shows_pause_after_three() {
    let (mut pair, _) = Pair::partnered();
    pair.ben.practice.partnering.no_shows = 2;
    let week = pair.ana.now + Duration::days(7) + Duration::hours(12);
    pair.ana.run_until(week);
    let asked = screen(&pair.ana.replies);
    contains(&asked, "Did you practise together?");
    pair.heard = (Vec::new(), Vec::new());
    contains(&pair.ana_presses("didn't show up"), "Thanks for telling me");
    contains(&pair.ben_heard(), "3 partners said you didn't show up");
    assert_eq!(pair.ben.practice.partnering.no_shows, 3);
    assert!(pair.ben.profile.as_ref().is_some_and(|p| p.matching_paused));
    // Answered once only.
    pair.ana.replies = Vec::new();
    let mut again = pair.ana.fired.last().expect("fired").2.clone();
    pair.ana.replies.append(&mut again);
    pair.ana.press("Yes, we practised");
    contains(&screen(&pair.ana.replies), "already answered");
}

#[test]
fn the_follow_up_waits_for_quiet_hours_to_end() {
    let mut pair = Pair::new();
    // 22:30 UTC is 23:30 in Madrid: inside the default quiet hours (22:00-08:00).
    let late = "2026-03-02T22:30:00Z".parse().expect("time");
    pair.ana.now = late;
    pair.ben.now = late;
    pair.ana.send(Input::from_text("/find"));
    pair.ben.send(Input::from_text("/find"));
    pair.offer();
    pair.ana.replies = pair.heard.0.clone();
    pair.ben.replies = pair.heard.1.clone();
    pair.ana_presses("Accept");
    pair.ben_presses("Accept");
    pair.ana.run_until(late + Duration::days(7));
    assert!(
        !screen(&pair.ana.replies).contains("Did you practise"),
        "nothing during quiet hours: {}",
        screen(&pair.ana.replies)
    );
    // 08:00 Madrid is 07:00 UTC.
    let morning = "2026-03-10T07:00:00Z".parse().expect("time");
    pair.ana.run_until(morning);
    contains(&screen(&pair.ana.replies), "Did you practise together?");
    assert_eq!(pair.ana.fired.last().map(|f| f.0), Some(morning));
}

#[test]
fn deleting_oneself_ends_the_partnership_for_the_other() {
    let (mut pair, _) = Pair::partnered();
    pair.ana_says("/delete_me");
    pair.ana_presses("Yes, delete everything");
    contains(&pair.ben_heard(), "Your partner has left lexbot");
    assert_eq!(pair.ben.practice.partnering.status, PartnerStatus::Idle);
}

#[test]
fn messages_about_something_no_longer_held_are_answered_with_void() {
    let (mut pair, id) = Pair::partnered();
    // Ben's side ends without ana hearing of it (a lost race), then ana writes.
    pair.ben.practice.partnering.status = PartnerStatus::Idle;
    pair.ana_says("hi");
    assert!(pair.ben_heard().is_empty());
    contains(&pair.ana_heard(), "Your partner has left lexbot");
    assert_eq!(pair.ana.practice.partnering.status, PartnerStatus::Idle);
    assert_eq!(
        pair.ana.practice.partnering.history.last().map(|p| p.id),
        Some(id)
    );
}

#[test]
fn a_nudge_mentions_the_partner_who_waits() {
    let (mut pair, _) = Pair::partnered();
    let later = pair.ben.now + Duration::days(3) + Duration::hours(1);
    pair.ben.run_until(later);
    let nudges: Vec<String> = pair
        .ben
        .fired
        .iter()
        .filter(|fired| fired.1 == crate::engine::TimerKind::Reengage)
        .map(|fired| screen(&fired.2))
        .collect();
    assert!(
        nudges
            .iter()
            .any(|nudge| nudge.contains("partner is waiting to hear from you")),
        "{nudges:?}"
    );
}
