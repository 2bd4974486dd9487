//! Help numbers shown to reporters: operator-editable data. tipline ships only the EU-wide
//! numbers (112 emergencies, 116 000 missing children, 116 111 child helpline) and never
//! invents a national one; a hotline adds its own in a TOML file (`help_numbers_file`).

use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;

const DEFAULTS: &str = include_str!("help-numbers.toml");

/// One number to call, with its label: a Fluent key, or labels per language from the operator.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct HelpNumber {
    pub number: String,
    /// Fluent key of the label (the shipped numbers use these).
    #[serde(default)]
    pub label_key: Option<String>,
    /// Labels per language code, for numbers an operator adds.
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct HelpFile {
    number: Vec<HelpNumber>,
}

#[derive(Debug, thiserror::Error)]
pub enum HelpError {
    #[error("cannot read the help numbers file {path}: {reason}")]
    Read { path: String, reason: String },
    #[error(
        "the help numbers file {path} is not valid: {reason}; each entry needs `number` and `label_key` or `labels`"
    )]
    Parse { path: String, reason: String },
}

fn parse(text: &str, path: &str) -> Result<Vec<HelpNumber>, HelpError> {
    let file: HelpFile = toml::from_str(text).map_err(|e| HelpError::Parse {
        path: path.to_owned(),
        reason: e.message().to_owned(),
    })?;
    if let Some(bad) = file
        .number
        .iter()
        .find(|n| n.label_key.is_none() && n.labels.is_empty())
    {
        return Err(HelpError::Parse {
            path: path.to_owned(),
            reason: format!("number {} has no label", bad.number),
        });
    }
    Ok(file.number)
}

/// The shipped EU-wide numbers.
pub fn defaults() -> Vec<HelpNumber> {
    parse(DEFAULTS, "built-in").unwrap_or_default()
}

/// Loads an operator's help numbers file.
pub fn load(path: &Path) -> Result<Vec<HelpNumber>, HelpError> {
    let shown = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| HelpError::Read {
        path: shown.clone(),
        reason: e.to_string(),
    })?;
    parse(&text, &shown)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ships_only_the_eu_wide_numbers() {
        let numbers: Vec<String> = defaults().into_iter().map(|n| n.number).collect();
        assert_eq!(numbers, ["112", "116 000", "116 111"]);
    }

    #[test]
    fn operator_numbers_need_a_label() {
        let ok =
            "[[number]]\nnumber = \"+352 000\"\nlabels = { en = \"Hotline\", fr = \"Ligne\" }\n";
        assert_eq!(parse(ok, "x").unwrap()[0].labels["fr"], "Ligne");
        assert!(parse("[[number]]\nnumber = \"1\"\n", "x").is_err());
        assert!(parse("[[number]]\nnumbr = \"1\"\n", "x").is_err());
    }
}
