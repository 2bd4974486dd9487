//! Follow-up: the reporter comes back with the receipt and talks with the hotline, still
//! anonymous. Receipt sign-in with throttling, short reporter sessions, the conversation (sealed
//! messages both ways), the status in plain words, and the content-free e-mail notice.

pub mod conversation;
pub mod limits;
pub mod notice;
pub mod signin;
