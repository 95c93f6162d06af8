# lexbot — English texts. Every key here must exist in ru.ftl too, and be used by the code.

## Onboarding

onboarding-welcome = 👋 Welcome to lexbot! I find you a language-exchange partner: someone who speaks the language you learn and learns the language you speak. A few questions first — it takes about two minutes. You can send /cancel at any time and pick up later with /start.
onboarding-progress = Step { $step } of { $steps } · { $percent }% complete
onboarding-editing = Changing one answer — then you are back at your summary.
onboarding-already-started = You are already setting up your profile — let's continue.
onboarding-done = 🎉 All set! Your profile is complete. See it any time with /profile; /help lists everything I can do.
onboarding-next = What next: /find looks for a practice partner, /courses lists short daily courses.
start-already-registered = Welcome back! Your profile is complete. /profile shows and edits it, /help lists everything I can do.
resume-offer = You started setting up your profile earlier ({ $percent }% complete). Continue where you left off?
summary-intro = Almost done ({ $percent }%). Here is your profile — confirm it, or tap a field to change it.

ask-interface-language = Which language should I talk to you in?
ask-native-languages = Which language(s) do you speak natively? Tap up to { $max }, then “Done”. Not in the list? Type the language or its two-letter code (for example “uk” or “Ukrainian”).
ask-target-languages = Which language(s) do you want to practise? Tap up to { $max }, then “Done”, or type them (for example “es, de”).
ask-target-level = What is your level in { $language }? A1 is a beginner, C2 near-native. Not sure? Choose the placement test.
level-placement-test = Not sure — placement test
ask-target-level-no-test = What is your level in { $language }? A1 is a beginner, C2 near-native. There is no placement test for { $language } yet, so set your level by hand with the buttons.
onboarding-placement-later = 📝 Fine: the placement test for { $language } starts right after you confirm your profile, and its result becomes your level.
ask-interests = What do you like to talk about? Pick up to { $max }, then “Done”.
ask-timezone = Which timezone are you in? Type your city (“Madrid”), a timezone (“Europe/Madrid”) or your UTC offset (“UTC+2”).
timezone-current = 🕒 { $timezone } — it is { $time } there now.
timezone-fixed-offset = ⚠️ { $timezone } is a fixed offset: it does not follow daylight saving time. If your clocks change in spring and autumn, reminders and meetings will be an hour off half of the year.
timezone-fixed-offset-cities = Live in one of these cities? Pick it, and I will follow its clock changes. Or keep { $timezone }.
timezone-fixed-offset-type-city = If your clocks change, type your city instead. Or keep { $timezone }.
button-keep-timezone = Keep { $timezone }
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
card-unanswered = —
card-level-unanswered = level not set
card-level-placement = placement test
card-bio-skipped = (skipped)
profile-matching-not-started = 🔎 Matching: not looking for a partner yet. Send /find to join the queue.
profile-matching-waiting = 🔎 Matching: in the queue; I'll propose a partner as soon as I find a good match.
profile-matching-proposed = 🔎 Matching: a partner is proposed and waits for your answer. /find shows them.
profile-matching-partnered = 🔎 Matching: you have a practice partner. /partner shows them.
profile-matching-paused = 🔎 Matching: paused. /resume turns it back on.
profile-intro = Your profile. Tap a field to change it.
profile-incomplete = Your profile is not complete yet. Send /start to finish it.
profile-none = You have no profile yet. Send /start to set one up.
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
    /find — find a practice partner
    /partner — your practice partner
    /reveal — offer to exchange handles with your partner
    /end — end your partnership
    /report — report your partner to the admins
    /block — never be paired with your partner again
    /cancel — leave the current question
    /help — this list
