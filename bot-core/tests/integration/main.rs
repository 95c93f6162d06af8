//! bot-core's integration tests, one binary so the crate is linked once.

#[macro_use]
mod support;

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
