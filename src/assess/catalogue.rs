//! The indicator catalogue: sets, dimensions, indicators with their grades per set, the dimension
//! rule, the combination rules, the warning-sign map and the urgency rules, read from TOML and
//! checked. The built-in file is `catalogue.toml` next to this module; a hotline may replace it
//! with its own ([`load_file`]), which is refused with a one-line message that says what to fix.

use super::urgency::{Fact, UrgencyRule};
use crate::types::Level;
use crate::types::vocabulary::{self, WARNING_SIGNS};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::fmt;
use std::path::Path;
use std::str::FromStr;
use std::sync::OnceLock;

const BUILTIN: &str = include_str!("catalogue.toml");

// ---------------------------------------------------------------------------------------------
// Ids
// ---------------------------------------------------------------------------------------------

/// The four indicator sets of the ILO/EC reference. Fixed: the catalogue grades indicators in
/// each of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SetId {
    AdultLabour,
    AdultSexual,
    ChildLabour,
    ChildSexual,
}

/// The form of exploitation a set is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Exploitation {
    Labour,
    Sexual,
}

/// The combination rule a set uses: `adult` needs recruitment, exploitation and means;
/// `child` needs recruitment and exploitation only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleId {
    Adult,
    Child,
}

impl SetId {
    pub const ALL: [SetId; 4] = [
        SetId::AdultLabour,
        SetId::AdultSexual,
        SetId::ChildLabour,
        SetId::ChildSexual,
    ];

    /// The set for an age group and a form of exploitation. Where the age is uncertain and there
    /// are reasons to believe the person is a child, pass [`RuleId::Child`] (Directive
    /// 2011/36/EU art. 13(2)).
    pub fn of(age: RuleId, exploitation: Exploitation) -> Self {
        match (age, exploitation) {
            (RuleId::Adult, Exploitation::Labour) => Self::AdultLabour,
            (RuleId::Adult, Exploitation::Sexual) => Self::AdultSexual,
            (RuleId::Child, Exploitation::Labour) => Self::ChildLabour,
            (RuleId::Child, Exploitation::Sexual) => Self::ChildSexual,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::AdultLabour => "adult_labour",
            Self::AdultSexual => "adult_sexual",
            Self::ChildLabour => "child_labour",
            Self::ChildSexual => "child_sexual",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// The set's age group, which chooses its combination rule.
    pub fn rule(self) -> RuleId {
        match self {
            Self::AdultLabour | Self::AdultSexual => RuleId::Adult,
            Self::ChildLabour | Self::ChildSexual => RuleId::Child,
        }
    }

    pub fn exploitation(self) -> Exploitation {
        match self {
            Self::AdultLabour | Self::ChildLabour => Exploitation::Labour,
            Self::AdultSexual | Self::ChildSexual => Exploitation::Sexual,
        }
    }

    /// `set-adult-labour`, …
    pub fn fluent_key(self) -> String {
        vocabulary::key("set", self.as_str())
    }
}

impl RuleId {
    pub const ALL: [RuleId; 2] = [RuleId::Adult, RuleId::Child];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Adult => "adult",
            Self::Child => "child",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

impl Exploitation {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Labour => "labour",
            Self::Sexual => "sexual",
        }
    }
}

/// The error of parsing an unknown set id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not an indicator set; the sets are {SET_LIST}")]
pub struct UnknownSet(pub String);

const SET_LIST: &str = "adult_labour, adult_sexual, child_labour and child_sexual";

impl FromStr for SetId {
    type Err = UnknownSet;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s).ok_or_else(|| UnknownSet(s.to_owned()))
    }
}

impl fmt::Display for SetId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Display for RuleId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

macro_rules! string_id {
    ($(#[$doc:meta])* $name:ident, $prefix:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// An id as given; whether the catalogue knows it is checked where it is used.
            pub fn new(id: impl Into<String>) -> Self {
                Self(id.into())
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }

            #[doc = concat!("`", $prefix, "-<id with - for _>`: the key of its text.")]
            pub fn fluent_key(&self) -> String {
                vocabulary::key($prefix, &self.0)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                Self(s.to_owned())
            }
        }

        impl std::borrow::Borrow<str> for $name {
            fn borrow(&self) -> &str {
                &self.0
            }
        }
    };
}

string_id!(
    /// A dimension id, e.g. `coercion_at_destination`.
    DimensionId,
    "dimension"
);
string_id!(
    /// An indicator id, unique across the catalogue, e.g. `debt_bondage_destination`.
    IndicatorId,
    "indicator"
);

/// How much an indicator weighs within a set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Grade {
    Strong,
    Medium,
    Weak,
}

impl Grade {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Strong => "strong",
            Self::Medium => "medium",
            Self::Weak => "weak",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Strong, Self::Medium, Self::Weak]
            .into_iter()
            .find(|g| g.as_str() == s)
    }
}

// ---------------------------------------------------------------------------------------------
// The catalogue
// ---------------------------------------------------------------------------------------------

