//! /courses, /enroll, /done, /skip, and the daily lesson timer.
//!
//! A person follows one course at a time. Enrolling asks which learned language (when
//! they learn several) and at what local time each day's steps should arrive; day 1
//! comes at once. Each day's steps are shown one after the other: /done or /skip (or the
//! buttons under a step) resolve the one on screen. The lesson timer fires daily at the
//! chosen time: it brings the next day when the current one is finished, or the
//! unfinished step again — twice at most, then lessons pause until the person goes on.

use chrono::{DateTime, Utc};

use crate::content::{Course, CourseStep};
use crate::domain::{
    Enrollment, FinishedCourse, LanguageCode, LocalTime, Locale, Practice, Profile, ResolvedStep,
    Timezone, Weekdays, local_date, next_occurrence,
};
use crate::engine::{
    Button, Context, DialogueState, Effect, EnrollStage, Enrolling, ExamPurpose, FiredTimer, Input,
    Keyboard, PersonView, Reply, TimerKind, TimerSpec, Transition, quote,
};

/// Deliveries that find the day unfinished before lessons pause.
const MAX_UNANSWERED_DELIVERIES: u8 = 2;

/// Times offered as buttons when asking for the daily time.
const SUGGESTED_TIMES: [(u32, u32); 3] = [(8, 0), (12, 30), (19, 0)];

/// /courses (and /enroll without a course): the courses, with a button to join each.
pub fn list(cx: &Context, state: DialogueState, person: &PersonView<'_>) -> Transition {
    let locale = person.profile.locale;
    let mut lines = vec![cx.t(locale, "courses-intro")];
    for course in cx.content.courses() {
        lines.push(cx.tf(
            locale,
            "courses-line",
            &[
                ("title", course.title.get(locale).into()),
                ("days", course.days.len().into()),
                ("description", course.description.get(locale).into()),
            ],
        ));
    }
    if let Some(line) = current_line(cx, locale, person.practice) {
        lines.push(line);
    }
    let buttons = cx
        .content
        .courses()
        .iter()
        .map(|course| {
            Button::new(
                cx.tf(
                    locale,
                    "button-course-pick",
                    &[("title", course.title.get(locale).into())],
                ),
                format!("crs:pick:{}", course.id),
            )
        })
        .collect();
    Transition::to(state)
        .reply(Reply::text(lines.join("\n\n")).with_keyboard(Keyboard::Choice(buttons)))
}

/// The course a person follows and their place in it, if it is still in the pack.
pub fn followed<'a>(
    cx: &'a Context,
    practice: &'a Practice,
) -> Option<(&'a Course, &'a Enrollment)> {
    let enrollment = practice.course.as_ref()?;
    Some((cx.content.course(&enrollment.course)?, enrollment))
}

/// "You are on day 3 of 7 of First conversations."
fn current_line(cx: &Context, locale: Locale, practice: &Practice) -> Option<String> {
    let (course, enrollment) = followed(cx, practice)?;
    Some(cx.tf(
        locale,
        "courses-current",
        &[
            ("title", course.title.get(locale).into()),
            ("day", (enrollment.day + 1).into()),
            ("days", course.days.len().into()),
        ],
    ))
}

/// /enroll [course]: the course is named by id or title; without one, the list.
pub fn enroll_command(
    cx: &Context,
    state: DialogueState,
    person: &PersonView<'_>,
    args: &str,
    now: DateTime<Utc>,
) -> Transition {
    if args.trim().is_empty() {
        return list(cx, state, person);
    }
    let locale = person.profile.locale;
    let wanted = crate::domain::fold_name(args);
    let course = cx.content.courses().iter().find(|course| {
        crate::domain::fold_name(&course.id) == wanted
            || Locale::ALL
                .iter()
                .any(|l| crate::domain::fold_name(course.title.get(*l)) == wanted)
    });
    match course {
        Some(course) => start(cx, state, person, course, now),
        None => {
            let note = cx.tf(
                locale,
                "error-unknown-course",
                &[("input", quote(args).into())],
            );
            list(cx, state, person).after(vec![Reply::text(note)])
        }
    }
}

