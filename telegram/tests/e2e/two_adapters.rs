//! Two adapters in one application: Telegram beside the test kit's scripted second
//! platform. Both take in updates, both send through the one dispatcher, a platform whose
//! sends hang never holds up the other's, and each one's replies fit the limits it
//! declared.

use bot_core::app::PlatformLimits;
use bot_core::domain::Platform;
use lexbot_test_kit::scripted::ScriptedAdapter;
use telegram::{TELEGRAM_LIMITS, TelegramAdapter, TelegramMode};
use telegram_fake_api::FakeConfig;

use crate::support::{Person, backends, builder, dispatcher, eventually, fake, options};

/// Short enough that the greeting arrives in several parts.
const SCRIPTED_LIMITS: PlatformLimits = PlatformLimits {
    max_message_chars: 120,
    max_button_data: 100,
};

#[tokio::test]
async fn two_adapters_share_one_dispatcher_and_never_block_each_other() {
    for (backend, db) in backends().await {
        let context = format!("{backend:?}");
        let fake = fake(FakeConfig::default()).await;
        let (scripted, sender, to_scripted) =
            ScriptedAdapter::new(Platform::Discord, SCRIPTED_LIMITS);
        let application = builder(&db)
            .await
            .dispatcher(dispatcher())
            .adapter(Box::new(TelegramAdapter::new(options(
                &fake,
                TelegramMode::Polling,
            ))))
            .adapter(Box::new(scripted))
            .start()
            .await
            .expect("both adapters start");
        let names: Vec<&str> = application
            .identities()
            .iter()
            .map(|(name, _)| *name)
            .collect();
        assert_eq!(names, vec!["telegram", "scripted"], "{context}");
        let conversations = application.conversations();
        assert_eq!(
            conversations.platform_limits(Platform::Telegram),
            TELEGRAM_LIMITS
        );
        assert_eq!(
            conversations.platform_limits(Platform::Discord),
            SCRIPTED_LIMITS
        );

        // Both receive, both are answered through the one dispatcher, each within the
        // length its adapter declared.
        let mut ana = Person::new(&fake, 5101, "en");
        ana.say("/start", "Step 1 of 9").await;
        let text = |user| ScriptedAdapter::text(Platform::Discord, user, "/start");
        to_scripted.send(text("ben")).expect("sent");
        eventually("ben is answered", || async {
            sender
                .texts_to("ben")
                .iter()
                .any(|text| text.contains("Step 1 of 9"))
        })
        .await;
        let to_ben = sender.texts_to("ben");
        assert!(to_ben.len() > 1, "{context}: the greeting is split");
        for part in &to_ben {
            assert!(
                part.chars().count() <= SCRIPTED_LIMITS.max_message_chars,
                "{context}: {} chars: {part}",
                part.chars().count()
            );
        }
        assert!(
            ana.fake
                .delivered_to(ana.chat_id())
                .iter()
                .any(|sent| sent.text.chars().count() > SCRIPTED_LIMITS.max_message_chars),
            "{context}: Telegram's limit is its own, not the scripted platform's"
        );

        // The scripted platform hangs on Cai's chat: Telegram goes on regardless, and so
        // do the scripted platform's other chats.
        sender.hold("cai");
        to_scripted.send(text("cai")).expect("sent");
        ana.press("English", "Step 2 of 9").await;
        to_scripted.send(text("dee")).expect("sent");
        eventually("dee is answered while cai's send hangs", || async {
            !sender.texts_to("dee").is_empty()
        })
        .await;
        assert!(sender.texts_to("cai").is_empty(), "{context}: still held");
        sender.release("cai");
        eventually("cai is answered once let go", || async {
            !sender.texts_to("cai").is_empty()
        })
        .await;

        application.shutdown().await;
    }
}

#[tokio::test]
async fn an_adapter_whose_buttons_cannot_carry_the_engines_data_is_refused() {
    let (backend, db) = backends().await.into_iter().next().expect("SQLite");
    let (scripted, _sender, _to_scripted) = ScriptedAdapter::new(
        Platform::Discord,
        PlatformLimits {
            max_message_chars: 2000,
            max_button_data: 10,
        },
    );
    let error = match builder(&db).await.adapter(Box::new(scripted)).start().await {
        Ok(_) => panic!("{backend:?}: started with 10-byte buttons"),
        Err(error) => format!("{error:#}"),
    };
    assert!(
        error.contains("scripted") && error.contains("10 bytes"),
        "{error}"
    );
}
