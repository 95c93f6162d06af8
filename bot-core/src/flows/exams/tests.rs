//! Exam transcripts: every question type, the time limit, the idle timeout, stale and
//! repeated answers, one exam at a time, and a level set only after confirmation.

use crate::content::{Exam, Question, QuestionKind};
use crate::domain::{CefrLevel, ExamEnd, LevelChoice, Locale};
use crate::engine::{DialogueState, Input, TimerKind};
use crate::flows::transcript::{Harness, ONBOARDING, context, run, run_on};

/// The ONBOARDING person (learns English B2 and German "placement test") in the German
/// placement test.
fn in_german_placement() -> Harness {
    run(&format!(
        r#"{ONBOARDING}
        > /placement
        < Which language do you want to take the placement test in?
        > [German]
        < 📝 German placement test: 24 questions, 40 minutes.
        < question 1 of 24
        = exam
    "#
    ))
}

fn exam_of(harness: &Harness) -> (&'static Exam, u32, usize) {
    let DialogueState::Exam(running) = &harness.state else {
        panic!("not in an exam: {:?}", harness.state);
    };
    let exam = context()
        .content
        .exam(&running.exam)
        .expect("the exam is in the pack");
    (exam, running.session, running.current)
}

/// The question on screen, as the session drew it.
fn on_screen(harness: &Harness) -> Option<&'static Question> {
    let DialogueState::Exam(running) = &harness.state else {
        return None;
    };
    let (exam, _, _) = exam_of(harness);
    let index = running.questions.get(running.current)?;
    exam.questions.get(*index)
}

/// Every question the running session asks, in order.
fn asked(harness: &Harness) -> Vec<&'static Question> {
    let DialogueState::Exam(running) = &harness.state else {
        panic!("not in an exam: {:?}", harness.state);
    };
    let (exam, _, _) = exam_of(harness);
    running
        .questions
        .iter()
        .map(|i| &exam.questions[*i])
        .collect()
}

fn press(harness: &mut Harness, session: u32, question: usize, action: &str) {
    harness.send(Input::Button(format!("ex:{session}:{question}:{action}")));
}

/// Answers the question on screen, rightly or not, as a person would: with its buttons
/// or by typing.
pub(crate) fn answer(harness: &mut Harness, right: bool) {
    let (exam, session, current) = exam_of(harness);
    let question = on_screen(harness).expect("a question on screen");
    let _ = exam;
    match &question.kind {
        QuestionKind::Single { options, correct } => {
            let pick = if right {
                *correct
            } else {
                (*correct + 1) % options.len()
            };
            press(harness, session, current, &format!("a{pick}"));
        }
        QuestionKind::Multiple { options, correct } => {
            let picks: Vec<usize> = if right {
                correct.iter().copied().collect()
            } else {
                (0..options.len())
                    .filter(|i| !correct.contains(i))
                    .collect()
            };
            for pick in picks {
                press(harness, session, current, &format!("t{pick}"));
                assert!(
                    harness.replies[0].updates_previous,
                    "a toggle edits the question"
                );
            }
            press(harness, session, current, "d");
        }
        QuestionKind::Ordering { options } => {
            let mut order: Vec<usize> = (0..options.len()).collect();
            if !right {
                order.reverse();
            }
            for pick in order {
                press(harness, session, current, &format!("o{pick}"));
            }
        }
        QuestionKind::Text { accepted, .. } => {
            let text = if right {
                format!("  {}  ", accepted[0].to_uppercase())
            } else {
                "definitely wrong".to_owned()
            };
            harness.send(Input::Text(text));
        }
    }
}

/// How each exam the person took ended, oldest first.
fn ends(harness: &Harness) -> Vec<ExamEnd> {
    harness
        .practice
        .exam_history
        .iter()
        .map(|record| record.end)
        .collect()
}

