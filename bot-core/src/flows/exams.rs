//! Exams: /placement (per learned language) and course step exams, one question at a
//! time, with a time limit and an idle timeout kept as durable timers.
//!
//! One exam per person at a time (`Practice::exam`, whatever the chat). The questions and
//! answers so far live in the dialogue of the chat the exam runs in
//! ([`DialogueState::Exam`]). Every button carries the session and the question number,
//! so a button of an earlier question or exam is refused and an answer, once given,
//! cannot be changed. A placement result proposes a level, which is set on the profile
//! only when the person confirms it.

use chrono::{DateTime, Utc};

use crate::content::{Exam, PASS_PERCENT, Question, QuestionKind, passes, score_placement};
use crate::domain::{
    ActiveExam, CefrLevel, ExamEnd, ExamRecord, LanguageCode, LevelChoice, Locale, Practice,
    Profile,
};
use crate::engine::{
    Button, Context, DialogueState, Effect, ExamPurpose, ExamSession, FiredTimer, Input, Keyboard,
    PersonView, Reply, TimerKind, TimerSpec, Toggle, Transition, quote,
};

/// /placement [language]: the placement test of a learned language.
pub fn placement(
    cx: &Context,
    state: DialogueState,
    person: &PersonView<'_>,
    args: &str,
    now: DateTime<Utc>,
) -> Transition {
    let locale = person.profile.locale;
    if !person.profile.completed {
        return Transition::to(state).say(cx.t(locale, "profile-incomplete"));
    }
    let learned: Vec<LanguageCode> = person.profile.targets.iter().map(|t| t.language).collect();
    let language = if args.trim().is_empty() {
        match learned.as_slice() {
            [only] => *only,
            _ => {
                let buttons = learned
                    .iter()
                    .map(|code| {
                        Button::new(
                            cx.content.language_name(*code, locale),
                            format!("plc:lang:{code}"),
                        )
                    })
                    .collect();
                return Transition::to(state).reply(
                    Reply::text(cx.t(locale, "placement-ask-language"))
                        .with_keyboard(Keyboard::Choice(buttons)),
                );
            }
        }
    } else {
        match cx
            .content
            .find_language(args)
            .map(|l| l.code)
            .filter(|code| learned.contains(code))
        {
            Some(code) => code,
            None => {
                let note = cx.tf(
                    locale,
                    "error-not-learning",
                    &[("input", quote(args).into())],
                );
                return Transition::to(state).say(note);
            }
        }
    };
    start_placement(cx, state, person, language, now)
}

fn start_placement(
    cx: &Context,
    state: DialogueState,
    person: &PersonView<'_>,
    language: LanguageCode,
    now: DateTime<Utc>,
) -> Transition {
    let locale = person.profile.locale;
    match cx.content.placement_exam(language) {
        Some(exam) => start(cx, state, person, exam, ExamPurpose::Placement, now),
        None => Transition::to(state).say(cx.tf(
            locale,
            "placement-none",
            &cx.language_args(locale, language),
        )),
    }
}

/// How long after a placement test chosen in onboarding started the person is reminded,
/// once, if they left it and their level is still waiting for it.
fn pending_reminder_delay() -> chrono::Duration {
    chrono::Duration::days(1)
}

/// Whether the person's level in `language` waits for a placement test.
fn level_pending(profile: &Profile, language: LanguageCode) -> bool {
    profile
        .targets
        .iter()
        .any(|t| t.language == language && t.level == Some(LevelChoice::PlacementTest))
}

/// The placement test of the first learned language whose level waits for one.
fn pending_placement<'c>(cx: &'c Context, profile: &Profile) -> Option<&'c Exam> {
    profile
        .targets
        .iter()
        .filter(|t| t.level == Some(LevelChoice::PlacementTest))
        .find_map(|t| cx.content.placement_exam(t.language))
}

/// Right after a profile is saved whose level was left to a placement test ("Not
/// sure"): that test starts, and a reminder is set in case the person leaves it.
/// `None` when no level waits for a test.
pub fn start_pending_placement(
    cx: &Context,
    person: &PersonView<'_>,
    now: DateTime<Utc>,
) -> Option<Transition> {
    let exam = pending_placement(cx, person.profile)?;
    let locale = person.profile.locale;
    let note = cx.tf(
        locale,
        "placement-starting",
        &cx.language_args(locale, exam.language),
    );
    let started = start(
        cx,
        DialogueState::Idle,
        person,
        exam,
        ExamPurpose::Placement,
        now,
    );
    Some(
        started
            .after(vec![Reply::text(note)])
            .effect(Effect::Schedule(TimerSpec::new(
                TimerKind::PlacementReminder,
                "",
                now + pending_reminder_delay(),
            ))),
    )
}