/// A `crs:` button pressed while no flow is open; `None` if it is not one of ours.
pub fn button(
    cx: &Context,
    state: DialogueState,
    person: &PersonView<'_>,
    data: &str,
    now: DateTime<Utc>,
) -> Option<Transition> {
    let action = data.strip_prefix("crs:")?;
    if let Some(id) = action.strip_prefix("pick:") {
        let course = cx.content.course(id)?;
        return Some(start(cx, state, person, course, now));
    }
    let (done, rest) = match action.split_once(':')? {
        ("done", rest) => (true, rest),
        ("skip", rest) => (false, rest),
        _ => return None,
    };
    let (day, step) = rest.split_once(':')?;
    let day = day.parse::<usize>().ok()?;
    Some(resolve_step(
        cx,
        state,
        person,
        done,
        Some((day, step)),
        now,
    ))
}

fn start(
    cx: &Context,
    state: DialogueState,
    person: &PersonView<'_>,
    course: &Course,
    now: DateTime<Utc>,
) -> Transition {
    let locale = person.profile.locale;
    if super::reminders::ready(person.profile).is_none() {
        return Transition::to(state).say(cx.t(locale, "profile-incomplete"));
    }
    if let Some(current) = &person.practice.course
        && current.course == course.id
    {
        let note = cx.tf(
            locale,
            "course-already",
            &[("title", course.title.get(locale).into())],
        );
        let mut transition = Transition::to(state).say(note);
        transition
            .replies
            .extend(step_on_screen(cx, locale, person.practice));
        return transition;
    }
    let mut enrolling = Enrolling {
        course: course.id.clone(),
        stage: EnrollStage::ConfirmSwitch,
        language: None,
        last_activity: now,
    };
    if person.practice.course.is_none() {
        advance_past_switch(&mut enrolling, person.profile);
    }
    let reply = prompt(cx, person, &enrolling);
    Transition::to(DialogueState::Enrolling(enrolling)).reply(reply)
}

/// After the switch is settled: ask for the language only if there is a choice.
fn advance_past_switch(enrolling: &mut Enrolling, profile: &Profile) {
    if profile.targets.len() > 1 {
        enrolling.stage = EnrollStage::Language;
    } else {
        enrolling.language = profile.targets.first().map(|target| target.language);
        enrolling.stage = EnrollStage::Time;
    }
}

/// The question on screen while enrolling.
pub fn prompt(cx: &Context, person: &PersonView<'_>, enrolling: &Enrolling) -> Reply {
    let locale = person.profile.locale;
    let title = cx.content.course(&enrolling.course).map_or_else(
        || enrolling.course.clone(),
        |c| c.title.get(locale).to_owned(),
    );
    match enrolling.stage {
        EnrollStage::ConfirmSwitch => {
            let (current, day, days) = followed(cx, person.practice).map_or(
                (String::new(), 1, 1),
                |(course, enrollment)| {
                    (
                        course.title.get(locale).to_owned(),
                        enrollment.day + 1,
                        course.days.len(),
                    )
                },
            );
            Reply::text(cx.tf(
                locale,
                "course-switch-confirm",
                &[
                    ("current", current.clone().into()),
                    ("day", day.into()),
                    ("days", days.into()),
                    ("title", title.into()),
                ],
            ))
            .with_keyboard(Keyboard::Choice(vec![
                Button::new(cx.t(locale, "button-course-switch"), "crs:switch:yes"),
                Button::new(
                    cx.tf(locale, "button-course-keep", &[("title", current.into())]),
                    "crs:switch:no",
                ),
            ]))
        }
        EnrollStage::Language => {
            let buttons = person
                .profile
                .targets
                .iter()
                .map(|target| {
                    Button::new(
                        cx.content.language_name(target.language, locale),
                        format!("crs:lang:{}", target.language),
                    )
                })
                .collect();
            Reply::text(cx.tf(locale, "course-ask-language", &[("title", title.into())]))
                .with_keyboard(Keyboard::Choice(buttons))
        }
        EnrollStage::Time => {
            let timezone = person
                .profile
                .timezone
                .map_or_else(|| "UTC".to_owned(), |tz| tz.label());
            let buttons = SUGGESTED_TIMES
                .iter()
                .filter_map(|(hour, minute)| LocalTime::new(*hour, *minute))
                .map(|time| Button::new(time.to_string(), format!("crs:time:{time}")))
                .collect();
            Reply::text(cx.tf(locale, "course-ask-time", &[("timezone", timezone.into())]))
                .with_keyboard(Keyboard::Choice(buttons))
        }
    }
}

