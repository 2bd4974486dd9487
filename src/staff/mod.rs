//! Staff: accounts and their credentials (password, TOTP), sessions, the role policy that
//! decides what each role may see and do, the tamper-evident audit trail, and the limits in
//! front of sign-in.
//!
//! Owns: accounts, passwords, TOTP, sessions, the role policy, the audit chain, sign-in limits.
//! May use: `types`, `clock`, `seal`, `store` (see `LAYERS` in `src/lib.rs`).

pub mod accounts;
pub mod audit;
pub mod audit_action;
pub mod passkeys;
pub mod password;
pub mod policy;
pub mod sessions;
pub mod throttle;
pub mod totp;
pub mod user;
