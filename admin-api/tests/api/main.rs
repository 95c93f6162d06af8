//! The whole application spawned on port 0 with the operations routes and the admin
//! API, on both stores, driven over real HTTP.

mod endpoints;
mod metrics;
mod openapi;
mod random;
mod support;
