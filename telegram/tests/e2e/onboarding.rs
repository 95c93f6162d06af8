//! A complete onboarding by getUpdates: commands, buttons, multi-selects edited in
//! place, free text, summary and confirm.

use telegram::TelegramMode;
use telegram_fake_api::FakeConfig;

use crate::support::{
    ONBOARDING, Person, assert_each_answer_once, backends, fake, play, profile_of, start,
};

#[tokio::test]
async fn a_person_onboards_through_long_polling_on_every_backend() {
    for (backend, db) in backends().await {
        let fake = fake(FakeConfig::default()).await;
        let (running, conversations) = start(&fake, &db, TelegramMode::Polling).await;
        let mut person = Person::new(&fake, 1001, "en");
        play(&mut person, ONBOARDING).await;

        let transcript = person.transcript();
        assert_each_answer_once(&person, &format!("{backend:?}"));
        // The seven multi-select toggles edited their message in place.
        let edits = fake.calls_of("editmessagetext");
        assert_eq!(edits.len(), 7, "{backend:?}\n{transcript}");
        // Every button press was answered, so no spinner is left turning.
        let presses = ONBOARDING
            .iter()
            .filter(|act| !matches!(act, crate::support::Act::Say(..)))
            .count();
        assert!(
            fake.wait_until(crate::support::PATIENCE, |f| f
                .calls_of("answercallbackquery")
                .len()
                == presses)
                .await,
            "{backend:?}: {} of {presses} callbacks answered",
            fake.calls_of("answercallbackquery").len()
        );
        assert!(fake.unanswered_callbacks().is_empty());
        // Text goes out as HTML with what the person typed escaped.
        let summary = fake
            .calls_of("sendmessage")
            .into_iter()
            .find(|call| {
                call.body["text"]
                    .as_str()
                    .is_some_and(|t| t.contains("Almost done"))
            })
            .expect("the summary was sent");
        assert_eq!(summary.body["parse_mode"], "HTML");
        let text = summary.body["text"].as_str().unwrap_or_default();
        assert!(
            text.contains("Valencia &amp; love &lt;hiking&gt;."),
            "{backend:?}: {text}"
        );
        // The command menu was registered in English (default) and Russian.
        let menus = fake.calls_of("setmycommands");
        assert_eq!(menus.len(), 2, "{menus:?}");
        assert!(menus.iter().any(|call| call.body["language_code"] == "ru"));

        let profile = profile_of(&conversations, &person.user).await;
        assert!(profile.completed, "{backend:?}: {profile:?}");
        assert_eq!(profile.interests.len(), 2);
        running.shutdown().await;
        conversations.store().close().await;
    }
}
