//! A signed-in staff member as the rest of the house sees them, read from their account row.
//! Apart from `accounts` (which creates and signs them in) and `sessions` (which finds them from
//! a cookie), so that each of those uses it without using the other.

use super::policy::{Actor, Role};
use crate::store::staff::UserRow;
use crate::types::UserId;

/// A signed-in staff member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffUser {
    pub id: UserId,
    pub username: String,
    pub role: Role,
    pub language: String,
}

impl StaffUser {
    pub fn actor(&self) -> Actor {
        Actor {
            user_id: self.id.clone(),
            role: self.role,
        }
    }
}

/// The signed-in view of an account row; `None` if its role is unknown.
pub fn user_from_row(row: &UserRow) -> Option<StaffUser> {
    Some(StaffUser {
        id: row.id.clone(),
        username: row.username.clone(),
        role: Role::parse(&row.role)?,
        language: row.language.clone(),
    })
}
