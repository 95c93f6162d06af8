//! The harness: a fresh database, the application started as `lexbot run` starts it
//! (its HTTP server on 127.0.0.1:0, no chat adapter), and a client that speaks to it.

use std::net::SocketAddr;

use bot_core::app::Application;
use bot_core::config::{Secret, Secrets, Settings};
use bot_core::domain::{AccountRef, ChatKey, Locale, PersonId, Platform};
use bot_core::engine::{Event, Input};
use bot_core::runtime::{Conversations, Incoming};
use bot_core::storage::UpdateKey;
pub use lexbot_test_kit::{Backend, TestDb};

pub const TOKEN: &str = "test-admin-token-0123456789";

/// A running application and where to reach it.
pub struct App {
    /// In a mutex only so that tests can hold `&App` across awaits (an application is
    /// `Send`, not `Sync`).
    application: std::sync::Mutex<Option<Application>>,
    conversations: Conversations,
    pub addr: SocketAddr,
    pub client: reqwest::Client,
}

impl App {
    /// The application on `db` with `/healthz`, `/readyz`, `/metrics` and the API.
    pub async fn start(db: &TestDb) -> Self {
        Self::start_with_token(db, Some(TOKEN)).await
    }

    pub async fn start_with_token(db: &TestDb, token: Option<&str>) -> Self {
        let metrics = admin_api::install_recorder().expect("metrics recorder");
        let mut settings = Settings::load(None).expect("default settings");
        settings.database.url = db.url().to_owned();
        settings.http.listen = "127.0.0.1:0".into();
        settings.scheduler.poll_interval_ms = 200;
        let secrets = Secrets {
            admin_token: token.map(Secret::new),
            ..Secrets::default()
        };
        let mut builder = Application::builder(&settings, &secrets)
            .await
            .expect("store");
        let ops = admin_api::Ops::new(
            builder.readiness(),
            builder.conversations().store().clone(),
            Some(metrics),
        );
        builder = builder.routes(ops.routes());
        if let Some(token) = &secrets.admin_token {
            let matcher =
                matcher::worker::WorkerConfig::from_settings(&settings).expect("matcher settings");
            let api = admin_api::v1::routes(builder.conversations().clone(), matcher, token);
            builder = builder.routes(api);
        }
        let application = builder.start().await.expect("application starts");
        let addr = application.http_addr().expect("the HTTP server runs");
        Self {
            conversations: application.conversations().clone(),
            application: std::sync::Mutex::new(Some(application)),
            addr,
            client: reqwest::Client::new(),
        }
    }

    pub fn conversations(&self) -> &Conversations {
        &self.conversations
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// A request with the admin token.
    pub fn authed(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.client
            .request(method, self.url(path))
            .bearer_auth(TOKEN)
    }

    pub async fn get_json(&self, path: &str) -> (u16, serde_json::Value) {
        let response = self
            .authed(reqwest::Method::GET, path)
            .send()
            .await
            .expect("request");
        json_of(response).await
    }

    pub async fn post_json(&self, path: &str, body: serde_json::Value) -> (u16, serde_json::Value) {
        let response = self
            .authed(reqwest::Method::POST, path)
            .json(&body)
            .send()
            .await
            .expect("request");
        json_of(response).await
    }

    /// A local person says `text` (a platform update with an id, as an adapter gives).
    pub async fn say(&self, name: &str, update_id: u64, text: &str) {
        let account = AccountRef::new(Platform::Local, name);
        let chat = ChatKey::new(Platform::Local, name);
        let mut incoming = Incoming::new(account, chat, Event::new(Input::from_text(text)));
        incoming.update = Some(UpdateKey {
            platform: Platform::Local,
            id: update_id.to_string(),
        });
        self.conversations()
            .handle(&incoming, chrono::Utc::now())
            .await
            .expect("step");
    }

    fn take(&self) -> Option<Application> {
        self.application
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take()
    }

    pub async fn stop(self) {
        if let Some(application) = self.take() {
            application.shutdown().await;
        }
    }

    /// Stops everything at once (the store is left to the caller).
    pub fn kill(self) {
        if let Some(application) = self.take() {
            application.kill();
        }
    }
}

/// The status and the JSON body (null when the body is not JSON).
pub async fn json_of(response: reqwest::Response) -> (u16, serde_json::Value) {
    let status = response.status().as_u16();
    let text = response.text().await.unwrap_or_default();
    (
        status,
        serde_json::from_str(&text).unwrap_or(serde_json::Value::Null),
    )
}

/// Asserts the API's error shape with this code.
pub fn assert_error(body: &serde_json::Value, code: &str) {
    assert_eq!(body["error"], code, "error body: {body}");
    assert!(body["message"].is_string(), "error body: {body}");
    assert!(body.get("details").is_some(), "error body: {body}");
}

/// A complete profile: native in `native`, learning `learns` at B1, in Berlin, free on
/// weekday evenings, practising by text.
pub fn profile(native: &str, learns: &str) -> bot_core::domain::Profile {
    use bot_core::domain::{
        Availability, Bio, CefrLevel, DayKind, DayPart, InterestId, LanguageCode, LevelChoice,
        PracticeStyle, PracticeStyles, Profile, Slot, TargetLanguage, Timezone,
    };
    let language = |code: &str| LanguageCode::parse(code).expect("a two-letter code");
    let mut profile = Profile::new(Locale::En);
    profile.native = vec![language(native)];
    profile.targets = vec![TargetLanguage {
        language: language(learns),
        level: Some(LevelChoice::Known(CefrLevel::B1)),
    }];
    profile.interests = vec![InterestId("music".into())];
    profile.timezone = Some(Timezone::parse("Europe/Berlin").expect("a zone"));
    profile.availability =
        Availability::from_slots([Slot::new(DayKind::Weekday, DayPart::Evening)]);
    profile.styles = PracticeStyles::default().toggled(PracticeStyle::Text);
    profile.bio = Some(Bio::skipped());
    profile.completed = true;
    profile
}

/// Someone on Telegram with a complete profile, waiting for a partner for two hours.
pub async fn waiting_person(
    store: &dyn bot_core::storage::Store,
    native: &str,
    learns: &str,
) -> PersonId {
    use bot_core::domain::PartnerStatus;
    use bot_core::storage::{CommitOutcome, PersonCommit, PersonWrite};
    let now = chrono::Utc::now();
    let since = now - chrono::Duration::hours(2);
    let user = format!("{}", uuid::Uuid::new_v4().as_u128() % 1_000_000_000_000);
    let account = AccountRef::new(Platform::Telegram, user.clone());
    let chat = ChatKey::new(Platform::Telegram, user);
    let person = store
        .person_for_hashed_account(&account, None, Some(&chat), Locale::En, since)
        .await
        .expect("person");
    let loaded = store
        .load_person(person, &chat)
        .await
        .expect("load")
        .expect("exists");
    let mut practice = loaded.practice;
    practice.partnering.status = PartnerStatus::Waiting { since };
    let write = PersonWrite::Update {
        profile: Some(profile(native, learns)),
        dialogues: Vec::new(),
        practice: Some(Box::new(practice)),
    };
    let outcome = store
        .commit_batch(
            &[PersonCommit::new(person, loaded.version, write, now)],
            None,
        )
        .await
        .expect("commit");
    assert!(
        matches!(outcome[..], [CommitOutcome::Committed { .. }]),
        "{outcome:?}"
    );
    person
}
