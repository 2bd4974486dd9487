//! A report as the reporter gives it ([`ReportInput`], from the form or the API), its validation
//! into a [`ValidReport`] with errors per field, and the facts its urgency is decided from. Nothing here touches keys
//! or storage.

use super::categories::{self, Category, FormKind};
use super::countries;
use crate::assess::urgency::{Fact, actionable_place_and_time};
use crate::types::language_or_default;
use crate::types::vocabulary::{self, AGE_GROUPS, CHILD_ANSWERS, WARNING_SIGNS};
use serde::{Deserialize, Serialize};
use time::Date;
use time::macros::format_description;

/// Longest "what happened" text, in characters.
pub const MAX_NARRATIVE: usize = 20_000;
/// Longest description of people, in characters.
pub const MAX_DESCRIPTION: usize = 5_000;
/// Longest short answer (city, venue, contact fields, one identifier), in characters.
pub const MAX_SHORT: usize = 300;
/// Longest URL of abuse material, in characters.
pub const MAX_URL: usize = 2_000;
/// Most entries in one identifier list.
pub const MAX_IDENTIFIERS: usize = 50;

/// How a report arrived (stored in clear for statistics).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Form,
    Api,
    Partner,
    Campaign,
}

impl Channel {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Form => "form",
            Self::Api => "api",
            Self::Partner => "partner",
            Self::Campaign => "campaign",
        }
    }
}

/// Everything a reporter may send, as raw text. The form and the API both fill this.
#[derive(Debug, Default, Clone, Deserialize, Serialize, PartialEq)]
#[serde(default)]
pub struct ReportInput {
    pub category: String,
    pub narrative: String,
    pub country: String,
    pub city: String,
    pub venue: String,
    pub incident_date: String,
    pub still_happening: bool,
    pub people_count: String,
    pub age_groups: Vec<String>,
    pub child_involved: String,
    pub victims_description: String,
    pub exploiters_description: String,
    pub warning_signs: Vec<String>,
    pub phones: Vec<String>,
    pub emails: Vec<String>,
    pub websites: Vec<String>,
    pub social_handles: Vec<String>,
    pub vehicle_plates: Vec<String>,
    pub abuse_url: String,
    pub abuse_where: String,
    pub anonymous: bool,
    pub contact_name: String,
    pub contact_email: String,
    pub contact_phone: String,
    pub campaign: String,
    pub language: String,
}

/// One wrong answer: the field (a JSON Pointer without the leading slash, e.g. `phones/2`) and
/// the Fluent key of the message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: String,
    pub code: &'static str,
}

impl FieldError {
    fn new(field: impl Into<String>, code: &'static str) -> Self {
        Self {
            field: field.into(),
            code,
        }
    }
}

/// Sealed group: what happened.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
pub struct Narrative {
    pub narrative: String,
}

/// Sealed group: where.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
pub struct Place {
    pub city: String,
    pub venue: String,
}

/// Sealed group: when, precisely.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
pub struct Incident {
    pub date: Option<String>,
    pub still_happening: bool,
}

/// Sealed group: who.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
pub struct People {
    pub count: Option<u32>,
    pub victims_description: String,
    pub exploiters_description: String,
}

/// Sealed group: warning signs seen.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
pub struct Signs {
    pub warning_signs: Vec<String>,
}

/// Sealed group: identifiers the reporter gave.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
pub struct Identifiers {
    pub phones: Vec<String>,
    pub emails: Vec<String>,
    pub websites: Vec<String>,
    pub social_handles: Vec<String>,
    pub vehicle_plates: Vec<String>,
}

/// Sealed group: the reporter's contact details, only when they chose to leave them.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
pub struct Contact {
    pub name: String,
    pub email: String,
    pub phone: String,
}

/// Sealed group: abuse material online (never the images, only where it is).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
pub struct AbuseMaterial {
    pub url: String,
    pub where_found: String,
}

/// Everything sensitive a report holds: each group is sealed in its own column.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ReportContent {
    pub narrative: Narrative,
    pub place: Place,
    pub incident: Incident,
    pub people: People,
    pub signs: Signs,
    pub identifiers: Identifiers,
    pub contact: Option<Contact>,
    pub abuse_material: Option<AbuseMaterial>,
}

