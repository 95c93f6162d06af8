//! A fake Telegram Bot API server: the real teloxide client talks HTTP to it on 127.0.0.1.
//!
//! End-to-end tests and the load benchmark start one with [`FakeBotApi::start`], point a
//! `teloxide::Bot` at [`FakeBotApi::api_url`], queue what people do with the builders
//! ([`FakeBotApi::text`], [`FakeBotApi::callback`], ...) and observe what the bot did with
//! [`FakeBotApi::messages_to`], [`FakeBotApi::calls`] or [`FakeBotApi::subscribe`].
//!
//! ```ignore
//! let fake = FakeBotApi::start(FakeConfig::default()).await?;
//! let bot = teloxide::Bot::new(fake.token()).set_api_url(fake.api_url());
//! let ana = FakeUser::new(1001, "Ana");
//! fake.text(&ana, "/start");
//! // ... run the bot ...
//! assert!(fake.wait_until(Duration::from_secs(5), |f| f.last_message(1001).is_some()).await);
//! ```
//!
//! What it answers, and how faithfully:
//! - `getMe`, `getWebhookInfo`, `deleteWebhook`, `setMyCommands`, `getMyCommands`,
//!   `deleteMyCommands`, `getUpdates`, `sendMessage`, `editMessageText`,
//!   `editMessageReplyMarkup`, `deleteMessage`, `sendChatAction`, `answerCallbackQuery`,
//!   `sendDocument` (JSON, multipart or form bodies; method names in any case). Anything
//!   else gets `404 "Not Found: method not found"` and is recorded.
//! - Errors use Telegram's exact descriptions where teloxide maps them to an `ApiError`
//!   variant: "message is not modified", "message to edit not found", "bot was blocked by
//!   the user", "message text is empty", "message is too long", "BUTTON_DATA_INVALID",
//!   "query is too old ...", "terminated by other getUpdates request".
//! - `getUpdates`: offsets confirm (drop) updates forever, a negative offset keeps only the
//!   last updates, `allowed_updates` is remembered between calls like Telegram does, a
//!   second concurrent long poll terminates the first with 409.
//! - Message text is stored verbatim: `parse_mode` is not applied, so no entities come back.
//!   Text length is counted in UTF-16 code units, as Telegram counts entity offsets.
//! - Only inline keyboards are echoed in returned messages (Telegram never returns reply
//!   keyboards in a `Message`); other `reply_markup` kinds are accepted and only visible in
//!   [`FakeBotApi::calls`].
//! - With [`FakeConfig::enforce_limits`], send-like calls go through token buckets
//!   mirroring Telegram's flood limits; see [`FakeConfig`].

use std::{
    borrow::Cow,
    collections::{HashMap, HashSet, VecDeque},
    net::Ipv4Addr,
    pin::pin,
    sync::{
        Arc, Mutex, MutexGuard, PoisonError,
        atomic::{AtomicBool, Ordering},
    },
    time::{Duration, Instant, SystemTime, UNIX_EPOCH},
};

use axum::{
    Router,
    body::Bytes,
    extract::{DefaultBodyLimit, State, rejection::BytesRejection},
    http::{HeaderMap, HeaderValue, StatusCode, Uri, header::CONTENT_TYPE},
    response::{IntoResponse, Response},
};
use serde::Serialize;
use serde_json::{Map, Value, json};
use tokio::sync::{Notify, mpsc};
use url::Url;

/// Telegram accepts uploads up to 50 MB; axum's default body limit is 2 MB.
const MAX_UPLOAD_BYTES: usize = 50 * 1024 * 1024;
/// Update ids start far from the small numbers tests use for users and messages, so a test
/// that mixes them up fails instead of passing by coincidence.
const FIRST_UPDATE_ID: i64 = 1_000_001;
/// How much of a token a request may be short of: a client keeping the same buckets stamps
/// the time it sends, the fake stamps the time the request arrives.
const BUCKET_TOLERANCE: f64 = 0.05;
/// Slack for a client that waits exactly `retry_after` after a 429.
const RETRY_AFTER_TOLERANCE: Duration = Duration::from_millis(20);
/// Requests arriving this soon after a 429 was answered were already on their way when
/// it went out: the client could not have seen it. Like Telegram, the fake answers them
/// 429 too, but they are not violations.
const IN_FLIGHT_GRACE: Duration = Duration::from_millis(50);
/// `wait_until` re-checks at least this often, for conditions the fake cannot see change.
const WAIT_UNTIL_RECHECK: Duration = Duration::from_millis(5);
const BOT_FIRST_NAME: &str = "Lexbot Test";
/// Supergroup (and channel) ids are `-100` followed by the positive id.
const SUPERGROUP_ID_BOUND: i64 = -1_000_000_000_000;
const MAX_TEXT_UTF16: usize = 4096;
const MAX_CAPTION_UTF16: usize = 1024;
const MAX_CALLBACK_DATA_BYTES: usize = 64;

// Descriptions teloxide matches exactly (see teloxide-core's `ApiError`).
const MESSAGE_NOT_MODIFIED: &str = "Bad Request: message is not modified: specified new message \
     content and reply markup are exactly the same as a current content and reply markup of \
     the message";
const MESSAGE_TO_EDIT_NOT_FOUND: &str = "Bad Request: message to edit not found";
const MESSAGE_CANT_BE_EDITED: &str = "Bad Request: message can't be edited";
const MESSAGE_TO_DELETE_NOT_FOUND: &str = "Bad Request: message to delete not found";
const MESSAGE_TEXT_IS_EMPTY: &str = "Bad Request: message text is empty";
const MESSAGE_IS_TOO_LONG: &str = "Bad Request: message is too long";
const EDITED_MESSAGE_IS_TOO_LONG: &str = "Bad Request: MESSAGE_TOO_LONG";
const CAPTION_IS_TOO_LONG: &str = "Bad Request: message caption is too long";
const NO_TEXT_TO_EDIT: &str = "Bad Request: there is no text in the message to edit";
const BUTTON_DATA_INVALID: &str = "Bad Request: BUTTON_DATA_INVALID";
const BAD_KEYBOARD: &str = "Bad Request: can't parse reply keyboard markup JSON object";
const BOT_COMMAND_INVALID: &str = "Bad Request: BOT_COMMAND_INVALID";
const CHAT_ID_IS_EMPTY: &str = "Bad Request: chat_id is empty";
const CHAT_NOT_FOUND: &str = "Bad Request: chat not found";
const MESSAGE_ID_MISSING: &str = "Bad Request: message identifier is not specified";
const NO_DOCUMENT: &str = "Bad Request: there is no document in the request";
const INVALID_QUERY_ID: &str =
    "Bad Request: query is too old and response timeout expired or query id is invalid";
const BOT_BLOCKED: &str = "Forbidden: bot was blocked by the user";
const BOT_KICKED_FROM_GROUP: &str = "Forbidden: bot was kicked from the group chat";
const BOT_KICKED_FROM_SUPERGROUP: &str = "Forbidden: bot was kicked from the supergroup chat";
const TERMINATED_BY_OTHER_GET_UPDATES: &str = "Conflict: terminated by other getUpdates \
     request; make sure that only one bot instance is running";
const METHOD_NOT_FOUND: &str = "Not Found: method not found";

/// How the fake behaves; `FakeConfig::default()` suits most tests.
#[derive(Clone, Debug)]
pub struct FakeConfig {
    /// Check send-like calls against Telegram's flood limits. A call over a limit, or one
    /// arriving while a `retry_after` from an earlier 429 is still running, is recorded in
    /// [`FakeBotApi::violations`], answered 429 with `retry_after`, and not delivered.
    /// Calls arriving within 50 ms of a 429 were already on their way: they get a 429 too,
    /// but are not violations. Default: off.
    pub enforce_limits: bool,
    /// Messages one chat may receive back to back. Default 3.
    pub per_chat_burst: u32,
    /// Sustained messages per second to one chat. Default 1.0.
    pub per_chat_per_second: f64,
    /// Messages the whole bot may send back to back. Default 30.
    pub global_burst: u32,
    /// Sustained messages per second over all chats. Default 30.0.
    pub global_per_second: f64,
    /// Messages per minute to one group (negative chat id), on top of the per-chat bucket;
    /// also the group bucket's burst. Default 20.
    pub group_per_minute: u32,
    /// Whether `editMessageText`/`editMessageReplyMarkup` count against the limits. Telegram
    /// floods on edits too, but teloxide's `Throttle` adaptor does not throttle edits, so a
    /// bot relying on `Throttle` alone may need this off. Default: on.
    pub edits_count_against_limits: bool,
    /// Upper bound for a `getUpdates` long poll, whatever `timeout` the client asks for,
    /// so tests do not idle for seconds. Default 200 ms.
    pub max_long_poll: Duration,
    /// The bot's user id (also the number in [`FakeBotApi::token`]). Default 7000000001.
    pub bot_id: u64,
    /// The bot's username in `getMe` and in the `from` of its messages.
    /// Default "lexbot_test_bot".
    pub bot_username: String,
    /// Keep every request in [`FakeBotApi::calls`]. The load benchmark turns this off;
    /// messages, deliveries and subscriptions keep working. Default: on.
    pub record_calls: bool,
}

impl Default for FakeConfig {
    fn default() -> Self {
        Self {
            enforce_limits: false,
            per_chat_burst: 3,
            per_chat_per_second: 1.0,
            global_burst: 30,
            global_per_second: 30.0,
            group_per_minute: 20,
            edits_count_against_limits: true,
            max_long_poll: Duration::from_millis(200),
            bot_id: 7_000_000_001,
            bot_username: "lexbot_test_bot".to_owned(),
            record_calls: true,
        }
    }
}

/// A person talking to the bot.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FakeUser {
    pub id: i64,
    pub first_name: String,
    pub language_code: Option<String>,
    pub username: Option<String>,
}

impl FakeUser {
    /// A user without language or username.
    pub fn new(id: i64, first_name: &str) -> Self {
        Self {
            id,
            first_name: first_name.to_owned(),
            language_code: None,
            username: None,
        }
    }

    /// The same user with a Telegram client language, e.g. "de".
    pub fn with_language(mut self, language_code: &str) -> Self {
        self.language_code = Some(language_code.to_owned());
        self
    }

    /// The same user with a username (without "@").
    pub fn with_username(mut self, username: &str) -> Self {
        self.username = Some(username.to_owned());
        self
    }
}

/// A failure to inject with [`FakeBotApi::fail_next`].
#[derive(Clone, Debug, PartialEq)]
pub enum Fault {
    /// 429 with `parameters.retry_after`; teloxide returns `RequestError::RetryAfter`. With
    /// `enforce_limits`, a send-like call before the time is up (and after the 50 ms
    /// in-flight grace) is a violation.
    TooManyRequests { retry_after_secs: u32 },
    /// 403 "Forbidden: bot was blocked by the user" (`ApiError::BotBlocked`).
    Forbidden,
    /// 502 "Bad Gateway". Beware: teloxide sleeps 10 s after any 5xx before returning.
    ServerError,
    /// Hold the request this long, then process and answer it normally. The request is
    /// processed even if the client gave up meanwhile (teloxide's default client timeout is
    /// 17 s), which is how "delivered, but the client saw a timeout" happens for real.
    Timeout(Duration),
    /// 400 with this exact description, e.g. "Bad Request: chat not found".
    BadRequest(String),
}

/// One request as the fake saw it.
#[derive(Clone, Debug)]
pub struct RecordedCall {
    /// Lowercase method name, e.g. "sendmessage".
    pub method: String,
    /// The parameters: the JSON body, or multipart/form fields as strings (uploaded files
    /// become `{"file_name":..,"size":..}`). A body that could not be parsed is kept as a
    /// string.
    pub body: Value,
    /// When the request arrived.
    pub at: Instant,
    pub outcome: CallOutcome,
}

/// How the fake answered a recorded request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CallOutcome {
    /// Still being answered (a long poll, or a held [`Fault::Timeout`]).
    Pending,
    /// `{"ok":true,...}`.
    Ok,
    /// `{"ok":false,...}` with this code and description.
    Failed {
        error_code: u16,
        description: String,
    },
}

/// A document the bot sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SentDocument {
    pub file_id: String,
    /// The uploaded file name, if the upload carried one.
    pub file_name: Option<String>,
    /// Uploaded bytes; 0 when the bot sent a file id or URL.
    pub file_size: u64,
}

/// A message the bot sent, in its current state.
#[derive(Clone, Debug, PartialEq)]
pub struct BotMessage {
    pub chat_id: i64,
    pub message_id: i64,
    /// Unix seconds.
    pub date: i64,
    /// The text, or a document's caption ("" if none).
    pub text: String,
    /// The inline keyboard as the bot sent it (`{"inline_keyboard":[[...]]}`).
    pub reply_markup: Option<Value>,
    pub document: Option<SentDocument>,
    pub edited: bool,
    /// Unix seconds of the last edit.
    pub edit_date: Option<i64>,
    pub deleted: bool,
}

/// One successful send or edit, as streamed by [`FakeBotApi::subscribe`] and kept in
/// [`FakeBotApi::delivered_to`].
#[derive(Clone, Debug, PartialEq)]
pub struct Delivered {
    pub chat_id: i64,
    pub message_id: i64,
    /// Lowercase method, e.g. "sendmessage" or "editmessagetext".
    pub method: &'static str,
    /// Text (or caption) after this call.
    pub text: String,
    pub has_keyboard: bool,
    /// The `callback_data` of every inline button, row by row.
    pub callback_data: Vec<String>,
    pub at: Instant,
}