pub fn handle_enrolling(
    cx: &Context,
    mut enrolling: Enrolling,
    person: &PersonView<'_>,
    input: &Input,
    now: DateTime<Utc>,
) -> Transition {
    enrolling.last_activity = now;
    let locale = person.profile.locale;
    let (Some(tz), Some(course)) = (
        super::reminders::ready(person.profile),
        cx.content.course(&enrolling.course),
    ) else {
        return Transition::to(DialogueState::Idle).say(cx.t(locale, "course-gone"));
    };
    let again = |enrolling: Enrolling, note: String| {
        super::ask_again(cx, DialogueState::Enrolling(enrolling), person, now, note)
    };
    let next = |enrolling: Enrolling| {
        let reply = prompt(cx, person, &enrolling);
        Transition::to(DialogueState::Enrolling(enrolling)).reply(reply)
    };
    match (enrolling.stage, input) {
        (EnrollStage::ConfirmSwitch, Input::Button(data)) if data == "crs:switch:yes" => {
            advance_past_switch(&mut enrolling, person.profile);
            next(enrolling)
        }
        (EnrollStage::ConfirmSwitch, Input::Button(data)) if data == "crs:switch:no" => {
            let mut transition =
                Transition::to(DialogueState::Idle).say(cx.t(locale, "course-kept"));
            transition
                .replies
                .extend(step_on_screen(cx, locale, person.practice));
            transition
        }
        (EnrollStage::Language, Input::Button(data)) if data.starts_with("crs:lang:") => {
            let chosen = LanguageCode::parse(data.strip_prefix("crs:lang:").unwrap_or_default())
                .filter(|code| person.profile.targets.iter().any(|t| t.language == *code));
            match chosen {
                Some(code) => {
                    enrolling.language = Some(code);
                    enrolling.stage = EnrollStage::Time;
                    next(enrolling)
                }
                None => again(enrolling, cx.t(locale, "stale-button")),
            }
        }
        (EnrollStage::Time, Input::Button(data)) if data.starts_with("crs:time:") => {
            match LocalTime::parse(data.strip_prefix("crs:time:").unwrap_or_default()) {
                Some(time) => choose_time(cx, enrolling, course, tz, person, time, now),
                None => again(enrolling, cx.t(locale, "stale-button")),
            }
        }
        (EnrollStage::Time, Input::Text(text)) => match LocalTime::parse(text) {
            Some(time) => choose_time(cx, enrolling, course, tz, person, time, now),
            None => again(
                enrolling,
                cx.tf(locale, "error-bad-time", &[("input", quote(text).into())]),
            ),
        },
        (_, Input::Button(_)) => again(enrolling, cx.t(locale, "stale-button")),
        (_, Input::Unsupported) => again(enrolling, cx.t(locale, "error-unsupported-message")),
        (_, Input::Text(_)) => again(enrolling, cx.t(locale, "error-use-buttons")),
        _ => next(enrolling),
    }
}

fn choose_time(
    cx: &Context,
    enrolling: Enrolling,
    course: &Course,
    tz: Timezone,
    person: &PersonView<'_>,
    time: LocalTime,
    now: DateTime<Utc>,
) -> Transition {
    let locale = person.profile.locale;
    if let Some(note) = super::reminders::quiet_conflict(cx, locale, person.practice, time) {
        return super::ask_again(cx, DialogueState::Enrolling(enrolling), person, now, note);
    }
    let mut practice = person.practice.clone();
    let enrollment = Enrollment {
        course: course.id.clone(),
        language: enrolling.language,
        time,
        day: 0,
        delivered_at: now,
        resolved: Vec::new(),
        started_at: now,
        steps_done: 0,
        steps_skipped: 0,
        unanswered_deliveries: 0,
    };
    let next = next_delivery(tz, time, now, now);
    let mut transition = Transition::to(DialogueState::Idle).say(cx.tf(
        locale,
        "course-enrolled",
        &[
            ("title", course.title.get(locale).into()),
            ("time", time.to_string().into()),
        ],
    ));
    transition
        .replies
        .extend(day_replies(cx, locale, course, &enrollment));
    practice.course = Some(enrollment);
    transition
        .effect(day_timer(next))
        .effect(Effect::SavePractice(practice))
}

