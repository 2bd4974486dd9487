//! Reads the public report form (multipart/form-data, so files can come along) into a
//! [`ReportInput`], the form token and the raw files. Text fields and part counts are bounded.

use crate::intake::attachments::MAX_ATTACHMENT_BYTES;
use crate::intake::report::ReportInput;
use axum::extract::Multipart;

/// Longest text field accepted from the form, in bytes (validation then applies its limits).
const MAX_TEXT_BYTES: usize = 100 * 1024;
/// Most parts in one form.
const MAX_PARTS: usize = 300;
/// The name of the field hidden from people, screen readers and autofill: a person leaves it
/// empty, a script that fills every field does not.
pub const HONEYPOT: &str = "note_2";

/// A file as uploaded, before sniffing and cleaning.
#[derive(Debug)]
pub struct UploadedFile {
    /// The name the browser gave, only ever shown back to the same reporter.
    pub name: String,
    pub bytes: Vec<u8>,
}

/// The form as submitted.
#[derive(Debug, Default)]
pub struct SubmittedForm {
    pub input: ReportInput,
    pub token: String,
    pub files: Vec<UploadedFile>,
    /// A file was larger than allowed (not kept, reported as an error).
    pub oversized_file: bool,
    /// The field hidden from people was filled in (a sign of a script).
    pub honeypot: bool,
}

/// Why a form could not be read at all.
#[derive(Debug, thiserror::Error)]
pub enum FormError {
    #[error("the form is too large")]
    TooLarge,
    #[error("the form could not be read")]
    Malformed,
}

fn lines(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Reads every part of the form.
pub async fn read(mut multipart: Multipart) -> Result<SubmittedForm, FormError> {
    let mut form = SubmittedForm {
        input: ReportInput {
            anonymous: true,
            ..Default::default()
        },
        ..Default::default()
    };
    let mut parts = 0;
    while let Some(mut field) = multipart.next_field().await.map_err(classify)? {
        parts += 1;
        if parts > MAX_PARTS {
            return Err(FormError::Malformed);
        }
        let name = field.name().unwrap_or_default().to_owned();
        if name == "attachments" {
            let file_name = field.file_name().unwrap_or_default().to_owned();
            let mut bytes = Vec::new();
            let mut too_large = false;
            while let Some(chunk) = field.chunk().await.map_err(classify)? {
                if bytes.len() + chunk.len() > MAX_ATTACHMENT_BYTES {
                    too_large = true;
                    continue;
                }
                bytes.extend_from_slice(&chunk);
            }
            if too_large {
                form.oversized_file = true;
            } else if !bytes.is_empty() {
                form.files.push(UploadedFile {
                    name: file_name,
                    bytes,
                });
            }
            continue;
        }
        let mut value = Vec::new();
        while let Some(chunk) = field.chunk().await.map_err(classify)? {
            if value.len() + chunk.len() > MAX_TEXT_BYTES {
                return Err(FormError::TooLarge);
            }
            value.extend_from_slice(&chunk);
        }
        let value = String::from_utf8(value).map_err(|_| FormError::Malformed)?;
        set_field(&mut form, &name, value);
    }
    Ok(form)
}

fn set_field(form: &mut SubmittedForm, name: &str, value: String) {
    let i = &mut form.input;
    match name {
        "form_token" => form.token = value,
        "category" => i.category = value,
        "narrative" => i.narrative = value,
        "country" => i.country = value,
        "city" => i.city = value,
        "venue" => i.venue = value,
        "incident_date" => i.incident_date = value,
        "still_happening" => i.still_happening = value == "yes",
        "people_count" => i.people_count = value,
        "age_groups" => i.age_groups.push(value),
        "child_involved" => i.child_involved = value,
        "victims_description" => i.victims_description = value,
        "exploiters_description" => i.exploiters_description = value,
        "warning_signs" => i.warning_signs.push(value),
        "phones" => i.phones = lines(&value),
        "emails" => i.emails = lines(&value),
        "websites" => i.websites = lines(&value),
        "social_handles" => i.social_handles = lines(&value),
        "vehicle_plates" => i.vehicle_plates = lines(&value),
        "abuse_url" => i.abuse_url = value,
        "abuse_where" => i.abuse_where = value,
        "anonymous" => i.anonymous = value != "no",
        "contact_name" => i.contact_name = value,
        "contact_email" => i.contact_email = value,
        "contact_phone" => i.contact_phone = value,
        "campaign" => i.campaign = value,
        "lang" => i.language = value,
        HONEYPOT => form.honeypot = !value.trim().is_empty(),
        _ => {}
    }
}

fn classify(e: axum::extract::multipart::MultipartError) -> FormError {
    if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
        FormError::TooLarge
    } else {
        FormError::Malformed
    }
}