/// Handle to a running fake server; clones share it. The server stops when the last
/// handle is dropped.
#[derive(Clone)]
pub struct FakeBotApi {
    shared: Arc<Shared>,
    _server: Arc<ServerTask>,
}

struct ServerTask(tokio::task::JoinHandle<()>);

impl Drop for ServerTask {
    fn drop(&mut self) {
        self.0.abort();
    }
}

struct Shared {
    config: FakeConfig,
    api_url: Url,
    started: Instant,
    state: Mutex<ServerState>,
    /// Woken when updates are queued or a newer `getUpdates` supersedes a waiting one.
    updates_changed: Notify,
    /// Woken whenever a request was answered or an update queued, for `wait_until`.
    activity: Notify,
    /// Lets the hot path skip the lock when no fault is armed and calls are not recorded.
    faults_armed: AtomicBool,
}

struct ServerState {
    next_update_id: i64,
    queued: VecDeque<QueuedUpdate>,
    confirmed_offset: i64,
    /// `None` means Telegram's default: everything but chat_member and reactions.
    allowed_updates: Option<Vec<String>>,
    /// Incremented by every `getUpdates`; a waiting one that sees a newer value was
    /// superseded.
    poll_generation: u64,
    chats: HashMap<i64, ChatLog>,
    users: HashMap<i64, FakeUser>,
    /// Callback query id -> answered.
    callbacks: HashMap<String, bool>,
    next_callback_id: u64,
    calls: Vec<RecordedCall>,
    faults: Vec<ArmedFault>,
    blocked: HashSet<i64>,
    limits: Limits,
    violations: Vec<String>,
    too_many_requests_sent: u64,
    subscribers: Vec<mpsc::UnboundedSender<Delivered>>,
    commands: Vec<Value>,
}

struct QueuedUpdate {
    id: i64,
    /// The update kind ("message", "callback_query", ...), for `allowed_updates`.
    kind: String,
    /// The serialized update, shared so a batch can be copied out of the lock cheaply.
    json: Arc<str>,
}

#[derive(Default)]
struct ChatLog {
    /// Message ids are per chat and shared by the person's and the bot's messages.
    last_message_id: i64,
    /// Sorted by message id.
    bot_messages: Vec<BotMessage>,
    delivered: Vec<Delivered>,
}

struct ArmedFault {
    method: String,
    fault: Fault,
    remaining: u32,
}

#[derive(Default)]
struct Limits {
    global: Option<TokenBucket>,
    per_chat: HashMap<i64, TokenBucket>,
    per_group: HashMap<i64, TokenBucket>,
    /// Until when a 429's `retry_after` forbids sending.
    frozen_until: Option<Instant>,
    /// When the last 429 was answered.
    frozen_at: Option<Instant>,
}

struct TokenBucket {
    capacity: f64,
    per_second: f64,
    tokens: f64,
    refilled_at: Instant,
}

impl TokenBucket {
    fn full(capacity: u32, per_second: f64, now: Instant) -> Self {
        let capacity = f64::from(capacity);
        Self {
            capacity,
            per_second,
            tokens: capacity,
            refilled_at: now,
        }
    }

    fn refill(&mut self, now: Instant) {
        let elapsed = now
            .saturating_duration_since(self.refilled_at)
            .as_secs_f64();
        self.tokens = (self.tokens + elapsed * self.per_second).min(self.capacity);
        self.refilled_at = self.refilled_at.max(now);
    }

    fn has_token(&self) -> bool {
        self.tokens >= 1.0 - BUCKET_TOLERANCE
    }

    fn take(&mut self) {
        self.tokens -= 1.0;
    }
}

/// An `{"ok":false,...}` answer.
#[derive(Clone, Debug)]
struct ApiFailure {
    error_code: u16,
    description: Cow<'static, str>,
    retry_after: Option<u32>,
}

impl ApiFailure {
    fn new(error_code: u16, description: impl Into<Cow<'static, str>>) -> Self {
        Self {
            error_code,
            description: description.into(),
            retry_after: None,
        }
    }

    fn bad_request(description: impl Into<Cow<'static, str>>) -> Self {
        Self::new(400, description)
    }

    fn too_many_requests(retry_after: u32) -> Self {
        Self {
            error_code: 429,
            description: format!("Too Many Requests: retry after {retry_after}").into(),
            retry_after: Some(retry_after),
        }
    }
}

/// A full response body (`{"ok":true,...}`) or a failure.
type Reply = Result<Vec<u8>, ApiFailure>;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Method {
    GetMe,
    GetWebhookInfo,
    DeleteWebhook,
    SetMyCommands,
    GetMyCommands,
    DeleteMyCommands,
    GetUpdates,
    SendMessage,
    EditMessageText,
    EditMessageReplyMarkup,
    DeleteMessage,
    SendChatAction,
    AnswerCallbackQuery,
    SendDocument,
    Unknown,
}

const KNOWN_METHODS: [Method; 14] = [
    Method::GetMe,
    Method::GetWebhookInfo,
    Method::DeleteWebhook,
    Method::SetMyCommands,
    Method::GetMyCommands,
    Method::DeleteMyCommands,
    Method::GetUpdates,
    Method::SendMessage,
    Method::EditMessageText,
    Method::EditMessageReplyMarkup,
    Method::DeleteMessage,
    Method::SendChatAction,
    Method::AnswerCallbackQuery,
    Method::SendDocument,
];

impl Method {
    fn parse(name: &str) -> Self {
        KNOWN_METHODS
            .into_iter()
            .find(|method| method.lowercase_name().eq_ignore_ascii_case(name))
            .unwrap_or(Method::Unknown)
    }

    fn lowercase_name(self) -> &'static str {
        match self {
            Method::GetMe => "getme",
            Method::GetWebhookInfo => "getwebhookinfo",
            Method::DeleteWebhook => "deletewebhook",
            Method::SetMyCommands => "setmycommands",
            Method::GetMyCommands => "getmycommands",
            Method::DeleteMyCommands => "deletemycommands",
            Method::GetUpdates => "getupdates",
            Method::SendMessage => "sendmessage",
            Method::EditMessageText => "editmessagetext",
            Method::EditMessageReplyMarkup => "editmessagereplymarkup",
            Method::DeleteMessage => "deletemessage",
            Method::SendChatAction => "sendchataction",
            Method::AnswerCallbackQuery => "answercallbackquery",
            Method::SendDocument => "senddocument",
            Method::Unknown => "",
        }
    }

    /// Whether Telegram's flood limits apply to this call.
    fn counts_against_limits(self, config: &FakeConfig) -> bool {
        match self {
            Method::SendMessage | Method::SendDocument => true,
            Method::EditMessageText | Method::EditMessageReplyMarkup => {
                config.edits_count_against_limits
            }
            _ => false,
        }
    }
}

impl FakeBotApi {
    /// Binds 127.0.0.1 on a free port and serves until the last handle is dropped.
    pub async fn start(config: FakeConfig) -> std::io::Result<FakeBotApi> {
        let listener = tokio::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await?;
        let address = listener.local_addr()?;
        let api_url = Url::parse(&format!("http://{address}/")).map_err(std::io::Error::other)?;
        let shared = Arc::new(Shared {
            config,
            api_url,
            started: Instant::now(),
            state: Mutex::new(ServerState {
                next_update_id: FIRST_UPDATE_ID,
                queued: VecDeque::new(),
                confirmed_offset: 0,
                allowed_updates: None,
                poll_generation: 0,
                chats: HashMap::new(),
                users: HashMap::new(),
                callbacks: HashMap::new(),
                next_callback_id: 4_000_000_000_001,
                calls: Vec::new(),
                faults: Vec::new(),
                blocked: HashSet::new(),
                limits: Limits::default(),
                violations: Vec::new(),
                too_many_requests_sent: 0,
                subscribers: Vec::new(),
                commands: Vec::new(),
            }),
            updates_changed: Notify::new(),
            activity: Notify::new(),
            faults_armed: AtomicBool::new(false),
        });
        let router = Router::new()
            .fallback(handle_request)
            .layer(DefaultBodyLimit::max(MAX_UPLOAD_BYTES))
            .with_state(Arc::clone(&shared));
        let server = tokio::spawn(async move {
            if let Err(error) = axum::serve(listener, router).await {
                tracing::warn!(%error, "fake Bot API server stopped");
            }
        });
        Ok(FakeBotApi {
            shared,
            _server: Arc::new(ServerTask(server)),
        })
    }

    /// Base URL for `teloxide::Bot::new(token).set_api_url(url)`.
    pub fn api_url(&self) -> Url {
        self.shared.api_url.clone()
    }

    /// A token whose id part is [`FakeBotApi::bot_id`]; the fake accepts any token.
    pub fn token(&self) -> String {
        format!("{}:FAKE-TOKEN", self.shared.config.bot_id)
    }

    /// The bot's user id, as in `getMe` and the `from` of its messages.
    pub fn bot_id(&self) -> u64 {
        self.shared.config.bot_id
    }

    /// The bot's username (without "@").
    pub fn bot_username(&self) -> &str {
        &self.shared.config.bot_username
    }

    // ----- updates -----

    /// Queues an update and returns its `update_id`. `update_kind` is the update without
    /// `update_id`, e.g. `{"message":{...}}`.
    ///
    /// # Panics
    /// If `update_kind` is not a JSON object: that is a bug in the test.
    pub fn push_update(&self, update_kind: Value) -> i64 {
        let Value::Object(fields) = &update_kind else {
            panic!(
                "push_update expects an object such as {{\"message\":{{...}}}}, got {update_kind}"
            );
        };
        // Telegram sends one kind per update; teloxide reads the first key.
        let kind = fields.keys().next().cloned().unwrap_or_default();
        let callback_id = fields
            .get("callback_query")
            .and_then(|query| query.get("id"))
            .and_then(Value::as_str)
            .map(str::to_owned);
        let serialized = update_kind.to_string();
        let id = {
            let mut state = self.shared.lock();
            if let Some(callback_id) = callback_id {
                state.callbacks.entry(callback_id).or_insert(false);
            }
            let id = state.next_update_id;
            state.next_update_id += 1;
            let json: Arc<str> = match serialized.strip_prefix('{') {
                Some("}") | None => format!("{{\"update_id\":{id}}}").into(),
                Some(rest) => format!("{{\"update_id\":{id},{rest}").into(),
            };
            state.queued.push_back(QueuedUpdate { id, kind, json });
            id
        };
        self.shared.updates_changed.notify_waiters();
        self.shared.activity.notify_waiters();
        id
    }

    /// The person sends `text` in their private chat with the bot (chat id = user id). A
    /// leading "/command" gets a `bot_command` entity, as Telegram sends.
    pub fn text(&self, user: &FakeUser, text: &str) -> i64 {
        let mut message = self.incoming_message(user, user.id);
        add_text(&mut message, text);
        self.push_update(json!({ "message": message }))
    }

    /// The person sends `text` in a group (`group_chat_id` negative; ids below
    /// -1000000000000 are supergroups).
    pub fn text_in_group(&self, user: &FakeUser, group_chat_id: i64, text: &str) -> i64 {
        let mut message = self.incoming_message(user, group_chat_id);
        add_text(&mut message, text);
        self.push_update(json!({ "message": message }))
    }

    /// The person presses an inline button on bot message `message_id` in their private
    /// chat. The update carries a copy of the message as the fake holds it now, so teloxide
    /// sees its chat, text and keyboard; a message the bot never sent (or deleted) comes as
    /// an inaccessible message (`date` 0), like Telegram does for old messages.
    pub fn callback(&self, user: &FakeUser, message_id: i64, data: &str) -> i64 {
        self.callback_in_chat(user, user.id, message_id, data)
    }

    /// Like [`FakeBotApi::callback`], for a bot message in any chat (e.g. a group).
    pub fn callback_in_chat(
        &self,
        user: &FakeUser,
        chat_id: i64,
        message_id: i64,
        data: &str,
    ) -> i64 {
        let (callback_id, message) = {
            let mut state = self.shared.lock();
            remember_user(&mut state, user);
            let callback_id = state.next_callback_id.to_string();
            state.next_callback_id += 1;
            let message = state
                .chats
                .get(&chat_id)
                .and_then(|chat| chat.find(message_id))
                .filter(|message| !message.deleted)
                .map(|message| self.shared.message_json(&state.users, message));
            let message = message.unwrap_or_else(|| {
                json!({
                    "chat": chat_json(&state.users, chat_id),
                    "message_id": message_id,
                    "date": 0,
                })
            });
            (callback_id, message)
        };
        self.push_update(json!({
            "callback_query": {
                "id": callback_id,
                "from": user_json(user),
                "message": message,
                "chat_instance": chat_id.unsigned_abs().wrapping_mul(7919).to_string(),
                "data": data,
            }
        }))
    }

    /// The person sends a sticker in their private chat.
    pub fn sticker(&self, user: &FakeUser) -> i64 {
        let mut message = self.incoming_message(user, user.id);
        let message_id = message.get("message_id").cloned().unwrap_or(Value::Null);
        message.insert(
            "sticker".to_owned(),
            json!({
                "file_id": format!("CAACAgIAAxkBAAI-fake-sticker-{message_id}"),
                "file_unique_id": "AgADfakeSticker",
                "type": "regular",
                "width": 512,
                "height": 512,
                "is_animated": false,
                "is_video": false,
                "emoji": "👍",
                "set_name": "FakeStickers",
                "file_size": 23_456,
            }),
        );
        self.push_update(json!({ "message": message }))
    }

