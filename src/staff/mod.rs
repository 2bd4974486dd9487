//! Staff: accounts and their credentials (password, TOTP), sessions, the role policy that
//! decides what each role may see and do, and the tamper-evident audit trail.

pub mod accounts;
pub mod audit;
pub mod password;
pub mod policy;
pub mod sessions;
pub mod totp;