help-in-flow = You are in the middle of a question; answer it, or send /cancel to leave it.
cancel-onboarding = OK, stopped here. Your answers are kept: send /start to continue.
cancel-edit = Cancelled. Your profile is unchanged.
cancel-nothing = There is nothing to cancel. /help lists what I can do.
finish-or-cancel = Let's finish this first — answer the question below, or send /cancel.
unknown-command = I don't know the command /{ $command }. /help lists the ones I do.
stale-button = That button belongs to an older message and no longer works. Here is where we are:
stale-button-idle = That button belongs to an older message and no longer works. Nothing is waiting for your answer now; /help lists what I can do.
idle-hint = I didn't catch that. /help lists what I can do.
idle-hint-new = Hi! Send /start to set up your profile and find a practice partner.
idle-hint-suspended = You have an unfinished profile. Send /start to continue.
terminal-greeting = You are { $name } in the lexbot terminal chat. Type a message and press Enter; while buttons are shown, type a button's number to press it. /quit leaves (your conversation is kept).
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
reminders-line = • { $time } — { $weekdays }
reminders-quiet = 🌙 Quiet hours: { $hours }. I send no reminders, lessons or nudges then.
reminders-quiet-off = 🌙 Quiet hours: off.
quiet-hours-none = none
button-reminder-add = ➕ Add a reminder
button-reminder-remove = 🗑 { $time } { $weekdays }
button-quiet-hours = 🌙 Quiet hours
button-quiet-default = Default ({ $hours })
button-quiet-off = No quiet hours
reminders-ask-time = At what time should I remind you? Type it like 08:30 — your local time in { $timezone }.
reminders-ask-days = On which days at { $time }? Tap to change, then “Done”.
reminders-added = ✅ Reminder set for { $time }, { $weekdays }. The next one: { $next }.
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
exam-review = ❌ To look at again:
exam-review-line = • { $prompt }
  { $explanation }
exam-cancelled = The test is stopped; no result is recorded.
exam-cancel-confirm = Stop the test? { $count ->
        [one] The answer given so far
       *[other] The { $count } answers given so far
    } would be lost, and no result is recorded.
button-exam-stop = Stop the test
exam-abandoned = The test was closed after { $minutes } minutes without an answer; no result is recorded. You can start again any time.
exam-time-up = ⏰ Time is up! Questions left unanswered count as wrong.
exam-result = 📊 { $title }: { $correct } of { $total } right.
placement-level-line = { $level }: { $correct } of { $total }
step-exam-passed = 🎉 Passed — the step is done.
step-exam-failed = Not passed yet: { $percent }% is needed. Look over the answers above: in { $minutes } min /done tries the check again, with other questions; /skip moves on.
step-exam-cooldown = The check can be taken again in { $minutes } min, so it is not answered from memory. /skip moves on.
placement-propose = Your level in { $language } looks like { $level }. Set it on your profile? Partners are matched by it.
button-placement-accept = ✅ Set { $level }
button-placement-keep = Keep { $level }
placement-level-set = ✅ Your level in { $language } is now { $level }.
placement-level-kept = Your profile is unchanged.
placement-not-learning = You no longer learn { $language }, so there is no level to set.
exam-already-active = You are already taking “{ $title }”. Finish it first, or stop it with /cancel in the chat where it runs.
placement-ask-language = Which language do you want to take the placement test in?
placement-none = There is no placement test for { $language } yet.
placement-starting = Now the placement test for { $language }: its result becomes your level, so partners are matched by it.
placement-pending-kept = Your level in { $language } stays unknown until you take the test, and partners are matched without it. /placement starts it again any time.
placement-pending-reminder = 📝 Your level in { $language } is still not set, so partners are matched without it. /placement takes the test ({ $minutes } min at most).
placement-next-pending = Your level in { $language } is not set yet: /placement takes its test.
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
reengage-partner = 🤝 Your practice partner is waiting to hear from you — just write here and I'll pass it on.
reengage-proposal = 🤝 A practice partner is waiting for your answer: /partner shows the proposal.

## Matching and partnerships

find-queued = 🔎 You're in the queue. I'll propose a practice partner soon: someone who speaks what you learn and learns what you speak. /pause stops proposals.
find-waiting = 🔎 You're in the queue; I'll propose a partner as soon as I find a good match.
find-paused = Matching is paused. Send /resume first, then /find.
find-partnered = You already have a practice partner. /partner shows them; /end ends the partnership.
proposal-card =
    🤝 I found a practice partner for you:

    { $card }

    Would you like to practise together?
button-accept = ✅ Accept
button-decline = ✖️ Decline
proposal-accepted-waiting = ✅ You accepted. I'll let you know as soon as your partner answers.
proposal-partner-accepted = 🙌 Your proposed partner accepted!
proposal-declined = OK, declined. You stay in the queue with your place kept; I'll look for someone else.
proposal-partner-declined = Your proposed partner couldn't make it this time. You're back in the queue with your place kept.
proposal-fell-through = That proposal fell through on the other side. You're back in the queue with your place kept.
proposal-expired-partner = Your proposed partner didn't answer in time, so the proposal lapsed. You're back in the queue with your place kept.
proposal-expired-you = The proposal lapsed because you didn't answer in time. You're back in the queue, a little further back. /pause stops proposals if now is not a good time.
proposal-gone = That proposal is no longer open.
partnership-started =
    🎉 You're practice partners now!

    { $card }

    Anything you write to me (outside commands) goes to your partner, anonymously. /reveal offers to exchange handles, /partner shows your partner, /end ends the partnership, /report and /block are there if something is wrong.