/// The lesson timer, set (or moved) to `at`.
fn day_timer(at: DateTime<Utc>) -> Effect {
    Effect::Schedule(TimerSpec::new(TimerKind::CourseDay, "", at))
}

/// The course a person follows is no longer in the pack: they follow none.
fn course_gone(cx: &Context, state: DialogueState, person: &PersonView<'_>) -> Transition {
    let mut practice = person.practice.clone();
    practice.course = None;
    Transition::to(state)
        .say(cx.t(person.profile.locale, "course-gone"))
        .effect(Effect::SavePractice(practice))
}

/// The next delivery: at `time`, after `now`, on a later local date than the last
/// delivery (`delivered_at`), so a day comes once a day even when the time comes again
/// later the same day.
fn next_delivery(
    tz: Timezone,
    time: LocalTime,
    delivered_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> DateTime<Utc> {
    let today = local_date(tz.tz(), delivered_at);
    let mut after = now;
    for _ in 0..3 {
        match next_occurrence(tz.tz(), time, Weekdays::EVERY_DAY, after) {
            Some(at) if local_date(tz.tz(), at) > today => return at,
            Some(at) => after = at,
            None => break,
        }
    }
    now + chrono::Duration::days(1)
}

/// The first unresolved step of the current day, with its number in the day (from 0).
fn current_step<'c>(
    course: &'c Course,
    enrollment: &Enrollment,
) -> Option<(usize, &'c CourseStep)> {
    course
        .days
        .get(enrollment.day)?
        .steps
        .iter()
        .enumerate()
        .find(|(_, step)| !enrollment.is_resolved(&step.id))
}

/// The day's header and its first unresolved step.
fn day_replies(
    cx: &Context,
    locale: Locale,
    course: &Course,
    enrollment: &Enrollment,
) -> Vec<Reply> {
    let Some(day) = course.days.get(enrollment.day) else {
        return Vec::new();
    };
    let mut replies = vec![Reply::text(cx.tf(
        locale,
        "course-day-header",
        &[
            ("title", course.title.get(locale).into()),
            ("day", (enrollment.day + 1).into()),
            ("days", course.days.len().into()),
            ("topic", day.title.get(locale).into()),
        ],
    ))];
    replies.extend(step_reply(cx, locale, course, enrollment));
    replies
}

/// The current step of a person's course, with its buttons, if there is one.
pub fn step_on_screen(cx: &Context, locale: Locale, practice: &Practice) -> Option<Reply> {
    let (course, enrollment) = followed(cx, practice)?;
    step_reply(cx, locale, course, enrollment)
}

fn step_reply(
    cx: &Context,
    locale: Locale,
    course: &Course,
    enrollment: &Enrollment,
) -> Option<Reply> {
    let (index, step) = current_step(course, enrollment)?;
    let steps = course
        .days
        .get(enrollment.day)
        .map_or(0, |day| day.steps.len());
    let mut text = cx.tf(
        locale,
        "course-step",
        &[
            ("step", (index + 1).into()),
            ("steps", steps.into()),
            ("task", step.task.get(locale).into()),
        ],
    );
    let words = enrollment
        .language
        .map(|language| step.vocabulary_for(language))
        .unwrap_or_default();
    if !words.is_empty() {
        text.push_str("\n\n");
        text.push_str(&cx.t(locale, "course-words"));
        for item in words {
            text.push('\n');
            text.push_str(&cx.tf(
                locale,
                "course-word",
                &[
                    ("word", item.word.as_str().into()),
                    ("meaning", item.meaning.get(locale).into()),
                ],
            ));
        }
    }
    let data = |action: &str| format!("crs:{action}:{}:{}", enrollment.day, step.id);
    Some(Reply::text(text).with_keyboard(Keyboard::Choice(vec![
        Button::new(cx.t(locale, "button-step-done"), data("done")),
        Button::new(cx.t(locale, "button-step-skip"), data("skip")),
    ])))
}