    /// The person sends a photo (two sizes, no caption) in their private chat.
    pub fn photo(&self, user: &FakeUser) -> i64 {
        let mut message = self.incoming_message(user, user.id);
        let message_id = message.get("message_id").cloned().unwrap_or(Value::Null);
        message.insert(
            "photo".to_owned(),
            json!([
                {
                    "file_id": format!("AgACAgIAAxkBAAI-fake-photo-s-{message_id}"),
                    "file_unique_id": "AQADfakePhotoS",
                    "width": 90, "height": 67, "file_size": 1_234,
                },
                {
                    "file_id": format!("AgACAgIAAxkBAAI-fake-photo-m-{message_id}"),
                    "file_unique_id": "AQADfakePhotoM",
                    "width": 800, "height": 600, "file_size": 54_321,
                },
            ]),
        );
        self.push_update(json!({ "message": message }))
    }

    /// The person blocks (`blocked`) or unblocks the bot: a `my_chat_member` update about
    /// the bot going "member" -> "kicked" or back. Blocking also makes every later send to
    /// that chat fail with 403 (as [`FakeBotApi::block_chat`]); unblocking lifts it.
    pub fn my_chat_member(&self, user: &FakeUser, blocked: bool) -> i64 {
        let bot = self.shared.bot_user_json();
        let member = json!({ "user": bot, "status": "member" });
        let kicked = json!({ "user": bot, "status": "kicked", "until_date": 0 });
        let (old, new) = if blocked {
            (member, kicked)
        } else {
            (kicked, member)
        };
        {
            let mut state = self.shared.lock();
            remember_user(&mut state, user);
            if blocked {
                state.blocked.insert(user.id);
            } else {
                state.blocked.remove(&user.id);
            }
        }
        self.push_update(json!({
            "my_chat_member": {
                "chat": private_chat_json(user),
                "from": user_json(user),
                "date": unix_now(),
                "old_chat_member": old,
                "new_chat_member": new,
            }
        }))
    }

    /// `message_id`, `from`, `chat` and `date` of a new message from `user` in `chat_id`.
    fn incoming_message(&self, user: &FakeUser, chat_id: i64) -> Map<String, Value> {
        let message_id = {
            let mut state = self.shared.lock();
            remember_user(&mut state, user);
            state.chats.entry(chat_id).or_default().next_message_id()
        };
        let chat = if chat_id == user.id {
            private_chat_json(user)
        } else {
            group_chat_json(chat_id)
        };
        let mut message = Map::new();
        message.insert("message_id".to_owned(), message_id.into());
        message.insert("from".to_owned(), user_json(user));
        message.insert("chat".to_owned(), chat);
        message.insert("date".to_owned(), unix_now().into());
        message
    }

    /// Updates queued and not yet confirmed by an offset.
    pub fn pending_updates(&self) -> usize {
        self.shared.lock().queued.len()
    }

    /// The highest `offset` a `getUpdates` confirmed with (0 before any).
    pub fn confirmed_offset(&self) -> i64 {
        self.shared.lock().confirmed_offset
    }

    // ----- observation -----

    /// Every request so far, in arrival order (empty when `record_calls` is off).
    pub fn calls(&self) -> Vec<RecordedCall> {
        self.shared.lock().calls.clone()
    }

    /// The recorded requests for one method (any case, e.g. "sendMessage").
    pub fn calls_of(&self, method: &str) -> Vec<RecordedCall> {
        let state = self.shared.lock();
        state
            .calls
            .iter()
            .filter(|call| call.method.eq_ignore_ascii_case(method))
            .cloned()
            .collect()
    }

    /// The bot's messages in a chat, in sending order, each in its current state (edits
    /// applied; deleted ones flagged).
    pub fn messages_to(&self, chat_id: i64) -> Vec<BotMessage> {
        let state = self.shared.lock();
        state
            .chats
            .get(&chat_id)
            .map(|chat| chat.bot_messages.clone())
            .unwrap_or_default()
    }

    /// The bot's latest message in a chat (deleted or not).
    pub fn last_message(&self, chat_id: i64) -> Option<BotMessage> {
        let state = self.shared.lock();
        state
            .chats
            .get(&chat_id)
            .and_then(|chat| chat.bot_messages.last().cloned())
    }

    /// Every successful send and edit in a chat, in order: the full history, where
    /// [`FakeBotApi::messages_to`] shows only the current state. Use it to check that a
    /// reply was not sent twice.
    pub fn delivered_to(&self, chat_id: i64) -> Vec<Delivered> {
        let state = self.shared.lock();
        state
            .chats
            .get(&chat_id)
            .map(|chat| chat.delivered.clone())
            .unwrap_or_default()
    }

    /// `(label, callback_data)` of each inline button of a bot message, row by row; buttons
    /// without callback data (URLs, ...) are left out.
    pub fn button_data(&self, chat_id: i64, message_id: i64) -> Vec<(String, String)> {
        let state = self.shared.lock();
        let Some(markup) = state
            .chats
            .get(&chat_id)
            .and_then(|chat| chat.find(message_id))
            .and_then(|message| message.reply_markup.as_ref())
        else {
            return Vec::new();
        };
        inline_buttons(markup)
            .filter_map(|button| {
                let data = button.get("callback_data")?.as_str()?;
                let label = button
                    .get("text")
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                Some((label.to_owned(), data.to_owned()))
            })
            .collect()
    }

    /// The commands from the last `setMyCommands` (whatever the scope), as
    /// `(command, description)`.
    pub fn my_commands(&self) -> Vec<(String, String)> {
        let state = self.shared.lock();
        state
            .commands
            .iter()
            .map(|command| {
                let field = |name| {
                    command
                        .get(name)
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                };
                (field("command").to_owned(), field("description").to_owned())
            })
            .collect()
    }

    /// Ids of callback queries delivered to the bot and not answered yet.
    pub fn unanswered_callbacks(&self) -> Vec<String> {
        let state = self.shared.lock();
        let mut unanswered: Vec<String> = state
            .callbacks
            .iter()
            .filter(|(_, answered)| !**answered)
            .map(|(id, _)| id.clone())
            .collect();
        unanswered.sort();
        unanswered
    }

    /// Waits until `condition` holds or `timeout` passes; returns whether it held. Re-checks
    /// after every request the fake answers and every few milliseconds.
    pub async fn wait_until(
        &self,
        timeout: Duration,
        condition: impl Fn(&FakeBotApi) -> bool,
    ) -> bool {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let mut activity = pin!(self.shared.activity.notified());
            // Registered before checking, so activity in between is not missed.
            activity.as_mut().enable();
            if condition(self) {
                return true;
            }
            let now = tokio::time::Instant::now();
            if now >= deadline {
                return false;
            }
            let recheck_at = deadline.min(now + WAIT_UNTIL_RECHECK);
            // Either way the loop re-checks; the timeout only bounds the wait.
            let _ = tokio::time::timeout_at(recheck_at, activity).await;
        }
    }

    /// A stream of every successful send and edit from now on.
    pub fn subscribe(&self) -> mpsc::UnboundedReceiver<Delivered> {
        let (sender, receiver) = mpsc::unbounded_channel();
        self.shared.lock().subscribers.push(sender);
        receiver
    }

    // ----- faults and limits -----

    /// The next `times` calls of `method` (any case, e.g. "sendMessage") fail with `fault`.
    /// Faults for the same method queue up in the order they were armed.
    pub fn fail_next(&self, method: &str, fault: Fault, times: u32) {
        if times == 0 {
            return;
        }
        let mut state = self.shared.lock();
        state.faults.push(ArmedFault {
            method: method.to_owned(),
            fault,
            remaining: times,
        });
        self.shared.faults_armed.store(true, Ordering::Release);
    }

    /// From now on every send-like call to `chat_id` answers 403 (for a private chat
    /// "Forbidden: bot was blocked by the user").
    pub fn block_chat(&self, chat_id: i64) {
        self.shared.lock().blocked.insert(chat_id);
    }

    /// Undoes [`FakeBotApi::block_chat`].
    pub fn unblock_chat(&self, chat_id: i64) {
        self.shared.lock().blocked.remove(&chat_id);
    }

    /// Flood-limit violations seen (only with `enforce_limits`), human readable.
    pub fn violations(&self) -> Vec<String> {
        self.shared.lock().violations.clone()
    }

    /// How many 429 answers the fake gave: limit violations plus injected
    /// [`Fault::TooManyRequests`].
    pub fn too_many_requests_sent(&self) -> u64 {
        self.shared.lock().too_many_requests_sent
    }
}

fn remember_user(state: &mut ServerState, user: &FakeUser) {
    if state.users.get(&user.id) != Some(user) {
        state.users.insert(user.id, user.clone());
    }
}

fn add_text(message: &mut Map<String, Value>, text: &str) {
    message.insert("text".to_owned(), text.into());
    if let Some(command) = text
        .strip_prefix('/')
        .and_then(|rest| rest.split_whitespace().next())
        && !command.is_empty()
    {
        let length = 1 + command.encode_utf16().count();
        message.insert(
            "entities".to_owned(),
            json!([{ "type": "bot_command", "offset": 0, "length": length }]),
        );
    }
}

fn user_json(user: &FakeUser) -> Value {
    let mut json = json!({ "id": user.id, "is_bot": false, "first_name": user.first_name });
    if let Some(username) = &user.username {
        json["username"] = username.as_str().into();
    }
    if let Some(language_code) = &user.language_code {
        json["language_code"] = language_code.as_str().into();
    }
    json
}

fn private_chat_json(user: &FakeUser) -> Value {
    let mut json = json!({ "id": user.id, "type": "private", "first_name": user.first_name });
    if let Some(username) = &user.username {
        json["username"] = username.as_str().into();
    }
    json
}

fn group_chat_json(chat_id: i64) -> Value {
    json!({ "id": chat_id, "type": group_kind(chat_id), "title": group_title(chat_id) })
}

fn chat_json(users: &HashMap<i64, FakeUser>, chat_id: i64) -> Value {
    // Serializing our own struct cannot fail.
    serde_json::to_value(ChatOut::new(users, chat_id)).unwrap_or(Value::Null)
}

fn group_kind(chat_id: i64) -> &'static str {
    if chat_id <= SUPERGROUP_ID_BOUND {
        "supergroup"
    } else {
        "group"
    }
}

fn group_title(chat_id: i64) -> String {
    format!("Test group {chat_id}")
}

fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs() as i64)
}

fn inline_buttons(markup: &Value) -> impl Iterator<Item = &Map<String, Value>> {
    markup
        .get("inline_keyboard")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_array)
        .flatten()
        .filter_map(Value::as_object)
}

fn callback_data_of(markup: Option<&Value>) -> Vec<String> {
    markup
        .into_iter()
        .flat_map(inline_buttons)
        .filter_map(|button| button.get("callback_data")?.as_str().map(str::to_owned))
        .collect()
}

impl ChatLog {
    fn next_message_id(&mut self) -> i64 {
        self.last_message_id += 1;
        self.last_message_id
    }

    fn find(&self, message_id: i64) -> Option<&BotMessage> {
        let index = self
            .bot_messages
            .binary_search_by_key(&message_id, |m| m.message_id)
            .ok()?;
        self.bot_messages.get(index)
    }
}

// ----- JSON the fake answers with -----

#[derive(Serialize)]
struct UserOut<'a> {
    id: i64,
    is_bot: bool,
    first_name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    username: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    language_code: Option<&'a str>,
}

#[derive(Serialize)]
struct MeOut<'a> {
    #[serde(flatten)]
    user: UserOut<'a>,
    can_join_groups: bool,
    can_read_all_group_messages: bool,
    supports_inline_queries: bool,
    can_connect_to_business: bool,
    has_main_web_app: bool,
}

#[derive(Serialize)]
struct ChatOut<'a> {
    id: i64,
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    first_name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    username: Option<&'a str>,
}

impl<'a> ChatOut<'a> {
    fn new(users: &'a HashMap<i64, FakeUser>, chat_id: i64) -> Self {
        if chat_id < 0 {
            return Self {
                id: chat_id,
                kind: group_kind(chat_id),
                title: Some(group_title(chat_id)),
                first_name: None,
                username: None,
            };
        }
        let user = users.get(&chat_id);
        Self {
            id: chat_id,
            kind: "private",
            title: None,
            // Telegram always names the other party of a private chat.
            first_name: Some(user.map_or("Someone", |user| user.first_name.as_str())),
            username: user.and_then(|user| user.username.as_deref()),
        }
    }
}

#[derive(Serialize)]
struct DocumentOut<'a> {
    file_id: &'a str,
    file_unique_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    file_name: Option<&'a str>,
    file_size: u64,
}

#[derive(Serialize)]
struct MessageOut<'a> {
    message_id: i64,
    from: UserOut<'a>,
    chat: ChatOut<'a>,
    date: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    edit_date: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    text: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    document: Option<DocumentOut<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    caption: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reply_markup: Option<&'a Value>,
}

#[derive(Serialize)]
struct ErrorOut<'a> {
    ok: bool,
    error_code: u16,
    description: &'a str,
    // Only present with content: teloxide cannot parse an empty `parameters` object.
    #[serde(skip_serializing_if = "Option::is_none")]
    parameters: Option<RetryAfterOut>,
}

#[derive(Serialize)]
struct RetryAfterOut {
    retry_after: u32,
}