partner-none = You have no practice partner right now. /find looks for one.
partner-show =
    🤝 Your practice partner since { $since }:

    { $card }

    Messages: { $sent } sent, { $received } received.
    { $reveal }
partner-anonymous = You are anonymous to each other. /reveal offers to exchange handles.
partner-reveal-waiting = You asked to exchange handles; waiting for your partner to agree.
partner-revealed = Your partner's handle: { $handle }
relay-from-partner = 💬 Partner: { $text }
relay-text-only = I can only pass text on to your partner.
relay-too-long = That message is { $length } characters; at most { $max } go through. Please split it.
relay-slow-down = You're sending messages very fast. Please wait a minute before the next one.
relay-undelivered-paused = ⚠️ Your partner has paused lexbot, so your message was not delivered.
relay-undelivered-unreachable = ⚠️ Your partner can't receive messages right now (they blocked the bot), so your message was not delivered.
reveal-asked = I asked your partner whether they'd like to exchange handles. I'll share them only if they agree.
reveal-partner-asked = Your partner would like to exchange handles. Send /reveal to agree.
reveal-done = 🔓 Handles exchanged. Your partner: { $handle }
reveal-no-handle = I can't see a handle on your account to share. Set a username in your app's settings, then try /reveal again.
end-confirm = End your partnership? If you like, rate how it went (your partner won't see the rating).
button-end-no-rating = End without rating
button-end-keep = Keep the partnership
end-kept = OK, your partnership goes on.
end-done = Your partnership has ended. Thank you for practising! /find looks for a new partner.
end-proposal = You have a proposal waiting for your answer — accept or decline it below.
partner-ended = Your partner ended the partnership. Thank you for practising! /find looks for a new partner.
partner-gone = Your partner has left lexbot, so the partnership has ended. /find looks for a new partner.
report-nobody = There is nobody to report: reports are about your partner, your proposed partner or your last partner.
report-ask-reason = What's wrong? Reports go to the admins, not to the person.
report-reason-spam = Spam or advertising
report-reason-harassment = Harassment
report-reason-inappropriate = Inappropriate content
report-reason-no_show = Didn't show up
report-reason-other = Something else
report-ask-details = Tell the admins what happened in a message, or tap Skip.
button-report-skip = Skip
report-filed = Thank you — the admins will look into it. /block stops all contact with this person.
block-nobody = There is nobody to block: blocking is about your partner, your proposed partner or your last partner.
block-already = You have already blocked this person.
block-confirm = Block this person? You will never be paired again, and nothing of theirs will reach you. This ends your partnership with them.
button-block-yes = Yes, block
button-block-no = No
block-cancelled = OK, nobody was blocked.
block-done = 🚫 Blocked. You won't be paired again. /find looks for a new partner.
cancel-partner = Cancelled. Nothing changed.
follow-up-ask = 👋 It's been a week with your practice partner. Did you practise together?
button-follow-up-yes = Yes, we practised
button-follow-up-not-yet = Not yet
button-follow-up-no-show = My partner didn't show up
follow-up-thanks-yes = 🔥 Great — keep it going!
follow-up-thanks-not-yet = No problem. Write to your partner here to find a time.
follow-up-thanks-no-show = Thanks for telling me. /end ends the partnership and /find looks for someone new.
follow-up-already = You already answered, thank you.
follow-up-gone = That question is about a partnership that has ended.
no-show-noted = Your partner said you didn't show up for practice. If plans change, just tell them here.
no-show-paused = { $count } partners said you didn't show up, so I've paused matching for now. Send /resume when you're ready to practise.
error-text-too-long = That is { $length } characters; at most { $max } fit. Please shorten it.

## Admins (only people listed in [admin] accounts see these)

admin-help =
    Admin commands:
    /stats — people, matching, delivery and timers at a glance
    /user ID — a person (person id, platform:account id or @handle) with their audit log
    /ban ID [reason] — never matched again; their partnership ends; they get one notice
    /unban ID — lifts a ban
    /reports — open reports, oldest first, with resolve / dismiss / ban
    /broadcast [lang:CODE] TEXT — a message to everyone (or one interface language), previewed first
    /match_now — a matcher wave now
    /reload_content — read the content pack again (a pack with errors is refused)
    /deadletters — messages that could not be delivered, and a retry
admin-failed = That did not work; the reason is in the logs.
admin-no-such-person = No person matches “{ $target }”.
admin-usage-user = Usage: /user ID, where ID is a person id, platform:account id (telegram:123) or @handle.
admin-usage-ban = Usage: /ban ID [reason], where ID is a person id, platform:account id (telegram:123) or @handle.
admin-usage-unban = Usage: /unban ID, where ID is a person id, platform:account id (telegram:123) or @handle.
admin-usage-broadcast = Usage: /broadcast [lang:CODE] TEXT — for example /broadcast lang:ru Привет! (without lang: it goes to everyone).
admin-stats-title = 📊 lexbot now
admin-stats-people = People: { $value } (onboarding { $onboarding }, onboarded { $onboarded }, paused { $paused }, unreachable { $unreachable }, banned { $banned })
admin-stats-arrivals = Onboarded in the last day: { $value }, in the last week: { $week }
admin-stats-matching = Waiting: { $waiting }, holding a proposal: { $proposed }, active partnerships: { $partnerships }
admin-stats-waves = Last day: { $waves } waves, { $pairs } pairs
admin-stats-delivery = Outbox: { $queued } queued, { $dead } dead; timers late: { $late }; open reports: { $reports }
admin-stats-pairs = Top language pairs (native → learning):
admin-user-title = 👤 Person { $id }
admin-user-since = Since: { $date }
admin-user-accounts = Accounts: { $accounts }
admin-user-profile = Profile: { $status }; interface { $interface }. Native: { $native }; learning: { $targets }
admin-user-onboarded = onboarded
admin-user-onboarding = onboarding not finished
admin-user-matching = Matching: { $matching }
admin-matching-idle = not looking
admin-matching-waiting = waiting in the queue
admin-matching-proposed = holding a proposal
admin-matching-partnered = in a partnership
admin-flag-banned = banned
admin-flag-paused = paused
admin-flag-unreachable = unreachable (blocked the bot)
admin-user-reports = Reports about them: { $about }, filed by them: { $filed }
admin-user-audit = Admin actions about them (newest first):
admin-user-no-audit = No admin actions about them.
admin-banned = { $id } is banned: out of matching, their partnership (if any) ended, and they were told.
admin-already-banned = { $id } was already banned.
admin-unbanned = { $id } is no longer banned, and was told.
admin-not-banned = { $id } was not banned.
admin-reports-none = No open reports.
admin-reports-title = Open reports: { $reports } (the oldest { $shown } below)
admin-report =
    Report #{ $id } — { $date }
    By { $reporter } about { $about }
    Reason: { $reason }
    Details: { $details }
button-admin-resolve = Resolve
button-admin-dismiss = Dismiss
button-admin-ban = Ban
admin-report-resolved = Report #{ $id } resolved.
admin-report-dismissed = Report #{ $id } dismissed.
admin-report-banned = Report #{ $id } closed, and the person reported is banned.
admin-report-gone = Report #{ $id } is no longer open.
admin-broadcast-unknown-locale = There is no interface language “{ $input }”. Use lang:en or lang:ru.
admin-broadcast-too-long = A broadcast holds at most { $max } characters; this one has { $length }.
admin-audience-everyone = everyone
admin-audience-locale = people using { $interface }
admin-broadcast-preview =
    Preview:

    { $text }

    Recipients: { $people } ({ $audience }). Send it?
button-admin-broadcast-send = Send
button-admin-broadcast-cancel = Cancel
admin-broadcast-nobody = Nobody would receive it: no onboarded, reachable people in that audience.
admin-broadcast-sending = Queuing the broadcast for { $people } recipients; I'll report when it is out.
admin-broadcast-cancelled = Broadcast cancelled. Nothing was sent.
admin-broadcast-queued = Broadcast #{ $id }: { $queued } messages queued.
admin-broadcast-progress = Broadcast #{ $id } so far: { $queued } queued, { $delivered } sent, { $failed } failed.
admin-broadcast-done = Broadcast #{ $id } finished: { $queued } queued, { $delivered } sent, { $failed } failed.
admin-match-requested = A matcher wave was asked for; people waiting: { $waiting }.
admin-content-reloaded = Content reloaded: languages { $languages }, courses { $courses }, exams { $exams }.
admin-content-refused =
    The content pack has errors, so the one in use stays:
    { $errors }
admin-deadletters-none = No dead messages.
admin-deadletters = Dead messages: { $dead }. The newest:
button-admin-retry = Retry them all
admin-deadletters-retried = Queued again: { $queued }.
ban-notice = An admin has suspended your lexbot account: you will not be matched, and I can't help you with anything else for now.
unban-notice = Your lexbot account is active again. /find looks for a practice partner.
