//! End to end: the real teloxide client inside lexbot's Telegram adapter, against the
//! fake Bot API server on 127.0.0.1, with a real store (SQLite, and PostgreSQL when
//! `LEXBOT_TEST_POSTGRES_URL` is set).

mod admin;
mod bad_input;
mod delivery;
mod inbox;
mod matching;
mod onboarding;
mod poison;
mod restart;
mod support;
mod two_adapters;
mod webhook;