/// One indicator: its dimension, its grade in each set that uses it, and the sets where that
/// grade is not confirmed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Indicator {
    id: IndicatorId,
    dimension: DimensionId,
    grades: BTreeMap<SetId, Grade>,
    provisional: BTreeSet<SetId>,
}

impl Indicator {
    pub fn id(&self) -> &IndicatorId {
        &self.id
    }

    pub fn dimension(&self) -> &DimensionId {
        &self.dimension
    }

    /// The grade in `set`; `None` when the set does not use this indicator.
    pub fn grade(&self, set: SetId) -> Option<Grade> {
        self.grades.get(&set).copied()
    }

    /// Whether the grade in `set` is not yet confirmed (the UI says so).
    pub fn is_provisional(&self, set: SetId) -> bool {
        self.provisional.contains(&set)
    }
}

/// One alternative of the dimension rule: minimum counts of ticked indicators by grade, all of
/// which must be reached. Absent counts are 0.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Minimums {
    pub strong: u32,
    pub medium: u32,
    pub weak: u32,
    pub medium_or_weak: u32,
}

impl Minimums {
    /// Whether these counts reach every minimum.
    pub fn met_by(&self, strong: u32, medium: u32, weak: u32) -> bool {
        strong >= self.strong
            && medium >= self.medium
            && weak >= self.weak
            && medium.saturating_add(weak) >= self.medium_or_weak
    }

    fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// A combination rule: every group needs at least one of its dimensions present.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CombinationRule {
    pub all_of: Vec<Vec<DimensionId>>,
}

/// The checked catalogue. Build it with [`builtin`], [`load_file`] or [`load_str`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Catalogue {
    sets: Vec<SetId>,
    dimensions: Vec<DimensionId>,
    indicators: Vec<Indicator>,
    index: HashMap<IndicatorId, usize>,
    dimension_rule: Vec<Minimums>,
    rules: BTreeMap<RuleId, CombinationRule>,
    signs: BTreeMap<String, Vec<IndicatorId>>,
    urgency: Vec<UrgencyRule>,
}

impl Catalogue {
    /// Used only if the built-in file failed to load, which its test rules out: nothing is
    /// present, nobody is presumed, every report is normal.
    fn empty() -> Self {
        Self {
            sets: Vec::new(),
            dimensions: Vec::new(),
            indicators: Vec::new(),
            index: HashMap::new(),
            dimension_rule: Vec::new(),
            rules: BTreeMap::new(),
            signs: BTreeMap::new(),
            urgency: Vec::new(),
        }
    }

    /// The four sets, in the order of the file.
    pub fn sets(&self) -> &[SetId] {
        &self.sets
    }

    /// The dimensions, in display order.
    pub fn dimensions(&self) -> &[DimensionId] {
        &self.dimensions
    }

    /// Every indicator, in file order.
    pub fn indicators(&self) -> &[Indicator] {
        &self.indicators
    }

    /// The indicators of `dimension` that `set` uses, in file order.
    pub fn indicators_in(&self, dimension: &DimensionId, set: SetId) -> Vec<&Indicator> {
        self.indicators
            .iter()
            .filter(|i| &i.dimension == dimension && i.grades.contains_key(&set))
            .collect()
    }

    /// The indicators `set` uses, in file order.
    pub fn indicators_of_set(&self, set: SetId) -> Vec<&Indicator> {
        self.indicators
            .iter()
            .filter(|i| i.grades.contains_key(&set))
            .collect()
    }

    pub fn indicator(&self, id: &IndicatorId) -> Option<&Indicator> {
        self.index.get(id).and_then(|&i| self.indicators.get(i))
    }

    /// The id of a known indicator, e.g. from a form field or a stored assessment.
    pub fn indicator_id(&self, raw: &str) -> Option<IndicatorId> {
        self.index.get_key_value(raw).map(|(k, _)| k.clone())
    }

    pub fn has_dimension(&self, id: &DimensionId) -> bool {
        self.dimensions.contains(id)
    }

    /// The grade of `indicator` in `set`; `None` when unknown or not used in that set.
    pub fn grade(&self, indicator: &IndicatorId, set: SetId) -> Option<Grade> {
        self.indicator(indicator).and_then(|i| i.grade(set))
    }

    /// Whether the grade of `indicator` in `set` is not yet confirmed.
    pub fn is_provisional(&self, indicator: &IndicatorId, set: SetId) -> bool {
        self.indicator(indicator)
            .is_some_and(|i| i.is_provisional(set))
    }

