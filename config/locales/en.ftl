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
