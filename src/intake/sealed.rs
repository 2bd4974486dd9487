//! How a validated report becomes sealed columns, and how permitted code opens them again.
//! Each group of sensitive fields is serialised to JSON and sealed with associated data naming
//! the report and the column, so no sealed value can be moved to another report or column.

use super::report::{ReportContent, ValidReport};
use crate::seal::{Aad, Sealer};
use crate::store::StoreError;
use crate::store::reports::{SEALED_COLUMNS, StoredReport};
use crate::types::ReportId;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// The table name used in associated data for report columns.
pub const REPORTS: &str = "reports";

fn seal_json<T: Serialize>(
    sealer: &Sealer,
    report_id: &ReportId,
    column: &str,
    value: &T,
) -> Option<Vec<u8>> {
    let json = zeroize::Zeroizing::new(serde_json::to_vec(value).ok()?);
    Some(sealer.seal(&Aad::field(REPORTS, report_id.as_str(), column), &json))
}

/// What triage does not need in clear about a report, sealed as its `profile` group.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Profile {
    /// `YYYY-MM`.
    pub incident_month: Option<String>,
    /// Age-group ids.
    pub age_groups: Vec<String>,
}

/// Seals the Fluent keys of the reasons for a report's urgency (its `urgency_why` group).
pub fn seal_reasons(sealer: &Sealer, report_id: &ReportId, reasons: &[&str]) -> Vec<u8> {
    seal_json(sealer, report_id, "urgency_why", &reasons).unwrap_or_default()
}

/// Seals a report's `profile` group.
pub fn seal_profile(sealer: &Sealer, report_id: &ReportId, profile: &Profile) -> Vec<u8> {
    seal_json(sealer, report_id, "profile", profile).unwrap_or_default()
}

/// Seals the manifest of a report: the names of the groups present among `groups` (in the
/// order of [`SEALED_COLUMNS`]).
pub fn seal_manifest(sealer: &Sealer, report_id: &ReportId, groups: &[Option<Vec<u8>>]) -> Vec<u8> {
    let present: Vec<&str> = SEALED_COLUMNS
        .iter()
        .zip(groups)
        .filter(|(_, g)| g.is_some())
        .map(|(c, _)| *c)
        .collect();
    seal_json(sealer, report_id, "manifest", &present).unwrap_or_default()
}

/// True when the sealed manifest opens and lists exactly the groups present: a group set to
/// NULL, a group added, or the manifest removed, shows.
pub fn manifest_matches(sealer: &Sealer, stored: &StoredReport) -> bool {
    let Some(blob) = &stored.manifest else {
        return false;
    };
    let Ok(plain) = sealer.open(&Aad::field(REPORTS, stored.id.as_str(), "manifest"), blob) else {
        return false;
    };
    let Ok(listed) = serde_json::from_slice::<Vec<String>>(&plain) else {
        return false;
    };
    let present: Vec<&str> = stored
        .sealed
        .iter()
        .filter(|(_, g)| g.is_some())
        .map(|(c, _)| *c)
        .collect();
    listed.len() == present.len() && listed.iter().zip(&present).all(|(l, p)| l == p)
}

/// Seals every group of `report` in the order of [`SEALED_COLUMNS`]; empty groups stay `None`.
/// `reasons` are the Fluent keys of the reasons for its urgency.
pub fn seal_groups(
    sealer: &Sealer,
    report_id: &ReportId,
    report: &ValidReport,
    reasons: &[&str],
) -> Vec<Option<Vec<u8>>> {
    let c = &report.content;
    let profile = Profile {
        incident_month: report.incident_month.clone(),
        age_groups: report.age_groups.iter().map(|g| (*g).to_owned()).collect(),
    };
    SEALED_COLUMNS
        .iter()
        .map(|column| {
            let s = |v: &dyn erased::Json| v.seal(sealer, report_id, column);
            match *column {
                "narrative" => s(&c.narrative),
                "place" => s(&c.place),
                "incident" => s(&c.incident),
                "people" => s(&c.people),
                "signs" => s(&c.signs),
                "identifiers" => s(&c.identifiers),
                "contact" => c.contact.as_ref().and_then(|c| s(c)),
                "abuse_material" => c.abuse_material.as_ref().and_then(|a| s(a)),
                "profile" => s(&profile),
                "urgency_why" => s(&reasons),
                _ => None,
            }
        })
        .collect()
}

mod erased {
    //! Lets `seal_groups` treat the differently typed groups alike.
    use super::*;

