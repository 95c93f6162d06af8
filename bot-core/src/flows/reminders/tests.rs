//! /reminders transcripts, and time travel with a controlled clock: two weeks of daily
//! reminders, DST in Berlin and New York, a timezone change, a downtime, quiet hours.

use chrono::{DateTime, Duration, Utc};

use crate::domain::{LocalTime, Timezone};
use crate::engine::TimerKind;
use crate::flows::transcript::{Harness, ONBOARDING, run, run_on};

fn utc(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .expect("valid instant")
        .with_timezone(&Utc)
}

/// A registered person (the ONBOARDING one) living in `city`, their clock set to `at`.
fn person_in(city: &str, at: &str) -> Harness {
    let mut harness = Harness::starting_at(utc(at));
    // The onboarding script checks the Madrid clock at its usual start; not here.
    let onboarding: String = ONBOARDING
        .lines()
        .filter(|line| !line.contains("there now"))
        .map(|line| format!("{line}\n"))
        .collect();
    harness = run_on(harness, &onboarding);
    run_on(
        harness,
        &format!("> /profile\n> [Timezone]\n> {city}\n< ✅ Saved.\n"),
    )
}

/// Adds a reminder at `time` on the days whose buttons are toggled off from "every day".
fn add_reminder(harness: Harness, time: &str, untick: &[&str]) -> Harness {
    let mut script = format!("> /reminders\n> [Add a reminder]\n> {time}\n");
    for day in untick {
        script.push_str(&format!("> [{day}]\n"));
    }
    script.push_str("> [Done]\n< Reminder set\n");
    run_on(harness, &script)
}

/// When the reminders fired (those that said something), in UTC.
fn reminded_at(harness: &Harness) -> Vec<String> {
    harness
        .fired
        .iter()
        .filter(|(_, kind, replies)| *kind == TimerKind::Reminder && !replies.is_empty())
        .map(|(at, _, _)| at.format("%Y-%m-%dT%H:%MZ").to_string())
        .collect()
}

/// When the reminders fired, as local wall-clock times in `tz`.
fn local_times(harness: &Harness, tz: &str) -> Vec<String> {
    let tz = Timezone::parse(tz).expect("zone").tz();
    harness
        .fired
        .iter()
        .filter(|(_, kind, replies)| *kind == TimerKind::Reminder && !replies.is_empty())
        .map(|(at, _, _)| at.with_timezone(&tz).format("%m-%d %H:%M").to_string())
        .collect()
}

