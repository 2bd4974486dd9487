//! Which reports a staff member may know exist, as data. The role policy decides it from the
//! actor (`staff::policy`, which also holds [`Visibility::of`] and [`Visibility::admits`]); the
//! store turns it into one SQL condition (`store::visibility`). Neither needs the other.

use super::ids::UserId;

/// Which reports an actor may know exist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Visibility {
    Everything,
    /// Unrestricted reports, and restricted ones assigned to this user.
    UnrestrictedOrAssignedTo(UserId),
    Nothing,
}
