# lexbot — English texts. Every key here must exist in ru.ftl too, and be used by the code.

## Onboarding

onboarding-welcome = 👋 Welcome to lexbot! I find you a language-exchange partner: someone who speaks the language you learn and learns the language you speak. A few questions first — it takes about two minutes. You can send /cancel at any time and pick up later with /start.
onboarding-progress = Step { $step } of { $steps } · { $percent }% complete
onboarding-already-started = You are already setting up your profile — let's continue.
onboarding-done = 🎉 All set! Your profile is complete. See it any time with /profile; /help lists everything I can do.
start-already-registered = Welcome back! Your profile is complete. /profile shows and edits it, /help lists everything I can do.
resume-offer = You started setting up your profile earlier ({ $percent }% complete). Continue where you left off?
summary-intro = Almost done ({ $percent }%). Here is your profile — confirm it, or tap a field to change it.

ask-interface-language = Which language should I talk to you in?
ask-native-languages = Which language(s) do you speak natively? Tap up to { $max }, then “Done”. Not in the list? Type the language or its two-letter code (for example “uk” or “Ukrainian”).
ask-target-languages = Which language(s) do you want to practise? Tap up to { $max }, then “Done”, or type them (for example “es, de”).
ask-target-level = What is your level in { $language }? A1 is a beginner, C2 near-native. Not sure? Choose the placement test.
level-placement-test = Not sure — placement test
ask-interests = What do you like to talk about? Pick up to { $max }, then “Done”.
ask-timezone = Which timezone are you in? Type your city (“Madrid”), a timezone (“Europe/Madrid”) or your UTC offset (“UTC+2”).
timezone-current = 🕒 { $timezone } — it is { $time } there now.
ask-availability = When can you usually practise (your local time)? Mornings are 6–12, afternoons 12–18, evenings 18–24, nights 0–6. Tap all that apply, then “Done”.
ask-practice-styles = How do you like to practise? Tap all that apply, then “Done”.
ask-bio = Tell a future partner a little about yourself, in up to { $max } characters. Or skip it.

button-done = ✅ Done
button-skip = Skip
button-confirm = ✅ Confirm
button-continue = Continue
button-start-over = Start over

slot-weekday-morning = Weekday mornings
slot-weekday-afternoon = Weekday afternoons
slot-weekday-evening = Weekday evenings
slot-weekday-night = Weekday nights
slot-weekend-morning = Weekend mornings
slot-weekend-afternoon = Weekend afternoons
slot-weekend-evening = Weekend evenings
slot-weekend-night = Weekend nights

style-text = ✍️ Text chat
style-voice = 🎙 Voice messages and calls
style-video = 📹 Video calls

## Profile

profile-card =
    🌐 Interface: { $interface }
    🗣 Native: { $native }
    🎯 Learning: { $targets }
    ❤️ Interests: { $interests }
    🕒 Timezone: { $timezone }
    📅 Available: { $availability }
    💬 Practice: { $styles }
    📝 About me: { $bio }
    🔎 Matching: { $matching }
card-unanswered = —
card-level-unanswered = level not set
card-level-placement = placement test
card-bio-skipped = (skipped)
card-matching-active = active
card-matching-paused = paused
profile-intro = Your profile. Tap a field to change it.
profile-incomplete = Your profile is not complete yet. Send /start to finish it.
profile-saved = ✅ Saved.
edit-interface-language = ✏️ Interface language
edit-native-languages = ✏️ Native languages
edit-target-languages = ✏️ Languages I learn
edit-levels = ✏️ Levels
edit-interests = ✏️ Interests
edit-timezone = ✏️ Timezone
edit-availability = ✏️ Availability
edit-practice-styles = ✏️ Practice style
edit-bio = ✏️ About me

## Settings

pause-done = ⏸ Matching is paused: I won't propose partners until you send /resume.
pause-already = Matching is already paused. /resume turns it back on.
resume-done = ▶️ Matching is on again.
resume-already = Matching is already on.

delete-confirm = ⚠️ This erases your profile, your settings and your conversation with me, for good. Delete everything?
button-delete-yes = Yes, delete everything
button-delete-no = No, keep my data
delete-done = Your data is erased. Goodbye! If you ever want to come back, send /start.
delete-cancelled = Deletion cancelled. Nothing was changed.

export-ready = 📦 Here is everything I store about you, as JSON.

## Help and hints

help-commands =
    Here is what I can do:
    /start — set up your profile
    /profile — show and edit your profile
    /language — change the interface language
    /pause — stop proposing partners for now
    /resume — propose partners again
    /export — get your data as a JSON file
    /delete_me — erase everything I store about you
    /courses — short daily courses
    /enroll — join a course
    /done — mark the current course step done
    /skip — skip the current course step
    /progress — your course, streak and results
    /placement — a placement test for a language you learn
    /reminders — practice reminders and quiet hours
    /cancel — leave the current question
    /help — this list