/// A report that passed validation, split into what stays in clear and what is sealed.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidReport {
    pub category: &'static Category,
    pub language: &'static str,
    pub country: Option<String>,
    pub incident_month: Option<String>,
    pub child_involved: &'static str,
    pub age_groups: Vec<&'static str>,
    pub channel: Channel,
    pub campaign: Option<String>,
    /// What is sealed.
    pub content: ReportContent,
}

impl ReportContent {
    /// The facts the urgency rules look at (see the catalogue's `[[urgency]]` rules), from a
    /// report's content and whether a child is involved.
    pub fn facts(&self, child_involved: bool, today: Date) -> Vec<Fact> {
        let date = self
            .incident
            .date
            .as_deref()
            .and_then(|d| Date::parse(d, format_description!("[year]-[month]-[day]")).ok());
        let place = !self.place.city.is_empty() || !self.place.venue.is_empty();
        let still = self.incident.still_happening;
        [
            (child_involved, Fact::ChildInvolved),
            (still, Fact::StillHappening),
            (
                self.signs
                    .warning_signs
                    .iter()
                    .any(|s| s == "immediate_danger"),
                Fact::ImmediateDanger,
            ),
            (
                actionable_place_and_time(place, date, still, today),
                Fact::ActionablePlaceAndTime,
            ),
        ]
        .into_iter()
        .filter_map(|(holds, fact)| holds.then_some(fact))
        .collect()
    }
}

impl ValidReport {
    /// The facts the urgency rules look at, at filing time.
    pub fn facts(&self, today: Date) -> Vec<Fact> {
        self.content.facts(self.child_involved == "yes", today)
    }
}