/// `{"ok":true,"result":<result>}`.
fn ok_body(result: &impl Serialize) -> Vec<u8> {
    let mut body = Vec::with_capacity(256);
    body.extend_from_slice(br#"{"ok":true,"result":"#);
    serde_json::to_writer(&mut body, result).expect("the fake's own types serialize to JSON");
    body.push(b'}');
    body
}

fn error_body(failure: &ApiFailure) -> Vec<u8> {
    let error = ErrorOut {
        ok: false,
        error_code: failure.error_code,
        description: &failure.description,
        parameters: failure
            .retry_after
            .map(|retry_after| RetryAfterOut { retry_after }),
    };
    serde_json::to_vec(&error).expect("the fake's own types serialize to JSON")
}

fn into_response(reply: Reply) -> Response {
    let json = HeaderValue::from_static("application/json");
    match reply {
        Ok(body) => (StatusCode::OK, [(CONTENT_TYPE, json)], body).into_response(),
        Err(failure) => {
            let status =
                StatusCode::from_u16(failure.error_code).unwrap_or(StatusCode::BAD_REQUEST);
            (status, [(CONTENT_TYPE, json)], error_body(&failure)).into_response()
        }
    }
}

// ----- request handling -----

async fn handle_request(
    State(shared): State<Arc<Shared>>,
    uri: Uri,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let arrived = Instant::now();
    // Paths look like /bot<token>/<Method>.
    let method_name = uri
        .path()
        .strip_prefix("/bot")
        .and_then(|rest| rest.split_once('/'))
        .map(|(_token, method)| method)
        .filter(|method| !method.is_empty() && !method.contains('/'));
    let Some(method_name) = method_name else {
        let failure = ApiFailure::new(404, "Not Found");
        shared.record_unhandled(uri.path(), Value::Null, arrived, &failure);
        return into_response(Err(failure));
    };
    let method = Method::parse(method_name);
    let params = match body {
        Ok(body) => parse_params(&headers, uri.query(), &body).map_err(|failure| (failure, body)),
        Err(rejection) => {
            // E.g. 413 for a body over the upload limit.
            let failure = ApiFailure::new(rejection.status().as_u16(), rejection.body_text());
            Err((failure, Bytes::new()))
        }
    };
    let reply = match params {
        Ok(params) => {
            Arc::clone(&shared)
                .handle_call(method, method_name, params, arrived)
                .await
        }
        Err((failure, body)) => {
            let raw = Value::String(String::from_utf8_lossy(&body).into_owned());
            shared.record_unhandled(method_name, raw, arrived, &failure);
            Err(failure)
        }
    };
    into_response(reply)
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, ServerState> {
        // A test that panicked while holding the lock must not take the fake down with it.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    async fn handle_call(
        self: Arc<Self>,
        method: Method,
        method_name: &str,
        params: Map<String, Value>,
        arrived: Instant,
    ) -> Reply {
        let (call_index, fault) = self.register_arrival(method, method_name, &params, arrived);
        let reply = match fault {
            None => self.dispatch(method, &params).await,
            Some(Fault::Timeout(hold)) => {
                let shared = Arc::clone(&self);
                // Spawned so the request is processed after the hold even if the client
                // hangs up and its connection task is dropped.
                let held = tokio::spawn(async move {
                    tokio::time::sleep(hold).await;
                    shared.dispatch(method, &params).await
                });
                held.await.unwrap_or_else(|_| {
                    Err(ApiFailure::new(
                        500,
                        "Internal Server Error: held request failed",
                    ))
                })
            }
            Some(fault) => Err(self.injected_failure(method, fault)),
        };
        if let Some(index) = call_index {
            let mut state = self.lock();
            if let Some(call) = state.calls.get_mut(index) {
                call.outcome = outcome_of(&reply);
            }
        }
        self.activity.notify_waiters();
        reply
    }

    /// Records the call (if recording) and takes an armed fault for it.
    fn register_arrival(
        &self,
        method: Method,
        method_name: &str,
        params: &Map<String, Value>,
        arrived: Instant,
    ) -> (Option<usize>, Option<Fault>) {
        if !self.config.record_calls && !self.faults_armed.load(Ordering::Acquire) {
            return (None, None);
        }
        let mut state = self.lock();
        let fault = take_fault(&mut state.faults, method_name);
        if state.faults.is_empty() {
            self.faults_armed.store(false, Ordering::Release);
        }
        let index = self.config.record_calls.then(|| {
            state.calls.push(RecordedCall {
                method: recorded_name(method, method_name),
                body: Value::Object(params.clone()),
                at: arrived,
                outcome: CallOutcome::Pending,
            });
            state.calls.len() - 1
        });
        (index, fault)
    }

    fn record_unhandled(
        &self,
        method_name: &str,
        body: Value,
        arrived: Instant,
        failure: &ApiFailure,
    ) {
        if self.config.record_calls {
            self.lock().calls.push(RecordedCall {
                method: method_name.to_ascii_lowercase(),
                body,
                at: arrived,
                outcome: outcome_of(&Err(failure.clone())),
            });
        }
        self.activity.notify_waiters();
    }

    fn injected_failure(&self, method: Method, fault: Fault) -> ApiFailure {
        match fault {
            Fault::TooManyRequests { retry_after_secs } => {
                let mut state = self.lock();
                state.too_many_requests_sent += 1;
                if self.config.enforce_limits && method.counts_against_limits(&self.config) {
                    freeze(&mut state.limits, Instant::now(), retry_after_secs);
                }
                ApiFailure::too_many_requests(retry_after_secs)
            }
            Fault::Forbidden => ApiFailure::new(403, BOT_BLOCKED),
            Fault::ServerError => ApiFailure::new(502, "Bad Gateway"),
            Fault::BadRequest(description) => ApiFailure::bad_request(description),
            // Handled by the caller; kept total so a new variant cannot slip through.
            Fault::Timeout(_) => ApiFailure::new(500, "Internal Server Error: unexpected fault"),
        }
    }

    async fn dispatch(&self, method: Method, params: &Map<String, Value>) -> Reply {
        match method {
            Method::GetUpdates => self.get_updates(params).await,
            Method::GetMe => Ok(ok_body(&self.me())),
            Method::GetWebhookInfo => {
                let pending = self.lock().queued.len();
                Ok(ok_body(&json!({
                    "url": "",
                    "has_custom_certificate": false,
                    "pending_update_count": pending,
                })))
            }
            Method::DeleteWebhook => Ok(ok_body(&true)),
            Method::SetMyCommands => self.set_my_commands(params),
            Method::GetMyCommands => Ok(ok_body(&self.lock().commands)),
            Method::DeleteMyCommands => {
                self.lock().commands.clear();
                Ok(ok_body(&true))
            }
            Method::SendMessage => self.send_message(params),
            Method::EditMessageText | Method::EditMessageReplyMarkup => {
                self.edit_message(method, params)
            }
            Method::DeleteMessage => self.delete_message(params),
            Method::SendChatAction => {
                let chat_id = chat_id_param(params)?;
                let state = self.lock();
                check_not_blocked(&state, chat_id)?;
                Ok(ok_body(&true))
            }
            Method::AnswerCallbackQuery => self.answer_callback_query(params),
            Method::SendDocument => self.send_document(params),
            Method::Unknown => Err(ApiFailure::new(404, METHOD_NOT_FOUND)),
        }
    }

    fn bot_user(&self) -> UserOut<'_> {
        UserOut {
            // Bot ids fit i64 by construction of Telegram ids; a silly config saturates.
            id: i64::try_from(self.config.bot_id).unwrap_or(i64::MAX),
            is_bot: true,
            first_name: BOT_FIRST_NAME,
            username: Some(&self.config.bot_username),
            language_code: None,
        }
    }

    fn bot_user_json(&self) -> Value {
        serde_json::to_value(self.bot_user()).unwrap_or(Value::Null)
    }

    fn me(&self) -> MeOut<'_> {
        MeOut {
            user: self.bot_user(),
            can_join_groups: true,
            can_read_all_group_messages: false,
            supports_inline_queries: false,
            can_connect_to_business: false,
            has_main_web_app: false,
        }
    }

    fn message_out<'a>(
        &'a self,
        users: &'a HashMap<i64, FakeUser>,
        message: &'a BotMessage,
    ) -> MessageOut<'a> {
        let (text, caption) = match &message.document {
            None => (Some(message.text.as_str()), None),
            Some(_) => (
                None,
                Some(message.text.as_str()).filter(|caption| !caption.is_empty()),
            ),
        };
        MessageOut {
            message_id: message.message_id,
            from: self.bot_user(),
            chat: ChatOut::new(users, message.chat_id),
            date: message.date,
            edit_date: message.edit_date,
            text,
            document: message.document.as_ref().map(|document| DocumentOut {
                file_id: &document.file_id,
                file_unique_id: &document.file_id,
                file_name: document.file_name.as_deref(),
                file_size: document.file_size,
            }),
            caption,
            reply_markup: message.reply_markup.as_ref(),
        }
    }

    fn message_json(&self, users: &HashMap<i64, FakeUser>, message: &BotMessage) -> Value {
        serde_json::to_value(self.message_out(users, message)).unwrap_or(Value::Null)
    }

    // ----- getUpdates -----

    async fn get_updates(&self, params: &Map<String, Value>) -> Reply {
        let offset = int_param(params, "offset")?;
        let limit = int_param(params, "limit")?.unwrap_or(100).clamp(1, 100) as usize;
        let timeout_secs = int_param(params, "timeout")?
            .unwrap_or(0)
            .max(0)
            .unsigned_abs();
        let allowed_updates = allowed_updates_param(params)?;
        let wait = Duration::from_secs(timeout_secs).min(self.config.max_long_poll);
        let deadline = tokio::time::Instant::now() + wait;

        let generation = {
            let mut state = self.lock();
            if let Some(offset) = offset {
                state.confirm(offset);
            }
            if let Some(allowed_updates) = allowed_updates {
                state.allowed_updates = allowed_updates;
            }
            state.poll_generation += 1;
            state.poll_generation
        };
        // A long poll still waiting must learn it was superseded.
        self.updates_changed.notify_waiters();

        loop {
            let mut changed = pin!(self.updates_changed.notified());
            // Registered before looking at the queue, so a push in between is not missed.
            changed.as_mut().enable();
            {
                let state = self.lock();
                if state.poll_generation != generation {
                    return Err(ApiFailure::new(409, TERMINATED_BY_OTHER_GET_UPDATES));
                }
                let batch = state.batch(limit);
                if !batch.is_empty() {
                    drop(state);
                    return Ok(updates_body(&batch));
                }
            }
            if tokio::time::timeout_at(deadline, changed).await.is_err() {
                return Ok(updates_body(&[]));
            }
        }
    }

    // ----- sending -----

    fn send_message(&self, params: &Map<String, Value>) -> Reply {
        let chat_id = chat_id_param(params)?;
        let text = str_param(params, "text")?.unwrap_or_default();
        check_text(text, MESSAGE_IS_TOO_LONG)?;
        let reply_markup = inline_keyboard_param(params)?;

        let mut state = self.lock();
        self.check_can_send(&mut state, Method::SendMessage, chat_id)?;
        let message_id = state.chats.entry(chat_id).or_default().next_message_id();
        let message = BotMessage {
            chat_id,
            message_id,
            date: unix_now(),
            text: text.to_owned(),
            reply_markup,
            document: None,
            edited: false,
            edit_date: None,
            deleted: false,
        };
        Ok(self.deliver(&mut state, Method::SendMessage, message))
    }

    fn send_document(&self, params: &Map<String, Value>) -> Reply {
        let chat_id = chat_id_param(params)?;
        let caption = str_param(params, "caption")?.unwrap_or_default();
        if caption.encode_utf16().count() > MAX_CAPTION_UTF16 {
            return Err(ApiFailure::bad_request(CAPTION_IS_TOO_LONG));
        }
        let reply_markup = inline_keyboard_param(params)?;
        // Uploads name a part with "attach://<part>"; file ids and URLs are plain strings.
        let upload = match params.get("document") {
            Some(Value::String(reference)) => match reference.strip_prefix("attach://") {
                Some(part) => params.get(part).and_then(Value::as_object),
                None => None,
            },
            Some(Value::Object(upload)) => Some(upload),
            _ => return Err(ApiFailure::bad_request(NO_DOCUMENT)),
        };
        let (file_name, file_size) = match upload {
            Some(upload) => (
                upload
                    .get("file_name")
                    .and_then(Value::as_str)
                    .map(str::to_owned),
                upload.get("size").and_then(Value::as_u64).unwrap_or(0),
            ),
            None => match params.get("document").and_then(Value::as_str) {
                Some(reference) if reference.starts_with("attach://") => {
                    return Err(ApiFailure::bad_request(NO_DOCUMENT));
                }
                _ => (None, 0),
            },
        };

        let mut state = self.lock();
        self.check_can_send(&mut state, Method::SendDocument, chat_id)?;
        let message_id = state.chats.entry(chat_id).or_default().next_message_id();
        let message = BotMessage {
            chat_id,
            message_id,
            date: unix_now(),
            text: caption.to_owned(),
            reply_markup,
            document: Some(SentDocument {
                file_id: format!("BQACAgIAAxkDAAI-fake-document-{chat_id}-{message_id}"),
                file_name,
                file_size,
            }),
            edited: false,
            edit_date: None,
            deleted: false,
        };
        Ok(self.deliver(&mut state, Method::SendDocument, message))
    }

    fn edit_message(&self, method: Method, params: &Map<String, Value>) -> Reply {
        if params.contains_key("inline_message_id") {
            // The fake has no inline messages.
            return Err(ApiFailure::bad_request(MESSAGE_TO_EDIT_NOT_FOUND));
        }
        let chat_id = chat_id_param(params)?;
        let message_id = int_param(params, "message_id")?
            .ok_or_else(|| ApiFailure::bad_request(MESSAGE_ID_MISSING))?;
        let new_text = if method == Method::EditMessageText {
            let text = str_param(params, "text")?.unwrap_or_default();
            check_text(text, EDITED_MESSAGE_IS_TOO_LONG)?;
            Some(text)
        } else {
            None
        };
        // Like Telegram, an edit without reply_markup removes the inline keyboard.
        let new_markup = inline_keyboard_param(params)?;

        let mut state = self.lock();
        let chat = state.chats.get(&chat_id);
        let position = chat.and_then(|chat| {
            chat.bot_messages
                .binary_search_by_key(&message_id, |m| m.message_id)
                .ok()
        });
        let (index, current) = match (chat, position) {
            (Some(chat), Some(index)) if !chat.bot_messages[index].deleted => {
                (index, &chat.bot_messages[index])
            }
            // An id the chat has used that is not the bot's: the person's own message.
            (Some(chat), None) if message_id > 0 && message_id <= chat.last_message_id => {
                return Err(ApiFailure::bad_request(MESSAGE_CANT_BE_EDITED));
            }
            _ => return Err(ApiFailure::bad_request(MESSAGE_TO_EDIT_NOT_FOUND)),
        };
        if new_text.is_some() && current.document.is_some() {
            return Err(ApiFailure::bad_request(NO_TEXT_TO_EDIT));
        }
        let same_text = new_text.is_none_or(|text| text == current.text);
        if same_text && new_markup == current.reply_markup {
            return Err(ApiFailure::bad_request(MESSAGE_NOT_MODIFIED));
        }
        self.check_can_send(&mut state, method, chat_id)?;
        let Some(message) = state
            .chats
            .get_mut(&chat_id)
            .and_then(|chat| chat.bot_messages.get_mut(index))
        else {
            return Err(ApiFailure::bad_request(MESSAGE_TO_EDIT_NOT_FOUND));
        };
        if let Some(text) = new_text {
            text.clone_into(&mut message.text);
        }
        message.reply_markup = new_markup;
        message.edited = true;
        message.edit_date = Some(unix_now());
        let message = message.clone();
        Ok(self.deliver(&mut state, method, message))
    }

    fn delete_message(&self, params: &Map<String, Value>) -> Reply {
        let chat_id = chat_id_param(params)?;
        let message_id = int_param(params, "message_id")?
            .ok_or_else(|| ApiFailure::bad_request(MESSAGE_ID_MISSING))?;
        let mut state = self.lock();
        let Some(chat) = state.chats.get_mut(&chat_id) else {
            return Err(ApiFailure::bad_request(MESSAGE_TO_DELETE_NOT_FOUND));
        };
        match chat
            .bot_messages
            .binary_search_by_key(&message_id, |m| m.message_id)
        {
            Ok(index) if !chat.bot_messages[index].deleted => {
                chat.bot_messages[index].deleted = true;
                Ok(ok_body(&true))
            }
            Ok(_) => Err(ApiFailure::bad_request(MESSAGE_TO_DELETE_NOT_FOUND)),
            // Bots may delete the person's messages too; the fake does not track those.
            Err(_) if message_id > 0 && message_id <= chat.last_message_id => Ok(ok_body(&true)),
            Err(_) => Err(ApiFailure::bad_request(MESSAGE_TO_DELETE_NOT_FOUND)),
        }
    }

    /// Stores a sent or edited message, tells subscribers, and renders the answer.
    fn deliver(&self, state: &mut ServerState, method: Method, message: BotMessage) -> Vec<u8> {
        let body = ok_body(&self.message_out(&state.users, &message));
        let delivered = Delivered {
            chat_id: message.chat_id,
            message_id: message.message_id,
            method: method.lowercase_name(),
            text: message.text.clone(),
            has_keyboard: message.reply_markup.is_some(),
            callback_data: callback_data_of(message.reply_markup.as_ref()),
            at: Instant::now(),
        };
        if !state.subscribers.is_empty() {
            state
                .subscribers
                .retain(|subscriber| subscriber.send(delivered.clone()).is_ok());
        }
        let chat = state.chats.entry(message.chat_id).or_default();
        chat.delivered.push(delivered);
        match chat
            .bot_messages
            .binary_search_by_key(&message.message_id, |m| m.message_id)
        {
            Ok(index) => chat.bot_messages[index] = message,
            Err(index) => chat.bot_messages.insert(index, message),
        }
        body
    }

    fn check_can_send(
        &self,
        state: &mut ServerState,
        method: Method,
        chat_id: i64,
    ) -> Result<(), ApiFailure> {
        check_not_blocked(state, chat_id)?;
        if !self.config.enforce_limits || !method.counts_against_limits(&self.config) {
            return Ok(());
        }
        // Taken under the lock, so successive checks see non-decreasing times.
        let now = Instant::now();
        let config = &self.config;
        let limits = &mut state.limits;
        let since_start = now.duration_since(self.started).as_secs_f64();
        let method_name = method.lowercase_name();

        if let Some(until) = limits.frozen_until
            && now + RETRY_AFTER_TOLERANCE < until
        {
            let retry_after = (until - now).as_secs_f64().ceil().max(1.0) as u32;
            if limits
                .frozen_at
                .is_some_and(|at| now.saturating_duration_since(at) < IN_FLIGHT_GRACE)
            {
                state.too_many_requests_sent += 1;
                return Err(ApiFailure::too_many_requests(retry_after));
            }
            let violation = format!(
                "+{since_start:.3}s {method_name} to chat {chat_id}: sent {:.3}s before an earlier \
                 retry_after ran out",
                (until - now).as_secs_f64()
            );
            return Err(reject_flood(state, violation, retry_after, now));
        }

        let global = limits.global.get_or_insert_with(|| {
            TokenBucket::full(config.global_burst, config.global_per_second, now)
        });
        global.refill(now);
        let chat = limits.per_chat.entry(chat_id).or_insert_with(|| {
            TokenBucket::full(config.per_chat_burst, config.per_chat_per_second, now)
        });
        chat.refill(now);
        let group = (chat_id < 0).then(|| {
            let per_second = f64::from(config.group_per_minute) / 60.0;
            let group = limits
                .per_group
                .entry(chat_id)
                .or_insert_with(|| TokenBucket::full(config.group_per_minute, per_second, now));
            group.refill(now);
            group
        });

        let mut exceeded = Vec::new();
        if !global.has_token() {
            exceeded.push(format!(
                "global limit ({} burst, {}/s)",
                config.global_burst, config.global_per_second
            ));
        }
        if !chat.has_token() {
            exceeded.push(format!(
                "per-chat limit ({} burst, {}/s)",
                config.per_chat_burst, config.per_chat_per_second
            ));
        }
        if group.as_ref().is_some_and(|group| !group.has_token()) {
            exceeded.push(format!("group limit ({}/min)", config.group_per_minute));
        }
        if exceeded.is_empty() {
            global.take();
            chat.take();
            if let Some(group) = group {
                group.take();
            }
            return Ok(());
        }
        let violation = format!(
            "+{since_start:.3}s {method_name} to chat {chat_id}: {} exceeded",
            exceeded.join(" and ")
        );
        Err(reject_flood(state, violation, 1, now))
    }

    fn answer_callback_query(&self, params: &Map<String, Value>) -> Reply {
        let Some(id) = str_param(params, "callback_query_id")? else {
            return Err(ApiFailure::bad_request(INVALID_QUERY_ID));
        };
        let mut state = self.lock();
        match state.callbacks.get_mut(id) {
            Some(answered) if !*answered => {
                *answered = true;
                Ok(ok_body(&true))
            }
            // Unknown or already answered: Telegram says the query is too old.
            _ => Err(ApiFailure::bad_request(INVALID_QUERY_ID)),
        }
    }

    fn set_my_commands(&self, params: &Map<String, Value>) -> Reply {
        let commands = match params.get("commands") {
            Some(Value::Array(commands)) => commands.clone(),
            Some(Value::String(json)) => match serde_json::from_str::<Vec<Value>>(json) {
                Ok(commands) => commands,
                Err(_) => {
                    return Err(ApiFailure::bad_request(
                        "Bad Request: can't parse commands JSON",
                    ));
                }
            },
            _ => {
                return Err(ApiFailure::bad_request(
                    "Bad Request: parameter \"commands\" is required",
                ));
            }
        };
        for command in &commands {
            let name = command
                .get("command")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let description = command
                .get("description")
                .and_then(Value::as_str)
                .unwrap_or_default();
            // Telegram: 1-32 of a-z, 0-9, _ (no leading slash, no capitals); description 1-256.
            let name_ok = (1..=32).contains(&name.len())
                && name
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
            let description_ok = (1..=256).contains(&description.chars().count());
            if !name_ok || !description_ok {
                return Err(ApiFailure::bad_request(BOT_COMMAND_INVALID));
            }
        }
        self.lock().commands = commands;
        Ok(ok_body(&true))
    }
}