help-in-flow = You are in the middle of a question; answer it, or send /cancel to leave it.
cancel-onboarding = OK, stopped here. Your answers are kept: send /start to continue.
cancel-edit = Cancelled. Your profile is unchanged.
cancel-nothing = There is nothing to cancel. /help lists what I can do.
finish-or-cancel = Let's finish this first — answer the question below, or send /cancel.
unknown-command = I don't know the command /{ $command }. /help lists the ones I do.
stale-button = That button belongs to an older message and no longer works. Here is where we are:
idle-hint = I didn't catch that. /help lists what I can do.
idle-hint-new = Hi! Send /start to set up your profile and find a practice partner.
idle-hint-suspended = You have an unfinished profile. Send /start to continue.
welcome-new = Hi! Send /start to set up your profile and find a practice partner.
welcome-back = Welcome back! /profile shows your profile, /help lists what I can do.
welcome-suspended = Welcome back! Your profile is not finished yet — send /start to continue.
expired-onboarding = It's been a while, so I paused your profile setup. Send /start to pick it up again.
expired-flow = It's been a while, so I closed the last question.

## Errors

error-unknown-language = I don't know the language “{ $input }”. Type a language name or its two-letter ISO 639-1 code, such as “en”, “es” or “de”.
error-already-native = You speak { $language } natively — pick a language you are learning.
error-too-many = You can pick at most { $max }. Remove one first.
error-pick-at-least-one = Pick at least one option first.
error-use-buttons = Please answer with the buttons below.
error-unknown-timezone = I couldn't find a timezone for “{ $input }”. Try a big city near you (“Berlin”), a timezone (“Europe/Berlin”) or an offset (“UTC+1”).
error-offset-out-of-range = “{ $input }” is not a UTC offset that exists. Offsets run from UTC-12 to UTC+14.
error-bio-empty = That was empty. Write a few words, or tap “Skip”.
error-bio-too-long = That is { $length } characters; at most { $max } fit. Please shorten it.
error-unsupported-message = I can only read text and buttons here.
error-internal = Something went wrong on my side. Please try again in a moment.
error-state-reset = I couldn't restore our last conversation, so we are starting fresh. Your profile is safe.

# A command sent in a group chat: lexbot talks one to one.
group-private-only = I talk with people one to one. Write to me in a private chat: { $link }

## Reminders

reminders-intro = ⏰ Your practice reminders (times in { $timezone }):
reminders-none = No reminders yet.
reminders-line = • { $time } — { $days }
reminders-quiet = 🌙 Quiet hours: { $hours }. I send no reminders, lessons or nudges then.
reminders-quiet-off = 🌙 Quiet hours: off.
quiet-hours-none = none
button-reminder-add = ➕ Add a reminder
button-reminder-remove = 🗑 { $time } { $days }
button-quiet-hours = 🌙 Quiet hours
button-quiet-default = Default ({ $hours })
button-quiet-off = No quiet hours
reminders-ask-time = At what time should I remind you? Type it like 08:30 — your local time in { $timezone }.
reminders-ask-days = On which days at { $time }? Tap to change, then “Done”.
reminders-added = ✅ Reminder set for { $time }, { $days }. The next one: { $next }.
reminders-removed = 🗑 Reminder removed.
reminders-limit = You already have { $max } reminders, the most I keep. Remove one first.
reminders-ask-quiet = During quiet hours I send nothing you did not ask for; anything due then waits until they end. Send them like 22:00-08:00, or tap a button.
reminders-quiet-saved = ✅ Quiet hours saved.
reminder-due = ⏰ Time to practise! A few minutes today keep your streak going.
cancel-reminders = Cancelled. Your reminders are unchanged.
error-bad-time = “{ $input }” is not a time I can read. Type it like 08:30 or 19:00.
error-time-in-quiet-hours = { $time } is in your quiet hours ({ $hours }), when I send nothing. Pick another time, or change the quiet hours in /reminders.
error-bad-quiet-hours = “{ $input }” is not a range I can read. Send it like 22:00-08:00.
days-every-day = every day
days-workdays = Mon–Fri
weekday-mon = Mon
weekday-tue = Tue
weekday-wed = Wed
weekday-thu = Thu
weekday-fri = Fri
weekday-sat = Sat
weekday-sun = Sun

## Courses