/// A campaign id is a short slug: lower-case letters, digits and dashes.
pub fn valid_campaign(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

struct Checker {
    errors: Vec<FieldError>,
}

impl Checker {
    fn text(&mut self, field: &str, value: &str, max: usize) -> String {
        let value = value.trim();
        if value.chars().count() > max {
            self.errors.push(FieldError::new(field, "error-too-long"));
        }
        value.to_owned()
    }

    fn required(&mut self, field: &str, value: &str, max: usize) -> String {
        let value = self.text(field, value, max);
        if value.is_empty() {
            self.errors.push(FieldError::new(field, "error-required"));
        }
        value
    }

    fn list(&mut self, field: &str, values: &[String]) -> Vec<String> {
        let kept: Vec<String> = values
            .iter()
            .enumerate()
            .filter_map(|(i, v)| {
                let v = self.text(&format!("{field}/{i}"), v, MAX_SHORT);
                (!v.is_empty()).then_some(v)
            })
            .collect();
        if kept.len() > MAX_IDENTIFIERS {
            self.errors.push(FieldError::new(field, "error-too-many"));
        }
        kept
    }

    fn choices(
        &mut self,
        field: &str,
        values: &[String],
        allowed: &[&'static str],
    ) -> Vec<&'static str> {
        let mut out = Vec::new();
        for (i, v) in values.iter().enumerate() {
            match allowed.iter().find(|a| **a == v.trim()) {
                Some(a) if !out.contains(a) => out.push(*a),
                Some(_) => {}
                None => self.errors.push(FieldError::new(
                    format!("{field}/{i}"),
                    "error-invalid-choice",
                )),
            }
        }
        out
    }
}

/// Checks a report. `today` is the server's date, so no incident can lie in the future.
pub fn validate(
    input: &ReportInput,
    channel: Channel,
    today: Date,
) -> Result<ValidReport, Vec<FieldError>> {
    let mut c = Checker { errors: Vec::new() };
    let category = categories::by_id(input.category.trim());
    if category.is_none() {
        c.errors
            .push(FieldError::new("category", "error-choose-category"));
    }
    let short_form = category.map(|c| c.form) == Some(FormKind::AbuseMaterialUrl);

    let abuse_material = if short_form {
        let url = c.required("abuse_url", &input.abuse_url, MAX_URL);
        if !url.is_empty() && !looks_like_web_address(&url) {
            c.errors.push(FieldError::new("abuse_url", "error-url"));
        }
        Some(AbuseMaterial {
            url,
            where_found: c.text("abuse_where", &input.abuse_where, MAX_SHORT),
        })
    } else {
        None
    };
    let narrative = if short_form {
        c.text("narrative", &input.narrative, MAX_NARRATIVE)
    } else {
        c.required("narrative", &input.narrative, MAX_NARRATIVE)
    };

    let country = input.country.trim().to_ascii_uppercase();
    let country = if country.is_empty() {
        None
    } else if countries::is_country(&country) {
        Some(country)
    } else {
        c.errors
            .push(FieldError::new("country", "error-invalid-choice"));
        None
    };
    let place = Place {
        city: c.text("city", &input.city, MAX_SHORT),
        venue: c.text("venue", &input.venue, MAX_SHORT),
    };

    let date = parse_incident_date(&mut c, &input.incident_date, today);
    let incident = Incident {
        date: date.map(|d| d.to_string()),
        still_happening: input.still_happening,
    };
    let incident_month = match date {
        Some(d) => Some(format!("{:04}-{:02}", d.year(), u8::from(d.month()))),
        None if input.still_happening => Some(format!(
            "{:04}-{:02}",
            today.year(),
            u8::from(today.month())
        )),
        None => None,
    };

    let count = input.people_count.trim();
    let count = if count.is_empty() {
        None
    } else {
        match count.parse::<u32>() {
            Ok(n) if (1..=10_000).contains(&n) => Some(n),
            _ => {
                c.errors
                    .push(FieldError::new("people_count", "error-people-count"));
                None
            }
        }
    };
    let people = People {
        count,
        victims_description: c.text(
            "victims_description",
            &input.victims_description,
            MAX_DESCRIPTION,
        ),
        exploiters_description: c.text(
            "exploiters_description",
            &input.exploiters_description,
            MAX_DESCRIPTION,
        ),
    };
    let age_groups = c.choices("age_groups", &input.age_groups, AGE_GROUPS);
    let answer = input.child_involved.trim();
    let answered = if answer.is_empty() {
        "unsure"
    } else if let Some(a) = CHILD_ANSWERS.iter().find(|a| **a == answer) {
        a
    } else {
        c.errors
            .push(FieldError::new("child_involved", "error-invalid-choice"));
        "unsure"
    };
    let child_by_facts = category.is_some_and(|c| c.involves_child)
        || age_groups.iter().any(|g| vocabulary::is_child_age_group(g));
    let child_involved = if child_by_facts { "yes" } else { answered };

    let signs = Signs {
        warning_signs: c
            .choices("warning_signs", &input.warning_signs, WARNING_SIGNS)
            .into_iter()
            .map(str::to_owned)
            .collect(),
    };
    let identifiers = Identifiers {
        phones: c.list("phones", &input.phones),
        emails: c.list("emails", &input.emails),
        websites: c.list("websites", &input.websites),
        social_handles: c.list("social_handles", &input.social_handles),
        vehicle_plates: c.list("vehicle_plates", &input.vehicle_plates),
    };

    // Contact details typed by someone who then chose anonymity are dropped, never stored.
    let contact = if input.anonymous {
        None
    } else {
        let contact = Contact {
            name: c.text("contact_name", &input.contact_name, MAX_SHORT),
            email: c.text("contact_email", &input.contact_email, MAX_SHORT),
            phone: c.text("contact_phone", &input.contact_phone, MAX_SHORT),
        };
        if contact.email.is_empty() && contact.phone.is_empty() {
            c.errors
                .push(FieldError::new("contact_email", "error-contact-needed"));
        } else if !contact.email.is_empty() && !looks_like_email(&contact.email) {
            c.errors
                .push(FieldError::new("contact_email", "error-email"));
        }
        Some(contact)
    };

    let campaign = input.campaign.trim();
    let campaign = if campaign.is_empty() {
        None
    } else if valid_campaign(campaign) {
        Some(campaign.to_owned())
    } else {
        c.errors
            .push(FieldError::new("campaign", "error-invalid-choice"));
        None
    };
    let channel = match (channel, &campaign) {
        (Channel::Form, Some(_)) => Channel::Campaign,
        (ch, _) => ch,
    };

    let Some(category) = category else {
        return Err(c.errors);
    };
    if !c.errors.is_empty() {
        return Err(c.errors);
    }

    Ok(ValidReport {
        category,
        language: language_or_default(&input.language),
        country,
        incident_month,
        child_involved,
        age_groups,
        channel,
        campaign,
        content: ReportContent {
            narrative: Narrative { narrative },
            place,
            incident,
            people,
            signs,
            identifiers,
            contact,
            abuse_material,
        },
    })
}

fn parse_incident_date(c: &mut Checker, raw: &str, today: Date) -> Option<Date> {
    let raw = raw.trim();
    if raw.is_empty() {
        return None;
    }
    match Date::parse(raw, format_description!("[year]-[month]-[day]")) {
        Ok(d) if d <= today => Some(d),
        Ok(_) => {
            c.errors
                .push(FieldError::new("incident_date", "error-date-future"));
            None
        }
        Err(_) => {
            c.errors
                .push(FieldError::new("incident_date", "error-date"));
            None
        }
    }
}

fn looks_like_email(s: &str) -> bool {
    match s.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !s.contains(char::is_whitespace)
        }
        None => false,
    }
}

