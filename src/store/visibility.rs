//! The role rule in SQL, written once: which rows of a report (or of a copy of its restriction
//! and assignee, as `search_docs` and `identifiers` keep) a viewer may know exist. The rule
//! itself is the policy's (`staff::policy` decides a [`Visibility`] from the actor); the store
//! only turns that decision into a condition, here, for the queue, search and related reports.

use crate::types::Visibility;

/// What the role rule asks of a query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum RoleRule<'a> {
    /// The viewer may know of no report: the query need not run.
    Nothing,
    /// Every report: no condition.
    Everything,
    /// Only the rows meeting `sql`, which reads the viewer's id from the placeholder it was
    /// given; `viewer` is the value to bind there.
    Condition { sql: String, viewer: &'a str },
}

/// The role rule of `visibility` over the table aliased `alias`, which has the columns
/// `restricted` and `assignee_id`. `placeholder` is called once, only when the condition needs
/// the viewer's id, with that id; it binds it and returns where (`$2`, …).
pub(crate) fn role_rule<'a>(
    visibility: &'a Visibility,
    alias: &str,
    placeholder: impl FnOnce(&'a str) -> String,
) -> RoleRule<'a> {
    match visibility {
        Visibility::Everything => RoleRule::Everything,
        Visibility::Nothing => RoleRule::Nothing,
        Visibility::UnrestrictedOrAssignedTo(user) => {
            let viewer = user.as_str();
            let p = placeholder(viewer);
            RoleRule::Condition {
                sql: format!("({alias}.restricted = 0 OR {alias}.assignee_id = {p})"),
                viewer,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rule_is_one_condition_only_for_a_viewer_limited_to_some_reports() {
        let analyst = Visibility::UnrestrictedOrAssignedTo("ana".into());
        let mut bound = Vec::new();
        let rule = role_rule(&analyst, "r", |viewer| {
            bound.push(viewer.to_owned());
            "$3".to_owned()
        });
        assert_eq!(
            rule,
            RoleRule::Condition {
                sql: "(r.restricted = 0 OR r.assignee_id = $3)".to_owned(),
                viewer: "ana",
            }
        );
        assert_eq!(bound, ["ana"]);
        let never = |_: &str| -> String { unreachable!("nothing to bind") };
        assert_eq!(
            role_rule(&Visibility::Everything, "r", never),
            RoleRule::Everything
        );
        assert_eq!(
            role_rule(&Visibility::Nothing, "r", never),
            RoleRule::Nothing
        );
    }
}
