//! What bad input gets through Telegram: stale and forged buttons, a 10 KB message,
//! a sticker or photo where text is expected, and chatter in a group.

use telegram::TelegramMode;
use telegram_fake_api::FakeConfig;

use crate::support::{Act, Backend, ONBOARDING, Person, TestDb, fake, play, start};

#[tokio::test]
async fn bad_input_gets_clear_answers_and_changes_nothing() {
    let db = TestDb::create(Backend::Sqlite).await.expect("sqlite");
    let fake = fake(FakeConfig::default()).await;
    let (running, conversations) = start(&fake, &db, TelegramMode::Polling).await;
    let mut person = Person::new(&fake, 6006, "en");
    play(&mut person, &ONBOARDING[..2]).await;
    let (old_message, old_data) = person.button("Spanish");
    play(&mut person, &ONBOARDING[2..4]).await;

    // A button from an older message, pressed again.
    fake.callback(&person.user, old_message, &old_data);
    let answer = person.wait_for("Step 3 of 9").await;
    assert!(answer.contains("older message"), "{answer}");

    // Callback data nobody sent.
    fake.callback(&person.user, old_message, "nat:zz:../../etc");
    let answer = person.wait_for("Step 3 of 9").await;
    assert!(answer.contains("older message"), "{answer}");

    // A sticker and a photo where a language name is expected.
    fake.sticker(&person.user);
    let sticker = person.wait_for("Step 3 of 9").await;
    assert!(sticker.to_lowercase().contains("text"), "{sticker}");
    fake.photo(&person.user);
    let photo = person.wait_for("Step 3 of 9").await;
    assert!(photo.to_lowercase().contains("text"), "{photo}");

    // 10 KB of text.
    let long = "a".repeat(10 * 1024);
    let answer = person.say(&long, "Step 3 of 9").await;
    assert!(
        !answer.contains(&long[..100]),
        "the text is not echoed back whole"
    );

    // Still at step 3, and the flow goes on normally.
    play(
        &mut person,
        &[Act::Say("en, German", "What is your level in English?")],
    )
    .await;

    // In a group, only a command addressed to lexbot gets an answer: a pointer to the
    // private chat.
    let group = -1_000_123;
    fake.text_in_group(&person.user, group, "hello everyone");
    fake.text_in_group(&person.user, group, "/start");
    fake.text_in_group(&person.user, group, "/start@lexbot_test_bot");
    assert!(
        fake.wait_until(crate::support::PATIENCE, |f| !f
            .messages_to(group)
            .is_empty())
            .await
    );
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let said = fake.messages_to(group);
    assert_eq!(said.len(), 1, "{said:?}");
    assert!(
        said[0]
            .text
            .contains("https://t.me/lexbot_test_bot?start=group")
    );
    running.shutdown().await;
    conversations.store().close().await;
}