impl ServerState {
    /// Applies a `getUpdates` offset: earlier updates are gone for good.
    fn confirm(&mut self, offset: i64) {
        if offset > 0 {
            while self.queued.front().is_some_and(|update| update.id < offset) {
                self.queued.pop_front();
            }
            self.confirmed_offset = self.confirmed_offset.max(offset);
        } else if offset < 0 {
            // Telegram: a negative offset keeps only the last -offset updates.
            let keep = usize::try_from(offset.unsigned_abs()).unwrap_or(usize::MAX);
            while self.queued.len() > keep {
                self.queued.pop_front();
            }
            let first_kept = self
                .queued
                .front()
                .map_or(self.next_update_id, |update| update.id);
            self.confirmed_offset = self.confirmed_offset.max(first_kept);
        }
    }

    fn is_allowed(&self, kind: &str) -> bool {
        match &self.allowed_updates {
            None => !matches!(
                kind,
                "chat_member" | "message_reaction" | "message_reaction_count"
            ),
            Some(allowed) => allowed.iter().any(|allowed| allowed == kind),
        }
    }

    fn batch(&self, limit: usize) -> Vec<Arc<str>> {
        self.queued
            .iter()
            .filter(|update| self.is_allowed(&update.kind))
            .take(limit)
            .map(|update| Arc::clone(&update.json))
            .collect()
    }
}

