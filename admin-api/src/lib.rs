//! lexbot's HTTP surface for operators: the operations endpoints ([`ops`]: `/healthz`,
//! `/readyz`, `/metrics`) and the admin API under `/api/v1` ([`v1`]), both served on the
//! application's one HTTP server (`ApplicationBuilder::routes`).

mod auth;
pub mod error;
pub mod ops;
pub mod v1;

pub use ops::{Ops, install_recorder};
