//! How a validated report becomes sealed columns, and how permitted code opens them again.
//! Each group of sensitive fields is serialised to JSON and sealed with associated data naming
//! the report and the column, so no sealed value can be moved to another report or column.

use super::report::{ReportContent, ValidReport};
use crate::seal::{Aad, Sealer};
use crate::store::StoreError;
use crate::store::reports::{SEALED_COLUMNS, StoredReport};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// The table name used in associated data for report columns.
pub const REPORTS: &str = "reports";

fn seal_json<T: Serialize>(
    sealer: &Sealer,
    report_id: &str,
    column: &str,
    value: &T,
) -> Option<Vec<u8>> {
    let json = zeroize::Zeroizing::new(serde_json::to_vec(value).ok()?);
    Some(sealer.seal(&Aad::field(REPORTS, report_id, column), &json))
}

/// Seals every group of `report` in the order of [`SEALED_COLUMNS`]; empty groups stay `None`.
pub fn seal_groups(sealer: &Sealer, report_id: &str, report: &ValidReport) -> Vec<Option<Vec<u8>>> {
    let c = &report.content;
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
                _ => None,
            }
        })
        .collect()
}

mod erased {
    //! Lets `seal_groups` treat the differently typed groups alike.
    use super::*;

    pub trait Json {
        fn seal(&self, sealer: &Sealer, report_id: &str, column: &str) -> Option<Vec<u8>>;
    }

    impl<T: Serialize> Json for T {
        fn seal(&self, sealer: &Sealer, report_id: &str, column: &str) -> Option<Vec<u8>> {
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
    let plain = sealer.open(&Aad::field(REPORTS, &stored.id, column), blob)?;
    serde_json::from_slice(&plain)
        .map(Some)
        .map_err(|_| StoreError::Corrupt)
}

/// A report opened group by group: what could be opened, and whether any group could not.
#[derive(Debug, Clone)]
pub struct OpenedParts {
    pub content: OpenedReport,
    /// A sealed group could not be opened (damaged at rest): it reads as empty in `content`.
    pub damaged: bool,
}

/// Opens each sealed group of a stored report on its own, so that one group damaged at rest
/// leaves the others readable (for the views that show a report; filing, assessment and
/// re-indexing want the whole report, see [`open_report`]).
pub fn open_report_parts(sealer: &Sealer, stored: &StoredReport) -> OpenedParts {
    let mut damaged = false;
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
    OpenedParts { content, damaged }
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

/// Opens every sealed group of a stored report.
pub fn open_report(sealer: &Sealer, stored: &StoredReport) -> Result<OpenedReport, StoreError> {
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
pub fn attachment_aad(report_id: &str, attachment_id: &str, part: &str) -> Aad {
    Aad::field("attachments", &format!("{report_id}/{attachment_id}"), part)
}