/// The reminder of a placement test chosen in onboarding: said once, and only while a
/// level still waits for a test and no test is running.
pub fn remind_pending(
    cx: &Context,
    state: DialogueState,
    person: &PersonView<'_>,
    now: DateTime<Utc>,
) -> Transition {
    let exam = pending_placement(cx, person.profile);
    let (Some(exam), true, None) = (exam, person.profile.completed, active(person.practice, now))
    else {
        return Transition::to(state);
    };
    let locale = person.profile.locale;
    let mut args = cx.language_args(locale, exam.language);
    args.push(("minutes", exam.time_limit_minutes.into()));
    let note = cx.tf(locale, "placement-pending-reminder", &args);
    super::ask_again(cx, state, person, now, note)
}

/// The exam the person is taking, if its time has not run out.
fn active(practice: &Practice, now: DateTime<Utc>) -> Option<&ActiveExam> {
    practice.exam.as_ref().filter(|exam| now < exam.deadline)
}

/// Starts `exam`, unless another one is in progress.
pub fn start(
    cx: &Context,
    state: DialogueState,
    person: &PersonView<'_>,
    exam: &Exam,
    purpose: ExamPurpose,
    now: DateTime<Utc>,
) -> Transition {
    let locale = person.profile.locale;
    if let ExamPurpose::Step { .. } = purpose
        && let Some(wait) = retake_wait(person.practice, exam, now)
    {
        let minutes = (wait.num_seconds() + 59) / 60;
        return Transition::to(state).say(cx.tf(
            locale,
            "step-exam-cooldown",
            &[("minutes", minutes.into())],
        ));
    }
    if let Some(running) = active(person.practice, now) {
        let title = cx
            .content
            .exam(&running.exam)
            .map_or_else(|| running.exam.clone(), |e| e.title.get(locale).to_owned());
        return Transition::to(state).say(cx.tf(
            locale,
            "exam-already-active",
            &[("title", title.into())],
        ));
    }
    let mut practice = person.practice.clone();
    let session = practice.next_exam_session;
    practice.next_exam_session = session.wrapping_add(1);
    let deadline = now + exam.time_limit();
    practice.exam = Some(ActiveExam {
        session,
        exam: exam.id.clone(),
        started_at: now,
        deadline,
    });
    // Each session its own draw and option order: from the person, the session and
    // the time it starts (flows read no clock; `now` is the event's).
    let (high, low) = person.id.as_uuid().as_u64_pair();
    let started = now.timestamp_micros() as u64;
    let seed = high ^ low.rotate_left(17) ^ u64::from(session) ^ started.rotate_left(29);
    let running = ExamSession {
        session,
        exam: exam.id.clone(),
        purpose,
        seed,
        questions: exam.draw(seed),
        current: 0,
        results: Vec::new(),
        picked: Vec::new(),
        confirming_cancel: false,
        started_at: now,
        deadline,
        last_answer_at: now,
    };
    let mut intro = cx.tf(
        locale,
        "exam-intro",
        &[
            ("title", exam.title.get(locale).into()),
            ("questions", asked(exam, &running).len().into()),
            ("minutes", exam.time_limit_minutes.into()),
        ],
    );
    if matches!(running.purpose, ExamPurpose::Step { .. }) {
        intro = format!("{}\n{intro}", cx.t(locale, "step-exam-intro"));
    }
    let question = question_reply(cx, locale, exam, &running, now);
    Transition::to(DialogueState::Exam(running))
        .say(intro)
        .reply(question)
        .effect(Effect::SavePractice(practice))
        .effect(Effect::Schedule(TimerSpec::new(
            TimerKind::ExamDeadline,
            session.to_string(),
            deadline,
        )))
        .effect(Effect::Schedule(TimerSpec::new(
            TimerKind::ExamIdle,
            session.to_string(),
            now + cx.training.exam_idle,
        )))
}

/// The question on screen (or the question whether to stop, while /cancel waits for
/// an answer), for /help, a reopened chat, or after a wrong input.
pub fn prompt(
    cx: &Context,
    locale: Locale,
    running: &ExamSession,
    now: DateTime<Utc>,
) -> Vec<Reply> {
    if running.confirming_cancel {
        return vec![cancel_question(cx, locale, running)];
    }
    cx.content
        .exam(&running.exam)
        .map(|exam| question_reply(cx, locale, exam, running, now))
        .into_iter()
        .collect()
}

/// Whether to stop a test with answers given, which stopping throws away. Its buttons
/// carry the session and question like the question's, so they are refused once the
/// test has moved on.
fn cancel_question(cx: &Context, locale: Locale, running: &ExamSession) -> Reply {
    let data = |action: &str| format!("ex:{}:{}:{action}", running.session, running.current);
    Reply::text(cx.tf(
        locale,
        "exam-cancel-confirm",
        &[("count", running.results.len().into())],
    ))
    .with_keyboard(Keyboard::Choice(vec![
        Button::new(cx.t(locale, "button-exam-stop"), data(CANCEL_STOP)),
        Button::new(cx.t(locale, "button-continue"), data(CANCEL_CONTINUE)),
    ]))
}

