//! Course transcripts, and time travel through a course's days at the chosen local time.

use chrono::{DateTime, Duration, Utc};

use crate::domain::Timezone;
use crate::engine::TimerKind;
use crate::flows::transcript::{Harness, ONBOARDING, run, run_on};

fn utc(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .expect("valid instant")
        .with_timezone(&Utc)
}

/// The ONBOARDING person (Madrid; learns English and German), enrolled in "First
/// conversations" for German at 08:15, on Monday 2 March 2026 at 10:00 local.
fn enrolled() -> Harness {
    run(&format!(
        r#"{ONBOARDING}
        > /enroll first-conversations
        < Which language do you want to practise with “First conversations”?
        > [German]
        > 8:15
        < You joined “First conversations”.
    "#
    ))
}

/// What the lesson timer said, by local delivery time in Madrid.
fn deliveries(harness: &Harness) -> Vec<(String, String)> {
    let madrid = Timezone::parse("Europe/Madrid").expect("zone").tz();
    harness
        .fired
        .iter()
        .filter(|(_, kind, replies)| *kind == TimerKind::CourseDay && !replies.is_empty())
        .map(|(at, _, replies)| {
            (
                at.with_timezone(&madrid).format("%m-%d %H:%M").to_string(),
                replies[0].text.clone(),
            )
        })
        .collect()
}

