//! The fixed answer lists of the report form besides categories: plain-language warning signs,
//! age groups and whether a child is involved. Ids are stored; labels live in the Fluent files
//! under `sign-<id>`, `age-<id>` and `child-<id>`.

/// Warning signs a member of the public can recognise. The assessment maps each to ILO/EC
/// indicators later.
pub const WARNING_SIGNS: &[&str] = &[
    "immediate_danger",
    "cannot_leave",
    "documents_taken",
    "debt",
    "threats_violence",
    "little_or_no_pay",
    "excessive_hours",
    "lives_at_work",
    "controlled_or_watched",
    "fearful_or_coached",
    "looks_under_18",
    "isolated_no_address",
];

/// Approximate age groups of the people exploited. `0_11` and `12_17` mean a child.
pub const AGE_GROUPS: &[&str] = &["0_11", "12_17", "18_24", "25_plus", "unknown"];

/// Whether a child is involved, as the reporter answered it.
pub const CHILD_ANSWERS: &[&str] = &["yes", "no", "unsure"];

/// Age groups that mean a child.
pub fn is_child_age_group(id: &str) -> bool {
    id == "0_11" || id == "12_17"
}

/// The Fluent key for a list entry, e.g. `key("sign", "cannot_leave")` → `sign-cannot-leave`.
pub fn key(prefix: &str, id: &str) -> String {
    format!("{prefix}-{}", id.replace('_', "-"))
}