/// The actions of [`cancel_question`]'s buttons; no question's action starts with `x`.
const CANCEL_STOP: &str = "xs";
const CANCEL_CONTINUE: &str = "xc";

/// An input while the question whether to stop the test is on screen: only its two
/// buttons answer it.
fn handle_cancel_question(
    cx: &Context,
    mut running: ExamSession,
    exam: &Exam,
    person: &PersonView<'_>,
    input: &Input,
    now: DateTime<Utc>,
) -> Transition {
    let locale = person.profile.locale;
    let again = |running: ExamSession, note: String| {
        super::ask_again(cx, DialogueState::Exam(running), person, now, note)
    };
    match input {
        Input::Button(data) => match parse_button(data) {
            Some((session, number, action))
                if session == running.session && number == running.current =>
            {
                match action {
                    CANCEL_STOP => stopped(cx, running, exam, person, now),
                    CANCEL_CONTINUE => {
                        running.confirming_cancel = false;
                        let reply = question_reply(cx, locale, exam, &running, now);
                        Transition::to(DialogueState::Exam(running)).reply(reply)
                    }
                    _ => again(running, cx.t(locale, "error-use-buttons")),
                }
            }
            _ => again(running, cx.t(locale, "stale-button")),
        },
        Input::Text(_) => again(running, cx.t(locale, "error-use-buttons")),
        Input::Unsupported => again(running, cx.t(locale, "error-unsupported-message")),
        _ => {
            let reply = cancel_question(cx, locale, &running);
            Transition::to(DialogueState::Exam(running)).reply(reply)
        }
    }
}

fn question_reply(
    cx: &Context,
    locale: Locale,
    exam: &Exam,
    running: &ExamSession,
    now: DateTime<Utc>,
) -> Reply {
    let Some(question) = on_screen(exam, running) else {
        return Reply::text(cx.t(locale, "exam-ended"));
    };
    let seconds_left = running
        .deadline
        .signed_duration_since(now)
        .num_seconds()
        .max(0);
    let header = cx.tf(
        locale,
        "exam-question",
        &[
            ("title", exam.title.get(locale).into()),
            ("number", (running.current + 1).into()),
            ("count", asked(exam, running).len().into()),
            ("minutes", ((seconds_left + 59) / 60).into()),
        ],
    );
    let data = |action: String| format!("ex:{}:{}:{action}", running.session, running.current);
    let order = question.display_order(crate::content::mix(running.seed, running.current as u64));
    let options = question.options();
    let label = |index: usize| options.get(index).cloned().unwrap_or_default();
    let (hint, keyboard) = match &question.kind {
        QuestionKind::Single { .. } => (
            cx.t(locale, "exam-hint-single"),
            Some(Keyboard::Choice(
                order
                    .iter()
                    .map(|&index| Button::new(label(index), data(format!("a{index}"))))
                    .collect(),
            )),
        ),
        QuestionKind::Multiple { .. } => (
            cx.t(locale, "exam-hint-multiple"),
            Some(Keyboard::MultiSelect {
                options: order
                    .iter()
                    .map(|&index| Toggle {
                        button: Button::new(label(index), data(format!("t{index}"))),
                        selected: running.picked.contains(&index),
                    })
                    .collect(),
                done: Button::new(cx.t(locale, "button-done"), data("d".to_owned())),
            }),
        ),
        QuestionKind::Ordering { .. } => {
            let mut hint = cx.t(locale, "exam-hint-ordering");
            let mut buttons: Vec<Button> = order
                .iter()
                .filter(|index| !running.picked.contains(index))
                .map(|&index| Button::new(label(index), data(format!("o{index}"))))
                .collect();
            if !running.picked.is_empty() {
                let sequence: Vec<String> = running.picked.iter().map(|&i| label(i)).collect();
                hint.push('\n');
                hint.push_str(&cx.tf(
                    locale,
                    "exam-order-so-far",
                    &[("sequence", sequence.join(" → ").into())],
                ));
                buttons.push(Button::new(
                    cx.t(locale, "button-exam-reset"),
                    data("r".to_owned()),
                ));
            }
            (hint, Some(Keyboard::Choice(buttons)))
        }
        QuestionKind::Text { .. } => (cx.t(locale, "exam-hint-text"), None),
    };
    let reply = Reply::text(format!("{header}\n\n{}\n\n{hint}", question.prompt));
    match keyboard {
        Some(keyboard) => reply.with_keyboard(keyboard),
        None => reply,
    }
}