fn updates_body(batch: &[Arc<str>]) -> Vec<u8> {
    let length = batch.iter().map(|update| update.len() + 1).sum::<usize>();
    let mut body = Vec::with_capacity(length + 32);
    body.extend_from_slice(br#"{"ok":true,"result":["#);
    for (index, update) in batch.iter().enumerate() {
        if index > 0 {
            body.push(b',');
        }
        body.extend_from_slice(update.as_bytes());
    }
    body.extend_from_slice(b"]}");
    body
}

fn take_fault(faults: &mut Vec<ArmedFault>, method_name: &str) -> Option<Fault> {
    let index = faults
        .iter()
        .position(|armed| armed.method.eq_ignore_ascii_case(method_name))?;
    let armed = &mut faults[index];
    armed.remaining -= 1;
    if armed.remaining == 0 {
        Some(faults.remove(index).fault)
    } else {
        Some(armed.fault.clone())
    }
}

fn recorded_name(method: Method, method_name: &str) -> String {
    match method {
        Method::Unknown => method_name.to_ascii_lowercase(),
        known => known.lowercase_name().to_owned(),
    }
}

fn outcome_of(reply: &Reply) -> CallOutcome {
    match reply {
        Ok(_) => CallOutcome::Ok,
        Err(failure) => CallOutcome::Failed {
            error_code: failure.error_code,
            description: failure.description.clone().into_owned(),
        },
    }
}

fn freeze(limits: &mut Limits, now: Instant, retry_after_secs: u32) {
    limits.frozen_at = Some(now);
    let until = now + Duration::from_secs(u64::from(retry_after_secs));
    limits.frozen_until = Some(
        limits
            .frozen_until
            .map_or(until, |frozen| frozen.max(until)),
    );
}

fn reject_flood(
    state: &mut ServerState,
    violation: String,
    retry_after: u32,
    now: Instant,
) -> ApiFailure {
    tracing::warn!(%violation, "fake Bot API: flood limit violated");
    state.violations.push(violation);
    state.too_many_requests_sent += 1;
    freeze(&mut state.limits, now, retry_after);
    ApiFailure::too_many_requests(retry_after)
}

fn check_not_blocked(state: &ServerState, chat_id: i64) -> Result<(), ApiFailure> {
    if !state.blocked.contains(&chat_id) {
        return Ok(());
    }
    let description = match chat_id {
        id if id <= SUPERGROUP_ID_BOUND => BOT_KICKED_FROM_SUPERGROUP,
        id if id < 0 => BOT_KICKED_FROM_GROUP,
        _ => BOT_BLOCKED,
    };
    Err(ApiFailure::new(403, description))
}

fn check_text(text: &str, too_long: &'static str) -> Result<(), ApiFailure> {
    if text.trim().is_empty() {
        return Err(ApiFailure::bad_request(MESSAGE_TEXT_IS_EMPTY));
    }
    if text.encode_utf16().count() > MAX_TEXT_UTF16 {
        return Err(ApiFailure::bad_request(too_long));
    }
    Ok(())
}

// ----- parameters -----

/// The request's parameters as one JSON object, whatever the encoding.
fn parse_params(
    headers: &HeaderMap,
    query: Option<&str>,
    body: &[u8],
) -> Result<Map<String, Value>, ApiFailure> {
    let content_type = headers
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default();
    let mut params = if body.is_empty() {
        Map::new()
    } else if content_type.starts_with("multipart/form-data") {
        parse_multipart(content_type, body)?
    } else if content_type.starts_with("application/x-www-form-urlencoded") {
        form_fields(body)
    } else {
        match serde_json::from_slice(body) {
            Ok(Value::Object(params)) => params,
            Ok(_) => {
                return Err(ApiFailure::bad_request(
                    "Bad Request: the request body must be a JSON object",
                ));
            }
            Err(error) => {
                return Err(ApiFailure::bad_request(format!(
                    "Bad Request: invalid JSON: {error}"
                )));
            }
        }
    };
    if let Some(query) = query {
        for (key, value) in form_fields(query.as_bytes()) {
            params.entry(key).or_insert(value);
        }
    }
    Ok(params)
}

fn form_fields(encoded: &[u8]) -> Map<String, Value> {
    url::form_urlencoded::parse(encoded)
        .map(|(key, value)| (key.into_owned(), Value::String(value.into_owned())))
        .collect()
}

/// A small multipart/form-data reader: text parts become strings, file parts
/// `{"file_name":..,"size":..}` (the content is not kept).
fn parse_multipart(content_type: &str, body: &[u8]) -> Result<Map<String, Value>, ApiFailure> {
    let malformed = || ApiFailure::bad_request("Bad Request: malformed multipart/form-data body");
    let boundary = content_type
        .split(';')
        .map(str::trim)
        .find_map(|parameter| parameter.strip_prefix("boundary="))
        .map(|boundary| boundary.trim_matches('"'))
        .filter(|boundary| !boundary.is_empty())
        .ok_or_else(malformed)?;
    let delimiter = format!("--{boundary}");
    let part_end = format!("\r\n--{boundary}");

    let mut params = Map::new();
    let first = find(body, delimiter.as_bytes()).ok_or_else(malformed)?;
    let mut rest = &body[first + delimiter.len()..];
    loop {
        if rest.starts_with(b"--") {
            return Ok(params);
        }
        rest = rest.strip_prefix(b"\r\n").ok_or_else(malformed)?;
        let end = find(rest, part_end.as_bytes()).ok_or_else(malformed)?;
        let part = &rest[..end];
        rest = &rest[end + part_end.len()..];

        let headers_end = find(part, b"\r\n\r\n").ok_or_else(malformed)?;
        let headers = String::from_utf8_lossy(&part[..headers_end]);
        let content = &part[headers_end + 4..];
        let (mut name, mut file_name) = (None, None);
        for line in headers.split("\r\n") {
            let Some((header, value)) = line.split_once(':') else {
                continue;
            };
            if !header.trim().eq_ignore_ascii_case("content-disposition") {
                continue;
            }
            for attribute in value.split(';').map(str::trim) {
                if let Some(value) = attribute.strip_prefix("name=") {
                    name = Some(value.trim_matches('"').to_owned());
                } else if let Some(value) = attribute.strip_prefix("filename=") {
                    file_name = Some(value.trim_matches('"').to_owned());
                }
            }
        }
        let name = name.ok_or_else(malformed)?;
        let value = match file_name {
            Some(file_name) => json!({ "file_name": file_name, "size": content.len() }),
            None => Value::String(String::from_utf8_lossy(content).into_owned()),
        };
        params.insert(name, value);
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

/// An integer given as a JSON number or a decimal string (multipart and forms send strings).
fn int_param(params: &Map<String, Value>, key: &str) -> Result<Option<i64>, ApiFailure> {
    match params.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(number)) => number
            .as_i64()
            .map(Some)
            .ok_or_else(|| ApiFailure::bad_request(format!("Bad Request: invalid {key}"))),
        Some(Value::String(text)) => text
            .trim()
            .parse()
            .map(Some)
            .map_err(|_| ApiFailure::bad_request(format!("Bad Request: invalid {key}"))),
        Some(_) => Err(ApiFailure::bad_request(format!(
            "Bad Request: invalid {key}"
        ))),
    }
}

fn str_param<'a>(params: &'a Map<String, Value>, key: &str) -> Result<Option<&'a str>, ApiFailure> {
    match params.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) => Ok(Some(text)),
        Some(_) => Err(ApiFailure::bad_request(format!(
            "Bad Request: {key} must be a string"
        ))),
    }
}

fn chat_id_param(params: &Map<String, Value>) -> Result<i64, ApiFailure> {
    match params.get("chat_id") {
        None | Some(Value::Null) => Err(ApiFailure::bad_request(CHAT_ID_IS_EMPTY)),
        // "@channelname" and anything else non-numeric: the fake knows no public chats.
        Some(_) => int_param(params, "chat_id")
            .ok()
            .flatten()
            .ok_or_else(|| ApiFailure::bad_request(CHAT_NOT_FOUND)),
    }
}

/// `Some(list)`: a new setting (`None` inside means Telegram's default); `None`: keep.
fn allowed_updates_param(
    params: &Map<String, Value>,
) -> Result<Option<Option<Vec<String>>>, ApiFailure> {
    let list = match params.get("allowed_updates") {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::Array(list)) => list.clone(),
        Some(Value::String(json)) => serde_json::from_str(json)
            .map_err(|_| ApiFailure::bad_request("Bad Request: can't parse allowed_updates"))?,
        Some(_) => {
            return Err(ApiFailure::bad_request(
                "Bad Request: can't parse allowed_updates",
            ));
        }
    };
    let kinds: Vec<String> = list
        .iter()
        .filter_map(Value::as_str)
        .map(str::to_owned)
        .collect();
    Ok(Some((!kinds.is_empty()).then_some(kinds)))
}

/// The inline keyboard in `reply_markup`, validated; other markup kinds give `None`.
fn inline_keyboard_param(params: &Map<String, Value>) -> Result<Option<Value>, ApiFailure> {
    let markup = match params.get("reply_markup") {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::String(json)) => serde_json::from_str::<Value>(json)
            .map_err(|_| ApiFailure::bad_request(BAD_KEYBOARD))?,
        Some(markup @ Value::Object(_)) => markup.clone(),
        Some(_) => return Err(ApiFailure::bad_request(BAD_KEYBOARD)),
    };
    let Some(rows) = markup.get("inline_keyboard") else {
        if markup.is_object() {
            return Ok(None);
        }
        return Err(ApiFailure::bad_request(BAD_KEYBOARD));
    };
    let rows = rows
        .as_array()
        .ok_or_else(|| ApiFailure::bad_request(BAD_KEYBOARD))?;
    for row in rows {
        let buttons = row
            .as_array()
            .ok_or_else(|| ApiFailure::bad_request(BAD_KEYBOARD))?;
        for button in buttons {
            if button.get("text").and_then(Value::as_str).is_none() {
                return Err(ApiFailure::bad_request(BAD_KEYBOARD));
            }
            if let Some(data) = button.get("callback_data") {
                let data = data
                    .as_str()
                    .ok_or_else(|| ApiFailure::bad_request(BUTTON_DATA_INVALID))?;
                if data.is_empty() || data.len() > MAX_CALLBACK_DATA_BYTES {
                    return Err(ApiFailure::bad_request(BUTTON_DATA_INVALID));
                }
            }
        }
    }
    Ok(Some(markup))
}

#[cfg(test)]
mod tests {
    use super::*;
    use teloxide::{
        ApiError, RequestError,
        dispatching::UpdateFilterExt,
        prelude::*,
        types::{
            AllowedUpdate, BotCommand, InlineKeyboardButton, InlineKeyboardMarkup, InputFile,
            MessageEntityKind, MessageId, UpdateKind,
        },
    };

    const ANA: i64 = 1001;

    async fn start(config: FakeConfig) -> (FakeBotApi, Bot) {
        let fake = FakeBotApi::start(config)
            .await
            .expect("the fake server starts");
        let bot = Bot::new("123:TEST").set_api_url(fake.api_url());
        (fake, bot)
    }

    fn ana() -> FakeUser {
        FakeUser::new(ANA, "Ana")
            .with_language("es")
            .with_username("ana_learns")
    }

    fn yes_no_keyboard() -> InlineKeyboardMarkup {
        InlineKeyboardMarkup::new([[
            InlineKeyboardButton::callback("Yes", "answer:yes"),
            InlineKeyboardButton::callback("No", "answer:no"),
        ]])
    }

    async fn fetch_updates(bot: &Bot, offset: i32) -> Vec<Update> {
        bot.get_updates()
            .offset(offset)
            .timeout(0)
            .await
            .expect("getUpdates succeeds")
    }

    fn methods(fake: &FakeBotApi) -> Vec<String> {
        fake.calls().into_iter().map(|call| call.method).collect()
    }

    #[tokio::test]
    async fn get_me_describes_the_configured_bot() {
        let config = FakeConfig {
            bot_username: "other_bot".to_owned(),
            ..FakeConfig::default()
        };
        let (fake, bot) = start(config).await;

        let me = bot.get_me().await.expect("getMe succeeds");

        assert_eq!(me.username(), "other_bot");
        assert_eq!(me.id.0, fake.bot_id());
        assert!(me.is_bot);
        assert!(me.can_join_groups);
        assert_eq!(methods(&fake), ["getme"]);
        assert_eq!(fake.calls()[0].outcome, CallOutcome::Ok);
    }

    #[tokio::test]
    async fn send_message_returns_full_messages_with_increasing_ids() {
        let (fake, bot) = start(FakeConfig::default()).await;

        let first = bot
            .send_message(ChatId(ANA), "Hola")
            .reply_markup(yes_no_keyboard())
            .await
            .expect("first send");
        let second = bot
            .send_message(ChatId(ANA), "¿Qué tal?")
            .await
            .expect("second send");
        let group = bot
            .send_message(ChatId(-42), "Hi group")
            .await
            .expect("group send");

        assert_eq!(first.chat.id, ChatId(ANA));
        assert!(first.chat.is_private());
        assert_eq!(first.text(), Some("Hola"));
        assert_eq!(first.reply_markup(), Some(&yes_no_keyboard()));
        assert_eq!(
            first.from.as_ref().map(|from| from.id.0),
            Some(fake.bot_id())
        );
        assert_eq!(second.id.0, first.id.0 + 1);
        assert_eq!(second.reply_markup(), None);
        assert!(group.chat.is_group());
        assert_eq!(group.chat.title(), Some("Test group -42"));
        assert_eq!(group.id, MessageId(1), "message ids are per chat");

        let texts: Vec<String> = fake
            .messages_to(ANA)
            .into_iter()
            .map(|message| message.text)
            .collect();
        assert_eq!(texts, ["Hola", "¿Qué tal?"]);
        assert_eq!(
            fake.button_data(ANA, i64::from(first.id.0)),
            [
                ("Yes".to_owned(), "answer:yes".to_owned()),
                ("No".to_owned(), "answer:no".to_owned())
            ]
        );
        let sends = fake.calls_of("sendMessage");
        assert_eq!(sends.len(), 3);
        assert_eq!(sends[0].body["chat_id"], ANA);
        assert_eq!(sends[0].body["text"], "Hola");
        assert_eq!(
            fake.last_message(ANA).map(|message| message.message_id),
            Some(i64::from(second.id.0))
        );
    }

    #[tokio::test]
    async fn send_message_validates_like_telegram() {
        let (fake, bot) = start(FakeConfig::default()).await;

        let empty = bot.send_message(ChatId(ANA), "  ").await;
        assert!(
            matches!(empty, Err(RequestError::Api(ApiError::MessageTextIsEmpty))),
            "{empty:?}"
        );
        let too_long = bot
            .send_message(ChatId(ANA), "a".repeat(MAX_TEXT_UTF16 + 1))
            .await;
        assert!(
            matches!(too_long, Err(RequestError::Api(ApiError::MessageIsTooLong))),
            "{too_long:?}"
        );
        let longest = bot
            .send_message(ChatId(ANA), "a".repeat(MAX_TEXT_UTF16))
            .await;
        assert!(longest.is_ok(), "{longest:?}");
        // 33 two-byte characters are 66 bytes: over the 64-byte limit.
        let long_data =
            InlineKeyboardMarkup::new([[InlineKeyboardButton::callback("x", "é".repeat(33))]]);
        let bad_button = bot
            .send_message(ChatId(ANA), "Pick")
            .reply_markup(long_data)
            .await;
        assert!(
            matches!(
                bad_button,
                Err(RequestError::Api(ApiError::ButtonDataInvalid))
            ),
            "{bad_button:?}"
        );

        assert_eq!(fake.messages_to(ANA).len(), 1);
    }

    #[tokio::test]
    async fn edit_message_text_applies_edits_and_rejects_like_telegram() {
        let (fake, bot) = start(FakeConfig::default()).await;
        fake.text(&ana(), "hi");
        let sent = bot
            .send_message(ChatId(ANA), "Pick one")
            .reply_markup(yes_no_keyboard())
            .await
            .expect("send");

        let edited = bot
            .edit_message_text(ChatId(ANA), sent.id, "Picked: yes")
            .await
            .expect("edit");
        assert_eq!(edited.id, sent.id);
        assert_eq!(edited.text(), Some("Picked: yes"));
        assert!(edited.edit_date().is_some());
        assert_eq!(
            edited.reply_markup(),
            None,
            "an edit without reply_markup removes the keyboard"
        );

        let unchanged = bot
            .edit_message_text(ChatId(ANA), sent.id, "Picked: yes")
            .await;
        assert!(
            matches!(
                unchanged,
                Err(RequestError::Api(ApiError::MessageNotModified))
            ),
            "{unchanged:?}"
        );
        let unknown = bot
            .edit_message_text(ChatId(ANA), MessageId(999), "x")
            .await;
        assert!(
            matches!(
                unknown,
                Err(RequestError::Api(ApiError::MessageToEditNotFound))
            ),
            "{unknown:?}"
        );
        // Message 1 is Ana's "hi".
        let theirs = bot.edit_message_text(ChatId(ANA), MessageId(1), "x").await;
        assert!(
            matches!(
                theirs,
                Err(RequestError::Api(ApiError::MessageCantBeEdited))
            ),
            "{theirs:?}"
        );

        let current = fake.last_message(ANA).expect("the bot's message");
        assert_eq!(
            (current.text.as_str(), current.edited, current.reply_markup),
            ("Picked: yes", true, None)
        );
        let history: Vec<(&str, bool)> = fake
            .delivered_to(ANA)
            .iter()
            .map(|delivered| (delivered.method, delivered.has_keyboard))
            .collect();
        assert_eq!(history, [("sendmessage", true), ("editmessagetext", false)]);
    }

