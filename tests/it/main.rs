//! Integration tests: one test binary. Each test starts the real server on a random port against
//! a fresh SQLite file and/or a fresh PostgreSQL database and drives it over HTTP.

mod helpers;

mod api;
mod assessment;
mod audit;
mod browser;
mod cluster;
mod durability;
mod followup;
mod form;
mod linking;
mod notice;
mod safety;
mod sealing;
mod search;
mod seed;
mod segments;
mod smtp_sink;
mod staff;
mod staff_security;
mod startup;