/// An input while an exam is on screen.
pub fn handle(
    cx: &Context,
    mut running: ExamSession,
    person: &PersonView<'_>,
    input: &Input,
    now: DateTime<Utc>,
) -> Transition {
    let locale = person.profile.locale;
    let still_ours = person
        .practice
        .exam
        .as_ref()
        .is_some_and(|exam| exam.session == running.session);
    let (Some(exam), true) = (cx.content.exam(&running.exam), still_ours) else {
        // Closed meanwhile (its timer ran in this chat's absence), or no longer in the pack.
        return Transition::to(DialogueState::Idle).say(cx.t(locale, "exam-ended"));
    };
    let Some(question) = on_screen(exam, &running) else {
        return finish(
            cx,
            running,
            exam,
            ExamEnd::Completed,
            person,
            now,
            Vec::new(),
        );
    };
    if running.confirming_cancel {
        return handle_cancel_question(cx, running, exam, person, input, now);
    }
    let again = |running: ExamSession, note: String| {
        super::ask_again(cx, DialogueState::Exam(running), person, now, note)
    };
    match input {
        Input::Button(data) => {
            let Some((session, number, action)) = parse_button(data) else {
                return again(running, cx.t(locale, "stale-button"));
            };
            if session != running.session || number > running.current {
                return again(running, cx.t(locale, "stale-button"));
            }
            if number < running.current {
                return again(running, cx.t(locale, "exam-already-answered"));
            }
            let options = question.options().len();
            let option = |text: &str| text.parse::<usize>().ok().filter(|i| *i < options);
            // The action's first character says what was pressed, the rest which option;
            // forged data may start with any character, of any length in bytes.
            let mut rest = action.chars();
            let pressed = rest.next();
            match (&question.kind, (pressed, rest.as_str())) {
                (QuestionKind::Single { .. }, (Some('a'), index)) => match option(index) {
                    Some(index) => {
                        let right = question.check(&crate::content::Answer::SingleChoice(index));
                        answered(cx, running, exam, right, person, now)
                    }
                    None => again(running, cx.t(locale, "stale-button")),
                },
                (QuestionKind::Multiple { .. }, (Some('t'), index)) => match option(index) {
                    Some(index) => {
                        match running.picked.iter().position(|i| *i == index) {
                            Some(at) => {
                                running.picked.remove(at);
                            }
                            None => running.picked.push(index),
                        }
                        let reply =
                            question_reply(cx, locale, exam, &running, now).updating_previous();
                        Transition::to(DialogueState::Exam(running)).reply(reply)
                    }
                    None => again(running, cx.t(locale, "stale-button")),
                },
                (QuestionKind::Multiple { .. }, (Some('d'), "")) => {
                    if running.picked.is_empty() {
                        return again(running, cx.t(locale, "error-pick-at-least-one"));
                    }
                    let chosen = running.picked.iter().copied().collect();
                    let right = question.check(&crate::content::Answer::MultipleChoice(chosen));
                    answered(cx, running, exam, right, person, now)
                }
                (QuestionKind::Ordering { .. }, (Some('o'), index)) => match option(index) {
                    Some(index) if !running.picked.contains(&index) => {
                        running.picked.push(index);
                        if running.picked.len() == options {
                            let order = running.picked.clone();
                            let right = question.check(&crate::content::Answer::Ordering(order));
                            return answered(cx, running, exam, right, person, now);
                        }
                        let reply =
                            question_reply(cx, locale, exam, &running, now).updating_previous();
                        Transition::to(DialogueState::Exam(running)).reply(reply)
                    }
                    _ => again(running, cx.t(locale, "stale-button")),
                },
                (QuestionKind::Ordering { .. }, (Some('r'), "")) => {
                    running.picked.clear();
                    let reply = question_reply(cx, locale, exam, &running, now).updating_previous();
                    Transition::to(DialogueState::Exam(running)).reply(reply)
                }
                _ => again(running, cx.t(locale, "stale-button")),
            }
        }
        Input::Text(text) => match &question.kind {
            QuestionKind::Text { .. } => {
                let right = question.check(&crate::content::Answer::Text(text.clone()));
                answered(cx, running, exam, right, person, now)
            }
            _ => again(running, cx.t(locale, "error-use-buttons")),
        },
        Input::Unsupported => again(running, cx.t(locale, "error-unsupported-message")),
        _ => {
            let reply = question_reply(cx, locale, exam, &running, now);
            Transition::to(DialogueState::Exam(running)).reply(reply)
        }
    }
}

/// The questions `running` asks, in order.
fn asked<'e>(exam: &'e Exam, running: &ExamSession) -> Vec<&'e Question> {
    if running.questions.is_empty() {
        exam.questions.iter().collect()
    } else {
        running
            .questions
            .iter()
            .filter_map(|index| exam.questions.get(*index))
            .collect()
    }
}

/// The question on screen, if any is left.
fn on_screen<'e>(exam: &'e Exam, running: &ExamSession) -> Option<&'e Question> {
    asked(exam, running).get(running.current).copied()
}

