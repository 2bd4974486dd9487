//! Integration tests: one test binary. Each test starts the real server on a random port against
//! a fresh SQLite file and/or a fresh PostgreSQL database and drives it over HTTP.

mod helpers;

mod abuse;
mod api;
mod assessment;
mod audit;
mod binding;
mod browser;
mod cluster;
mod conformance;
mod durability;
mod followup;
mod form;
mod forward_keys;
mod fuzz;
mod hardening;
mod layers;
mod linking;
mod notice;
mod openapi;
mod passkeys;
mod pg_guard;
mod queue;
mod replay;
mod safety;
mod scanners;
mod schema;
mod sealing;
mod search;
mod seed;
mod segments;
mod serving;
mod shutdown;
mod smtp_sink;
mod staff;
mod staff_security;
mod startup;
mod surfaces;
mod transactions;
mod transport;
mod xss;
