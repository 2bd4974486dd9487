//! Follow-up: the reporter comes back with the receipt and talks with the hotline, still
//! anonymous. Receipt sign-in with throttling, short reporter sessions, the conversation (sealed
//! messages both ways), the status in plain words, and the content-free e-mail notice.
//!
//! Owns: receipt sign-in, the conversation with the reporter, message limits, the e-mail notice.
//! May use: `types`, `clock`, `seal`, `store`, `intake`, `link`, `search`, `staff`, `triage` (see `LAYERS` in `src/lib.rs`).

pub mod conversation;
pub mod limits;
pub mod notice;
pub mod signin;