fn looks_like_web_address(s: &str) -> bool {
    let rest = s
        .strip_prefix("https://")
        .or_else(|| s.strip_prefix("http://"))
        .unwrap_or(s);
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    host.contains('.') && !s.contains(char::is_whitespace)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    const TODAY: Date = date!(2026 - 11 - 23);

    fn full() -> ReportInput {
        ReportInput {
            category: "labour_exploitation".into(),
            narrative: "Workers sleep in the restaurant kitchen.".into(),
            country: "lu".into(),
            incident_date: "2026-10-02".into(),
            anonymous: true,
            contact_email: "typed-then-anonymous@example.org".into(),
            language: "FR".into(),
            ..Default::default()
        }
    }

    #[test]
    fn a_complete_report_validates_and_drops_contact_when_anonymous() {
        let v = validate(&full(), Channel::Form, TODAY).unwrap();
        assert_eq!(v.country.as_deref(), Some("LU"));
        assert_eq!(v.incident_month.as_deref(), Some("2026-10"));
        assert_eq!(v.language, "fr");
        assert_eq!(v.content.contact, None);
    }

    #[test]
    fn missing_and_wrong_answers_are_reported_per_field() {
        let input = ReportInput {
            category: "labour_exploitation".into(),
            country: "XX".into(),
            incident_date: "2027-01-01".into(),
            people_count: "many".into(),
            phones: vec!["+352 621 000 000".into(), "x".repeat(400)],
            anonymous: false,
            contact_email: "not-an-address".into(),
            ..Default::default()
        };
        let errors = validate(&input, Channel::Form, TODAY).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "narrative",
                "country",
                "incident_date",
                "people_count",
                "phones/1",
                "contact_email"
            ]
        );
    }

    #[test]
    fn abuse_material_uses_the_short_form() {
        let input = ReportInput {
            category: "abuse_material_online".into(),
            abuse_url: "example.com/gallery/123".into(),
            anonymous: true,
            ..Default::default()
        };
        let v = validate(&input, Channel::Api, TODAY).unwrap();
        assert_eq!(v.child_involved, "yes");
        let bad = ReportInput {
            abuse_url: "not a url".into(),
            ..input
        };
        assert_eq!(
            validate(&bad, Channel::Api, TODAY).unwrap_err()[0].field,
            "abuse_url"
        );
    }

    #[test]
    fn a_child_age_group_means_a_child_is_involved_and_campaign_sets_channel() {
        let input = ReportInput {
            age_groups: vec!["12_17".into()],
            still_happening: true,
            campaign: "hotel-2026".into(),
            ..full()
        };
        let v = validate(&input, Channel::Form, TODAY).unwrap();
        assert_eq!(v.child_involved, "yes");
        assert!(v.facts(TODAY).contains(&Fact::ChildInvolved));
        assert_eq!(v.channel, Channel::Campaign);
    }
}
