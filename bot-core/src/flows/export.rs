//! /export: everything lexbot stores about the person, as a JSON file.

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::json;

use crate::engine::{Attachment, Context, DialogueState, PersonView, Reply, Transition};

pub fn export(
    cx: &Context,
    state: DialogueState,
    person: &PersonView<'_>,
    now: DateTime<Utc>,
) -> Transition {
    let locale = super::locale_of(&state, person);
    let document = json!({
        "format": "lexbot-export/1",
        "exported_at": now.to_rfc3339_opts(SecondsFormat::Secs, true),
        "person_id": person.id.to_string(),
        "created_at": person.created_at.to_rfc3339_opts(SecondsFormat::Secs, true),
        "accounts": person.accounts,
        "profile": person.profile,
        "practice": person.practice,
        "conversation": &state,
    });
    let content = serde_json::to_string_pretty(&document).unwrap_or_else(|error| {
        // Serialising plain data cannot fail; should it, the person still gets an answer.
        tracing::error!(%error, "export could not be serialised");
        "{}".to_owned()
    });
    let reply = Reply::text(cx.t(locale, "export-ready")).with_attachment(Attachment {
        file_name: "lexbot-export.json".to_owned(),
        mime_type: "application/json".to_owned(),
        content,
    });
    let prompts = super::current_prompt(cx, &state, person, now);
    let mut transition = Transition::to(state).reply(reply);
    transition.replies.extend(prompts);
    transition
}

#[cfg(test)]
mod tests {
    use crate::flows::transcript::{ONBOARDING, run};

    #[test]
    fn export_sends_everything_as_json() {
        let harness = run(&format!(
            "{ONBOARDING}\n> /export\n< Here is everything I store about you\n< \"timezone\": \"Europe/Madrid\"\n< \"user_id\": \"tester\"\n"
        ));
        let attachment = harness.replies[0].attachment.as_ref().expect("a JSON file");
        let json: serde_json::Value =
            serde_json::from_str(&attachment.content).expect("valid JSON");
        assert_eq!(json["person_id"], harness.id.to_string());
        assert_eq!(
            json["profile"]["bio"],
            "I teach maths in Valencia and love hiking."
        );
        assert_eq!(json["profile"]["native"], serde_json::json!(["es"]));
        assert_eq!(json["practice"]["reminders"], serde_json::json!([]));
    }

    #[test]
    fn export_mid_question_asks_the_question_again() {
        run(
            "> /start\n> /export\n< Here is everything I store about you\n< Step 1 of 9\n= onboarding\n",
        );
    }
}