/// The end of a step exam: each question answered wrong (or left), with why.
fn review(cx: &Context, locale: Locale, asked: &[&Question], results: &[bool]) -> Option<Reply> {
    let missed: Vec<String> = asked
        .iter()
        .enumerate()
        .filter(|(position, _)| !results.get(*position).copied().unwrap_or(false))
        .map(|(_, question)| {
            cx.tf(
                locale,
                "exam-review-line",
                &[
                    ("prompt", question.prompt.as_str().into()),
                    ("explanation", question.explanation.get(locale).into()),
                ],
            )
        })
        .collect();
    (!missed.is_empty()).then(|| {
        Reply::text(format!(
            "{}\n\n{}",
            cx.t(locale, "exam-review"),
            missed.join("\n\n")
        ))
    })
}

/// How long after failing a step exam it can be taken again: long enough that the
/// retake is not answered from memory of the last one.
const STEP_RETAKE_COOLDOWN_MINUTES: i64 = 30;

/// How long the person still waits before retaking `exam`, failed last time; `None`
/// when it can be taken now.
fn retake_wait(practice: &Practice, exam: &Exam, now: DateTime<Utc>) -> Option<chrono::Duration> {
    let last = practice.exam_history.iter().rev().find(|record| {
        record.exam == exam.id
            && record.end != ExamEnd::Cancelled
            && record.end != ExamEnd::Abandoned
    })?;
    let open_at = last.ended_at + chrono::Duration::minutes(STEP_RETAKE_COOLDOWN_MINUTES);
    (last.passed == Some(false) && now < open_at).then(|| open_at - now)
}

/// `ex:<session>:<question>:<action>`.
fn parse_button(data: &str) -> Option<(u32, usize, &str)> {
    let mut parts = data.strip_prefix("ex:")?.splitn(3, ':');
    let session = parts.next()?.parse().ok()?;
    let number = parts.next()?.parse().ok()?;
    let action = parts.next().filter(|action| !action.is_empty())?;
    Some((session, number, action))
}

/// The current question was answered (`right` or not): on to the next, or the end.
fn answered(
    cx: &Context,
    mut running: ExamSession,
    exam: &Exam,
    right: bool,
    person: &PersonView<'_>,
    now: DateTime<Utc>,
) -> Transition {
    let locale = person.profile.locale;
    running.results.push(right);
    running.current += 1;
    running.picked.clear();
    running.last_answer_at = now;
    // No answer is given away before the end: a step exam explains its mistakes then.
    if running.current >= asked(exam, &running).len() {
        return finish(
            cx,
            running,
            exam,
            ExamEnd::Completed,
            person,
            now,
            Vec::new(),
        );
    }
    let reply = question_reply(cx, locale, exam, &running, now);
    let session = running.session;
    Transition::to(DialogueState::Exam(running))
        .reply(reply)
        .effect(Effect::Schedule(TimerSpec::new(
            TimerKind::ExamIdle,
            session.to_string(),
            now + cx.training.exam_idle,
        )))
}

