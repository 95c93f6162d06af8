//! /admin: what the admin commands are.

use chrono::{DateTime, Utc};

use crate::engine::{Context, DialogueState, PersonView, Transition};

pub fn show(
    cx: &Context,
    state: DialogueState,
    person: &PersonView<'_>,
    _now: DateTime<Utc>,
) -> Transition {
    Transition::to(state).say(cx.t(person.profile.locale, "admin-help"))
}

#[cfg(test)]
mod tests {
    use super::super::testing::{admin, stranger};
    use crate::engine::AdminRequest;

    #[test]
    fn an_admin_gets_the_list_of_admin_commands() {
        let mut harness = admin();
        harness.send_text("/admin");
        harness.sees("/stats");
        harness.sees("/broadcast");
        harness.sees("/deadletters");
        assert!(harness.requests.is_empty());
    }

    #[test]
    fn anyone_else_is_answered_as_for_an_unknown_command_and_the_attempt_is_audited() {
        let mut harness = stranger();
        harness.send_text("/admin");
        harness.sees("I don't know the command");
        harness.sees_not("/stats");
        assert_eq!(
            harness.requests,
            vec![AdminRequest::Refused {
                command: "admin".into()
            }]
        );
        // The same words as any unknown command.
        let mut other = stranger();
        other.send_text("/adminx");
        let unknown = other.screen().replace("/adminx", "/admin");
        assert_eq!(harness.screen(), unknown);
        assert!(
            !other
                .requests
                .iter()
                .any(|r| matches!(r, AdminRequest::Refused { .. }))
        );
    }
}
