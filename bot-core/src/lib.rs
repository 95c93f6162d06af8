//! bot-core: lexbot's domain, pure conversation engine, flows, texts, content and storage.
//!
//! Nothing in here knows a chat platform. Adapters (the terminal chat, Telegram,
//! Discord) turn platform input into [`engine::Event`]s and render [`engine::Reply`]s.

pub mod admin;
pub mod app;
pub mod config;
pub mod content;
pub mod domain;
pub mod engine;
pub mod flows;
/// Screens, strategies and checks shared by the fuzz property test and `benches/fuzz.rs`.
#[cfg(any(test, feature = "fuzzing"))]
#[doc(hidden)]
pub mod fuzzing;
pub mod i18n;
pub mod ingest;
pub mod outbox;
pub mod privacy;
pub mod runtime;
pub mod scheduler;
pub mod storage;
pub mod telemetry;
pub mod terminal;