/// Ends an exam: records it, drops its timers, and shows the result (a placement test
/// then asks whether to set the level; a passed step exam marks its step done).
fn finish(
    cx: &Context,
    running: ExamSession,
    exam: &Exam,
    end: ExamEnd,
    person: &PersonView<'_>,
    now: DateTime<Utc>,
    mut replies: Vec<Reply>,
) -> Transition {
    let locale = person.profile.locale;
    let asked = asked(exam, &running);
    let total = asked.len();
    let correct = running.results.iter().filter(|right| **right).count();
    let mut practice = person.practice.clone();
    if practice
        .exam
        .as_ref()
        .is_some_and(|active| active.session == running.session)
    {
        practice.exam = None;
    }
    let mut record = ExamRecord {
        exam: exam.id.clone(),
        started_at: running.started_at,
        ended_at: now,
        end,
        correct: correct as u32,
        answered: running.results.len() as u32,
        questions: total as u32,
        level: None,
        passed: None,
    };
    let mut effects = vec![
        Effect::Cancel {
            kind: TimerKind::ExamDeadline,
            key: running.session.to_string(),
        },
        Effect::Cancel {
            kind: TimerKind::ExamIdle,
            key: running.session.to_string(),
        },
    ];
    let mut state = DialogueState::Idle;
    let mut follow_up = None;
    match end {
        ExamEnd::Cancelled | ExamEnd::Abandoned => {
            replies.push(Reply::text(if end == ExamEnd::Cancelled {
                cx.t(locale, "exam-cancelled")
            } else {
                cx.tf(
                    locale,
                    "exam-abandoned",
                    &[("minutes", cx.training.exam_idle.num_minutes().into())],
                )
            }));
            if running.purpose == ExamPurpose::Placement
                && level_pending(person.profile, exam.language)
            {
                replies.push(Reply::text(cx.tf(
                    locale,
                    "placement-pending-kept",
                    &cx.language_args(locale, exam.language),
                )));
            }
        }
        ExamEnd::Completed | ExamEnd::TimeUp => {
            super::streak::practised(&mut practice, person.profile, now);
            if end == ExamEnd::TimeUp {
                replies.push(Reply::text(cx.t(locale, "exam-time-up")));
            }
            let result = cx.tf(
                locale,
                "exam-result",
                &[
                    ("title", exam.title.get(locale).into()),
                    ("correct", correct.into()),
                    ("total", total.into()),
                ],
            );
            match &running.purpose {
                ExamPurpose::Placement => {
                    // Unanswered questions count as wrong.
                    let placement =
                        score_placement(asked.iter().enumerate().map(|(position, question)| {
                            let right = running.results.get(position).copied().unwrap_or(false);
                            (question.level, right)
                        }));
                    record.level = Some(placement.level);
                    let mut lines = vec![result];
                    for score in &placement.scores {
                        lines.push(cx.tf(
                            locale,
                            "placement-level-line",
                            &[
                                ("level", score.level.as_str().into()),
                                ("correct", score.correct.into()),
                                ("total", score.total.into()),
                            ],
                        ));
                    }
                    replies.push(Reply::text(lines.join("\n")));
                    if level_pending(person.profile, exam.language) {
                        // The person left this level to the test: its result is the level.
                        let mut profile = person.profile.clone();
                        set_level(&mut profile, exam.language, placement.level);
                        replies.extend(level_set(cx, &profile, exam.language, placement.level));
                        effects.push(Effect::SaveProfile(profile));
                    } else {
                        replies.push(level_prompt(cx, person, exam.language, placement.level));
                        state = DialogueState::ConfirmingLevel {
                            language: exam.language,
                            level: placement.level,
                            last_activity: now,
                        };
                    }
                }
                ExamPurpose::Step { day, step, .. } => {
                    let passed = passes(correct, total);
                    record.passed = Some(passed);
                    replies.push(Reply::text(result));
                    replies.extend(review(cx, locale, &asked, &running.results));
                    if passed {
                        replies.push(Reply::text(cx.t(locale, "step-exam-passed")));
                        follow_up = Some((*day, step.clone()));
                    } else {
                        replies.push(Reply::text(cx.tf(
                            locale,
                            "step-exam-failed",
                            &[
                                ("percent", PASS_PERCENT.into()),
                                ("minutes", STEP_RETAKE_COOLDOWN_MINUTES.into()),
                            ],
                        )));
                    }
                }
            }
        }
    }
    practice.record_exam(record);
    effects.insert(0, Effect::SavePractice(practice.clone()));
    let mut transition = Transition {
        state,
        replies,
        effects,
    };
    if let Some((day, step)) = follow_up {
        let view = PersonView {
            practice: &practice,
            ..*person
        };
        if let Some(marked) =
            super::courses::pass_step(cx, transition.state.clone(), &view, day, &step, now)
        {
            transition.state = marked.state;
            transition.replies.extend(marked.replies);
            transition.effects.extend(marked.effects);
        }
    }
    transition
}

/// /cancel during an exam: it ends without a result.
/// /cancel in an exam: with answers given, which stopping throws away, it first asks
/// whether to stop (a second /cancel stops); before any answer it stops at once.
pub fn cancel(
    cx: &Context,
    mut running: ExamSession,
    person: &PersonView<'_>,
    now: DateTime<Utc>,
) -> Transition {
    if !running.results.is_empty() && !running.confirming_cancel {
        running.confirming_cancel = true;
        let question = cancel_question(cx, person.profile.locale, &running);
        return Transition::to(DialogueState::Exam(running)).reply(question);
    }
    match cx.content.exam(&running.exam) {
        Some(exam) => stopped(cx, running, exam, person, now),
        None => {
            Transition::to(DialogueState::Idle).say(cx.t(person.profile.locale, "exam-cancelled"))
        }
    }
}

/// The test stopped by the person: recorded as stopped, with no result.
fn stopped(
    cx: &Context,
    running: ExamSession,
    exam: &Exam,
    person: &PersonView<'_>,
    now: DateTime<Utc>,
) -> Transition {
    finish(
        cx,
        running,
        exam,
        ExamEnd::Cancelled,
        person,
        now,
        Vec::new(),
    )
}

/// Before any input: an exam on screen whose time ran out ends first (its timer may not
/// have fired yet, e.g. after a downtime), so the input meets the state after it.
pub fn close_overdue(
    cx: &Context,
    state: &DialogueState,
    person: &PersonView<'_>,
    now: DateTime<Utc>,
) -> Option<Transition> {
    let DialogueState::Exam(running) = state else {
        return None;
    };
    if now < running.deadline {
        return None;
    }
    let exam = cx.content.exam(&running.exam)?;
    Some(finish(
        cx,
        running.clone(),
        exam,
        ExamEnd::TimeUp,
        person,
        now,
        Vec::new(),
    ))
}

