//! bot-core's integration tests, one binary so the crate is linked once.

mod storage;
mod support;