#[test]
fn reminders_are_listed_added_and_removed() {
    run(r#"
        > /reminders
        < Your profile is not complete yet.
        > #rem:add
        < Your profile is not complete yet.
    "#);
    run(&format!(
        r#"{ONBOARDING}
        > /reminders
        < Your practice reminders (times in Europe/Madrid)
        < No reminders yet.
        < Quiet hours: 22:00–08:00
        < [➕ Add a reminder]
        > [Add a reminder]
        < At what time should I remind you?
        = adding_reminder
        > tomorrow
        < “tomorrow” is not a time I can read.
        < At what time should I remind you?
        > 23:15
        < 23:15 is in your quiet hours (22:00–08:00)
        > 7.30
        < 07:30 is in your quiet hours
        > 8:30
        < On which days at 08:30?
        < [✓ Sat]
        > [Sat]
        < [Sat]
        ! [✓ Sat]
        > [Sun]
        > hello
        < Please answer with the buttons below.
        > [Done]
        < ✅ Reminder set for 08:30, Mon–Fri. The next one: Tue 08:30.
        < • 08:30 — Mon–Fri
        < [🗑 08:30 Mon–Fri]
        = idle
        @ reminder 0 2026-03-03T07:30:00Z
        > /reminders
        > [Add a reminder]
        > 19:00
        > [Mon]
        > [Tue]
        > [Wed]
        > [Thu]
        > [Fri]
        > [Sat]
        > [Sun]
        > [Done]
        < Pick at least one option first.
        > [Sun]
        > [Done]
        < ✅ Reminder set for 19:00, Sun.
        @ reminder 1 2026-03-08T18:00:00Z
        > [🗑 08:30 Mon–Fri]
        < Reminder removed.
        ! 08:30
        < • 19:00 — Sun
        @ reminder 0 none
        > #rem:del:0
        < That button belongs to an older message
        ? /completed = true
    "#
    ));
}

#[test]
fn quiet_hours_are_set_and_cancelling_changes_nothing() {
    let harness = run(&format!(
        r#"{ONBOARDING}
        > /reminders
        > [Quiet hours]
        < During quiet hours I send nothing you did not ask for
        < [Default (22:00–08:00)]
        = setting_quiet_hours
        > after dinner
        < “after dinner” is not a range I can read.
        > 21:30-07:00
        < ✅ Quiet hours saved.
        < Quiet hours: 21:30–07:00
        > /reminders
        > [Add a reminder]
        > 21:45
        < 21:45 is in your quiet hours (21:30–07:00)
        > /cancel
        < Cancelled. Your reminders are unchanged.
        = idle
        > /reminders
        > [Quiet hours]
        > [No quiet hours]
        < Quiet hours: off.
        > /reminders
        > [Add a reminder]
        > 23:45
        < On which days at 23:45?
        > /help
        < Here is what I can do:
        < /reminders — practice reminders and quiet hours
        < On which days at 23:45?
        > /profile
        < Let's finish this first
    "#
    ));
    assert_eq!(harness.practice.reminders.len(), 0);
}

#[test]
fn at_most_the_configured_number_of_reminders() {
    let mut harness = person_in("Madrid", "2026-03-02T09:00:00Z");
    for hour in 8..13 {
        harness = add_reminder(harness, &format!("{hour}:00"), &[]);
    }
    run_on(
        harness,
        r#"
        > /reminders
        ! Add a reminder
        > #rem:add
        < You already have 5 reminders, the most I keep.
        = idle
    "#,
    );
}

#[test]
fn daily_reminders_arrive_at_local_time_for_two_weeks() {
    let harness = person_in("Madrid", "2026-03-02T09:00:00Z");
    let harness = add_reminder(harness, "08:00", &[]);
    let mut harness = add_reminder(harness, "18:30", &["Sat", "Sun"]);
    harness.run_until(utc("2026-03-16T12:00:00Z"));
    let every_morning: Vec<String> = (3..=16)
        .map(|day| format!("2026-03-{day:02}T07:00Z"))
        .collect();
    let reminded = reminded_at(&harness);
    let mornings: Vec<String> = reminded
        .iter()
        .filter(|at| at.ends_with("07:00Z"))
        .cloned()
        .collect();
    assert_eq!(mornings, every_morning);
    // 18:30 on workdays: 2-6 and 9-13 March.
    let evenings: Vec<&String> = reminded
        .iter()
        .filter(|at| at.ends_with("17:30Z"))
        .collect();
    assert_eq!(evenings.len(), 10, "{evenings:?}");
    assert!(
        evenings
            .iter()
            .all(|at| !at.starts_with("2026-03-07") && !at.starts_with("2026-03-08"))
    );
    assert_eq!(reminded.len(), 24);
    let (_, _, replies) = harness
        .fired
        .iter()
        .rev()
        .find(|(_, kind, _)| *kind == TimerKind::Reminder)
        .expect("fired");
    assert!(replies[0].text.contains("Time to practise!"), "{replies:?}");
}

#[test]
fn reminders_keep_local_time_across_dst_in_berlin() {
    // Spring forward: Sunday 29 March 2026, 02:00 -> 03:00.
    let harness = person_in("Berlin", "2026-03-26T12:00:00Z");
    // Night reminders need the quiet hours off.
    let harness = run_on(
        harness,
        "> /reminders\n> [Quiet hours]\n> [No quiet hours]\n",
    );
    let harness = add_reminder(harness, "08:00", &[]);
    let mut harness = add_reminder(harness, "02:30", &[]);
    harness.run_until(utc("2026-03-31T12:00:00Z"));
    assert_eq!(
        reminded_at(&harness),
        [
            "2026-03-27T01:30Z",
            "2026-03-27T07:00Z",
            "2026-03-28T01:30Z",
            "2026-03-28T07:00Z",
            // 02:30 does not exist on the 29th: it comes at 03:00 CEST, once.
            "2026-03-29T01:00Z",
            "2026-03-29T06:00Z",
            "2026-03-30T00:30Z",
            "2026-03-30T06:00Z",
            "2026-03-31T00:30Z",
            "2026-03-31T06:00Z",
        ]
    );

    // Fall back: Sunday 25 October 2026, 03:00 -> 02:00; 02:30 happens twice.
    let harness = person_in("Berlin", "2026-10-22T12:00:00Z");
    // Night reminders need the quiet hours off.
    let harness = run_on(
        harness,
        "> /reminders\n> [Quiet hours]\n> [No quiet hours]\n",
    );
    let harness = add_reminder(harness, "08:00", &[]);
    let mut harness = add_reminder(harness, "02:30", &[]);
    harness.run_until(utc("2026-10-27T12:00:00Z"));
    assert_eq!(
        local_times(&harness, "Europe/Berlin"),
        [
            "10-23 02:30",
            "10-23 08:00",
            "10-24 02:30",
            "10-24 08:00",
            "10-25 02:30",
            "10-25 08:00",
            "10-26 02:30",
            "10-26 08:00",
            "10-27 02:30",
            "10-27 08:00",
        ]
    );
    assert!(reminded_at(&harness).contains(&"2026-10-25T00:30Z".to_owned()));
    assert!(reminded_at(&harness).contains(&"2026-10-25T07:00Z".to_owned()));
}

#[test]
fn reminders_keep_local_time_across_dst_in_new_york() {
    // Spring forward: Sunday 8 March 2026, 02:00 -> 03:00.
    let harness = person_in("New York", "2026-03-05T20:00:00Z");
    // Night reminders need the quiet hours off.
    let harness = run_on(
        harness,
        "> /reminders\n> [Quiet hours]\n> [No quiet hours]\n",
    );
    let harness = add_reminder(harness, "08:00", &[]);
    let mut harness = add_reminder(harness, "02:15", &[]);
    harness.run_until(utc("2026-03-09T20:00:00Z"));
    assert_eq!(
        reminded_at(&harness),
        [
            "2026-03-06T07:15Z",
            "2026-03-06T13:00Z",
            "2026-03-07T07:15Z",
            "2026-03-07T13:00Z",
            "2026-03-08T07:00Z", // 02:15 skipped: at 03:00 EDT
            "2026-03-08T12:00Z",
            "2026-03-09T06:15Z",
            "2026-03-09T12:00Z",
        ]
    );

    // Fall back: Sunday 1 November 2026, 02:00 -> 01:00; 01:30 happens twice.
    let harness = person_in("New York", "2026-10-30T20:00:00Z");
    // Night reminders need the quiet hours off.
    let harness = run_on(
        harness,
        "> /reminders\n> [Quiet hours]\n> [No quiet hours]\n",
    );
    let harness = add_reminder(harness, "08:00", &[]);
    let mut harness = add_reminder(harness, "01:30", &[]);
    harness.run_until(utc("2026-11-02T20:00:00Z"));
    assert_eq!(
        reminded_at(&harness),
        [
            "2026-10-31T05:30Z",
            "2026-10-31T12:00Z",
            "2026-11-01T05:30Z", // the first 01:30 (EDT) only
            "2026-11-01T13:00Z", // 08:00 EST
            "2026-11-02T06:30Z",
            "2026-11-02T13:00Z",
        ]
    );
}

#[test]
fn changing_timezone_moves_reminders_to_the_new_local_time() {
    let harness = person_in("Madrid", "2026-03-02T09:00:00Z");
    let mut harness = add_reminder(harness, "08:00", &[]);
    harness.run_until(utc("2026-03-03T12:00:00Z"));
    assert_eq!(reminded_at(&harness), ["2026-03-03T07:00Z"]);
    let mut harness = run_on(
        harness,
        r#"
        > /profile
        > [Timezone]
        > New York
        < ✅ Saved.
        @ reminder 0 2026-03-03T13:00:00Z
    "#,
    );
    harness.run_until(utc("2026-03-06T00:00:00Z"));
    assert_eq!(
        reminded_at(&harness),
        [
            "2026-03-03T07:00Z", // 08:00 in Madrid
            "2026-03-03T13:00Z", // 08:00 in New York, the same day
            "2026-03-04T13:00Z",
            "2026-03-05T13:00Z"
        ]
    );
}

#[test]
fn a_reminder_missed_during_a_downtime_fires_once() {
    let harness = person_in("Madrid", "2026-03-02T09:00:00Z");
    let harness = add_reminder(harness, "08:00", &[]);
    // The scheduler is down from Monday to Thursday noon.
    let mut harness = run_on(
        harness,
        r#"
        @ reminder 0 2026-03-03T07:00:00Z
        ~ wait 75h
        ~ fire
        < Time to practise!
        @ reminder 0 2026-03-06T07:00:00Z
        ~ fire
        ! Time to practise!
    "#,
    );
    assert_eq!(reminded_at(&harness).len(), 1);
    assert_eq!(
        harness.fired.last().map(|(at, _, _)| *at),
        Some(utc("2026-03-05T12:00:00Z"))
    );

    // Back just before the next one: the missed one is not sent right before it.
    harness.now = utc("2026-03-08T06:40:00Z");
    harness.fire_due();
    assert_eq!(reminded_at(&harness).len(), 1, "merged into the coming one");
    assert_eq!(
        harness.timer(TimerKind::Reminder, "0").map(|t| t.due_at),
        Some(utc("2026-03-08T07:00:00Z"))
    );
    harness.run_until(utc("2026-03-08T07:00:00Z"));
    assert_eq!(reminded_at(&harness).len(), 2);
}

#[test]
fn quiet_hours_hold_a_reminder_until_they_end() {
    let harness = person_in("Madrid", "2026-03-02T09:00:00Z");
    let harness = add_reminder(harness, "21:00", &[]);
    // Quiet hours set afterwards cover the reminder's time.
    let mut harness = run_on(
        harness,
        "> /reminders\n> [Quiet hours]\n> 20:30-07:00\n< Quiet hours saved.\n",
    );
    harness.run_until(utc("2026-03-03T12:00:00Z"));
    let madrid = Timezone::parse("Europe/Madrid").expect("zone").tz();
    let said: Vec<(String, bool)> = harness
        .fired
        .iter()
        .map(|(at, _, replies)| {
            (
                at.with_timezone(&madrid).format("%d %H:%M").to_string(),
                !replies.is_empty(),
            )
        })
        .collect();
    assert_eq!(
        said,
        [
            ("02 21:00".to_owned(), false),
            ("03 07:00".to_owned(), true)
        ],
        "held at 21:00, sent when the quiet hours end"
    );
    // Then it is due at its own time again.
    assert_eq!(
        harness
            .timer(TimerKind::Reminder, "0")
            .map(|t| LocalTime::of(madrid, t.due_at)),
        LocalTime::new(21, 0)
    );
    // Two days later it is still held and delivered at 07:00, once each.
    harness.run_until(harness.now + Duration::days(2));
    assert_eq!(
        local_times(&harness, "Europe/Madrid"),
        ["03-03 07:00", "03-04 07:00", "03-05 07:00"]
    );
}