/// The time limit of an exam ran out.
pub fn fire_deadline(
    cx: &Context,
    state: DialogueState,
    person: &PersonView<'_>,
    fired: &FiredTimer,
    now: DateTime<Utc>,
) -> Transition {
    with_timed_exam(cx, state, person, fired, now, |running, exam| {
        finish(cx, running, exam, ExamEnd::TimeUp, person, now, Vec::new())
    })
}

/// No answer for the idle timeout: the exam is closed without a result.
pub fn fire_idle(
    cx: &Context,
    state: DialogueState,
    person: &PersonView<'_>,
    fired: &FiredTimer,
    now: DateTime<Utc>,
) -> Transition {
    with_timed_exam(cx, state, person, fired, now, |running, exam| {
        if now >= running.deadline {
            return finish(cx, running, exam, ExamEnd::TimeUp, person, now, Vec::new());
        }
        let idle_until = running.last_answer_at + cx.training.exam_idle;
        if now < idle_until {
            // Answered since the timer was set: wait for the new idle time.
            let key = running.session.to_string();
            return Transition::to(DialogueState::Exam(running)).effect(Effect::Schedule(
                TimerSpec::new(TimerKind::ExamIdle, key, idle_until),
            ));
        }
        finish(
            cx,
            running,
            exam,
            ExamEnd::Abandoned,
            person,
            now,
            Vec::new(),
        )
    })
}

/// `due` for the exam on screen that an exam timer is for, with its questions; when the
/// dialogue moved on or the exam left the pack, the exam is [`release`]d instead.
fn with_timed_exam(
    cx: &Context,
    state: DialogueState,
    person: &PersonView<'_>,
    fired: &FiredTimer,
    now: DateTime<Utc>,
    due: impl FnOnce(ExamSession, &Exam) -> Transition,
) -> Transition {
    match state {
        DialogueState::Exam(running) if fired.key == running.session.to_string() => {
            match cx.content.exam(&running.exam) {
                Some(exam) => due(running, exam),
                None => release(DialogueState::Idle, person, &fired.key, now),
            }
        }
        other => release(other, person, &fired.key, now),
    }
}

/// An exam timer fired in a chat whose dialogue moved on (a deletion question
/// interrupted the exam): the person is freed to start another; the exam's answers are
/// gone with the dialogue, so it is recorded as abandoned.
fn release(
    state: DialogueState,
    person: &PersonView<'_>,
    key: &str,
    now: DateTime<Utc>,
) -> Transition {
    let Some(active) = person
        .practice
        .exam
        .as_ref()
        .filter(|active| active.session.to_string() == key)
    else {
        return Transition::to(state);
    };
    let mut practice = person.practice.clone();
    practice.record_exam(ExamRecord {
        exam: active.exam.clone(),
        started_at: active.started_at,
        ended_at: now,
        end: ExamEnd::Abandoned,
        correct: 0,
        answered: 0,
        questions: 0,
        level: None,
        passed: None,
    });
    practice.exam = None;
    Transition::to(state)
        .effect(Effect::Cancel {
            kind: TimerKind::ExamDeadline,
            key: key.to_owned(),
        })
        .effect(Effect::Cancel {
            kind: TimerKind::ExamIdle,
            key: key.to_owned(),
        })
        .effect(Effect::SavePractice(practice))
}

/// "Set your German level to B1?"
pub fn level_prompt(
    cx: &Context,
    person: &PersonView<'_>,
    language: LanguageCode,
    level: CefrLevel,
) -> Reply {
    let locale = person.profile.locale;
    let current = person
        .profile
        .targets
        .iter()
        .find(|target| target.language == language)
        .and_then(|target| target.level);
    let current = match current {
        Some(LevelChoice::Known(level)) => level.to_string(),
        _ => cx.t(locale, "card-level-unanswered"),
    };
    let mut args = cx.language_args(locale, language);
    args.push(("level", level.as_str().into()));
    Reply::text(cx.tf(locale, "placement-propose", &args)).with_keyboard(Keyboard::Choice(vec![
        Button::new(
            cx.tf(
                locale,
                "button-placement-accept",
                &[("level", level.as_str().into())],
            ),
            format!("plc:yes:{language}:{level}"),
        ),
        Button::new(
            cx.tf(
                locale,
                "button-placement-keep",
                &[("level", current.into())],
            ),
            format!("plc:no:{language}:{level}"),
        ),
    ]))
}