/// /done, /skip, or a step's button (`on_screen`: the day and step it was under). A
/// step with an exam for the person's language is done by passing the exam: /done
/// starts it.
pub fn resolve_step(
    cx: &Context,
    state: DialogueState,
    person: &PersonView<'_>,
    done: bool,
    on_screen: Option<(usize, &str)>,
    now: DateTime<Utc>,
) -> Transition {
    resolve(cx, state, person, done, on_screen, true, now)
}

/// A step exam was passed: its step is done, if it is still the one on screen.
pub fn pass_step(
    cx: &Context,
    state: DialogueState,
    person: &PersonView<'_>,
    day: usize,
    step: &str,
    now: DateTime<Utc>,
) -> Option<Transition> {
    let (course, enrollment) = followed(cx, person.practice)?;
    let (_, current) = current_step(course, enrollment)?;
    (enrollment.day == day && current.id == step)
        .then(|| resolve(cx, state, person, true, Some((day, step)), false, now))
}

fn resolve(
    cx: &Context,
    state: DialogueState,
    person: &PersonView<'_>,
    done: bool,
    on_screen: Option<(usize, &str)>,
    with_exam: bool,
    now: DateTime<Utc>,
) -> Transition {
    let locale = person.profile.locale;
    let Some(enrollment) = person.practice.course.clone() else {
        return match on_screen {
            Some(_) => super::stale_button(cx, state, person, now),
            None => Transition::to(state).say(cx.t(locale, "course-none")),
        };
    };
    let Some(course) = cx.content.course(&enrollment.course) else {
        return course_gone(cx, state, person);
    };
    let tz = person
        .profile
        .timezone
        .unwrap_or(Timezone::new(chrono_tz::UTC));
    let Some((_, step)) = current_step(course, &enrollment) else {
        if on_screen.is_some() {
            return super::stale_button(cx, state, person, now);
        }
        let next = next_delivery(tz, enrollment.time, enrollment.delivered_at, now);
        let note = cx.tf(
            locale,
            "course-day-waiting",
            &[(
                "next",
                super::reminders::when_text(cx, locale, tz, next).into(),
            )],
        );
        return Transition::to(state).say(note);
    };
    if on_screen.is_some_and(|(day, id)| day != enrollment.day || id != step.id) {
        return super::stale_button(cx, state, person, now);
    }
    let exam = enrollment
        .language
        .and_then(|language| step.exam_for(language))
        .and_then(|id| cx.content.exam(id));
    if let (true, true, Some(exam)) = (done, with_exam, exam) {
        let purpose = ExamPurpose::Step {
            course: course.id.clone(),
            day: enrollment.day,
            step: step.id.clone(),
        };
        return super::exams::start(cx, state, person, exam, purpose, now);
    }
    let mut enrollment = enrollment;
    let step_id = step.id.clone();
    enrollment.resolved.push(ResolvedStep {
        step: step_id,
        done,
    });
    enrollment.unanswered_deliveries = 0;
    let mut practice = person.practice.clone();
    if done {
        enrollment.steps_done += 1;
        super::streak::practised(&mut practice, person.profile, now);
    } else {
        enrollment.steps_skipped += 1;
    }
    let mut transition = Transition::to(state).say(cx.t(
        locale,
        if done {
            "course-step-done"
        } else {
            "course-step-skipped"
        },
    ));
    if let Some(reply) = step_reply(cx, locale, course, &enrollment) {
        transition = transition.reply(reply);
    } else if enrollment.day + 1 >= course.days.len() {
        transition = transition
            .say(cx.tf(
                locale,
                "course-finished",
                &[
                    ("title", course.title.get(locale).into()),
                    ("done", enrollment.steps_done.into()),
                    ("skipped", enrollment.steps_skipped.into()),
                ],
            ))
            .effect(Effect::Cancel {
                kind: TimerKind::CourseDay,
                key: String::new(),
            });
        practice.finished_courses.push(FinishedCourse {
            course: enrollment.course.clone(),
            finished_at: now,
            steps_done: enrollment.steps_done,
            steps_skipped: enrollment.steps_skipped,
        });
        practice.course = None;
        return transition.effect(Effect::SavePractice(practice));
    } else {
        // The lessons may have paused while the day waited: they go on.
        let next = next_delivery(tz, enrollment.time, enrollment.delivered_at, now);
        transition = transition
            .say(cx.tf(
                locale,
                "course-day-complete",
                &[
                    ("day", (enrollment.day + 1).into()),
                    (
                        "next",
                        super::reminders::when_text(cx, locale, tz, next).into(),
                    ),
                ],
            ))
            .effect(day_timer(next));
    }
    practice.course = Some(enrollment);
    transition.effect(Effect::SavePractice(practice))
}