fn german_level(harness: &Harness) -> Option<LevelChoice> {
    harness
        .profile
        .as_ref()
        .and_then(|profile| profile.targets.iter().find(|t| t.language.as_str() == "de"))
        .and_then(|target| target.level)
}

#[test]
fn the_placement_test_has_every_question_type_and_proposes_the_level_it_measured() {
    let mut harness = in_german_placement();
    let (exam, _, _) = exam_of(&harness);
    let kinds: Vec<&str> = exam
        .questions
        .iter()
        .map(|q| match q.kind {
            QuestionKind::Single { .. } => "single",
            QuestionKind::Multiple { .. } => "multiple",
            QuestionKind::Ordering { .. } => "ordering",
            QuestionKind::Text { .. } => "text",
        })
        .collect();
    for kind in ["single", "multiple", "ordering", "text"] {
        assert!(
            kinds.contains(&kind),
            "the German test has no {kind} question"
        );
    }
    // Right up to B1, wrong from B2 on: every type answered both ways along the way.
    for question in asked(&harness) {
        let right = question.level <= CefrLevel::B1;
        answer(&mut harness, right);
        // A placement test does not give the answers away.
        assert!(!harness.screen().contains("Right!") && !harness.screen().contains("Not quite"));
    }
    let screen = harness.screen();
    assert!(
        screen.contains("German placement test: 12 of 24 right."),
        "{screen}"
    );
    assert!(
        screen.contains("B1: 4 of 4") && screen.contains("B2: 0 of 4"),
        "{screen}"
    );
    assert!(
        screen.contains("Your level in German looks like B1."),
        "{screen}"
    );
    assert_eq!(
        harness.state.clone(),
        DialogueState::ConfirmingLevel {
            language: crate::domain::LanguageCode::parse("de").expect("code"),
            level: CefrLevel::B1,
            last_activity: harness.now,
        }
    );
    // Not set until confirmed.
    assert_eq!(
        german_level(&harness),
        Some(LevelChoice::Known(CefrLevel::A2))
    );
    assert!(harness.practice.exam.is_none());
    assert!(harness.timer(TimerKind::ExamDeadline, "0").is_none());
    assert!(harness.timer(TimerKind::ExamIdle, "0").is_none());
    let harness = run_on(
        harness,
        r#"
        > B1 please
        < Please answer with the buttons below.
        > #plc:yes:de:C2
        < That button belongs to an older message
        > [Set B1]
        < ✅ Your level in German is now B1.
        = idle
        > /progress
        < German placement test: 12/24 — level B1
    "#,
    );
    assert_eq!(
        german_level(&harness),
        Some(LevelChoice::Known(CefrLevel::B1))
    );
    assert_eq!(harness.practice.exam_history.len(), 1);
    assert_eq!(harness.practice.exam_history[0].end, ExamEnd::Completed);
}

#[test]
fn declining_the_proposed_level_keeps_the_profile() {
    let mut harness = in_german_placement();
    for _ in asked(&harness) {
        answer(&mut harness, true);
    }
    assert!(
        harness.screen().contains("looks like C2"),
        "{}",
        harness.screen()
    );
    let harness = run_on(
        harness,
        "> [Keep A2]\n< Your profile is unchanged.\n= idle\n",
    );
    assert_eq!(
        german_level(&harness),
        Some(LevelChoice::Known(CefrLevel::A2))
    );
    let mut harness = harness;
    harness.state = DialogueState::ConfirmingLevel {
        language: crate::domain::LanguageCode::parse("de").expect("code"),
        level: CefrLevel::C1,
        last_activity: harness.now,
    };
    let harness = run_on(harness, "> /cancel\n< Your profile is unchanged.\n");
    assert_eq!(
        german_level(&harness),
        Some(LevelChoice::Known(CefrLevel::A2))
    );
}

