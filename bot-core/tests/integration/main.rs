//! bot-core's integration tests, one binary so the crate is linked once.

// Scratch databases and `on_both_backends!`, shared with the other crates' tests.
#[macro_use]
extern crate lexbot_test_kit;

mod admin;
mod dm_chats;
mod inbox;
mod ingest;
mod matching;
mod outbox_scope;
mod privacy;
mod quarantine;
mod runtime;
mod scheduler;
mod storage;
mod timers;
