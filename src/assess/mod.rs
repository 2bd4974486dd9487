//! Trafficking assessment: the ILO/European Commission operational indicators as data, the small
//! engine that turns ticked indicators into present dimensions and a presumed-victim outcome, and
//! the data-driven urgency rules.
//!
//! Everything the reference defines lives in one catalogue file (`src/assess/catalogue.toml`,
//! compiled in; a hotline may replace it with [`load_file`]): the four sets, the six dimensions, every
//! indicator with its grade per set and whether that grade is provisional, the dimension rule,
//! the adult and child combination rules, the warning-sign → indicator map and the urgency rules.
//! The code only evaluates them. Texts live in the Fluent files under keys made from the ids
//! (`set-…`, `dimension-…`, `indicator-…`, `urgency-reason-…`).
//!
//! The outcome is a presumption that supports the analyst's judgement (HTCDS
//! `PossibleVictimOfTrafficking`), never a verdict.
//!
//! Owns: the indicator catalogue, the rule engine, the urgency rules, saved assessments' sealed detail.
//! May use: `types`, `clock`, `seal`, `store` (see `LAYERS` in `src/lib.rs`).

pub mod catalogue;
pub mod engine;
pub mod saved;
pub mod urgency;

pub use catalogue::{
    Catalogue, CatalogueError, CombinationRule, DimensionId, Exploitation, Grade, Indicator,
    IndicatorId, Minimums, RuleId, SetId, builtin, load_file, load_str,
};
pub use engine::{DimensionResult, GroupResult, Outcome, evaluate};
pub use urgency::{
    ACTIONABLE_WITHIN_DAYS, Decision, Fact, ReasonKey, UrgencyRule, actionable_place_and_time,
    decide, urgency,
};
