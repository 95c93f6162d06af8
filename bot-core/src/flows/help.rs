//! /help and /cancel, available in every state.

use chrono::{DateTime, Utc};

use crate::engine::{Context, DialogueState, PersonView, Reply, Transition};

/// The command menu platforms show (Telegram's setMyCommands, Discord's slash commands):
/// each `/command — description` line of the localised /help text, so the menu and
/// /help never disagree.
pub fn command_menu(cx: &Context, locale: crate::domain::Locale) -> Vec<(String, String)> {
    cx.t(locale, "help-commands")
        .lines()
        .filter_map(|line| {
            let (command, description) = line.trim().strip_prefix('/')?.split_once('—')?;
            let command = command.trim();
            super::KNOWN_COMMANDS
                .contains(&command)
                .then(|| (command.to_owned(), description.trim().to_owned()))
        })
        .collect()
}

pub fn help(
    cx: &Context,
    state: DialogueState,
    person: &PersonView<'_>,
    now: DateTime<Utc>,
) -> Transition {
    let locale = super::locale_of(&state, person);
    let prompts = super::current_prompt(cx, &state, person, now);
    let mut replies = vec![Reply::text(cx.t(locale, "help-commands"))];
    if !prompts.is_empty() {
        replies.push(Reply::text(cx.t(locale, "help-in-flow")));
        replies.extend(prompts);
    }
    Transition {
        state,
        replies,
        effects: Vec::new(),
    }
}

pub fn cancel(
    cx: &Context,
    state: DialogueState,
    person: &PersonView<'_>,
    now: DateTime<Utc>,
) -> Transition {
    let locale = super::locale_of(&state, person);
    match state {
        DialogueState::Exam(running) => super::exams::cancel(cx, running, person, now),
        DialogueState::ConfirmingLevel { .. } => {
            Transition::to(DialogueState::Idle).say(cx.t(locale, "placement-level-kept"))
        }
        DialogueState::Onboarding(onboarding) | DialogueState::OfferingResume { onboarding } => {
            Transition::to(DialogueState::OnboardingSuspended { onboarding })
                .say(cx.t(locale, "cancel-onboarding"))
        }
        DialogueState::Editing(_) => {
            Transition::to(DialogueState::Idle).say(cx.t(locale, "cancel-edit"))
        }
        DialogueState::AddingReminder(_) | DialogueState::SettingQuietHours { .. } => {
            Transition::to(DialogueState::Idle).say(cx.t(locale, "cancel-reminders"))
        }
        DialogueState::Enrolling(_) => {
            Transition::to(DialogueState::Idle).say(cx.t(locale, "cancel-enroll"))
        }
        DialogueState::ConfirmingEnd { .. }
        | DialogueState::Reporting { .. }
        | DialogueState::ConfirmingBlock { .. } => {
            Transition::to(DialogueState::Idle).say(cx.t(locale, "cancel-partner"))
        }
        DialogueState::ConfirmingBroadcast { .. } => {
            Transition::to(DialogueState::Idle).say(cx.t(locale, "admin-broadcast-cancelled"))
        }
        DialogueState::ConfirmingDelete { interrupted, .. } => {
            // Cancelling the question also leaves the flow it interrupted, keeping a
            // started onboarding resumable.
            let state = match *interrupted {
                DialogueState::Onboarding(onboarding)
                | DialogueState::OfferingResume { onboarding } => {
                    DialogueState::OnboardingSuspended { onboarding }
                }
                DialogueState::OnboardingSuspended { onboarding } => {
                    DialogueState::OnboardingSuspended { onboarding }
                }
                _ => DialogueState::Idle,
            };
            Transition::to(state).say(cx.t(locale, "delete-cancelled"))
        }
        idle @ (DialogueState::Idle | DialogueState::OnboardingSuspended { .. }) => {
            Transition::to(idle).say(cx.t(locale, "cancel-nothing"))
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::flows::transcript::{ONBOARDING, run};

    #[test]
    fn cancel_in_every_state() {
        // Idle, new and registered.
        run("> /cancel\n< There is nothing to cancel.\n= idle\n");
        run(&format!(
            "{ONBOARDING}\n> /cancel\n< There is nothing to cancel.\n"
        ));
        // Onboarding, at a question and at the summary.
        run(
            "> /start\n> /cancel\n< Your answers are kept\n= onboarding_suspended\n> /cancel\n< There is nothing to cancel.\n= onboarding_suspended\n",
        );
        let at_summary = ONBOARDING.split("> [Confirm]").next().unwrap_or_default();
        run(&format!(
            "{at_summary}\n> /cancel\n< Your answers are kept\n> /start\n> [Continue]\n< Almost done (100%)\n"
        ));
        // Offering to resume.
        run(
            "> /start\n> /cancel\n> /start\n= offering_resume\n> /cancel\n< Your answers are kept\n= onboarding_suspended\n",
        );
        // Editing and confirming a deletion.
        run(&format!(
            "{ONBOARDING}\n> /profile\n> [Timezone]\n= editing\n> /cancel\n< Your profile is unchanged\n= idle\n"
        ));
        run(&format!(
            "{ONBOARDING}\n> /delete_me\n> /cancel\n< Deletion cancelled.\n= idle\n"
        ));
    }

    #[test]
    fn help_everywhere() {
        run("> /help\n< Here is what I can do:\n! You are in the middle\n");
        run(
            "> /start\n> /help\n< Here is what I can do:\n< You are in the middle of a question\n< Step 1 of 9\n",
        );
    }

    #[test]
    fn idle_input_gets_a_hint() {
        run(
            "> hello\n< Send /start\n> <sticker>\n< Send /start\n> /nope\n< I don't know the command /nope.\n",
        );
        run(&format!(
            "{ONBOARDING}\n> what now?\n< I didn't catch that. /help lists what I can do.\n> <resume>\n< Welcome back!\n"
        ));
        run(
            "> <resume>\n< Send /start\n> /start\n> <resume>\n< Step 1 of 9\n> /cancel\n> <resume>\n< Your profile is not finished yet\n",
        );
    }
}

#[cfg(test)]
mod menu_tests {
    use super::command_menu;
    use crate::domain::Locale;
    use crate::flows::{KNOWN_COMMANDS, transcript::context};

    #[test]
    fn the_menu_lists_every_command_of_help_in_each_locale() {
        for locale in Locale::ALL {
            let menu = command_menu(context(), locale);
            let names: Vec<&str> = menu.iter().map(|(name, _)| name.as_str()).collect();
            for command in KNOWN_COMMANDS {
                assert!(
                    names.contains(command),
                    "{locale:?} menu lacks /{command}: {names:?}"
                );
            }
            assert!(menu.iter().all(|(_, description)| !description.is_empty()));
        }
        assert_eq!(
            command_menu(context(), Locale::Ru)
                .iter()
                .find(|(name, _)| name == "pause")
                .map(|(_, d)| d.as_str()),
            Some("временно не предлагать партнёров")
        );
    }
}
