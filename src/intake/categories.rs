//! The one table of report categories: id, translation key and HTCDS `vic_TypeOfExploitation`
//! mapping. The public form, the API, triage, statistics and exports all read this table.

/// HTCDS `vic_TypeOfExploitation` values used by the category table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HtcdsExploitation {
    ForcedLabour,
    SexualExploitation,
    ForcedMarriage,
    Servitude,
    OrganRemoval,
    ForcedBegging,
    ForcedAdoption,
    Surrogacy,
    Other,
}

impl HtcdsExploitation {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ForcedLabour => "ForcedLabour",
            Self::SexualExploitation => "SexualExploitation",
            Self::ForcedMarriage => "ForcedMarriage",
            Self::Servitude => "Servitude",
            Self::OrganRemoval => "OrganRemoval",
            Self::ForcedBegging => "ForcedBegging",
            Self::ForcedAdoption => "ForcedAdoption",
            Self::Surrogacy => "Surrogacy",
            Self::Other => "Other",
        }
    }
}

/// Which form a category asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormKind {
    /// The full report form.
    Full,
    /// The short form for abuse material online: the URL, where it was found, a comment.
    AbuseMaterialUrl,
}

/// One kind of situation a reporter can choose.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Category {
    /// Stable id, stored in clear and used in URLs and the API.
    pub id: &'static str,
    /// HTCDS mapping (several values where the category spans them).
    pub htcds: &'static [HtcdsExploitation],
    /// The category is about a child by definition.
    pub involves_child: bool,
    pub form: FormKind,
}

impl Category {
    /// The Fluent key of the label shown to reporters.
    pub fn label_key(&self) -> String {
        format!("category-{}", self.id.replace('_', "-"))
    }

    /// The Fluent key of the one-line explanation under the label.
    pub fn hint_key(&self) -> String {
        format!("{}-hint", self.label_key())
    }
}

use FormKind::{AbuseMaterialUrl, Full};
use HtcdsExploitation as H;

/// All categories in the order the form shows them.
#[rustfmt::skip]
pub const CATEGORIES: &[Category] = &[
    Category { id: "sexual_exploitation", htcds: &[H::SexualExploitation], involves_child: false, form: Full },
    Category { id: "labour_exploitation", htcds: &[H::ForcedLabour], involves_child: false, form: Full },
    Category { id: "domestic_servitude", htcds: &[H::Servitude], involves_child: false, form: Full },
    Category { id: "child_sexual_exploitation", htcds: &[H::SexualExploitation], involves_child: true, form: Full },
    // The hotline's own categories map to Other plus their own id (see the assessment issue).
    Category { id: "child_travel_tourism", htcds: &[H::Other], involves_child: true, form: Full },
    Category { id: "online_grooming", htcds: &[H::Other], involves_child: true, form: Full },
    Category { id: "abuse_material_online", htcds: &[H::Other], involves_child: true, form: AbuseMaterialUrl },
    Category { id: "forced_begging_criminality", htcds: &[H::ForcedBegging, H::Other], involves_child: false, form: Full },
    Category { id: "forced_marriage", htcds: &[H::ForcedMarriage], involves_child: false, form: Full },
    Category { id: "organ_removal", htcds: &[H::OrganRemoval], involves_child: false, form: Full },
    Category { id: "illegal_adoption_surrogacy", htcds: &[H::ForcedAdoption, H::Surrogacy], involves_child: false, form: Full },
    Category { id: "other", htcds: &[H::Other], involves_child: false, form: Full },
];

/// Finds a category by its id.
pub fn by_id(id: &str) -> Option<&'static Category> {
    CATEGORIES.iter().find(|c| c.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_every_category_maps_to_htcds() {
        for (i, c) in CATEGORIES.iter().enumerate() {
            assert!(!c.htcds.is_empty(), "{}", c.id);
            assert!(CATEGORIES[i + 1..].iter().all(|o| o.id != c.id), "{}", c.id);
            assert_eq!(by_id(c.id), Some(c));
        }
        assert_eq!(CATEGORIES.len(), 12);
        assert_eq!(
            by_id("abuse_material_online").map(|c| c.form),
            Some(AbuseMaterialUrl)
        );
        assert!(by_id("nope").is_none());
    }
}