    pub trait Json {
        fn seal(&self, sealer: &Sealer, report_id: &ReportId, column: &str) -> Option<Vec<u8>>;
    }

    impl<T: Serialize> Json for T {
        fn seal(&self, sealer: &Sealer, report_id: &ReportId, column: &str) -> Option<Vec<u8>> {
            seal_json(sealer, report_id, column, self)
        }
    }
}

/// A stored report with its sealed groups opened.
pub type OpenedReport = ReportContent;

fn open_json<T: DeserializeOwned>(
    sealer: &Sealer,
    stored: &StoredReport,
    column: &str,
) -> Result<Option<T>, StoreError> {
    let Some((_, Some(blob))) = stored.sealed.iter().find(|(c, _)| *c == column) else {
        return Ok(None);
    };
    let plain = sealer.open(&Aad::field(REPORTS, stored.id.as_str(), column), blob)?;
    serde_json::from_slice(&plain)
        .map(Some)
        .map_err(|_| StoreError::Corrupt)
}

/// A report opened group by group: what could be opened, and whether any group could not.
#[derive(Debug, Clone)]
pub struct OpenedParts {
    pub content: OpenedReport,
    pub profile: Profile,
    /// Fluent keys of the reasons for the urgency.
    pub urgency_reasons: Vec<String>,
    /// A sealed group could not be opened (damaged at rest), or a group is missing or added
    /// against the report's sealed manifest: what could not be opened reads as empty.
    pub damaged: bool,
}

/// Opens each sealed group of a stored report on its own, so that one group damaged at rest
/// leaves the others readable (for the views that show a report; filing, assessment and
/// re-indexing want the whole report, see [`open_report`]).
pub fn open_report_parts(sealer: &Sealer, stored: &StoredReport) -> OpenedParts {
    let mut damaged = !manifest_matches(sealer, stored);
    let content = OpenedReport {
        narrative: part(sealer, stored, "narrative", &mut damaged).unwrap_or_default(),
        place: part(sealer, stored, "place", &mut damaged).unwrap_or_default(),
        incident: part(sealer, stored, "incident", &mut damaged).unwrap_or_default(),
        people: part(sealer, stored, "people", &mut damaged).unwrap_or_default(),
        signs: part(sealer, stored, "signs", &mut damaged).unwrap_or_default(),
        identifiers: part(sealer, stored, "identifiers", &mut damaged).unwrap_or_default(),
        contact: part(sealer, stored, "contact", &mut damaged),
        abuse_material: part(sealer, stored, "abuse_material", &mut damaged),
    };
    let profile = part(sealer, stored, "profile", &mut damaged).unwrap_or_default();
    let urgency_reasons = part(sealer, stored, "urgency_why", &mut damaged).unwrap_or_default();
    OpenedParts {
        content,
        profile,
        urgency_reasons,
        damaged,
    }
}

/// One sealed group, `None` when empty or damaged (then `damaged` is set).
fn part<T: DeserializeOwned>(
    sealer: &Sealer,
    stored: &StoredReport,
    column: &str,
    damaged: &mut bool,
) -> Option<T> {
    open_json(sealer, stored, column).unwrap_or_else(|_| {
        *damaged = true;
        None
    })
}

/// Opens every sealed group of a stored report; a report whose groups do not match its sealed
/// manifest is damaged.
pub fn open_report(sealer: &Sealer, stored: &StoredReport) -> Result<OpenedReport, StoreError> {
    if !manifest_matches(sealer, stored) {
        return Err(StoreError::Corrupt);
    }
    Ok(OpenedReport {
        narrative: open_json(sealer, stored, "narrative")?.unwrap_or_default(),
        place: open_json(sealer, stored, "place")?.unwrap_or_default(),
        incident: open_json(sealer, stored, "incident")?.unwrap_or_default(),
        people: open_json(sealer, stored, "people")?.unwrap_or_default(),
        signs: open_json(sealer, stored, "signs")?.unwrap_or_default(),
        identifiers: open_json(sealer, stored, "identifiers")?.unwrap_or_default(),
        contact: open_json(sealer, stored, "contact")?,
        abuse_material: open_json(sealer, stored, "abuse_material")?,
    })
}

/// Associated data of an attachment's sealed metadata or content.
pub fn attachment_aad(report_id: &ReportId, attachment_id: &str, part: &str) -> Aad {
    Aad::field("attachments", &format!("{report_id}/{attachment_id}"), part)
}