#[test]
fn toggles_and_orderings_can_change_until_sent_but_answers_cannot() {
    // Each session draws and orders its own questions: take one that asks an ordering
    // question after its first multiple-choice one, as this walk needs.
    let mut harness = (0..100)
        .map(|_| in_german_placement())
        .find(|harness| {
            let asked = asked(harness);
            let first_multiple = asked
                .iter()
                .position(|question| matches!(question.kind, QuestionKind::Multiple { .. }));
            first_multiple.is_some_and(|first| {
                asked[first..]
                    .iter()
                    .any(|question| matches!(question.kind, QuestionKind::Ordering { .. }))
            })
        })
        .expect("some session asks an ordering question after a multiple-choice one");
    let (_, session, _) = exam_of(&harness);
    // On to the first multiple-choice question.
    while !matches!(
        on_screen(&harness).expect("a question").kind,
        QuestionKind::Multiple { .. }
    ) {
        answer(&mut harness, true);
    }
    let (_, _, current) = exam_of(&harness);
    press(&mut harness, session, current, "d");
    assert!(harness.screen().contains("Pick at least one option first."));
    press(&mut harness, session, current, "t0");
    assert!(harness.screen().contains("[✓ "), "{}", harness.screen());
    press(&mut harness, session, current, "t0");
    assert!(!harness.screen().contains("[✓ "), "toggled off again");
    press(&mut harness, session, current, "t99");
    assert!(harness.screen().contains("older message"));
    answer(&mut harness, true);
    // The answered question's buttons no longer act.
    let results = match &harness.state {
        DialogueState::Exam(running) => running.results.clone(),
        other => panic!("{other:?}"),
    };
    press(&mut harness, session, current, "t1");
    assert!(
        harness
            .screen()
            .contains("That question is already answered"),
        "{}",
        harness.screen()
    );
    press(&mut harness, session, current, "d");
    assert!(
        harness
            .screen()
            .contains("That question is already answered")
    );
    match &harness.state {
        DialogueState::Exam(running) => assert_eq!(running.results, results, "nothing changed"),
        other => panic!("{other:?}"),
    }
    // A future question, another session, garbage: refused, nothing changes.
    let (_, _, current) = exam_of(&harness);
    for data in [
        format!("ex:{session}:{}:a0", current + 1),
        format!("ex:{}:{current}:a0", session + 1),
        "ex:zero:0:a0".to_owned(),
        format!("ex:{session}:{current}:"),
    ] {
        harness.send(Input::Button(data.clone()));
        assert!(
            harness.screen().contains("older message"),
            "{data}: {}",
            harness.screen()
        );
        assert_eq!(exam_of(&harness).2, current);
    }

    // On to an ordering question: pieces can be taken back before the last one.
    while !matches!(
        on_screen(&harness).expect("a question").kind,
        QuestionKind::Ordering { .. }
    ) {
        answer(&mut harness, true);
    }
    let (_, _, current) = exam_of(&harness);
    let QuestionKind::Ordering { options } = &on_screen(&harness).expect("a question").kind else {
        unreachable!("checked above");
    };
    press(&mut harness, session, current, "o1");
    assert!(
        harness
            .screen()
            .contains(&format!("So far: {}", options[1])),
        "{}",
        harness.screen()
    );
    press(&mut harness, session, current, "o1");
    assert!(
        harness.screen().contains("older message"),
        "a piece is used once"
    );
    press(&mut harness, session, current, "r");
    assert!(!harness.screen().contains("So far"));
    answer(&mut harness, true);
    assert_eq!(exam_of(&harness).2, current + 1);
    // Typing where buttons are expected, or a sticker, changes nothing.
    if !matches!(
        on_screen(&harness).expect("a question").kind,
        QuestionKind::Text { .. }
    ) {
        harness.send(Input::Text("hello".into()));
        assert!(
            harness
                .screen()
                .contains("Please answer with the buttons below.")
        );
    }
    harness.send(Input::Unsupported);
    assert_eq!(exam_of(&harness).2, current + 1);
}