    #[tokio::test]
    async fn callback_carries_the_bot_message_and_is_answered_once() {
        let (fake, bot) = start(FakeConfig::default()).await;
        let sent = bot
            .send_message(ChatId(ANA), "Pick one")
            .reply_markup(yes_no_keyboard())
            .await
            .expect("send");

        fake.callback(&ana(), i64::from(sent.id.0), "answer:yes");
        fake.callback(&ana(), 77, "stale");
        let updates = fetch_updates(&bot, 0).await;

        assert_eq!(updates.len(), 2);
        let UpdateKind::CallbackQuery(query) = &updates[0].kind else {
            panic!("expected a callback query, got {:?}", updates[0].kind);
        };
        assert_eq!(query.data.as_deref(), Some("answer:yes"));
        assert_eq!(query.from.id.0, ANA as u64);
        let message = query
            .regular_message()
            .expect("the bot's message is accessible");
        assert_eq!(message.chat.id, ChatId(ANA));
        assert_eq!(message.id, sent.id);
        assert_eq!(message.text(), Some("Pick one"));
        assert_eq!(message.reply_markup(), Some(&yes_no_keyboard()));

        let UpdateKind::CallbackQuery(stale) = &updates[1].kind else {
            panic!("expected a callback query, got {:?}", updates[1].kind);
        };
        let stale_message = stale.message.as_ref().expect("a message reference");
        assert!(
            stale_message.regular_message().is_none(),
            "unknown messages are inaccessible"
        );
        assert_eq!(stale_message.chat().id, ChatId(ANA));

        assert_eq!(fake.unanswered_callbacks().len(), 2);
        bot.answer_callback_query(query.id.clone())
            .await
            .expect("the first answer");
        assert_eq!(
            fake.unanswered_callbacks(),
            std::slice::from_ref(&stale.id.0)
        );
        let twice = bot.answer_callback_query(query.id.clone()).await;
        assert!(
            matches!(twice, Err(RequestError::Api(ApiError::InvalidQueryId))),
            "{twice:?}"
        );
    }

    #[tokio::test]
    async fn get_updates_confirms_offsets_and_long_polls_empty() {
        let config = FakeConfig {
            max_long_poll: Duration::from_millis(300),
            ..FakeConfig::default()
        };
        let (fake, bot) = start(config).await;
        let first = fake.text(&ana(), "one");
        let second = fake.text(&ana(), "two");
        let third = fake.text(&ana(), "three");
        assert_eq!((second, third), (first + 1, first + 2));

        let all = fetch_updates(&bot, 0).await;
        assert_eq!(
            all.iter()
                .map(|update| i64::from(update.id.0))
                .collect::<Vec<_>>(),
            [first, second, third]
        );
        assert_eq!(fake.pending_updates(), 3, "reading does not confirm");

        let limited = bot
            .get_updates()
            .offset(second as i32)
            .limit(1)
            .timeout(0)
            .await
            .expect("getUpdates");
        assert_eq!(
            limited
                .iter()
                .map(|update| i64::from(update.id.0))
                .collect::<Vec<_>>(),
            [second]
        );
        assert_eq!(
            (fake.pending_updates(), fake.confirmed_offset()),
            (2, second)
        );
        let after_offset = fetch_updates(&bot, 0).await;
        assert_eq!(after_offset.len(), 2, "confirmed updates never come back");

        let started = Instant::now();
        let empty = bot
            .get_updates()
            .offset(third as i32 + 1)
            .timeout(10)
            .await
            .expect("getUpdates");
        let waited = started.elapsed();
        assert!(empty.is_empty());
        assert!(
            waited >= Duration::from_millis(250),
            "long poll returned after {waited:?}"
        );
        assert!(
            waited < Duration::from_secs(3),
            "long poll capped by max_long_poll, took {waited:?}"
        );
        assert_eq!(
            (fake.pending_updates(), fake.confirmed_offset()),
            (0, third + 1)
        );
    }

    #[tokio::test]
    async fn a_negative_offset_keeps_only_the_latest_updates() {
        let (fake, bot) = start(FakeConfig::default()).await;
        fake.text(&ana(), "one");
        fake.text(&ana(), "two");
        let last = fake.text(&ana(), "three");

        let latest = bot
            .get_updates()
            .offset(-1)
            .timeout(0)
            .await
            .expect("getUpdates");

        assert_eq!(
            latest
                .iter()
                .map(|update| i64::from(update.id.0))
                .collect::<Vec<_>>(),
            [last]
        );
        assert_eq!(fake.pending_updates(), 1);
    }

    #[tokio::test]
    async fn a_long_poll_wakes_up_when_an_update_arrives() {
        let config = FakeConfig {
            max_long_poll: Duration::from_secs(5),
            ..FakeConfig::default()
        };
        let (fake, bot) = start(config).await;
        let poller = tokio::spawn({
            let bot = bot.clone();
            async move {
                let started = Instant::now();
                let updates = bot.get_updates().timeout(5).await;
                (updates, started.elapsed())
            }
        });
        assert!(
            fake.wait_until(Duration::from_secs(2), |fake| fake
                .calls_of("getUpdates")
                .len()
                == 1)
                .await
        );

        let pushed = fake.text(&ana(), "wake up");

        let (updates, waited) = poller.await.expect("the poller task");
        let updates = updates.expect("getUpdates");
        assert_eq!(
            updates
                .iter()
                .map(|update| i64::from(update.id.0))
                .collect::<Vec<_>>(),
            [pushed]
        );
        assert!(
            waited < Duration::from_secs(2),
            "woken by the push, not the timeout: {waited:?}"
        );
    }

    #[tokio::test]
    async fn a_second_long_poll_terminates_the_first() {
        let config = FakeConfig {
            max_long_poll: Duration::from_secs(3),
            ..FakeConfig::default()
        };
        let (fake, bot) = start(config).await;
        let older = tokio::spawn({
            let bot = bot.clone();
            async move { bot.get_updates().timeout(3).await }
        });
        assert!(
            fake.wait_until(Duration::from_secs(2), |fake| fake
                .calls_of("getUpdates")
                .len()
                == 1)
                .await
        );

        let newer = bot.get_updates().timeout(0).await;

        assert!(
            matches!(newer, Ok(ref updates) if updates.is_empty()),
            "{newer:?}"
        );
        let older = older.await.expect("the older poller task");
        assert!(
            matches!(
                older,
                Err(RequestError::Api(ApiError::TerminatedByOtherGetUpdates))
            ),
            "{older:?}"
        );
    }

    #[tokio::test]
    async fn built_updates_deserialize_into_the_right_teloxide_kinds() {
        let (fake, bot) = start(FakeConfig::default()).await;
        let ana = ana();
        fake.text(&ana, "/start hello");
        fake.text_in_group(&ana, -1_001_234_567_890, "hi all");
        fake.text_in_group(&ana, -42, "hi small group");
        fake.sticker(&ana);
        fake.photo(&ana);
        fake.my_chat_member(&ana, true);
        fake.my_chat_member(&ana, false);

        let updates = fetch_updates(&bot, 0).await;

        assert_eq!(updates.len(), 7);
        for update in &updates {
            assert!(
                !matches!(update.kind, UpdateKind::Error(_)),
                "teloxide could not parse {:?}",
                update.kind
            );
        }
        let message = |index: usize| match &updates[index].kind {
            UpdateKind::Message(message) => message.clone(),
            other => panic!("update {index} should be a message, got {other:?}"),
        };
        let command = message(0);
        assert_eq!(command.text(), Some("/start hello"));
        assert!(command.chat.is_private());
        let from = command.from.as_ref().expect("a sender");
        assert_eq!(
            (from.language_code.as_deref(), from.username.as_deref()),
            (Some("es"), Some("ana_learns"))
        );
        let entities = command.entities().expect("a bot_command entity");
        assert_eq!(entities.len(), 1);
        assert_eq!(
            (&entities[0].kind, entities[0].offset, entities[0].length),
            (&MessageEntityKind::BotCommand, 0, 6)
        );
        assert!(message(1).chat.is_supergroup());
        assert!(message(2).chat.is_group());
        assert_eq!(message(2).chat.title(), Some("Test group -42"));
        assert!(message(3).sticker().is_some());
        assert_eq!(message(4).photo().map(<[_]>::len), Some(2));
        let member_update = |index: usize| match &updates[index].kind {
            UpdateKind::MyChatMember(update) => update.clone(),
            other => panic!("update {index} should be my_chat_member, got {other:?}"),
        };
        let blocked = member_update(5);
        assert_eq!(blocked.new_chat_member.user.id.0, fake.bot_id());
        assert!(blocked.old_chat_member.is_member() && blocked.new_chat_member.is_banned());
        let unblocked = member_update(6);
        assert!(unblocked.old_chat_member.is_banned() && unblocked.new_chat_member.is_member());
    }

    #[tokio::test]
    async fn allowed_updates_filter_and_stick_between_calls() {
        let (fake, bot) = start(FakeConfig::default()).await;
        fake.text(&ana(), "a");
        fake.my_chat_member(&ana(), true);
        fake.text(&ana(), "b");

        let messages_only = bot
            .get_updates()
            .allowed_updates([AllowedUpdate::Message])
            .timeout(0)
            .await;
        let next_call = fetch_updates(&bot, 0).await;

        assert_eq!(messages_only.expect("getUpdates").len(), 2);
        assert_eq!(
            next_call.len(),
            2,
            "the previous allowed_updates still applies"
        );
        let everything = bot
            .get_updates()
            .allowed_updates([])
            .timeout(0)
            .await
            .expect("getUpdates");
        assert_eq!(everything.len(), 3, "an empty list restores the default");
    }

    #[tokio::test]
    async fn injected_faults_map_to_teloxide_errors() {
        let (fake, bot) = start(FakeConfig::default()).await;
        fake.fail_next(
            "SendMessage",
            Fault::TooManyRequests {
                retry_after_secs: 7,
            },
            1,
        );
        fake.fail_next("sendMessage", Fault::Forbidden, 2);
        fake.fail_next(
            "sendmessage",
            Fault::BadRequest("Bad Request: chat not found".to_owned()),
            1,
        );

        let too_many = bot.send_message(ChatId(ANA), "1").await;
        assert!(
            matches!(too_many, Err(RequestError::RetryAfter(after)) if after.seconds() == 7),
            "{too_many:?}"
        );
        bot.get_me().await.expect("faults only hit their method");
        for _ in 0..2 {
            let blocked = bot.send_message(ChatId(ANA), "2").await;
            assert!(
                matches!(blocked, Err(RequestError::Api(ApiError::BotBlocked))),
                "{blocked:?}"
            );
        }
        let not_found = bot.send_message(ChatId(ANA), "3").await;
        assert!(
            matches!(not_found, Err(RequestError::Api(ApiError::ChatNotFound))),
            "{not_found:?}"
        );
        bot.send_message(ChatId(ANA), "4")
            .await
            .expect("faults are used up");

        assert_eq!(
            fake.messages_to(ANA).len(),
            1,
            "failed sends deliver nothing"
        );
        assert_eq!(fake.too_many_requests_sent(), 1);
        assert!(
            fake.violations().is_empty(),
            "an injected 429 is not a violation"
        );
        let codes: Vec<Option<u16>> = fake
            .calls_of("sendMessage")
            .into_iter()
            .map(|call| match call.outcome {
                CallOutcome::Failed { error_code, .. } => Some(error_code),
                _ => None,
            })
            .collect();
        assert_eq!(codes, [Some(429), Some(403), Some(403), Some(400), None]);
    }

    #[tokio::test]
    async fn a_held_request_is_delivered_even_when_the_client_gives_up() {
        let (fake, bot) = start(FakeConfig::default()).await;
        fake.fail_next("sendMessage", Fault::Timeout(Duration::from_millis(300)), 2);

        let started = Instant::now();
        bot.send_message(ChatId(ANA), "slow")
            .await
            .expect("answered after the hold");
        assert!(started.elapsed() >= Duration::from_millis(300));

        let client = teloxide::net::default_reqwest_settings()
            .timeout(Duration::from_millis(50))
            .build()
            .expect("a reqwest client");
        let impatient = Bot::with_client("123:TEST", client).set_api_url(fake.api_url());
        let gave_up = impatient.send_message(ChatId(ANA), "lost answer").await;
        assert!(
            matches!(gave_up, Err(RequestError::Network(_))),
            "{gave_up:?}"
        );
        let delivered = fake
            .wait_until(Duration::from_secs(3), |fake| {
                fake.messages_to(ANA).len() == 2
            })
            .await;
        assert!(delivered, "the held request was still processed");
    }

