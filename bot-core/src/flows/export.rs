//! /export: the person's own data, as a JSON file.
//!
//! The document is built field by field, not by dumping the stored records: those also
//! hold what the person knows of others (a partner's id, chat and profile card). Other
//! people appear only as a reference that means something within this one export
//! (`partner-1`, `partner-2`, ... in the order the export meets them), never by an id of
//! ours or of a platform, and a partner's handle only once both revealed. Every record is
//! taken apart without `..`, so a field added later must be placed here on purpose.

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Value, json};

use crate::domain::{
    Enrollment, Locale, PartnerRef, PartnerStatus, Partnering, Partnership, PastPartnership,
    PersonId, Practice, Profile, Proposal,
};
use crate::engine::{Attachment, Context, DialogueState, PersonView, Reply, Transition};

pub fn export(
    cx: &Context,
    state: DialogueState,
    person: &PersonView<'_>,
    now: DateTime<Utc>,
) -> Transition {
    let locale = super::locale_of(&state, person);
    let content = serde_json::to_string_pretty(&document(cx, locale, &state, person, now))
        .unwrap_or_else(|error| {
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

/// The export document. What the bot shows the person in words (availability, the
/// course day) is written the way the profile card and /progress show it, so the two
/// agree.
fn document(
    cx: &Context,
    locale: Locale,
    state: &DialogueState,
    person: &PersonView<'_>,
    now: DateTime<Utc>,
) -> Value {
    let mut partners = Partners::default();
    json!({
        "format": "lexbot-export/3",
        "exported_at": now.to_rfc3339_opts(SecondsFormat::Secs, true),
        "person_id": person.id.to_string(),
        "created_at": person.created_at.to_rfc3339_opts(SecondsFormat::Secs, true),
        "accounts": person.accounts,
        "profile": profile(cx, locale, person.profile),
        "practice": practice(cx, person.practice, &mut partners),
        "conversation": conversation(state, &mut partners),
    })
}

/// The other people of one export, by the reference it gives them.
#[derive(Default)]
struct Partners {
    /// In the order they were met: the first is `partner-1`.
    met: Vec<PersonId>,
}

impl Partners {
    fn reference(&mut self, person: PersonId) -> String {
        let number = match self.met.iter().position(|met| *met == person) {
            Some(index) => index + 1,
            None => {
                self.met.push(person);
                self.met.len()
            }
        };
        format!("partner-{number}")
    }

    fn references(&mut self, people: &[PersonId]) -> Vec<String> {
        people
            .iter()
            .map(|person| self.reference(*person))
            .collect()
    }

    /// A partner as the person's side holds them: only the reference. Their chat is
    /// theirs, and so is the profile card this person was shown.
    fn partner(&mut self, partner: &PartnerRef) -> String {
        let PartnerRef {
            person,
            chat: _,
            profile: _,
        } = partner;
        self.reference(*person)
    }
}

/// The profile as stored, but availability as the slot names the profile card shows
/// instead of the bit set it is kept as.
fn profile(cx: &Context, locale: Locale, profile: &Profile) -> Value {
    let mut value = serde_json::to_value(profile).unwrap_or_else(|error| {
        tracing::error!(%error, "profile could not be exported");
        Value::Null
    });
    if let Some(fields) = value.as_object_mut() {
        let slots: Vec<String> = profile
            .availability
            .slots()
            .map(|slot| super::questions::slot_label(cx, locale, slot))
            .collect();
        fields.insert("availability".to_owned(), json!(slots));
    }
    value
}

/// The course followed, its day counted from 1 as /progress counts it.
fn course(cx: &Context, enrollment: &Enrollment) -> Value {
    let Enrollment {
        course,
        language,
        time,
        day,
        delivered_at,
        resolved,
        started_at,
        steps_done,
        steps_skipped,
        unanswered_deliveries,
    } = enrollment;
    let days = cx.content.course(course).map(|known| known.days.len());
    json!({
        "course": course,
        "language": language,
        "time": time,
        "day": day + 1,
        "days": days,
        "delivered_at": delivered_at,
        "resolved": resolved,
        "started_at": started_at,
        "steps_done": steps_done,
        "steps_skipped": steps_skipped,
        "unanswered_deliveries": unanswered_deliveries,
    })
}

fn practice(cx: &Context, practice: &Practice, partners: &mut Partners) -> Value {
    let Practice {
        reminders,
        next_reminder_id,
        quiet_hours,
        course,
        finished_courses,
        exam,
        next_exam_session,
        exam_history,
        streak,
        reengagement,
        partnering: matching,
    } = practice;
    json!({
        "reminders": reminders,
        "next_reminder_id": next_reminder_id,
        "quiet_hours": quiet_hours,
        "course": course.as_ref().map(|enrollment| self::course(cx, enrollment)),
        "finished_courses": finished_courses,
        "exam": exam,
        "next_exam_session": next_exam_session,
        "exam_history": exam_history,
        "streak": streak,
        "reengagement": reengagement,
        "partnering": partnering(matching, partners),
    })
}

fn partnering(partnering: &Partnering, partners: &mut Partners) -> Value {
    let Partnering {
        status,
        blocked,
        former,
        no_shows,
        missed_proposals,
        history,
        relay_window,
        relayed_in_window,
    } = partnering;
    // Numbered in this order: the current partner, then past ones, oldest first.
    let status = partner_status(status, partners);
    let history: Vec<Value> = history
        .iter()
        .map(|past| past_partnership(past, partners))
        .collect();
    json!({
        "status": status,
        "history": history,
        "former_partners": partners.references(former),
        "blocked": partners.references(blocked),
        "no_shows": no_shows,
        "missed_proposals": missed_proposals,
        "relay_window": relay_window,
        "relayed_in_window": relayed_in_window,
    })
}

fn partner_status(status: &PartnerStatus, partners: &mut Partners) -> Value {
    match status {
        PartnerStatus::Idle => json!({ "status": "idle" }),
        PartnerStatus::Waiting { since } => json!({ "status": "waiting", "since": since }),
        PartnerStatus::Proposed(proposal) => {
            let Proposal {
                id: _,
                partner,
                made_at,
                expires_at,
                accepted,
                partner_accepted,
                waiting_since,
            } = proposal.as_ref();
            json!({
                "status": "proposed",
                "partner": partners.partner(partner),
                "made_at": made_at,
                "expires_at": expires_at,
                "accepted": accepted,
                "partner_accepted": partner_accepted,
                "waiting_since": waiting_since,
            })
        }
        PartnerStatus::Partnered(partnership) => {
            let Partnership {
                id: _,
                partner,
                since,
                reveal_asked,
                partner_handle,
                revealed,
                sent,
                received,
                follow_up_answered,
            } = partnership.as_ref();
            // The partner's handle arrives with their /reveal; it is this person's to
            // see only once they asked too.
            let handle = partner_handle.as_ref().filter(|_| *revealed);
            json!({
                "status": "partnered",
                "partner": partners.partner(partner),
                "since": since,
                "reveal_asked": reveal_asked,
                "revealed": revealed,
                "partner_handle": handle,
                "sent": sent,
                "received": received,
                "follow_up_answered": follow_up_answered,
            })
        }
    }
}

fn past_partnership(past: &PastPartnership, partners: &mut Partners) -> Value {
    let PastPartnership {
        id: _,
        partner,
        since,
        ended_at,
        ended_by,
        rating,
    } = past;
    json!({
        "partner": partners.reference(*partner),
        "since": since,
        "ended_at": ended_at,
        "ended_by": ended_by,
        "rating": rating,
    })
}

/// The dialogue of the chat the export was asked in. The flows about someone else name
/// them by reference; every other flow carries the person's own answers only.
fn conversation(state: &DialogueState, partners: &mut Partners) -> Value {
    match state {
        DialogueState::Reporting {
            about,
            proposal: _,
            reason,
            last_activity,
        } => json!({
            "state": "reporting",
            "about": partners.reference(*about),
            "reason": reason,
            "last_activity": last_activity,
        }),
        DialogueState::ConfirmingBlock {
            about,
            last_activity,
        } => json!({
            "state": "confirming_block",
            "about": partners.reference(*about),
            "last_activity": last_activity,
        }),
        DialogueState::ConfirmingEnd {
            partnership: _,
            last_activity,
        } => json!({ "state": "confirming_end", "last_activity": last_activity }),
        DialogueState::ConfirmingDelete { since, interrupted } => json!({
            "state": "confirming_delete",
            "since": since,
            "interrupted": conversation(interrupted, partners),
        }),
        DialogueState::Idle
        | DialogueState::OnboardingSuspended { .. }
        | DialogueState::OfferingResume { .. }
        | DialogueState::Onboarding(_)
        | DialogueState::Editing(_)
        | DialogueState::AddingReminder(_)
        | DialogueState::SettingQuietHours { .. }
        | DialogueState::Enrolling(_)
        | DialogueState::Exam(_)
        | DialogueState::ConfirmingLevel { .. }
        | DialogueState::ConfirmingBroadcast { .. } => {
            serde_json::to_value(state).unwrap_or_else(|error| {
                tracing::error!(%error, "dialogue could not be exported");
                Value::Null
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::Duration;

    use super::*;
    use crate::domain::{ChatKey, EndedBy, Platform, Profile, ProposalId, ReportReason};
    use crate::flows::transcript::{Harness, ONBOARDING, context, run};

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
        assert_eq!(
            json["practice"]["partnering"]["status"],
            serde_json::json!({ "status": "idle" })
        );
    }

    #[test]
    fn export_shows_availability_by_name_and_the_course_day_as_progress_does() {
        let harness = run(&format!(
            r#"{ONBOARDING}
            > /courses
            > [First conversations]
            > [German]
            > 8:15
            < day 1 of 7: Greetings
            > /progress
            < “First conversations”: day 1 of 7
            > /export
            < Here is everything I store about you
            < "Weekday evenings"
            "#
        ));
        let attachment = harness.replies[0].attachment.as_ref().expect("a JSON file");
        let json: Value = serde_json::from_str(&attachment.content).expect("valid JSON");
        assert_eq!(
            json["profile"]["availability"],
            json!(["Weekday evenings", "Weekend mornings"])
        );
        let course = &json["practice"]["course"];
        assert_eq!(course["course"], "first-conversations");
        assert_eq!(course["day"], 1);
        assert_eq!(course["days"], 7);
    }

    #[test]
    fn export_mid_question_asks_the_question_again() {
        run(
            "> /start\n> /export\n< Here is everything I store about you\n< Step 1 of 9\n= onboarding\n",
        );
    }

    /// Someone else, as a person's records know them.
    struct Other {
        id: PersonId,
        chat: ChatKey,
        handle: String,
        bio: String,
    }

    impl Other {
        fn new(name: &str) -> Self {
            Self {
                id: PersonId::new_random(),
                chat: ChatKey::new(Platform::Telegram, format!("{name}-chat-7730")),
                handle: format!("@{name}-handle"),
                bio: format!("{name} collects rare stamps"),
            }
        }

        fn partner(&self) -> PartnerRef {
            let mut profile = Profile::new(crate::domain::Locale::En);
            profile.bio = crate::domain::Bio::parse(&self.bio, 300).ok();
            PartnerRef {
                person: self.id,
                chat: self.chat.clone(),
                profile,
            }
        }

        /// Every way their ids could be written.
        fn traces(&self) -> Vec<String> {
            vec![
                self.id.to_string(),
                self.id.as_uuid().simple().to_string(),
                self.chat.chat_id.clone(),
                self.handle.clone(),
                self.bio.clone(),
            ]
        }
    }

    fn past(partner: &Other, at: DateTime<Utc>, ended_by: EndedBy) -> PastPartnership {
        PastPartnership {
            id: ProposalId::new_random(),
            partner: partner.id,
            since: at,
            ended_at: at + Duration::days(3),
            ended_by,
            rating: Some(4),
        }
    }

    /// A person partnered with `current` (whose handle arrived with their /reveal),
    /// with two past partners, one of them blocked, a declined proposal, and a report
    /// about someone else open behind a /delete_me question.
    fn exported(revealed: bool) -> (Value, [Other; 4], Harness) {
        let [current, past_one, past_two, declined] =
            ["carla", "dmitri", "emre", "fatima"].map(Other::new);
        let mut harness = Harness::new();
        let at = harness.now;
        let partnering = &mut harness.practice.partnering;
        partnering.status = PartnerStatus::Partnered(Box::new(Partnership {
            id: ProposalId::new_random(),
            partner: current.partner(),
            since: at,
            reveal_asked: revealed,
            partner_handle: Some(current.handle.clone()),
            revealed,
            sent: 3,
            received: 2,
            follow_up_answered: false,
        }));
        partnering.history = vec![
            past(&past_one, at - Duration::days(30), EndedBy::Me),
            past(&past_two, at - Duration::days(20), EndedBy::Block),
        ];
        partnering.former = vec![past_one.id, past_two.id, declined.id];
        partnering.blocked = vec![past_two.id];
        let state = DialogueState::ConfirmingDelete {
            since: at,
            interrupted: Box::new(DialogueState::Reporting {
                about: past_one.id,
                proposal: None,
                reason: Some(ReportReason::Spam),
                last_activity: at,
            }),
        };
        let profile = Profile::new(crate::domain::Locale::En);
        let view = PersonView {
            id: harness.id,
            created_at: harness.created_at,
            profile: &profile,
            accounts: &harness.accounts,
            practice: &harness.practice,
        };
        let transition = export(context(), state, &view, at);
        let attachment = transition.replies[0]
            .attachment
            .as_ref()
            .expect("a JSON file");
        let json = serde_json::from_str(&attachment.content).expect("valid JSON");
        (json, [current, past_one, past_two, declined], harness)
    }

    #[test]
    fn the_export_names_other_people_by_reference_only() {
        let (json, others, harness) = exported(false);
        let text = json.to_string();
        for other in &others {
            for trace in other.traces() {
                assert!(!text.contains(&trace), "{trace} is in the export: {text}");
            }
        }
        // The search can find what it looks for: the person's own ids are there.
        assert!(text.contains(&harness.id.to_string()));
        assert!(text.contains("\"tester\""));

        let partnering = &json["practice"]["partnering"];
        assert_eq!(partnering["status"]["partner"], "partner-1");
        assert_eq!(partnering["status"]["partner_handle"], Value::Null);
        assert_eq!(partnering["status"]["sent"], 3);
        assert_eq!(partnering["history"][0]["partner"], "partner-2");
        assert_eq!(partnering["history"][1]["partner"], "partner-3");
        assert_eq!(partnering["history"][1]["ended_by"], "block");
        assert_eq!(
            partnering["former_partners"],
            json!(["partner-2", "partner-3", "partner-4"])
        );
        assert_eq!(partnering["blocked"], json!(["partner-3"]));
        let conversation = &json["conversation"];
        assert_eq!(conversation["state"], "confirming_delete");
        assert_eq!(conversation["interrupted"]["state"], "reporting");
        assert_eq!(conversation["interrupted"]["about"], "partner-2");
        assert_eq!(conversation["interrupted"]["reason"], "spam");
    }

    #[test]
    fn a_partners_handle_is_exported_once_both_revealed() {
        let (json, [current, ..], _) = exported(true);
        let status = &json["practice"]["partnering"]["status"];
        assert_eq!(status["partner_handle"], current.handle.as_str());
        assert_eq!(status["revealed"], true);
    }
}