#[test]
fn the_time_limit_ends_the_exam_and_unanswered_questions_count_wrong() {
    let mut harness = in_german_placement();
    for _ in 0..3 {
        answer(&mut harness, true);
    }
    // Answering now and then, so the idle timeout does not close it first.
    for _ in 0..2 {
        harness.run_until(harness.now + chrono::Duration::minutes(15));
        assert!(harness.replies.is_empty(), "{:?}", harness.replies);
        answer(&mut harness, true);
    }
    let harness = run_on(
        harness,
        r#"
        @ exam_deadline 0 2026-03-02T09:40:00Z
        ~ run 9m
        ! Time is up
        ~ run 2m
        < ⏰ Time is up! Questions left unanswered count as wrong.
        < German placement test: 5 of 24 right.
        < A1: 4 of 4
        < A2: 1 of 4
        < Your level in German looks like A1.
        = confirming_level
        @ exam_deadline 0 none
        @ exam_idle 0 none
    "#,
    );
    assert_eq!(harness.practice.exam_history[0].end, ExamEnd::TimeUp);
    assert_eq!(harness.practice.exam_history[0].answered, 5);
}

#[test]
fn an_answer_after_the_deadline_meets_the_result_even_if_the_timer_is_late() {
    let mut harness = in_german_placement();
    answer(&mut harness, true);
    let (_, session, current) = exam_of(&harness);
    harness.now += chrono::Duration::minutes(45);
    press(&mut harness, session, current, "a0");
    let screen = harness.screen();
    assert!(screen.contains("Time is up!"), "{screen}");
    assert!(screen.contains("1 of 24 right"), "{screen}");
    assert!(matches!(
        harness.state,
        DialogueState::ConfirmingLevel { .. }
    ));
    assert!(harness.practice.exam.is_none());
    // The late timer then finds nothing to do.
    harness.fire_due();
    assert!(harness.replies.is_empty());
}

#[test]
fn an_exam_left_unanswered_is_closed_by_its_timer() {
    let mut harness = in_german_placement();
    answer(&mut harness, true);
    let harness = run_on(
        harness,
        r#"
        @ exam_idle 0 2026-03-02T09:20:00Z
        ~ run 15m
        ! closed
        > <resume>
        < question 2 of 24
        ~ run 10m
        < The test was closed after 20 minutes without an answer
        = idle
        @ exam_deadline 0 none
        > /placement German
        < question 1 of 24
        > /cancel
        < The test is stopped; no result is recorded.
        > /progress
        < closed unanswered
        < stopped
    "#,
    );
    assert_eq!(ends(&harness), [ExamEnd::Abandoned, ExamEnd::Cancelled]);
    assert!(
        harness
            .timers
            .keys()
            .all(|(kind, _)| !matches!(kind, TimerKind::ExamDeadline | TimerKind::ExamIdle)),
        "{:?}",
        harness.timers
    );
}

#[test]
fn one_exam_at_a_time_whatever_the_chat() {
    let harness = in_german_placement();
    let mut harness = run_on(
        harness,
        r#"
        > /placement
        < Let's finish this first
        < question 1 of 24
        > /help
        < /placement — a placement test for a language you learn
        < question 1 of 24
    "#,
    );
    // The same person in another chat, where no exam is on screen.
    let in_this_chat = std::mem::replace(&mut harness.state, DialogueState::Idle);
    let mut harness = run_on(
        harness,
        r#"
        > /placement English
        < You are already taking “German placement test”.
        = idle
        > #ex:0:0:a0
        < That test is over.
    "#,
    );
    assert!(
        harness.practice.exam.is_some(),
        "the running exam is untouched"
    );
    harness.state = in_this_chat;
    run_on(harness, "> <resume>\n< question 1 of 24\n");
}