/// The lesson timer: the next day if the current one is finished, else its open step
/// again (at most twice in a row); never in quiet hours.
pub fn fire(
    cx: &Context,
    state: DialogueState,
    person: &PersonView<'_>,
    _fired: &FiredTimer,
    now: DateTime<Utc>,
) -> Transition {
    let (Some(mut enrollment), Some(tz)) =
        (person.practice.course.clone(), person.profile.timezone)
    else {
        return Transition::to(state);
    };
    let locale = person.profile.locale;
    let Some(course) = cx.content.course(&enrollment.course) else {
        return course_gone(cx, state, person);
    };
    let quiet_until = super::reminders::quiet_end(cx, person.practice, tz, now);
    if quiet_until > now {
        return Transition::to(state).effect(day_timer(quiet_until));
    }
    let mut transition = Transition::to(state);
    if person.profile.unreachable {
        // Nothing reaches them: keep the day for when they are back.
    } else if current_step(course, &enrollment).is_none() {
        if enrollment.day + 1 < course.days.len() {
            enrollment.day += 1;
            enrollment.delivered_at = now;
            enrollment.resolved.clear();
            transition
                .replies
                .extend(day_replies(cx, locale, course, &enrollment));
        }
    } else {
        if enrollment.unanswered_deliveries >= MAX_UNANSWERED_DELIVERIES {
            // Paused: the next /done or /skip sets the lessons going again.
            return transition;
        }
        enrollment.unanswered_deliveries += 1;
        transition = transition.say(cx.tf(
            locale,
            "course-pending",
            &[("day", (enrollment.day + 1).into())],
        ));
        transition
            .replies
            .extend(step_reply(cx, locale, course, &enrollment));
    }
    let next = next_delivery(tz, enrollment.time, enrollment.delivered_at, now);
    let mut practice = person.practice.clone();
    practice.course = Some(enrollment);
    transition
        .effect(day_timer(next))
        .effect(Effect::SavePractice(practice))
}

/// The lesson timer after a timezone change, if the person follows a course.
pub fn reschedule(practice: &Practice, tz: Timezone, now: DateTime<Utc>) -> Option<Effect> {
    let enrollment = practice.course.as_ref()?;
    Some(day_timer(next_delivery(
        tz,
        enrollment.time,
        enrollment.delivered_at,
        now,
    )))
}

/// The course part of /progress.
pub fn progress_lines(cx: &Context, locale: Locale, practice: &Practice) -> Vec<String> {
    let mut lines = Vec::new();
    match followed(cx, practice) {
        Some((course, enrollment)) => {
            let steps_today = course.days.get(enrollment.day).map_or(0, |d| d.steps.len());
            lines.push(cx.tf(
                locale,
                "progress-course",
                &[
                    ("title", course.title.get(locale).into()),
                    ("day", (enrollment.day + 1).into()),
                    ("days", course.days.len().into()),
                    ("today", enrollment.resolved.len().into()),
                    ("steps", steps_today.into()),
                    ("done", enrollment.steps_done.into()),
                    ("skipped", enrollment.steps_skipped.into()),
                ],
            ));
        }
        None => lines.push(cx.t(locale, "progress-no-course")),
    }
    for finished in &practice.finished_courses {
        let title = cx.content.course(&finished.course).map_or_else(
            || finished.course.clone(),
            |c| c.title.get(locale).to_owned(),
        );
        lines.push(cx.tf(
            locale,
            "progress-course-finished",
            &[
                ("title", title.into()),
                (
                    "date",
                    finished.finished_at.format("%Y-%m-%d").to_string().into(),
                ),
            ],
        ));
    }
    lines
}

#[cfg(test)]
mod tests;