fn set_level(profile: &mut Profile, language: LanguageCode, level: CefrLevel) {
    if let Some(target) = profile.targets.iter_mut().find(|t| t.language == language) {
        target.level = Some(LevelChoice::Known(level));
    }
}

/// A level set by a placement test the person left it to: the level, the profile as it
/// now stands, and what comes next (another language's test, or finding a partner).
fn level_set(
    cx: &Context,
    profile: &Profile,
    language: LanguageCode,
    level: CefrLevel,
) -> Vec<Reply> {
    let locale = profile.locale;
    let mut args = cx.language_args(locale, language);
    args.push(("level", level.as_str().into()));
    let summary = format!(
        "{}\n\n{}",
        cx.tf(locale, "placement-level-set", &args),
        super::card::profile_card(cx, locale, profile)
    );
    let next = match pending_placement(cx, profile) {
        Some(exam) => cx.tf(
            locale,
            "placement-next-pending",
            &cx.language_args(locale, exam.language),
        ),
        None => cx.t(locale, "onboarding-next"),
    };
    vec![Reply::text(summary), Reply::text(next)]
}

/// The answer to "set your level?".
pub fn handle_level(
    cx: &Context,
    language: LanguageCode,
    level: CefrLevel,
    person: &PersonView<'_>,
    input: &Input,
    now: DateTime<Utc>,
) -> Transition {
    let locale = person.profile.locale;
    let again = |note: String| {
        let state = DialogueState::ConfirmingLevel {
            language,
            level,
            last_activity: now,
        };
        super::ask_again(cx, state, person, now, note)
    };
    let Input::Button(data) = input else {
        return again(cx.t(locale, "error-use-buttons"));
    };
    let mut args = cx.language_args(locale, language);
    if *data == format!("plc:yes:{language}:{level}") {
        let mut profile = person.profile.clone();
        let Some(target) = profile.targets.iter_mut().find(|t| t.language == language) else {
            return Transition::to(DialogueState::Idle).say(cx.tf(
                locale,
                "placement-not-learning",
                &args,
            ));
        };
        target.level = Some(LevelChoice::Known(level));
        args.push(("level", level.as_str().into()));
        return Transition::to(DialogueState::Idle)
            .say(cx.tf(locale, "placement-level-set", &args))
            .effect(Effect::SaveProfile(profile));
    }
    if *data == format!("plc:no:{language}:{level}") {
        return Transition::to(DialogueState::Idle).say(cx.t(locale, "placement-level-kept"));
    }
    again(cx.t(locale, "stale-button"))
}

/// A `plc:` or `ex:` button pressed while no flow is open; `None` if it is not one of ours.
pub fn button(
    cx: &Context,
    state: DialogueState,
    person: &PersonView<'_>,
    data: &str,
    now: DateTime<Utc>,
) -> Option<Transition> {
    if data.starts_with("ex:") {
        // A question of an exam that is over.
        let locale = person.profile.locale;
        let note = cx.t(locale, "exam-ended");
        return Some(super::ask_again(cx, state, person, now, note));
    }
    let code = data.strip_prefix("plc:lang:")?;
    let language = LanguageCode::parse(code)
        .filter(|code| person.profile.targets.iter().any(|t| t.language == *code))?;
    if !person.profile.completed {
        return None;
    }
    Some(start_placement(cx, state, person, language, now))
}

/// The exam part of /progress: levels, and the latest results.
pub fn progress_lines(cx: &Context, locale: Locale, practice: &Practice) -> Vec<String> {
    const SHOWN: usize = 5;
    if practice.exam_history.is_empty() {
        return vec![cx.t(locale, "progress-no-exams")];
    }
    let mut lines = vec![cx.t(locale, "progress-exams")];
    for record in practice.exam_history.iter().rev().take(SHOWN) {
        let title = cx.content.exam(&record.exam).map_or_else(
            || record.exam.clone(),
            |exam| exam.title.get(locale).to_owned(),
        );
        let outcome = match (record.end, record.level, record.passed) {
            (ExamEnd::Cancelled, _, _) => cx.t(locale, "progress-exam-cancelled"),
            (ExamEnd::Abandoned, _, _) => cx.t(locale, "progress-exam-abandoned"),
            (_, Some(level), _) => cx.tf(
                locale,
                "progress-exam-level",
                &[("level", level.as_str().into())],
            ),
            (_, None, Some(true)) => cx.t(locale, "progress-exam-passed"),
            (_, None, _) => cx.t(locale, "progress-exam-failed"),
        };
        lines.push(cx.tf(
            locale,
            "progress-exam-line",
            &[
                (
                    "date",
                    record.ended_at.format("%Y-%m-%d").to_string().into(),
                ),
                ("title", title.into()),
                ("correct", record.correct.into()),
                ("total", record.questions.into()),
                ("outcome", outcome.into()),
            ],
        ));
    }
    lines
}

#[cfg(test)]
pub(crate) mod tests;
