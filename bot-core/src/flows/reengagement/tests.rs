//! The re-engagement ladder with a controlled clock: nudges after 3, 7, 14 and 30 days,
//! stopped the moment the person comes back; quiet hours; nothing for the unreachable.

use chrono::{DateTime, Utc};

use crate::engine::{Input, TimerKind};
use crate::flows::transcript::{Harness, ONBOARDING, run, run_on};

fn utc(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .expect("valid instant")
        .with_timezone(&Utc)
}

/// When nudges went out, with their text.
fn nudges(harness: &Harness) -> Vec<(String, String)> {
    harness
        .fired
        .iter()
        .filter(|(_, kind, replies)| *kind == TimerKind::Reengage && !replies.is_empty())
        .map(|(at, _, replies)| {
            (
                at.format("%m-%dT%H:%MZ").to_string(),
                replies[0].text.clone(),
            )
        })
        .collect()
}

#[test]
fn the_ladder_nudges_after_3_7_14_and_30_days_then_stops() {
    let mut harness = run(ONBOARDING);
    assert_eq!(
        harness.timer(TimerKind::Reengage, "").map(|t| t.due_at),
        Some(utc("2026-03-05T09:00:00Z"))
    );
    harness.run_until(utc("2026-05-01T00:00:00Z"));
    let sent = nudges(&harness);
    let times: Vec<&str> = sent.iter().map(|(at, _)| at.as_str()).collect();
    assert_eq!(
        times,
        [
            "03-05T09:00Z",
            "03-09T09:00Z",
            "03-16T09:00Z",
            "04-01T09:00Z"
        ]
    );
    assert!(sent[0].1.contains("It's been a few days!"), "{sent:?}");
    assert!(sent[0].1.contains("/placement tells you"), "{sent:?}");
    assert!(sent[1].1.contains("A week without practice"), "{sent:?}");
    assert!(sent[3].1.contains("This is my last nudge"), "{sent:?}");
    assert_eq!(harness.practice.reengagement.nudges_sent, 4);
    assert_eq!(harness.practice.reengagement.returns, 0);
    assert!(
        harness.timer(TimerKind::Reengage, "").is_none(),
        "the ladder ends"
    );
}

#[test]
fn coming_back_stops_the_rest_of_the_ladder() {
    let mut harness = run(ONBOARDING);
    harness.run_until(utc("2026-03-06T10:00:00Z"));
    assert_eq!(nudges(&harness).len(), 1);
    // Back a day after the first nudge: counted as a return, and the ladder starts over.
    let mut harness = run_on(harness, "> /help\n< Here is what I can do:\n");
    assert_eq!(harness.practice.reengagement.returns, 1);
    assert_eq!(harness.practice.reengagement.nudged, 0);
    assert_eq!(
        harness.timer(TimerKind::Reengage, "").map(|t| t.due_at),
        Some(utc("2026-03-09T10:00:00Z"))
    );
    // No 7-day nudge on the 9th at 09:00: the next is 3 days after the return.
    harness.run_until(utc("2026-03-09T09:59:00Z"));
    assert_eq!(nudges(&harness).len(), 1);
    harness.run_until(utc("2026-03-09T10:00:00Z"));
    let sent = nudges(&harness);
    assert_eq!(sent.len(), 2);
    assert!(sent[1].1.contains("It's been a few days!"), "{sent:?}");
    // Back three days after that nudge: not within 48 hours, so not counted.
    harness.now = utc("2026-03-12T11:00:00Z");
    let harness = run_on(harness, "> /progress\n< Your progress\n");
    assert_eq!(harness.practice.reengagement.returns, 1);
    assert_eq!(harness.practice.reengagement.nudges_sent, 2);
}

#[test]
fn activity_is_recorded_once_an_hour_not_on_every_message() {
    let harness = run(ONBOARDING);
    let recorded = harness.practice.reengagement.last_active;
    let harness = run_on(harness, "~ wait 30m\n> /help\n> /profile\n");
    assert_eq!(harness.practice.reengagement.last_active, recorded);
    let harness = run_on(harness, "~ wait 40m\n> /help\n");
    assert_eq!(
        harness.practice.reengagement.last_active,
        Some(utc("2026-03-02T10:10:00Z"))
    );
}

#[test]
fn nudges_wait_for_quiet_hours_and_point_to_the_course() {
    // Active late at night (23:00 in Madrid): the nudge waits until 08:00.
    let onboarding: String = ONBOARDING
        .lines()
        .filter(|line| !line.contains("there now"))
        .map(|line| format!("{line}\n"))
        .collect();
    let harness = run_on(
        Harness::starting_at(utc("2026-03-02T22:00:00Z")),
        &onboarding,
    );
    let mut harness = run_on(
        harness,
        "> /enroll first-conversations\n> [German]\n> 19:00\n< You joined\n",
    );
    harness.run_until(utc("2026-03-06T12:00:00Z"));
    let sent = nudges(&harness);
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert_eq!(
        sent[0].0, "03-06T07:00Z",
        "08:00 in Madrid, when the quiet hours end"
    );
    assert!(
        sent[0]
            .1
            .contains("Day 1 of “First conversations” is waiting for you"),
        "{sent:?}"
    );
}

#[test]
fn nobody_is_nudged_who_cannot_be_reached_or_never_finished_the_profile() {
    let mut harness = run("> /start\n> [English]\n");
    harness.run_until(utc("2026-05-01T00:00:00Z"));
    assert!(nudges(&harness).is_empty());
    assert!(harness.timer(TimerKind::Reengage, "").is_none());

    let mut harness = run(ONBOARDING);
    harness.notify(Input::ChatBlocked);
    assert!(harness.replies.is_empty());
    harness.run_until(utc("2026-05-01T00:00:00Z"));
    assert!(nudges(&harness).is_empty());
}