    #[tokio::test]
    async fn blocked_chats_answer_403_until_unblocked() {
        let (fake, bot) = start(FakeConfig::default()).await;
        fake.block_chat(ANA);
        fake.block_chat(-42);

        let to_ana = bot.send_message(ChatId(ANA), "hello?").await;
        assert!(
            matches!(to_ana, Err(RequestError::Api(ApiError::BotBlocked))),
            "{to_ana:?}"
        );
        let to_group = bot.send_message(ChatId(-42), "hello?").await;
        assert!(
            matches!(to_group, Err(RequestError::Api(ApiError::Unknown(ref text))) if text.contains("kicked"))
        );
        bot.send_message(ChatId(1002), "hello")
            .await
            .expect("other chats are fine");

        fake.my_chat_member(&ana(), false);
        bot.send_message(ChatId(ANA), "welcome back")
            .await
            .expect("unblocked");
        fake.my_chat_member(&ana(), true);
        let blocked_again = bot.send_message(ChatId(ANA), "hello?").await;
        assert!(
            matches!(blocked_again, Err(RequestError::Api(ApiError::BotBlocked))),
            "{blocked_again:?}"
        );
    }

    #[tokio::test]
    async fn quick_sends_to_one_chat_violate_the_per_chat_limit() {
        let config = FakeConfig {
            enforce_limits: true,
            ..FakeConfig::default()
        };
        let (fake, bot) = start(config).await;

        let mut outcomes = Vec::new();
        for index in 0..5 {
            outcomes.push(
                bot.send_message(ChatId(ANA), format!("message {index}"))
                    .await,
            );
        }

        assert!(
            outcomes[..3].iter().all(Result::is_ok),
            "the burst of 3 passes: {outcomes:?}"
        );
        for outcome in &outcomes[3..] {
            assert!(
                matches!(outcome, Err(RequestError::RetryAfter(after)) if after.seconds() == 1),
                "{outcome:?}"
            );
        }
        // The 5th send is refused during the retry_after; whether it also counts as a
        // violation depends on whether it arrived within the in-flight grace.
        let violations = fake.violations();
        assert!((1..=2).contains(&violations.len()), "{violations:?}");
        assert!(violations[0].contains("per-chat limit"), "{violations:?}");
        assert_eq!(fake.too_many_requests_sent(), 2);
        assert_eq!(
            fake.messages_to(ANA).len(),
            3,
            "rejected sends are not delivered"
        );
    }

    #[tokio::test]
    async fn a_client_keeping_the_same_buckets_is_not_flagged() {
        let config = FakeConfig {
            enforce_limits: true,
            per_chat_per_second: 20.0,
            ..FakeConfig::default()
        };
        let (fake, bot) = start(config).await;

        for index in 0..3 {
            bot.send_message(ChatId(ANA), format!("burst {index}"))
                .await
                .expect("within the burst");
        }
        for index in 0..4 {
            // One token every 50 ms at 20/s.
            tokio::time::sleep(Duration::from_millis(50)).await;
            bot.send_message(ChatId(ANA), format!("paced {index}"))
                .await
                .expect("within the rate");
        }

        assert!(fake.violations().is_empty(), "{:?}", fake.violations());
        assert_eq!(fake.messages_to(ANA).len(), 7);
    }

    #[tokio::test]
    async fn global_and_group_limits_are_enforced() {
        let config = FakeConfig {
            enforce_limits: true,
            global_burst: 4,
            group_per_minute: 2,
            per_chat_burst: 10,
            ..FakeConfig::default()
        };
        let (fake, bot) = start(config.clone()).await;
        for chat in 1..=4 {
            bot.send_message(ChatId(chat), "hi")
                .await
                .expect("within the global burst");
        }
        let fifth = bot.send_message(ChatId(5), "hi").await;
        assert!(
            matches!(fifth, Err(RequestError::RetryAfter(_))),
            "{fifth:?}"
        );
        assert!(
            fake.violations()[0].contains("global limit"),
            "{:?}",
            fake.violations()
        );

        let (fake, bot) = start(FakeConfig {
            global_burst: 30,
            ..config
        })
        .await;
        for _ in 0..2 {
            bot.send_message(ChatId(-42), "hi group")
                .await
                .expect("within the group burst");
        }
        let third = bot.send_message(ChatId(-42), "hi group").await;
        assert!(
            matches!(third, Err(RequestError::RetryAfter(_))),
            "{third:?}"
        );
        assert!(
            fake.violations()[0].contains("group limit"),
            "{:?}",
            fake.violations()
        );
    }

    #[tokio::test]
    async fn sending_before_an_injected_retry_after_ends_is_a_violation() {
        let config = FakeConfig {
            enforce_limits: true,
            ..FakeConfig::default()
        };
        let (fake, bot) = start(config).await;
        fake.fail_next(
            "sendMessage",
            Fault::TooManyRequests {
                retry_after_secs: 1,
            },
            1,
        );

        let first = bot.send_message(ChatId(ANA), "1").await;
        assert!(
            matches!(first, Err(RequestError::RetryAfter(_))),
            "{first:?}"
        );
        assert!(
            fake.violations().is_empty(),
            "an injected 429 is no violation"
        );

        // Past the in-flight grace, well before the second is over.
        tokio::time::sleep(IN_FLIGHT_GRACE * 4).await;
        let impatient = bot.send_message(ChatId(ANA), "2").await;
        assert!(
            matches!(impatient, Err(RequestError::RetryAfter(_))),
            "{impatient:?}"
        );
        let violations = fake.violations();
        assert_eq!(violations.len(), 1, "{violations:?}");
        assert!(violations[0].contains("retry_after"), "{violations:?}");

        // That violation was answered with its own retry_after of 1 s; waiting it out is fine.
        tokio::time::sleep(Duration::from_millis(1100)).await;
        bot.send_message(ChatId(ANA), "3")
            .await
            .expect("after retry_after");
        assert_eq!(fake.violations().len(), 1);
        assert_eq!(fake.messages_to(ANA).len(), 1);
    }

    #[tokio::test]
    async fn send_document_accepts_teloxide_multipart_uploads() {
        let (fake, bot) = start(FakeConfig::default()).await;

        let sent = bot
            .send_document(
                ChatId(ANA),
                InputFile::memory(b"hello world".to_vec()).file_name("notes.txt"),
            )
            .caption("Your notes")
            .await
            .expect("sendDocument");

        let document = sent.document().expect("a document message");
        assert_eq!(document.file_name.as_deref(), Some("notes.txt"));
        assert_eq!(document.file.size, 11);
        assert_eq!(sent.caption(), Some("Your notes"));
        let recorded = fake.calls_of("sendDocument");
        assert_eq!(recorded.len(), 1);
        assert_eq!(recorded[0].body["chat_id"], "1001");
        assert_eq!(recorded[0].body["caption"], "Your notes");
        let stored = fake
            .last_message(ANA)
            .expect("stored")
            .document
            .expect("with a document");
        assert_eq!(
            (stored.file_name.as_deref(), stored.file_size),
            (Some("notes.txt"), 11)
        );
    }

    #[tokio::test]
    async fn unknown_methods_and_malformed_requests_get_json_errors() {
        let (fake, bot) = start(FakeConfig::default()).await;

        let unknown = bot.get_chat(ChatId(ANA)).await;
        assert!(
            matches!(unknown, Err(RequestError::Api(ApiError::Unknown(ref text))) if text == METHOD_NOT_FOUND),
            "{unknown:?}"
        );
        assert_eq!(methods(&fake), ["getchat"]);

        let client = teloxide::net::default_reqwest_settings()
            .build()
            .expect("a reqwest client");
        let post = |path: &str, body: &'static str| {
            // Not Url::join: "bot123:" would parse as a URL scheme.
            client
                .post(format!("{}{path}", fake.api_url()))
                .header("content-type", "application/json")
                .body(body)
                .send()
        };
        for (path, body, status, description) in [
            (
                "bot123:TEST/sendMessage",
                "{not json",
                400,
                "Bad Request: invalid JSON",
            ),
            (
                "bot123:TEST/sendMessage",
                "[1, 2]",
                400,
                "Bad Request: the request body must be a JSON object",
            ),
            (
                "bot123:TEST/sendMessage",
                r#"{"text":"hi"}"#,
                400,
                CHAT_ID_IS_EMPTY,
            ),
            (
                "bot123:TEST/sendMessage",
                r#"{"chat_id":{},"text":"hi"}"#,
                400,
                CHAT_NOT_FOUND,
            ),
            (
                "bot123:TEST/getUpdates",
                r#"{"offset":"soon"}"#,
                400,
                "Bad Request: invalid offset",
            ),
            ("no-token-here", "{}", 404, "Not Found"),
        ] {
            let response = post(path, body).await.expect("the fake answers");
            assert_eq!(response.status().as_u16(), status, "{path} {body}");
            let text = response.text().await.expect("a body");
            let json: Value = serde_json::from_str(&text).expect("a JSON error body");
            assert_eq!(json["ok"], false);
            assert_eq!(json["error_code"], status);
            let got = json["description"].as_str().unwrap_or_default();
            assert!(got.starts_with(description), "{path} {body}: {got}");
        }
        assert_eq!(fake.calls().len(), 7, "malformed requests are recorded too");
    }

    #[tokio::test]
    async fn subscribers_see_every_send_and_edit() {
        let (fake, bot) = start(FakeConfig::default()).await;
        let mut deliveries = fake.subscribe();

        let sent = bot
            .send_message(ChatId(ANA), "Pick one")
            .reply_markup(yes_no_keyboard())
            .await
            .expect("send");
        bot.edit_message_reply_markup(ChatId(ANA), sent.id)
            .await
            .expect("remove the keyboard");

        let first = deliveries.recv().await.expect("the send");
        assert_eq!(
            (first.chat_id, first.message_id, first.method),
            (ANA, i64::from(sent.id.0), "sendmessage")
        );
        assert!(first.has_keyboard);
        assert_eq!(first.callback_data, ["answer:yes", "answer:no"]);
        let second = deliveries.recv().await.expect("the edit");
        assert_eq!(
            (second.method, second.has_keyboard, second.text.as_str()),
            ("editmessagereplymarkup", false, "Pick one")
        );
        assert!(deliveries.try_recv().is_err(), "nothing else was delivered");
    }

    #[tokio::test]
    async fn commands_are_validated_and_kept() {
        let (fake, bot) = start(FakeConfig::default()).await;

        bot.set_my_commands([
            BotCommand::new("start", "Begin"),
            BotCommand::new("help", "What I can do"),
        ])
        .await
        .expect("valid commands");
        let invalid = bot
            .set_my_commands([BotCommand::new("Start", "Capitals are not allowed")])
            .await;

        assert!(
            matches!(invalid, Err(RequestError::Api(ApiError::Unknown(ref text))) if text == BOT_COMMAND_INVALID)
        );
        let listed = bot.get_my_commands().await.expect("getMyCommands");
        assert_eq!(
            listed
                .iter()
                .map(|command| command.command.as_str())
                .collect::<Vec<_>>(),
            ["start", "help"]
        );
        assert_eq!(
            fake.my_commands()[1],
            ("help".to_owned(), "What I can do".to_owned())
        );
    }

    #[tokio::test]
    async fn without_call_recording_messages_are_still_kept() {
        let config = FakeConfig {
            record_calls: false,
            ..FakeConfig::default()
        };
        let (fake, bot) = start(config).await;
        fake.fail_next("sendMessage", Fault::Forbidden, 1);

        let blocked = bot.send_message(ChatId(ANA), "1").await;
        bot.send_message(ChatId(ANA), "2").await.expect("send");

        assert!(
            matches!(blocked, Err(RequestError::Api(ApiError::BotBlocked))),
            "faults still fire: {blocked:?}"
        );
        assert!(fake.calls().is_empty());
        assert_eq!(fake.messages_to(ANA).len(), 1);
    }

    #[tokio::test]
    async fn a_teloxide_dispatcher_runs_against_the_fake() {
        let (fake, bot) = start(FakeConfig::default()).await;
        let handler = Update::filter_message().endpoint(|bot: Bot, message: Message| async move {
            let reply = format!("echo: {}", message.text().unwrap_or_default());
            bot.send_message(message.chat.id, reply).await?;
            respond(())
        });
        let mut dispatcher = Dispatcher::builder(bot, handler).build();
        let shutdown = dispatcher.shutdown_token();
        let running = tokio::spawn(async move { dispatcher.dispatch().await });

        fake.text(&ana(), "hola");
        fake.text(&ana(), "adiós");
        let answered = fake
            .wait_until(Duration::from_secs(10), |fake| {
                fake.messages_to(ANA).len() == 2
            })
            .await;
        assert!(answered, "calls so far: {:?}", methods(&fake));
        let confirmed = fake
            .wait_until(Duration::from_secs(5), |fake| fake.pending_updates() == 0)
            .await;
        assert!(confirmed, "the next getUpdates confirms what was handled");

        let texts: Vec<String> = fake
            .messages_to(ANA)
            .into_iter()
            .map(|message| message.text)
            .collect();
        assert_eq!(texts, ["echo: hola", "echo: adiós"]);
        let calls = methods(&fake);
        let first = |method: &str| calls.iter().position(|called| called == method);
        assert!(
            first("getme").is_some() && first("getme") < first("getupdates"),
            "start-up order: {calls:?}"
        );
        assert!(
            !calls.iter().any(|called| called == "deletewebhook"),
            "no webhook was set: {calls:?}"
        );

        shutdown
            .shutdown()
            .expect("the dispatcher is running")
            .await;
        running.await.expect("the dispatcher task");
    }
}