    /// The indicators a warning sign of the public form suggests, keeping those `set` uses.
    pub fn suggested_indicators(&self, sign: &str, set: SetId) -> Vec<IndicatorId> {
        self.signs
            .get(sign)
            .map(|ids| {
                ids.iter()
                    .filter(|id| self.grade(id, set).is_some())
                    .cloned()
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The indicators a report's warning signs suggest for `set`, without repeats, in catalogue
    /// order: what the assessment opens with, marked "seen by the reporter".
    pub fn suggestions_for_signs(&self, signs: &[String], set: SetId) -> Vec<IndicatorId> {
        let wanted: HashSet<IndicatorId> = signs
            .iter()
            .flat_map(|s| self.suggested_indicators(s, set))
            .collect();
        self.indicators
            .iter()
            .filter(|i| wanted.contains(&i.id))
            .map(|i| i.id.clone())
            .collect()
    }

    /// The sign map as written (all signs, unfiltered).
    pub fn signs(&self) -> &BTreeMap<String, Vec<IndicatorId>> {
        &self.signs
    }

    /// The alternatives of the dimension rule.
    pub fn dimension_rule(&self) -> &[Minimums] {
        &self.dimension_rule
    }

    /// The first alternative of the dimension rule these counts meet, if any.
    pub fn dimension_rule_met(&self, strong: u32, medium: u32, weak: u32) -> Option<Minimums> {
        self.dimension_rule
            .iter()
            .find(|m| m.met_by(strong, medium, weak))
            .copied()
    }

    pub fn combination_rule(&self, rule: RuleId) -> Option<&CombinationRule> {
        self.rules.get(&rule)
    }

    /// The urgency rules, in the order they are tried.
    pub fn urgency_rules(&self) -> &[UrgencyRule] {
        &self.urgency
    }
}

// ---------------------------------------------------------------------------------------------
// Loading and checking
// ---------------------------------------------------------------------------------------------

/// Why a catalogue was refused. Every message is one line that names the place and the fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CatalogueError {
    #[error("cannot read the indicator catalogue {path}: {reason}")]
    Read { path: String, reason: String },
    #[error("the indicator catalogue {origin} is not valid TOML{at}: {reason}")]
    Syntax {
        origin: String,
        /// ` at line N`, or empty.
        at: String,
        reason: String,
    },
    #[error("the indicator catalogue {origin} is not valid: {reason}")]
    Invalid { origin: String, reason: String },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCatalogue {
    sets: Vec<String>,
    dimensions: Vec<String>,
    dimension_rule: RawDimensionRule,
    rules: BTreeMap<String, RawRule>,
    #[serde(rename = "indicator", default)]
    indicators: Vec<RawIndicator>,
    signs: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    urgency: Vec<RawUrgency>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDimensionRule {
    any_of: Vec<Minimums>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    all_of: Vec<Vec<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawIndicator {
    id: String,
    dimension: String,
    grades: BTreeMap<String, String>,
    #[serde(default)]
    provisional: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawUrgency {
    level: String,
    #[serde(default)]
    when: Vec<String>,
    reason: String,
}

/// The built-in catalogue, parsed once. It cannot fail in practice (a test parses it); if it
/// ever did, the error is logged and an empty catalogue is used rather than panicking.
pub fn builtin() -> &'static Catalogue {
    static CATALOGUE: OnceLock<Catalogue> = OnceLock::new();
    CATALOGUE.get_or_init(|| {
        load_str(BUILTIN, "built-in").unwrap_or_else(|e| {
            tracing::error!("{e}");
            Catalogue::empty()
        })
    })
}

/// A hotline's own catalogue file, checked as strictly as the built-in one.
pub fn load_file(path: impl AsRef<Path>) -> Result<Catalogue, CatalogueError> {
    let path = path.as_ref();
    let shown = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| CatalogueError::Read {
        path: shown.clone(),
        reason: e.to_string(),
    })?;
    load_str(&text, &shown)
}

/// Parses and checks a catalogue; `origin` names it in error messages (a path, or "built-in").
pub fn load_str(text: &str, origin: &str) -> Result<Catalogue, CatalogueError> {
    let raw: RawCatalogue = toml::from_str(text).map_err(|e| {
        let at = e
            .span()
            .map(|s| {
                let line = text
                    .get(..s.start)
                    .map_or(0, |before| before.matches('\n').count());
                format!(" at line {}", line + 1)
            })
            .unwrap_or_default();
        CatalogueError::Syntax {
            origin: origin.to_owned(),
            at,
            reason: one_line(e.message()),
        }
    })?;
    check(raw).map_err(|reason| CatalogueError::Invalid {
        origin: origin.to_owned(),
        reason,
    })
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn is_snake_id(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && !s.ends_with('_')
        && !s.contains("__")
}

fn check_id(kind: &str, id: &str) -> Result<(), String> {
    if is_snake_id(id) {
        Ok(())
    } else {
        Err(format!(
            "{kind} id `{id}` is not snake_case; use lower-case letters, digits and single `_`, \
             starting with a letter"
        ))
    }
}

fn check_set(s: &str, context: &str) -> Result<SetId, String> {
    SetId::parse(s).ok_or_else(|| {
        format!("{context} names `{s}`, which is not a set; the sets are {SET_LIST}")
    })
}

fn check(raw: RawCatalogue) -> Result<Catalogue, String> {
    // Sets: exactly the four, each once.
    let mut sets = Vec::new();
    for s in &raw.sets {
        let set = check_set(s, "`sets`")?;
        if sets.contains(&set) {
            return Err(format!("`sets` lists {set} twice; list each set once"));
        }
        sets.push(set);
    }
    if let Some(missing) = SetId::ALL.into_iter().find(|s| !sets.contains(s)) {
        return Err(format!(
            "`sets` lacks {missing}; list all four sets: {SET_LIST}"
        ));
    }

    // Dimensions.
    if raw.dimensions.is_empty() {
        return Err("there are no dimensions; list them in `dimensions`".to_owned());
    }
    let mut dimensions: Vec<DimensionId> = Vec::new();
    for d in &raw.dimensions {
        check_id("dimension", d)?;
        let id = DimensionId::new(d.as_str());
        if dimensions.contains(&id) {
            return Err(format!("dimension `{d}` is listed twice in `dimensions`"));
        }
        dimensions.push(id);
    }
    let known_dimension = |d: &str, context: &str| -> Result<DimensionId, String> {
        let id = DimensionId::new(d);
        if dimensions.contains(&id) {
            Ok(id)
        } else {
            Err(format!(
                "{context} names dimension `{d}`, which is not in `dimensions`; \
                 correct the name or add the dimension"
            ))
        }
    };

    // Dimension rule.
    if raw.dimension_rule.any_of.is_empty() {
        return Err(
            "[dimension_rule] `any_of` is empty; give at least one alternative, \
             e.g. { strong = 2 }"
                .to_owned(),
        );
    }
    if let Some(n) = raw
        .dimension_rule
        .any_of
        .iter()
        .position(Minimums::is_empty)
    {
        return Err(format!(
            "[dimension_rule] alternative {} requires no indicator, so every dimension would be \
             present; give it a minimum count",
            n + 1
        ));
    }

    // Combination rules: exactly `adult` and `child`.
    let mut rules = BTreeMap::new();
    for (name, rule) in &raw.rules {
        let Some(id) = RuleId::parse(name) else {
            return Err(format!(
                "[rules.{name}] is not a rule; the rules are `adult` and `child`"
            ));
        };
        if rule.all_of.is_empty() {
            return Err(format!(
                "[rules.{name}] `all_of` is empty; list the groups of dimensions it requires"
            ));
        }
        let mut all_of = Vec::new();
        for group in &rule.all_of {
            if group.is_empty() {
                return Err(format!(
                    "[rules.{name}] has an empty group; each group lists the dimensions of which \
                     one must be present"
                ));
            }
            let ids = group
                .iter()
                .map(|d| known_dimension(d, &format!("[rules.{name}]")))
                .collect::<Result<Vec<_>, _>>()?;
            all_of.push(ids);
        }
        rules.insert(id, CombinationRule { all_of });
    }
    if let Some(missing) = RuleId::ALL.into_iter().find(|r| !rules.contains_key(r)) {
        return Err(format!(
            "[rules.{missing}] is missing; the catalogue needs both the adult and the child rule"
        ));
    }

    // Indicators.
    let mut indicators: Vec<Indicator> = Vec::new();
    let mut index = HashMap::new();
    for raw_ind in raw.indicators {
        let name = raw_ind.id;
        check_id("indicator", &name)?;
        let id = IndicatorId::new(name.as_str());
        if index.contains_key(&id) {
            return Err(format!(
                "indicator id `{name}` is used twice; give each indicator its own id \
                 (e.g. `{name}_recruitment` and `{name}_destination`)"
            ));
        }
        let dimension = known_dimension(&raw_ind.dimension, &format!("indicator `{name}`"))?;
        let mut grades = BTreeMap::new();
        for (set, grade) in &raw_ind.grades {
            let set_id = check_set(set, &format!("indicator `{name}` `grades`"))?;
            let Some(g) = Grade::parse(grade) else {
                return Err(format!(
                    "indicator `{name}` has grade `{grade}` in {set}; use strong, medium or weak \
                     (leave the set out when it does not use the indicator)"
                ));
            };
            grades.insert(set_id, g);
        }
        if grades.is_empty() {
            return Err(format!(
                "indicator `{name}` has no grade in any set; grade it in at least one set or \
                 remove it"
            ));
        }
        let mut provisional = BTreeSet::new();
        for set in &raw_ind.provisional {
            let set_id = check_set(set, &format!("indicator `{name}` `provisional`"))?;
            if !grades.contains_key(&set_id) {
                return Err(format!(
                    "indicator `{name}` is provisional in {set} but has no grade there; grade it \
                     in {set} or remove {set} from `provisional`"
                ));
            }
            provisional.insert(set_id);
        }
        index.insert(id.clone(), indicators.len());
        indicators.push(Indicator {
            id,
            dimension,
            grades,
            provisional,
        });
    }
    for set in SetId::ALL {
        if !indicators.iter().any(|i| i.grades.contains_key(&set)) {
            return Err(format!(
                "set {set} has no indicators; grade at least one indicator in {set}"
            ));
        }
    }

    // Signs: every sign of the public form, each naming known indicators.
    let mut signs = BTreeMap::new();
    for (sign, ids) in &raw.signs {
        if !WARNING_SIGNS.contains(&sign.as_str()) {
            return Err(format!(
                "[signs] has `{sign}`, which is not a warning sign of the public form; the signs \
                 are {}",
                WARNING_SIGNS.join(", ")
            ));
        }
        let mut mapped = Vec::new();
        for ind in ids {
            let id = IndicatorId::new(ind.as_str());
            if !index.contains_key(&id) {
                return Err(format!(
                    "[signs] `{sign}` suggests indicator `{ind}`, which is not in the catalogue; \
                     correct the id"
                ));
            }
            if !mapped.contains(&id) {
                mapped.push(id);
            }
        }
        signs.insert(sign.clone(), mapped);
    }
    if let Some(missing) = WARNING_SIGNS.iter().find(|s| !signs.contains_key(**s)) {
        return Err(format!(
            "[signs] lacks `{missing}`, a warning sign of the public form; add `{missing} = []` \
             if it suggests no indicator"
        ));
    }

    // Urgency rules: known levels and facts, unique reasons, a final default and nothing after.
    let mut urgency: Vec<UrgencyRule> = Vec::new();
    for r in raw.urgency {
        let reason = r.reason;
        check_id("urgency reason", &reason)?;
        if urgency.iter().any(|u| u.reason == reason) {
            return Err(format!(
                "urgency reason `{reason}` is used by two rules; give each rule its own reason"
            ));
        }
        if let Some(default) = urgency.iter().find(|u| u.when.is_empty()) {
            return Err(format!(
                "urgency rule `{reason}` comes after `{}`, whose `when` is empty, so it can \
                 never apply; move the rule without facts to the end",
                default.reason
            ));
        }
        let Some(level) = Level::parse(&r.level) else {
            return Err(format!(
                "urgency rule `{reason}` has level `{}`; use critical, high, normal or low",
                r.level
            ));
        };
        let mut when = Vec::new();
        for f in &r.when {
            let Some(fact) = Fact::parse(f) else {
                return Err(format!(
                    "urgency rule `{reason}` requires fact `{f}`, which is unknown; the facts are \
                     {}",
                    Fact::ALL.map(Fact::as_str).join(", ")
                ));
            };
            if !when.contains(&fact) {
                when.push(fact);
            }
        }
        urgency.push(UrgencyRule {
            level,
            when,
            reason,
        });
    }
    match urgency.last() {
        None => {
            return Err(
                "there are no [[urgency]] rules; end with one whose `when` is empty (the default)"
                    .to_owned(),
            );
        }
        Some(last) if !last.when.is_empty() => {
            return Err(format!(
                "the last urgency rule `{}` has facts in `when`; end with a rule whose `when` is \
                 empty so that every report gets a level",
                last.reason
            ));
        }
        Some(_) => {}
    }

    Ok(Catalogue {
        sets,
        dimensions,
        indicators,
        index,
        dimension_rule: raw.dimension_rule.any_of,
        rules,
        signs,
        urgency,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(s: &str) -> IndicatorId {
        IndicatorId::new(s)
    }

    fn dim(s: &str) -> DimensionId {
        DimensionId::new(s)
    }

    #[test]
    fn the_builtin_catalogue_parses() {
        let cat = load_str(BUILTIN, "built-in").unwrap();
        assert_eq!(&cat, builtin());
        assert_eq!(cat.sets(), &SetId::ALL);
        assert_eq!(
            cat.dimensions(),
            &[
                dim("deceptive_recruitment"),
                dim("coercive_recruitment"),
                dim("recruitment_abuse_of_vulnerability"),
                dim("exploitative_conditions"),
                dim("coercion_at_destination"),
                dim("abuse_of_vulnerability_at_destination"),
            ]
        );
        assert_eq!(cat.indicators().len(), 67);
        let per_set: Vec<usize> = SetId::ALL
            .iter()
            .map(|s| cat.indicators_of_set(*s).len())
            .collect();
        assert_eq!(per_set, [67, 67, 65, 65]);
    }

    #[test]
    fn indicators_per_dimension_follow_the_reference() {
        let cat = builtin();
        let counts: Vec<usize> = cat
            .dimensions()
            .iter()
            .map(|d| cat.indicators_in(d, SetId::AdultLabour).len())
            .collect();
        assert_eq!(counts, [10, 10, 16, 9, 15, 7]);
        // "—" in the reference: not in the child sets.
        for absent in ["false_information_about_law", "no_social_protection"] {
            assert_eq!(cat.grade(&id(absent), SetId::ChildLabour), None);
            assert_eq!(cat.grade(&id(absent), SetId::ChildSexual), None);
            assert_eq!(
                cat.grade(&id(absent), SetId::AdultLabour),
                Some(Grade::Medium)
            );
        }
        // Ordered as in the file.
        let first = cat.indicators_in(&dim("deceptive_recruitment"), SetId::ChildLabour);
        assert_eq!(first[0].id(), &id("deceived_nature_of_job"));
        assert_eq!(first[9].id(), &id("deceived_access_to_education"));
    }

    #[test]
    fn labour_grades_match_the_reference_samples() {
        let cat = builtin();
        let g = |i: &str, s| cat.grade(&id(i), s);
        use Grade::*;
        use SetId::*;
        assert_eq!(g("deceived_access_to_education", AdultLabour), Some(Weak));
        assert_eq!(g("deceived_access_to_education", ChildLabour), Some(Strong));
        assert_eq!(g("debt_bondage_recruitment", AdultLabour), Some(Medium));
        assert_eq!(g("debt_bondage_recruitment", ChildLabour), Some(Strong));
        assert_eq!(g("debt_bondage_destination", AdultLabour), Some(Strong));
        assert_eq!(
            g("excessive_working_days_or_hours", AdultLabour),
            Some(Strong)
        );
        assert_eq!(
            g("threat_to_inform_family_destination", AdultLabour),
            Some(Weak)
        );
        assert_eq!(
            g("threat_to_inform_family_destination", ChildLabour),
            Some(Medium)
        );
        assert_eq!(g("personal_characteristics", AdultLabour), Some(Weak));
        assert_eq!(g("no_access_to_education", ChildLabour), Some(Medium));
    }

    #[test]
    fn every_indicator_has_a_known_dimension_and_a_grade() {
        let cat = builtin();
        for i in cat.indicators() {
            assert!(cat.has_dimension(i.dimension()), "{}", i.id());
            assert!(
                SetId::ALL.iter().any(|s| i.grade(*s).is_some()),
                "{}",
                i.id()
            );
        }
    }

    #[test]
    fn sexual_grades_are_provisional_and_labour_grades_are_not() {
        let cat = builtin();
        for i in cat.indicators() {
            for set in SetId::ALL {
                let sexual = set.exploitation() == Exploitation::Sexual;
                let graded = i.grade(set).is_some();
                assert_eq!(i.is_provisional(set), sexual && graded, "{} {set}", i.id());
            }
        }
    }

    #[test]
    fn sexual_sets_are_the_labour_grades_with_the_known_differences() {
        let cat = builtin();
        let changed = [
            ("forced_tasks_or_clients", SetId::AdultSexual, Grade::Strong),
            (
                "excessive_working_days_or_hours",
                SetId::AdultSexual,
                Grade::Medium,
            ),
            ("hazardous_work", SetId::ChildSexual, Grade::Strong),
        ];
        for i in cat.indicators() {
            for (sexual, labour) in [
                (SetId::AdultSexual, SetId::AdultLabour),
                (SetId::ChildSexual, SetId::ChildLabour),
            ] {
                let expected = changed
                    .iter()
                    .find(|(c, s, _)| i.id().as_str() == *c && *s == sexual)
                    .map(|(_, _, g)| Some(*g))
                    .unwrap_or(i.grade(labour));
                assert_eq!(i.grade(sexual), expected, "{} {sexual}", i.id());
            }
        }
    }

    #[test]
    fn adult_sexual_has_no_strong_exploitation_indicator() {
        let cat = builtin();
        let strong = cat
            .indicators_in(&dim("exploitative_conditions"), SetId::AdultSexual)
            .into_iter()
            .filter(|i| i.grade(SetId::AdultSexual) == Some(Grade::Strong))
            .count();
        assert_eq!(strong, 0);
    }

    #[test]
    fn forced_tasks_or_clients_is_strong_in_both_sexual_sets() {
        let cat = builtin();
        for set in [SetId::AdultSexual, SetId::ChildSexual] {
            assert_eq!(
                cat.grade(&id("forced_tasks_or_clients"), set),
                Some(Grade::Strong)
            );
        }
        assert_eq!(
            cat.grade(&id("hazardous_work"), SetId::ChildSexual),
            Some(Grade::Strong)
        );
    }

    #[test]
    fn every_sign_maps_to_known_indicators() {
        let cat = builtin();
        assert_eq!(cat.signs().len(), WARNING_SIGNS.len());
        for sign in WARNING_SIGNS {
            let ids = cat.signs().get(*sign).unwrap();
            for i in ids {
                assert!(cat.indicator(i).is_some(), "{sign} → {i}");
            }
        }
        assert!(cat.signs()["looks_under_18"].is_empty());
        assert_eq!(
            cat.suggested_indicators("documents_taken", SetId::ChildSexual),
            vec![id("confiscation_of_documents_destination")]
        );
        assert!(
            cat.suggested_indicators("no_such_sign", SetId::AdultLabour)
                .is_empty()
        );
    }

    #[test]
    fn suggestions_are_filtered_to_the_set_and_deduplicated() {
        // A sign mapped to an indicator the child sets do not use.
        let text = BUILTIN.replace(
            "excessive_hours = [\"excessive_working_days_or_hours\"]",
            "excessive_hours = [\"excessive_working_days_or_hours\", \"no_social_protection\"]",
        );
        let cat = load_str(&text, "test").unwrap();
        assert_eq!(
            cat.suggested_indicators("excessive_hours", SetId::AdultLabour)
                .len(),
            2
        );
        assert_eq!(
            cat.suggested_indicators("excessive_hours", SetId::ChildLabour),
            vec![id("excessive_working_days_or_hours")]
        );
        let signs: Vec<String> = ["cannot_leave", "controlled_or_watched", "debt"]
            .map(String::from)
            .into();
        assert_eq!(
            cat.suggestions_for_signs(&signs, SetId::AdultLabour),
            vec![
                id("debt_bondage_recruitment"),
                id("debt_bondage_destination"),
                id("isolation_confinement_surveillance_destination"),
                id("under_strong_influence"),
            ]
        );
    }

    #[test]
    fn ids_give_their_fluent_keys() {
        assert_eq!(SetId::ChildSexual.fluent_key(), "set-child-sexual");
        assert_eq!(
            dim("coercion_at_destination").fluent_key(),
            "dimension-coercion-at-destination"
        );
        assert_eq!(
            id("debt_bondage_destination").fluent_key(),
            "indicator-debt-bondage-destination"
        );
        assert_eq!(
            SetId::of(RuleId::Child, Exploitation::Sexual),
            SetId::ChildSexual
        );
        assert_eq!(SetId::AdultSexual.rule(), RuleId::Adult);
        assert_eq!("child_labour".parse::<SetId>(), Ok(SetId::ChildLabour));
        assert!("children".parse::<SetId>().is_err());
        let cat = builtin();
        assert_eq!(
            cat.indicator_id("hazardous_work"),
            Some(id("hazardous_work"))
        );
        assert_eq!(cat.indicator_id("hazardous"), None);
    }

    /// Replaces `from` (which must occur) in the built-in text and returns the error message.
    fn refused(from: &str, to: &str) -> String {
        assert!(BUILTIN.contains(from), "test fixture lacks {from:?}");
        let text = BUILTIN.replacen(from, to, 1);
        let Err(err) = load_str(&text, "custom.toml") else {
            panic!("accepted after replacing {from:?} with {to:?}");
        };
        let err = err.to_string();
        assert!(!err.contains('\n'), "not one line: {err}");
        assert!(err.contains("custom.toml"), "{err}");
        err
    }

    #[test]
    fn malformed_catalogues_are_refused_with_a_clear_message() {
        let cases: &[(&str, &str, &str)] = &[
            (
                "dimension = \"deceptive_recruitment\"",
                "dimension = \"deceptive_recruiting\"",
                "names dimension `deceptive_recruiting`, which is not in `dimensions`",
            ),
            (
                "id = \"deceived_conditions_of_work\"",
                "id = \"deceived_nature_of_job\"",
                "indicator id `deceived_nature_of_job` is used twice",
            ),
            (
                "grades = { adult_labour = \"strong\"",
                "grades = { adult_labour = \"strng\"",
                "grade `strng` in adult_labour; use strong, medium or weak",
            ),
            (
                "grades = { adult_labour = \"strong\"",
                "grades = { adult_labor = \"strong\"",
                "names `adult_labor`, which is not a set",
            ),
            (
                "sets = [\"adult_labour\", \"adult_sexual\", \"child_labour\", \"child_sexual\"]",
                "sets = [\"adult_labour\", \"adult_sexual\", \"child_labour\", \"child_sex\"]",
                "`sets` names `child_sex`, which is not a set",
            ),
            (
                "sets = [\"adult_labour\", \"adult_sexual\", \"child_labour\", \"child_sexual\"]",
                "sets = [\"adult_labour\", \"adult_sexual\", \"child_labour\"]",
                "`sets` lacks child_sexual",
            ),
            (
                "[\"exploitative_conditions\"],\n    [\"coercion_at_destination\"",
                "[\"exploitative_condition\"],\n    [\"coercion_at_destination\"",
                "[rules.adult] names dimension `exploitative_condition`",
            ),
            (
                "\n[rules.child]\n",
                "\n[rules.kid]\n",
                "[rules.kid] is not a rule",
            ),
            (
                "debt = [\"debt_bondage_destination\"",
                "debt = [\"debt_bondage\"",
                "`debt` suggests indicator `debt_bondage`, which is not in the catalogue",
            ),
            (
                "looks_under_18 = []",
                "looks_under_eighteen = []",
                "`looks_under_eighteen`, which is not a warning sign",
            ),
            (
                "provisional = [\"adult_sexual\", \"child_sexual\"]",
                "provisional = [\"adult_sexual\", \"child_sexul\"]",
                "names `child_sexul`, which is not a set",
            ),
            (
                "{ medium = 3 },",
                "{ medium = 3 }, {},",
                "alternative 4 requires no indicator",
            ),
            (
                "level = \"high\"",
                "level = \"urgent\"",
                "has level `urgent`; use critical, high, normal or low",
            ),
            (
                "when = [\"child_involved\", \"still_happening\"]",
                "when = [\"child\", \"still_happening\"]",
                "requires fact `child`, which is unknown",
            ),
            (
                "when = []\nreason = \"no_urgent_fact\"",
                "when = [\"child_involved\"]\nreason = \"no_urgent_fact\"",
                "the last urgency rule `no_urgent_fact` has facts in `when`",
            ),
            (
                "reason = \"still_happening\"",
                "reason = \"child_involved\"",
                "urgency reason `child_involved` is used by two rules",
            ),
            (
                "id = \"deceived_nature_of_job\"",
                "id = \"Deceived-nature\"",
                "indicator id `Deceived-nature` is not snake_case",
            ),
        ];
        for (from, to, expected) in cases {
            let err = refused(from, to);
            assert!(err.contains(expected), "expected {expected:?} in: {err}");
        }
    }

    #[test]
    fn an_indicator_without_grades_or_a_set_without_indicators_is_refused() {
        let err = refused(
            "grades = { adult_labour = \"strong\", adult_sexual = \"strong\", child_labour = \
             \"strong\", child_sexual = \"strong\" }\nprovisional = [\"adult_sexual\", \
             \"child_sexual\"]",
            "grades = {}",
        );
        assert!(err.contains("has no grade in any set"), "{err}");

        let only_adult: String = BUILTIN
            .lines()
            .map(|l| {
                if l.starts_with("grades = ") {
                    "grades = { adult_labour = \"medium\" }"
                } else if l.starts_with("provisional = ") {
                    "provisional = []"
                } else {
                    l
                }
            })
            .collect::<Vec<_>>()
            .join("\n");
        let err = load_str(&only_adult, "x").unwrap_err().to_string();
        assert!(err.contains("set adult_sexual has no indicators"), "{err}");
    }

    #[test]
    fn a_grade_marked_provisional_where_absent_is_refused() {
        let err = refused(
            "id = \"no_social_protection\"\ndimension = \"exploitative_conditions\"\n\
             grades = { adult_labour = \"medium\", adult_sexual = \"medium\" }\n\
             provisional = [\"adult_sexual\"]",
            "id = \"no_social_protection\"\ndimension = \"exploitative_conditions\"\n\
             grades = { adult_labour = \"medium\", adult_sexual = \"medium\" }\n\
             provisional = [\"adult_sexual\", \"child_sexual\"]",
        );
        assert!(
            err.contains("`no_social_protection` is provisional in child_sexual but has no grade"),
            "{err}"
        );
    }

    #[test]
    fn syntax_and_unknown_fields_are_refused_with_the_line() {
        let err = refused(
            "dimension = \"deceptive_recruitment\"",
            "dimensio = \"deceptive_recruitment\"",
        );
        assert!(err.contains("unknown field `dimensio`"), "{err}");
        assert!(err.contains(" at line "), "{err}");
        let err = load_str("sets = [", "broken.toml").unwrap_err();
        assert!(matches!(err, CatalogueError::Syntax { .. }), "{err}");
        assert!(err.to_string().contains("at line 1"), "{err}");
    }

    #[test]
    fn a_missing_file_is_refused() {
        let err = load_file("/nonexistent/catalogue.toml").unwrap_err();
        assert!(matches!(err, CatalogueError::Read { .. }), "{err}");
        assert!(err.to_string().contains("/nonexistent/catalogue.toml"));
    }

    #[test]
    fn a_sign_left_out_is_refused() {
        let err = refused("lives_at_work = [\"dependency_on_exploiters\"]\n", "");
        assert!(
            err.contains("[signs] lacks `lives_at_work`") && err.contains("lives_at_work = []"),
            "{err}"
        );
    }

    // ---- texts ------------------------------------------------------------------------------

    const LOCALES: [(&str, &str); 4] = [
        ("en", include_str!("../../locales/en/main.ftl")),
        ("fr", include_str!("../../locales/fr/main.ftl")),
        ("de", include_str!("../../locales/de/main.ftl")),
        ("nl", include_str!("../../locales/nl/main.ftl")),
    ];

    fn ftl_keys(text: &str) -> Vec<&str> {
        text.lines()
            .filter_map(|l| l.split_once(" = ").map(|(k, _)| k))
            .filter(|k| !k.starts_with(' ') && !k.starts_with('#') && !k.is_empty())
            .collect()
    }

    fn assessment_block(text: &str) -> Vec<&str> {
        let start = text.find("\n# Assessment\n").unwrap_or(text.len());
        ftl_keys(&text[start..])
    }

    #[test]
    fn every_id_has_a_text_in_every_language() {
        let cat = builtin();
        let mut wanted: Vec<String> = Vec::new();
        wanted.extend(cat.sets().iter().map(|s| s.fluent_key()));
        wanted.extend(cat.dimensions().iter().map(|d| d.fluent_key()));
        wanted.extend(cat.indicators().iter().map(|i| i.id().fluent_key()));
        wanted.extend(Fact::ALL.iter().map(|f| f.reason_key().to_string()));
        for rule in cat.urgency_rules() {
            wanted.extend(rule.reason_keys().into_iter().map(|k| k.to_string()));
        }
        wanted.extend(Level::ALL.iter().map(|l| l.fluent_key()));
        for (lang, text) in LOCALES {
            let keys: HashSet<&str> = ftl_keys(text).into_iter().collect();
            for key in &wanted {
                assert!(keys.contains(key.as_str()), "{lang} lacks {key}");
            }
        }
    }

    #[test]
    fn the_assessment_block_has_the_same_ids_in_the_same_order_everywhere() {
        let english = assessment_block(LOCALES[0].1);
        assert!(english.len() > 80, "{}", english.len());
        for (lang, text) in LOCALES {
            assert_eq!(assessment_block(text), english, "{lang}");
        }
    }
}