#[test]
fn placement_needs_a_learned_language_with_a_test() {
    run(r#"
        > /placement
        < Your profile is not complete yet.
    "#);
    run(&format!(
        r#"{ONBOARDING}
        > /placement French
        < “French” is not one of the languages you learn.
        > /placement english
        < English placement test
        = exam
    "#
    ));
}

/// The ONBOARDING person on the last day of "First conversations" for German, whose
/// second step has a step exam.
fn at_the_step_exam() -> Harness {
    let mut harness = run(&format!(
        "{ONBOARDING}\n> /enroll first-conversations\n> [German]\n> 8:15\n"
    ));
    let course = harness.practice.course.as_mut().expect("enrolled");
    course.day = 6;
    run_on(
        harness,
        r#"
        > /done
        < Step 2 of 2
        > /done
        < This step ends with a short check.
        < First conversations: check (German)
        = exam
    "#,
    )
}

#[test]
fn a_passed_step_exam_marks_its_step_done() {
    let mut harness = at_the_step_exam();
    let asked = asked(&harness);
    let total = asked.len();
    answer(&mut harness, true);
    answer(&mut harness, false);
    // No answer is given away before the end.
    assert!(!harness.screen().contains("To look at again"));
    assert!(
        !harness
            .screen()
            .contains(asked[1].explanation.get(Locale::En)),
        "{}",
        harness.screen()
    );
    while matches!(harness.state, DialogueState::Exam(_)) {
        answer(&mut harness, true);
    }
    let screen = harness.screen();
    assert!(
        screen.contains(&format!("{} of {total} right", total - 1)),
        "{screen}"
    );
    // Then the one missed, with why.
    assert!(screen.contains("To look at again"), "{screen}");
    assert!(screen.contains(&asked[1].prompt), "{screen}");
    assert!(
        screen.contains(asked[1].explanation.get(Locale::En)),
        "{screen}"
    );
    assert!(!screen.contains(&asked[0].prompt), "{screen}");
    assert!(screen.contains("Passed — the step is done."), "{screen}");
    assert!(
        screen.contains("You finished “First conversations”"),
        "{screen}"
    );
    assert!(harness.practice.course.is_none());
    assert_eq!(harness.practice.exam_history[0].passed, Some(true));
}

#[test]
fn a_failed_step_exam_leaves_the_step_open() {
    let mut harness = at_the_step_exam();
    while matches!(harness.state, DialogueState::Exam(_)) {
        answer(&mut harness, false);
    }
    assert!(
        harness.screen().contains("Not passed yet: 60% is needed."),
        "{}",
        harness.screen()
    );
    assert_eq!(harness.practice.exam_history[0].passed, Some(false));
    let harness = run_on(
        harness,
        r#"
        = idle
        > /skip
        < ⏭ Skipped.
        < You finished “First conversations”
    "#,
    );
    assert!(harness.practice.course.is_none());
}

#[test]
fn a_forged_answer_starting_with_a_multi_byte_character_is_an_older_message() {
    let mut harness = in_german_placement();
    let (_, session, current) = exam_of(&harness);
    // The action's first character was cut at byte 1, inside `ё`, and panicked.
    for action in ["ё", "ё0", "€1", "🙂", "a\u{301}0", "\u{200F}a0", "a٠"] {
        press(&mut harness, session, current, action);
        assert!(
            harness.screen().contains("older message"),
            "{action:?}: {}",
            harness.screen()
        );
        assert_eq!(exam_of(&harness).2, current, "{action:?} answered");
    }
    answer(&mut harness, true);
    assert_eq!(exam_of(&harness).2, current + 1);
}

/// ONBOARDING with "Not sure" for German instead of A2.
fn onboarding_not_sure_of_german() -> String {
    ONBOARDING
        .replace(
            "> [A2]",
            "> [Not sure]\n< the placement test for German starts right after you confirm your profile",
        )
        .replace("German (A2)", "German (placement test)")
        .replace("= idle", "= exam")
}

#[test]
fn not_sure_in_onboarding_starts_the_placement_test_and_its_result_is_the_level() {
    let mut harness = run(&format!(
        r#"{}
        < All set!
        < Now the placement test for German: its result becomes your level
        < 📝 German placement test: 24 questions, 40 minutes.
        < question 1 of 24
        ! What next
    "#,
        onboarding_not_sure_of_german()
    ));
    assert_eq!(german_level(&harness), Some(LevelChoice::PlacementTest));
    for question in asked(&harness) {
        answer(&mut harness, question.level <= CefrLevel::B1);
    }
    // No second question: the result is the level, and the profile shows it.
    let harness = run_on(
        harness,
        r#"
        < German placement test: 12 of 24 right.
        < ✅ Your level in German is now B1.
        < Learning: English (B2), German (B1)
        < What next: /find looks for a practice partner
        ! Set it on your profile?
        = idle
    "#,
    );
    assert_eq!(
        german_level(&harness),
        Some(LevelChoice::Known(CefrLevel::B1))
    );
    // The reminder finds nothing left to remind of.
    let harness = run_on(harness, "~ run 3d\n! is still not set\n");
    assert!(harness.timer(TimerKind::PlacementReminder, "").is_none());
}

#[test]
fn leaving_the_test_from_onboarding_keeps_the_level_pending_and_reminds_once() {
    let harness = run(&onboarding_not_sure_of_german());
    assert!(harness.timer(TimerKind::PlacementReminder, "").is_some());
    let harness = run_on(
        harness,
        r#"
        > /cancel
        < The test is stopped
        < Your level in German stays unknown until you take the test
        = idle
        ? /targets/1/level = "placement_test"
        > /profile
        < German (placement test)
        ~ run 23h
        ! is still not set
        ~ run 2h
        < 📝 Your level in German is still not set, so partners are matched without it. /placement takes the test (40 min at most).
        ~ run 7d
        ! is still not set
    "#,
    );
    assert_eq!(german_level(&harness), Some(LevelChoice::PlacementTest));
    assert!(harness.timer(TimerKind::PlacementReminder, "").is_none());
}

#[test]
fn a_language_without_a_placement_test_is_set_by_hand() {
    let harness = run(r#"
        > /start
        > [English]
        > es
        > ja
        < What is your level in Japanese?
        < There is no placement test for Japanese yet, so set your level by hand with the buttons.
        ! [Not sure
        > #lvl:ja:test
        < That button belongs to an older message
        > [A1]
        < Step 5 of 9
    "#);
    assert!(harness.profile.is_some());
}

/// The options of the question on screen as shown, top to bottom, as indices into the
/// question's options in the file.
fn shown_order(harness: &Harness) -> Vec<usize> {
    let reply = harness.replies.last().expect("a reply");
    let mut data: Vec<String> = reply.buttons().iter().map(|b| b.data.clone()).collect();
    if let Some(crate::engine::Keyboard::MultiSelect { options, .. }) = &reply.keyboard {
        data = options.iter().map(|t| t.button.data.clone()).collect();
    }
    data.iter()
        .filter_map(|d| d.rsplit(':').next())
        .filter_map(|action| action.get(1..).and_then(|i| i.parse().ok()))
        .collect()
}

/// Answers every question of the running exam, `right` or not, noting each choice
/// question's options as shown.
fn answer_all(harness: &mut Harness, right: bool) -> (Vec<String>, Vec<Vec<usize>>) {
    let asked: Vec<String> = asked(harness).iter().map(|q| q.id.clone()).collect();
    let mut orders = Vec::new();
    while matches!(harness.state, DialogueState::Exam(_)) {
        if let Some(QuestionKind::Single { .. } | QuestionKind::Multiple { .. }) =
            on_screen(harness).map(|q| &q.kind)
        {
            orders.push(shown_order(harness));
        }
        answer(harness, right);
    }
    (asked, orders)
}

#[test]
fn a_failed_step_exam_is_retaken_after_a_cool_down_with_other_questions_shuffled() {
    let mut harness = at_the_step_exam();
    let (exam, _, _) = exam_of(&harness);
    assert!(
        asked(&harness).len() < exam.questions.len(),
        "a session draws fewer questions than the exam has"
    );
    let (first, first_orders) = answer_all(&mut harness, false);
    // Options are shuffled: somewhere the order is not the file's.
    assert!(
        first_orders
            .iter()
            .any(|order| !order.is_sorted() && !order.is_empty()),
        "{first_orders:?}"
    );
    let mut harness = run_on(
        harness,
        r#"
        < Not passed yet: 60% is needed.
        < To look at again:
        > /done
        < The check can be taken again in 30 min
        ! question 1 of
        ~ wait 29m
        > /done
        < The check can be taken again in 1 min
        ~ wait 1m
        > /done
        < question 1 of
        = exam
    "#,
    );
    let (second, second_orders) = answer_all(&mut harness, true);
    assert_ne!(
        (first, first_orders),
        (second, second_orders),
        "the retake asks the same questions in the same order"
    );
    run_on(harness, "< Passed — the step is done.\n");
}

#[test]
fn cancel_after_answers_asks_first_and_continue_loses_nothing() {
    let mut harness = in_german_placement();
    answer(&mut harness, true);
    answer(&mut harness, false);
    let (_, session, _) = exam_of(&harness);
    let question_three = on_screen(&harness)
        .expect("a question on screen")
        .prompt
        .clone();
    let mut harness = run_on(
        harness,
        r#"
        > /cancel
        < Stop the test? The 2 answers given so far would be lost
        < [Stop the test]
        < [Continue]
        ! The test is stopped
        = exam
        > my answer is this
        < Please answer with the buttons below.
        < Stop the test?
        > <resume>
        < Stop the test?
        > [Continue]
        < question 3 of 24
        ! Stop the test?
        = exam
    "#,
    );
    let replies: Vec<&str> = harness.replies.iter().map(|r| r.text.as_str()).collect();
    assert!(
        replies.iter().any(|text| text.contains(&question_three)),
        "{replies:?}"
    );
    let DialogueState::Exam(running) = &harness.state else {
        panic!("not in an exam: {:?}", harness.state);
    };
    assert_eq!(running.results, [true, false]);
    assert_eq!(running.current, 2);
    assert!(!running.confirming_cancel);
    assert!(harness.practice.exam.is_some());
    // The Stop button of the question answered by "Continue" stops nothing.
    press(&mut harness, session, 2, "xs");
    let harness = run_on(harness, "= exam\n");
    assert!(harness.practice.exam_history.is_empty());
    let mut harness = harness;
    answer(&mut harness, true);
    let harness = run_on(
        harness,
        r#"
        > /cancel
        < The 3 answers given so far
        > [Stop the test]
        < The test is stopped; no result is recorded.
        = idle
        > /progress
        < stopped
    "#,
    );
    assert_eq!(ends(&harness), [ExamEnd::Cancelled]);
    assert!(harness.practice.exam.is_none());
}

#[test]
fn cancel_twice_stops_and_cancel_before_any_answer_stops_at_once() {
    let mut harness = in_german_placement();
    answer(&mut harness, true);
    let harness = run_on(
        harness,
        r#"
        > /cancel
        < Stop the test? The answer given so far would be lost
        > /cancel
        < The test is stopped; no result is recorded.
        = idle
        > /placement German
        < question 1 of 24
        > /cancel
        < The test is stopped; no result is recorded.
        ! Stop the test?
        = idle
    "#,
    );
    assert_eq!(harness.practice.exam_history.len(), 2);
}

#[test]
fn an_exam_saved_before_cancel_asked_first_is_still_read() {
    let harness = in_german_placement();
    let mut saved = serde_json::to_value(&harness.state).expect("serialisable");
    let fields = saved.as_object_mut().expect("an object");
    assert!(fields.remove("confirming_cancel").is_some(), "{fields:?}");
    let read: DialogueState = serde_json::from_value(saved).expect("an older state reads");
    assert_eq!(read, harness.state);
}