#[test]
fn courses_are_listed_and_joined_with_a_language_and_a_time() {
    run(r#"
        > /courses
        < Courses: a few short tasks a day
        < First conversations (7 days)
        < Talk about your week (7 days)
        > [First conversations]
        < Your profile is not complete yet.
        > /done
        < You are not taking a course.
    "#);
    run(&format!(
        r#"{ONBOARDING}
        > /courses
        < [📚 First conversations]
        > [First conversations]
        = enrolling
        < Which language do you want to practise
        < [English]
        < [German]
        > #crs:lang:fr
        < That button belongs to an older message
        > [German]
        < At what time should each day's steps arrive?
        < [08:00]
        > tea time
        < “tea time” is not a time I can read.
        > 23:30
        < 23:30 is in your quiet hours (22:00–08:00)
        > 8:15
        < 🎉 You joined “First conversations”. Day 1 is below; the next days arrive at 08:15.
        < 📚 First conversations — day 1 of 7: Greetings
        < Step 1 of 2: Greet your partner
        < 📖 Useful words:
        < • Hallo! — Hello!
        ! ¡Hola!
        < [✅ Done]
        < [⏭ Skip]
        = idle
        @ course_day 2026-03-03T07:15:00Z
        > [Done]
        < ✅ Well done!
        < Step 2 of 2: End the conversation politely
        > #crs:done:0:greet
        < That button belongs to an older message
        > /skip
        < ⏭ Skipped.
        < 🎉 Day 1 is complete. The next day arrives Tue 08:15.
        > /done
        < Today's steps are all done. The next day arrives Tue 08:15.
        > /progress
        < 📈 Your progress
        < “First conversations”: day 1 of 7, 2 of 2 steps today; 1 done and 1 skipped so far.
        ? /completed = true
    "#
    ));
}

#[test]
fn a_single_learned_language_is_not_asked_and_enroll_finds_courses_by_name() {
    run(&format!(
        r#"{ONBOARDING}
        > /profile
        > [Languages I learn]
        > [German]
        > [Done]
        < Learning: English (B2)
        > /enroll nonsense
        < I don't know a course called “nonsense”.
        < Talk about your week
        > /enroll Talk about your week
        < At what time should each day's steps arrive?
        ! Which language
        > [12:30]
        < You joined “Talk about your week”.
        < day 1 of 7: Days of the week
        > /enroll talk-about-your-week
        < You are already taking “Talk about your week”.
        < Step 1 of
    "#
    ));
}

#[test]
fn switching_courses_asks_first() {
    run_on(
        enrolled(),
        r#"
        > /courses
        < You are on day 1 of 7 of “First conversations”.
        > [Talk about your week]
        < Switch to “Talk about your week”? Your progress in the current course will be lost.
        > [Keep “First conversations”]
        < OK, you stay on your current course.
        < Step 1 of 2: Greet your partner
        ? /completed = true
        > /enroll talk-about-your-week
        > /cancel
        < Cancelled. Nothing changed.
        > /enroll talk-about-your-week
        > [Switch]
        < Which language
        > [English]
        > 19:00
        < You joined “Talk about your week”.
        // Day 1 came now; day 2 comes tomorrow, not at 19:00 today.
        @ course_day 2026-03-03T18:00:00Z
        > /progress
        < “Talk about your week”: day 1 of 7
    "#,
    );
}

#[test]
fn each_day_arrives_at_the_chosen_local_time_until_the_course_is_finished() {
    let mut harness = enrolled();
    // Finish each day the morning it arrives.
    for _ in 0..7 {
        loop {
            harness = run_on(harness, "> /done\n");
            // The last step ends with a check: pass it.
            while matches!(harness.state, crate::engine::DialogueState::Exam(_)) {
                crate::flows::exams::tests::answer(&mut harness, true);
            }
            let screen = harness.screen();
            if screen.contains("is complete") || screen.contains("You finished") {
                break;
            }
            assert!(screen.contains("Step"), "{screen}");
        }
        let until = harness.now + Duration::days(1);
        harness.run_until(until);
    }
    let delivered = deliveries(&harness);
    let times: Vec<&str> = delivered.iter().map(|(at, _)| at.as_str()).collect();
    assert_eq!(
        times,
        [
            "03-03 08:15",
            "03-04 08:15",
            "03-05 08:15",
            "03-06 08:15",
            "03-07 08:15",
            "03-08 08:15"
        ],
        "days 2 to 7, one a day at 08:15 Madrid time"
    );
    assert!(
        delivered[0].1.contains("day 2 of 7: Introducing yourself"),
        "{delivered:?}"
    );
    assert!(
        delivered[5].1.contains("day 7 of 7: Plans"),
        "{delivered:?}"
    );
    assert!(harness.practice.course.is_none());
    assert_eq!(harness.practice.finished_courses.len(), 1);
    assert_eq!(harness.practice.finished_courses[0].steps_done, 12);
    assert!(
        harness.timer(TimerKind::CourseDay, "").is_none(),
        "no lessons after the end"
    );
    run_on(
        harness,
        "> /progress\n< Finished “First conversations” on 2026-03-08.\n",
    );
}

#[test]
fn an_unfinished_day_is_shown_again_twice_then_lessons_pause_until_the_person_goes_on() {
    let mut harness = enrolled();
    harness.run_until(utc("2026-03-06T12:00:00Z"));
    let delivered = deliveries(&harness);
    assert_eq!(delivered.len(), 2, "{delivered:?}");
    assert!(delivered[0].1.contains("Day 1 is still waiting for you"));
    assert_eq!(delivered[1].0, "03-04 08:15");
    assert!(harness.timer(TimerKind::CourseDay, "").is_none(), "paused");
    let mut harness = run_on(
        harness,
        r#"
        > /done
        < Step 2 of 2
        > /done
        < Day 1 is complete. The next day arrives Sat 08:15.
        @ course_day 2026-03-07T07:15:00Z
    "#,
    );
    harness.run_until(utc("2026-03-07T12:00:00Z"));
    assert!(
        harness.replies[0].text.contains("day 2 of 7"),
        "{:?}",
        harness.replies
    );
}

#[test]
fn lessons_wait_for_the_end_of_quiet_hours_and_follow_a_new_timezone() {
    let harness = run_on(
        enrolled(),
        r#"
        > /done
        > /done
        > /reminders
        > [Quiet hours]
        > 06:00-09:00
        ~ run 1350m
        ! day 2
        @ course_day 2026-03-03T08:00:00Z
        ~ run 1h
        < day 2 of 7
        @ course_day 2026-03-04T07:15:00Z
        > /profile
        > [Timezone]
        > New York
        < ✅ Saved.
        @ course_day 2026-03-04T13:15:00Z
    "#,
    );
    assert!(harness.practice.course.is_some());
}

#[test]
fn a_missed_delivery_brings_one_day_after_a_downtime() {
    run_on(
        enrolled(),
        r#"
        > /done
        > /done
        ~ wait 100h
        ~ fire
        < day 2 of 7
        ! day 3
        @ course_day 2026-03-07T07:15:00Z
    "#,
    );
}

#[test]
fn steps_done_on_consecutive_local_days_make_a_streak_shown_in_profile_and_progress() {
    let harness = run_on(
        enrolled(),
        r#"
        > /progress
        < No streak yet
        > /done
        > /progress
        < 🔥 Streak: 1 day (best 1). Weekly freeze: ready
        > /skip
        ~ run 24h
        > /skip
        > /progress
        < Streak: 1 day
        > /done
        < ✅ Well done!
        > /profile
        < 🔥 Streak: 2 days (best 2).
    "#,
    );
    // A missed day is bridged by the weekly freeze...
    let mut harness = harness;
    harness.run_until(harness.now + Duration::days(2));
    let harness = run_on(
        harness,
        r#"
        > /done
        > /progress
        < Streak: 3 days (best 3). Weekly freeze: used this week.
    "#,
    );
    // ...but not a second one in the same week.
    let mut harness = harness;
    harness.run_until(harness.now + Duration::days(2));
    run_on(
        harness,
        r#"
        > /progress
        < Streak: 0 days (best 3).
        > /done
        > /progress
        < Streak: 1 day (best 3).
    "#,
    );
}