courses-intro = 📚 Courses: a few short tasks a day, for practice with a partner or on your own.
courses-line = { $title } ({ $days } days) — { $description }
courses-current = You are on day { $day } of { $days } of “{ $title }”.
button-course-pick = 📚 { $title }
error-unknown-course = I don't know a course called “{ $input }”. Here are the ones I have:
course-already = You are already taking “{ $title }”. Here is where you are:
course-switch-confirm = You are on day { $day } of { $days } of “{ $current }”. Switch to “{ $title }”? Your progress in the current course will be lost.
button-course-switch = Switch
button-course-keep = Keep “{ $title }”
course-kept = OK, you stay on your current course.
course-ask-language = Which language do you want to practise with “{ $title }”?
course-ask-time = At what time should each day's steps arrive? Type it like 08:30 (your local time in { $timezone }), or tap one.
course-enrolled = 🎉 You joined “{ $title }”. Day 1 is below; the next days arrive at { $time }.
course-day-header = 📚 { $title } — day { $day } of { $days }: { $topic }
course-step = Step { $step } of { $steps }: { $task }
course-words = 📖 Useful words:
course-word = • { $word } — { $meaning }
button-step-done = ✅ Done
button-step-skip = ⏭ Skip
course-step-done = ✅ Well done!
course-step-skipped = ⏭ Skipped.
course-day-complete = 🎉 Day { $day } is complete. The next day arrives { $next }.
course-finished = 🏁 You finished “{ $title }”: { $done } steps done, { $skipped } skipped. /courses has more.
course-day-waiting = Today's steps are all done. The next day arrives { $next }.
course-pending = 📚 Day { $day } is still waiting for you. Here is where you stopped:
course-none = You are not taking a course. /courses lists them.
course-gone = That course is no longer available. /courses lists the current ones.
cancel-enroll = Cancelled. Nothing changed.

## Progress

progress-intro = 📈 Your progress
progress-course = 📚 “{ $title }”: day { $day } of { $days }, { $today } of { $steps } steps today; { $done } done and { $skipped } skipped so far.
progress-no-course = 📚 No course in progress. /courses lists them.
progress-course-finished = 🏁 Finished “{ $title }” on { $date }.

## Exams

exam-intro = 📝 { $title }: { $questions } questions, { $minutes } minutes. An answer cannot be changed once given. /cancel stops the test.
step-exam-intro = This step ends with a short check.
exam-question = 📝 { $title } — question { $number } of { $count } · ⏱ { $minutes } min left
exam-hint-single = Choose one answer.
exam-hint-multiple = Choose every right answer, then “Done”.
exam-hint-ordering = Tap the parts in the right order.
exam-order-so-far = So far: { $sequence }
button-exam-reset = ↩ Start this one over
exam-hint-text = Type your answer.
exam-ended = That test is over. /progress shows your results.
exam-already-answered = That question is already answered, and answers cannot be changed. Here is the current one:
exam-right = ✅ Right!
exam-wrong = ❌ Not quite. { $explanation }
exam-cancelled = The test is stopped; no result is recorded.
exam-abandoned = The test was closed after { $minutes } minutes without an answer; no result is recorded. You can start again any time.
exam-time-up = ⏰ Time is up! Questions left unanswered count as wrong.
exam-result = 📊 { $title }: { $correct } of { $total } right.
placement-level-line = { $level }: { $correct } of { $total }
step-exam-passed = 🎉 Passed — the step is done.
step-exam-failed = Not passed yet: { $percent }% is needed. /done tries the check again, /skip moves on.
placement-propose = Your level in { $language } looks like { $level }. Set it on your profile? Partners are matched by it.
button-placement-accept = ✅ Set { $level }
button-placement-keep = Keep { $level }
placement-level-set = ✅ Your level in { $language } is now { $level }.
placement-level-kept = Your profile is unchanged.
placement-not-learning = You no longer learn { $language }, so there is no level to set.
exam-already-active = You are already taking “{ $title }”. Finish it first, or stop it with /cancel in the chat where it runs.
placement-ask-language = Which language do you want to take the placement test in?
placement-none = There is no placement test for { $language } yet.
error-not-learning = “{ $input }” is not one of the languages you learn. /profile lists them.

progress-no-exams = 📝 No tests taken yet. /placement checks your level.
progress-exams = 📝 Latest tests:
progress-exam-line = • { $date } { $title }: { $correct }/{ $total } — { $outcome }
progress-exam-level = level { $level }
progress-exam-passed = passed
progress-exam-failed = not passed
progress-exam-cancelled = stopped
progress-exam-abandoned = closed unanswered

## Streaks and nudges

streak-none = 🔥 No streak yet: finish a course step or a test today to start one.
streak-line = 🔥 Streak: { $days } { $days ->
        [one] day
       *[other] days
    } (best { $best }). { $freeze }
streak-freeze-ready = Weekly freeze: ready — one missed day this week will not break it.
streak-freeze-used = Weekly freeze: used this week.
reengage-first = 👋 It's been a few days! A few minutes of practice today?
reengage-second = 👋 A week without practice — your languages miss you.
reengage-third = 👋 Two weeks already. One small step today is enough to get going again.
reengage-last = 👋 It's been a month. This is my last nudge; I'll be here whenever you want to come back.
reengage-course = 📚 Day { $day } of “{ $title }” is waiting for you: send /done when its step is done.
reengage-placement = 📝 Not sure of your level? /placement tells you in a few minutes.
reengage-courses = 📚 /courses has short daily tasks to keep you going.
