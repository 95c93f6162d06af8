//! Two adapters in one application: Telegram beside a scripted second platform. Both
//! take in updates, both send through the one dispatcher, and a platform whose sends
//! hang never holds up the other's.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use bot_core::app::{Adapter, Connection};
use bot_core::domain::{AccountRef, ChatKey, Platform};
use bot_core::engine::{Event, Input};
use bot_core::outbox::{Delivery, OutboxMessage, PlatformSender, RateLimits};
use bot_core::runtime::{Conversations, Incoming};
use telegram::TelegramAdapter;
use telegram::TelegramMode;
use telegram_fake_api::FakeConfig;
use tokio::sync::{Notify, mpsc, watch};
use tokio::task::JoinHandle;

use crate::support::{Person, backends, builder, dispatcher, eventually, fake, options};

/// A second platform driven by the test: what it "receives" comes from a channel, what
/// it "sends" is recorded, and sends to chats on hold wait until they are let go.
struct ScriptedAdapter {
    received: mpsc::UnboundedReceiver<Incoming>,
    sender: Arc<ScriptedSender>,
}

#[derive(Default)]
struct ScriptedSender {
    sent: Mutex<Vec<(String, String)>>,
    held: Mutex<HashSet<String>>,
    released: Notify,
}

impl ScriptedSender {
    fn texts_to(&self, chat: &str) -> Vec<String> {
        self.sent
            .lock()
            .expect("sent")
            .iter()
            .filter(|(to, _)| to == chat)
            .map(|(_, text)| text.clone())
            .collect()
    }

    fn hold(&self, chat: &str) {
        self.held.lock().expect("held").insert(chat.to_owned());
    }

    fn release(&self, chat: &str) {
        self.held.lock().expect("held").remove(chat);
        self.released.notify_waiters();
    }
}

#[async_trait]
impl PlatformSender for ScriptedSender {
    fn platform(&self) -> Platform {
        Platform::Discord
    }

    fn limits(&self) -> RateLimits {
        RateLimits::unlimited()
    }

    fn is_group(&self, _chat: &ChatKey) -> bool {
        false
    }

    async fn deliver(&self, message: &OutboxMessage) -> Delivery {
        loop {
            let released = self.released.notified();
            if !self
                .held
                .lock()
                .expect("held")
                .contains(&message.chat.chat_id)
            {
                break;
            }
            released.await;
        }
        self.sent.lock().expect("sent").push((
            message.chat.chat_id.clone(),
            message.body.reply().text.clone(),
        ));
        Delivery::Sent
    }
}

#[async_trait]
impl Adapter for ScriptedAdapter {
    fn name(&self) -> &'static str {
        "scripted"
    }

    async fn connect(&mut self, _conversations: &Conversations) -> anyhow::Result<Connection> {
        Ok(Connection {
            sender: self.sender.clone(),
            routes: None,
            identity: "scripted".into(),
        })
    }

    fn start_intake(
        mut self: Box<Self>,
        conversations: Conversations,
        mut stop: watch::Receiver<bool>,
    ) -> JoinHandle<()> {
        tokio::spawn(async move {
            loop {
                tokio::select! {
                    _ = stop.changed() => break,
                    incoming = self.received.recv() => {
                        let Some(incoming) = incoming else { break };
                        for result in conversations.handle_batch(vec![incoming], chrono::Utc::now()).await {
                            if let Err(error) = result {
                                tracing::error!(%error, "scripted step failed");
                            }
                        }
                    }
                }
            }
        })
    }
}

fn scripted(user: &str, text: &str) -> Incoming {
    Incoming::new(
        AccountRef::new(Platform::Discord, user),
        ChatKey::new(Platform::Discord, user),
        Event::new(Input::from_text(text)),
    )
}

#[tokio::test]
async fn two_adapters_share_one_dispatcher_and_never_block_each_other() {
    for (backend, db) in backends().await {
        let context = format!("{backend:?}");
        let fake = fake(FakeConfig::default()).await;
        let (to_scripted, received) = mpsc::unbounded_channel();
        let sender = Arc::new(ScriptedSender::default());
        let application = builder(&db)
            .await
            .dispatcher(dispatcher())
            .adapter(Box::new(TelegramAdapter::new(options(
                &fake,
                TelegramMode::Polling,
            ))))
            .adapter(Box::new(ScriptedAdapter {
                received,
                sender: sender.clone(),
            }))
            .start()
            .await
            .expect("both adapters start");
        let names: Vec<&str> = application
            .identities()
            .iter()
            .map(|(name, _)| *name)
            .collect();
        assert_eq!(names, vec!["telegram", "scripted"], "{context}");

        // Both receive, both are answered through the one dispatcher.
        let mut ana = Person::new(&fake, 5101, "en");
        ana.say("/start", "Step 1 of 9").await;
        to_scripted.send(scripted("ben", "/start")).expect("sent");
        eventually("ben is answered", || async {
            sender
                .texts_to("ben")
                .iter()
                .any(|text| text.contains("Step 1 of 9"))
        })
        .await;

        // The scripted platform hangs on Cai's chat: Telegram goes on regardless, and so
        // do the scripted platform's other chats.
        sender.hold("cai");
        to_scripted.send(scripted("cai", "/start")).expect("sent");
        ana.press("English", "Step 2 of 9").await;
        to_scripted.send(scripted("dee", "/start")).expect("sent");
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
