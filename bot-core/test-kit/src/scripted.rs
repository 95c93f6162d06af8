//! A second platform driven by a test, plugged into `Application` like any adapter: what
//! it "receives" comes from a channel, what it "sends" is recorded, and sends to chats on
//! hold wait until they are let go.

use std::collections::HashSet;
use std::sync::{Arc, Mutex, MutexGuard};

use async_trait::async_trait;
use bot_core::app::{Adapter, Connection, PlatformLimits};
use bot_core::domain::{AccountRef, ChatKey, Platform};
use bot_core::engine::{Event, Input};
use bot_core::outbox::{Delivery, OutboxMessage, PlatformSender, RateLimits};
use bot_core::runtime::{Conversations, Incoming};
use tokio::sync::{Notify, mpsc, watch};
use tokio::task::JoinHandle;

/// The adapter; [`ScriptedAdapter::new`] also gives the channel its updates come from.
pub struct ScriptedAdapter {
    platform: Platform,
    limits: PlatformLimits,
    received: mpsc::UnboundedReceiver<Incoming>,
    sender: Arc<ScriptedSender>,
}

impl ScriptedAdapter {
    /// An adapter for `platform` declaring `limits`, the sender it records into, and
    /// where the test puts the updates it "receives".
    pub fn new(
        platform: Platform,
        limits: PlatformLimits,
    ) -> (Self, Arc<ScriptedSender>, mpsc::UnboundedSender<Incoming>) {
        let (to_adapter, received) = mpsc::unbounded_channel();
        let sender = Arc::new(ScriptedSender {
            platform,
            sent: Mutex::new(Vec::new()),
            held: Mutex::new(HashSet::new()),
            released: Notify::new(),
        });
        let adapter = ScriptedAdapter {
            platform,
            limits,
            received,
            sender: sender.clone(),
        };
        (adapter, sender, to_adapter)
    }

    /// A text typed by `user` in their private chat on `platform`.
    pub fn text(platform: Platform, user: &str, text: &str) -> Incoming {
        Incoming::new(
            AccountRef::new(platform, user),
            ChatKey::new(platform, user),
            Event::new(Input::from_text(text)),
        )
    }
}

/// Records every message the dispatcher hands it, per chat.
pub struct ScriptedSender {
    platform: Platform,
    sent: Mutex<Vec<(String, String)>>,
    held: Mutex<HashSet<String>>,
    released: Notify,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl ScriptedSender {
    /// The texts sent to `chat`, in the order they were sent.
    pub fn texts_to(&self, chat: &str) -> Vec<String> {
        lock(&self.sent)
            .iter()
            .filter(|(to, _)| to == chat)
            .map(|(_, text)| text.clone())
            .collect()
    }

    /// Sends to `chat` hang until [`ScriptedSender::release`].
    pub fn hold(&self, chat: &str) {
        lock(&self.held).insert(chat.to_owned());
    }

    pub fn release(&self, chat: &str) {
        lock(&self.held).remove(chat);
        self.released.notify_waiters();
    }
}

#[async_trait]
impl PlatformSender for ScriptedSender {
    fn platform(&self) -> Platform {
        self.platform
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
            if !lock(&self.held).contains(&message.chat.chat_id) {
                break;
            }
            released.await;
        }
        lock(&self.sent).push((
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
            identity: format!("scripted {}", self.platform),
            limits: self.limits,
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
