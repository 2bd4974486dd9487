//! The public pages: landing, choosing a category, the report form and its confirmation, the
//! quick exit, health and static files. Every page works without JavaScript.

use super::error::{PageError, PageProblem, Refusal, RenderFailed, Unhealthy, log_internal};
use super::form::{self, SubmittedForm};
use super::i18n::{LANGUAGES, Lang};
use super::{AppState, MAX_FILES};
use crate::intake::attachments::{AttachmentError, CleanAttachment, MAX_ATTACHMENT_BYTES};
use crate::intake::categories::{self, CATEGORIES, Category, FormKind};
use crate::intake::countries;
use crate::intake::junk::{Sign, Suspicion};
use crate::intake::report::{self, Channel, FieldError, ReportInput};
use crate::intake::submit::{FileError, Submission};
use crate::types::vocabulary::{self, AGE_GROUPS, CHILD_ANSWERS, WARNING_SIGNS};
use axum::extract::multipart::MultipartRejection;
use axum::extract::{ConnectInfo, Multipart, Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use minijinja::{Value, context};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::net::SocketAddr;

/// Query parameters every public page understands.
#[derive(Debug, Default, Deserialize)]
pub struct PageQuery {
    pub lang: Option<String>,
    pub category: Option<String>,
    pub campaign: Option<String>,
    /// Set by the category form, so that sending it without a choice shows an error.
    pub step: Option<String>,
}

fn campaign_of(q: &PageQuery) -> Option<String> {
    q.campaign
        .as_deref()
        .filter(|c| report::valid_campaign(c))
        .map(str::to_owned)
}

#[derive(Serialize)]
struct LanguageLink {
    code: &'static str,
    name: String,
    href: String,
    current: bool,
}

#[derive(Serialize)]
struct ShownNumber {
    number: String,
    dial: String,
    label: String,
}

impl AppState {
    /// What every page needs: language, switcher links, help numbers, the exit address.
    /// `path` is the page's own path with its query (without `lang`), ending in `?` or `&`.
    pub(crate) fn page_context(&self, lang: &'static str, path: &str) -> Value {
        let languages: Vec<LanguageLink> = LANGUAGES
            .iter()
            .map(|code| LanguageLink {
                code,
                name: self.i18n.t(code, "language-name", None),
                href: format!("{path}lang={code}"),
                current: *code == lang,
            })
            .collect();
        let help_numbers: Vec<ShownNumber> = self
            .help_numbers
            .iter()
            .map(|n| ShownNumber {
                dial: n
                    .number
                    .chars()
                    .filter(|c| c.is_ascii_digit() || *c == '+')
                    .collect(),
                label: n
                    .labels
                    .get(lang)
                    .or_else(|| n.labels.get("en"))
                    .cloned()
                    .or_else(|| n.label_key.as_deref().map(|k| self.i18n.t(lang, k, None)))
                    .unwrap_or_default(),
                number: n.number.clone(),
            })
            .collect();
        context! { lang, languages, help_numbers, exit_url => self.exit_url.clone(), exit_href => "/exit" }
    }

    /// Renders a template, or a plain error if the template itself fails.
    pub(crate) fn render(&self, status: StatusCode, name: &str, ctx: Value) -> Response {
        match self.templates.render(name, ctx) {
            Ok(html) => (status, Html(html)).into_response(),
            Err(e) => RenderFailed {
                reference: log_internal("render", &e),
            }
            .into_response(),
        }
    }

    /// A translated message page for something that went wrong.
    pub fn problem_page(
        &self,
        lang: &'static str,
        problem: PageProblem,
        reference: Option<String>,
    ) -> Response {
        let key = problem.key();
        let ctx = context! {
            title => self.i18n.t(lang, &format!("{key}-title"), None),
            text => self.i18n.t(lang, &format!("{key}-text"), None),
            reference,
            ..self.page_context(lang, "/?")
        };
        self.render(problem.status(), "message.html", ctx)
    }
}

pub async fn landing(
    State(state): State<AppState>,
    Lang(lang): Lang,
    Query(q): Query<PageQuery>,
) -> Response {
    let campaign = campaign_of(&q);
    let path = match &campaign {
        Some(c) => format!("/?campaign={c}&"),
        None => "/?".to_owned(),
    };
    let ctx = context! { campaign, ..state.page_context(lang, &path) };
    state.render(StatusCode::OK, "landing.html", ctx)
}

#[derive(Serialize)]
struct CategoryChoice {
    id: &'static str,
    label_key: String,
    hint_key: String,
}

fn category_choices() -> Vec<CategoryChoice> {
    CATEGORIES
        .iter()
        .map(|c| CategoryChoice {
            id: c.id,
            label_key: c.label_key(),
            hint_key: c.hint_key(),
        })
        .collect()
}

/// `GET /report`: the category choice, or the form for the chosen category.
pub async fn report_form(
    State(state): State<AppState>,
    Lang(lang): Lang,
    Query(q): Query<PageQuery>,
) -> Result<Response, PageError> {
    let campaign = campaign_of(&q);
    match q.category.as_deref().and_then(categories::by_id) {
        Some(category) => {
            let input = ReportInput {
                category: category.id.to_owned(),
                anonymous: true,
                campaign: campaign.clone().unwrap_or_default(),
                language: lang.to_owned(),
                ..Default::default()
            };
            if !state.limits.allow_form_issue() {
                return Err(PageProblem::TooMany.into());
            }
            let token = state.tokens.issue(state.clock.now());
            Ok(state.form_page(
                StatusCode::OK,
                lang,
                category,
                &input,
                FormState {
                    token,
                    ..Default::default()
                },
            ))
        }
        None => {
            let error = (q.category.is_some() || q.step.is_some())
                .then(|| state.i18n.t(lang, "choose-error", None));
            let path = match &campaign {
                Some(c) => format!("/report?campaign={c}&"),
                None => "/report?".to_owned(),
            };
            let status = if error.is_some() {
                Refusal::Invalid.status()
            } else {
                StatusCode::OK
            };
            let ctx = context! { categories => category_choices(), campaign, error, ..state.page_context(lang, &path) };
            Ok(state.render(status, "choose.html", ctx))
        }
    }
}

/// What the form shows besides the reporter's answers.
#[derive(Default)]
struct FormState {
    token: String,
    errors: Vec<FieldError>,
    notice: Option<&'static str>,
    files_dropped: Vec<String>,
}

#[derive(Serialize)]
struct Option_ {
    id: &'static str,
    key: String,
}

fn options(prefix: &str, ids: &[&'static str]) -> Vec<Option_> {
    ids.iter()
        .map(|id| Option_ {
            id,
            key: vocabulary::key(prefix, id),
        })
        .collect()
}

/// The form field an error belongs to (`phones/2` → `phones`).
fn field_of(error: &FieldError) -> &str {
    error.field.split('/').next().unwrap_or(&error.field)
}

impl AppState {
    /// Translates an error code for a reporter.
    pub fn error_text(&self, lang: &str, code: &str) -> String {
        let mut args = fluent_bundle::FluentArgs::new();
        args.set("size", (MAX_ATTACHMENT_BYTES / (1024 * 1024)) as i64);
        args.set("max", MAX_FILES as i64);
        self.i18n.t(lang, code, Some(&args))
    }

    fn form_page(
        &self,
        status: StatusCode,
        lang: &'static str,
        category: &Category,
        input: &ReportInput,
        form: FormState,
    ) -> Response {
        let mut errors: BTreeMap<String, String> = BTreeMap::new();
        let mut error_list = Vec::new();
        for e in &form.errors {
            let field = field_of(e).to_owned();
            if errors.contains_key(&field) {
                continue;
            }
            let message = self.error_text(lang, e.code);
            error_list.push(context! { field => field.clone(), message => message.clone() });
            errors.insert(field, message);
        }
        let values = context! {
            narrative => input.narrative, country => input.country, city => input.city,
            venue => input.venue, incident_date => input.incident_date,
            still_happening => input.still_happening, people_count => input.people_count,
            age_groups => input.age_groups, child_involved => input.child_involved,
            victims_description => input.victims_description,
            exploiters_description => input.exploiters_description,
            warning_signs => input.warning_signs,
            phones => input.phones.join("\n"), emails => input.emails.join("\n"),
            websites => input.websites.join("\n"), social_handles => input.social_handles.join("\n"),
            vehicle_plates => input.vehicle_plates.join("\n"),
            abuse_url => input.abuse_url, abuse_where => input.abuse_where,
            anonymous => input.anonymous, contact_name => input.contact_name,
            contact_email => input.contact_email, contact_phone => input.contact_phone,
        };
        let campaign = Some(input.campaign.clone()).filter(|c| report::valid_campaign(c));
        let path = match &campaign {
            Some(c) => format!("/report?category={}&campaign={c}&", category.id),
            None => format!("/report?category={}&", category.id),
        };
        let ctx = context! {
            category => context! { id => category.id, label_key => category.label_key() },
            short_form => category.form == FormKind::AbuseMaterialUrl,
            values, errors, error_list, campaign,
            token => form.token,
            notice => form.notice.map(|k| self.i18n.t(lang, k, None)),
            files_dropped => (!form.files_dropped.is_empty()).then(|| form.files_dropped.join(", ")),
            countries => countries::countries(lang).iter().map(|c| context! { code => c.code, name => c.name }).collect::<Vec<_>>(),
            age_groups => options("age", AGE_GROUPS),
            child_answers => options("child", CHILD_ANSWERS),
            signs => options("sign", WARNING_SIGNS),
            max_files => MAX_FILES,
            max_mb => MAX_ATTACHMENT_BYTES / (1024 * 1024),
            honeypot => form::HONEYPOT,
            ..self.page_context(lang, &path)
        };
        self.render(status, "form.html", ctx)
    }
}

/// Sniffs and strips every uploaded file within the cleaner's limits (see
/// [`crate::intake::cleaning`]).
pub async fn clean_files(
    state: &AppState,
    files: Vec<Vec<u8>>,
) -> Result<Vec<CleanAttachment>, AttachmentError> {
    state.cleaner.clean_all(files).await
}

/// `POST /report`: files the report, or shows the form again with every answer kept.
pub async fn submit_report(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    asked: Lang,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, PageError> {
    // Before a byte of the body is read: a flood costs the server nothing but this check. The
    // reporter's browser keeps the form, and the page says to go back to it.
    if !state.limits.allow_submission(Some(peer.ip())) {
        return Err(PageProblem::TooMany.into());
    }
    let multipart = multipart.map_err(|_| PageError::from(PageProblem::BadRequest))?;
    let form = form::read(multipart).await?;
    let lang = asked.or_explicit(&form.input.language);
    let Some(category) = categories::by_id(form.input.category.trim()) else {
        return Ok(Redirect::to(&format!("/report?lang={lang}&category=")).into_response());
    };
    let now = state.clock.now();
    let SubmittedForm {
        input,
        token,
        files,
        oversized_file,
        honeypot,
    } = form;
    let names: Vec<String> = files
        .iter()
        .map(|f| f.name.clone())
        .filter(|n| !n.is_empty())
        .collect();
    let again = |status, notice, errors, new_token: String| {
        let files_dropped = names.clone();
        state.form_page(
            status,
            lang,
            category,
            &input,
            FormState {
                token: new_token,
                errors,
                notice,
                files_dropped,
            },
        )
    };

    let verified = match state.tokens.verify(&token, now) {
        Ok(t) => t,
        Err(_) => {
            let fresh = state.tokens.issue(now);
            return Ok(again(
                Refusal::Invalid.status(),
                Some("form-expired"),
                vec![],
                fresh,
            ));
        }
    };
    if !state.limits.allow_form(&verified.random) {
        return Err(PageError::from(PageProblem::TooMany).lang(lang));
    }
    let validated = report::validate(&input, Channel::Form, now.date());
    let mut errors = validated.as_ref().err().cloned().unwrap_or_default();
    if oversized_file {
        errors.push(FieldError {
            field: "attachments".into(),
            code: "error-attachment-too-large",
        });
    } else if files.len() > MAX_FILES {
        errors.push(FieldError {
            field: "attachments".into(),
            code: "error-attachment-too-many",
        });
    }
    let submission = {
        let raw: Vec<&[u8]> = files.iter().map(|f| f.bytes.as_slice()).collect();
        Submission::new(&verified.random, &input, &raw)
    };
    let cleaned = if errors.is_empty() && category.form == FormKind::Full {
        match clean_files(&state, files.into_iter().map(|f| f.bytes).collect()).await {
            Ok(clean) => clean,
            Err(e) => {
                errors.push(FieldError {
                    field: "attachments".into(),
                    code: attachment_code(&e),
                });
                vec![]
            }
        }
    } else {
        vec![]
    };
    let valid = match validated {
        Ok(valid) if errors.is_empty() => valid,
        _ => {
            return Ok(again(
                Refusal::Invalid.status(),
                None,
                errors,
                token.clone(),
            ));
        }
    };
    let mut suspicion = Suspicion::none();
    if honeypot {
        suspicion.add(Sign::Honeypot);
    }
    if now.unix_timestamp() - verified.issued < i64::from(state.limits.settings().min_fill_seconds)
    {
        suspicion.add(Sign::TooFast);
    }
    Ok(
        match state
            .intake
            .file(&valid, &cleaned, &submission, suspicion, now)
            .await
        {
            Ok(filed) => {
                // A refresh shows the receipt again only shortly after filing: later, the device
                // may be in someone else's hands.
                let shown = !filed.repeated
                    || now.unix_timestamp() - filed.received_at <= RECEIPT_SHOWN_AGAIN_SECONDS;
                let receipt = filed.receipt.display();
                let ctx = context! {
                    receipt => shown.then_some(receipt.as_str()),
                    repeated => filed.repeated,
                    ..state.page_context(lang, "/report?")
                };
                state.render(StatusCode::OK, "confirmation.html", ctx)
            }
            Err(FileError::KeyReused) => again(
                Refusal::Conflict.status(),
                Some("form-reused"),
                vec![],
                state.tokens.issue(now),
            ),
            Err(FileError::Store(e)) => {
                log_internal("file report", &e);
                again(
                    Refusal::Unavailable.status(),
                    Some("form-store-failed"),
                    vec![],
                    token.clone(),
                )
            }
        },
    )
}

/// How long after filing a refreshed form shows its receipt again.
pub const RECEIPT_SHOWN_AGAIN_SECONDS: i64 = 10 * 60;

/// The Fluent key of an attachment problem.
pub fn attachment_code(e: &AttachmentError) -> &'static str {
    match e {
        AttachmentError::TooLarge => "error-attachment-too-large",
        AttachmentError::Unsupported => "error-attachment-unsupported",
        AttachmentError::Unreadable => "error-attachment-unreadable",
    }
}

/// `GET /exit`: leaves for a neutral site and asks the browser to forget this one.
pub async fn quick_exit(State(state): State<AppState>) -> Response {
    let mut response = Redirect::to(&state.exit_url).into_response();
    response.headers_mut().insert(
        "clear-site-data",
        HeaderValue::from_static("\"cache\", \"cookies\", \"storage\""),
    );
    response
}

/// `GET /healthz`: 200 when the database answers.
pub async fn health(State(state): State<AppState>) -> Result<&'static str, Unhealthy> {
    state.db.ping().await.map_err(|e| {
        log_internal("health", &e);
        Unhealthy
    })?;
    Ok("ok")
}

const STYLE: &str = include_str!("../../static/style.css");
const EXIT_JS: &str = include_str!("../../static/exit.js");
const PASSKEY_JS: &str = include_str!("../../static/passkey.js");

/// `GET /static/{file}`: the style sheet and the quick-exit script, compiled in.
pub async fn static_file(Path(file): Path<String>) -> Result<Response, PageError> {
    let (body, content_type) = match file.as_str() {
        "style.css" => (STYLE, "text/css; charset=utf-8"),
        "exit.js" => (EXIT_JS, "text/javascript; charset=utf-8"),
        "passkey.js" => (PASSKEY_JS, "text/javascript; charset=utf-8"),
        _ => return Err(not_found().await),
    };
    Ok((
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        body,
    )
        .into_response())
}

/// Every address that is not a page.
pub async fn not_found() -> PageError {
    PageProblem::NotFound.into()
}
