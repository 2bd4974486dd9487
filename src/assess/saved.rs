//! A saved assessment's sealed detail: what was ticked, the presumption and the trafficking
//! status with any reason. None of it is in clear; it is bound to the report, the author, the
//! assessment and the person it is about, so a row moved in the database does not open.

use crate::seal::{Sealer, bound};
use crate::store::assessments::AssessmentRow;
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

/// The sealed part of a saved assessment.
#[derive(Debug, Clone, Serialize, Deserialize, Default, PartialEq, Eq)]
pub struct Detail {
    pub ticked: Vec<String>,
    pub seen_by_reporter: Vec<String>,
    pub status_reason: String,
    /// The indicators met make a presumed victim.
    #[serde(default)]
    pub presumed: bool,
    /// HTCDS `vic_TraffickingStatus`, when one was suggested or recorded.
    #[serde(default)]
    pub trafficking_status: Option<String>,
}

fn aad(row: &AssessmentRow) -> crate::seal::Aad {
    bound::assessment(&row.report_id, &row.created_by, &row.id, row.person)
}

/// Seals `detail` for `row` (whose id, report, person and author are set).
pub fn seal(sealer: &Sealer, row: &AssessmentRow, detail: &Detail) -> Vec<u8> {
    let json = Zeroizing::new(serde_json::to_vec(detail).unwrap_or_default());
    sealer.seal(&aad(row), &json)
}

/// Opens the detail of a saved assessment; `None` when it cannot be opened (damaged at rest,
/// or moved to another report, person or author).
pub fn open(sealer: &Sealer, row: &AssessmentRow) -> Option<Detail> {
    sealer
        .open(&aad(row), &row.detail)
        .ok()
        .and_then(|d| serde_json::from_slice(&d).ok())
}
