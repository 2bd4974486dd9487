//! The XSS corpus (`e2e/xss/payloads.txt`, a few hundred payloads) pushed through every field a
//! reporter or a staff member can fill, then every staff and reporter page that shows them opened
//! in Chromium with JavaScript on, once with the CSP as served and once with it bypassed
//! (`e2e/xss.mjs`): no payload may run. A page the script serves itself, echoing payloads
//! unescaped, must be caught, so the detector is known to work.
//!
//! Seeded here over HTTP, as a reporter, a partner app and staff would: the JSON API (every text
//! field and identifier list, the corpus packed into values that fit each field's limit), the
//! follow-up API (reporter messages), the staff forms (notes, messages to the reporter, saved
//! assessments with a reason). Typed into the browser by the script: search queries, queue and
//! audit filters, the assessment's reason, the public form and the follow-up answer (shown again
//! with what was typed when refused), the receipt on the follow-up sign-in form.
//!
//! Coverage: every payload goes through every field and identifier list of a report, every
//! message, note and assessment reason, and every field of the refused forms. Two exceptions keep
//! the test near two and a half minutes: "where it was seen" (child abuse material) takes only the
//! packs that fit in the few reports its address field needs, and the staff search cuts its words
//! at 200 characters, so each search page gets a 200-character sample of its pack as words (the
//! whole pack as country and date).
//!
//! Attachment names: tipline never stores an uploaded file's name (a stored file is shown as
//! "Attachment N, kind, size" and downloaded as `report-attachment-N.ext`). The only pages that
//! show a name are the public form and the follow-up answer form when a submission is refused
//! ("choose these files again: …"); the script sends payloads as file names there.

use crate::browser::run_journey;
use crate::helpers::{Backend, TestApp};
use serde_json::{Value, json};
use tipline::intake::report::{MAX_DESCRIPTION, MAX_NARRATIVE, MAX_SHORT, MAX_URL};
use tipline::types::ReportId;

/// The corpus, placeholders expanded (see the header of the file); payload N is at index N - 1.
pub fn corpus() -> Vec<String> {
    let file = concat!(env!("CARGO_MANIFEST_DIR"), "/e2e/xss/payloads.txt");
    let text = std::fs::read_to_string(file).unwrap();
    text.lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .enumerate()
        .map(|(i, line)| {
            let n = i + 1;
            let line = unescape(line);
            line.replace("$X", &format!("__xss({n})"))
                .replace("$E", &format!("&#95;&#95;xss&#40;{n}&#41;"))
                .replace("$U", &format!("\\u005f\\u005fxss({n})"))
                .replace(
                    "$A",
                    &data_encoding::BASE64.encode(format!("__xss({n})").as_bytes()),
                )
                .replace(
                    "$B",
                    &data_encoding::BASE64
                        .encode(format!("<script>__xss({n})</script>").as_bytes()),
                )
                .replace("$L", &"A".repeat(4000))
                .replace("$N", &n.to_string())
        })
        .collect()
}

/// `\u{HEX}` to the character.
fn unescape(line: &str) -> String {
    let mut out = String::new();
    let mut rest = line;
    while let Some(at) = rest.find("\\u{") {
        out.push_str(&rest[..at]);
        let tail = &rest[at + 3..];
        let end = tail.find('}').expect("a closing brace after \\u{");
        let code = u32::from_str_radix(&tail[..end], 16).expect("hex after \\u{");
        out.push(char::from_u32(code).expect("a Unicode scalar value"));
        rest = &tail[end + 1..];
    }
    out.push_str(rest);
    out
}

/// The payloads of at most `max` characters (as the server counts them: trimmed), packed in
/// order into values of at most `max` characters, joined by `sep`.
fn pack<'a>(payloads: impl IntoIterator<Item = &'a String>, max: usize, sep: &str) -> Vec<String> {
    let mut packs: Vec<String> = Vec::new();
    let mut current = String::new();
    for p in payloads {
        let p = p.trim();
        let len = p.chars().count();
        if len == 0 || len > max {
            continue;
        }
        if !current.is_empty() && current.chars().count() + sep.chars().count() + len > max {
            packs.push(std::mem::take(&mut current));
        }
        if !current.is_empty() {
            current.push_str(sep);
        }
        current.push_str(p);
    }
    if !current.is_empty() {
        packs.push(current);
    }
    packs
}

/// Value `i` of `packs`, or "" past the end.
fn nth(packs: &[String], i: usize) -> String {
    packs.get(i).cloned().unwrap_or_default()
}

/// Files through the API; returns the receipt and the new report's id.
async fn file(app: &TestApp, body: &Value) -> (String, ReportId) {
    let before = tipline::store::reports::all_ids(app.db()).await.unwrap();
    let response = app.post_api(body).await;
    let status = response.status();
    let answer: Value = response.json().await.unwrap();
    assert_eq!(status, 201, "{answer}");
    let id = tipline::store::reports::all_ids(app.db())
        .await
        .unwrap()
        .into_iter()
        .find(|i| !before.contains(i))
        .unwrap();
    (answer["receipt"].as_str().unwrap().to_owned(), id)
}

/// A fresh sign-in of `staff` on a new client; returns the value of its session cookie.
async fn session_cookie(app: &TestApp, staff: &crate::staff::Staff) -> String {
    app.clock.advance(30);
    let code = tipline::staff::totp::code_at(&staff.secret, app.clock.unix());
    let response = app
        .sign_in(
            &crate::staff::browser(),
            &staff.username,
            crate::staff::PASSWORD,
            &code,
        )
        .await;
    assert_eq!(response.status(), 303);
    let set_cookie = response.headers()["set-cookie"].to_str().unwrap();
    set_cookie
        .strip_prefix("tipline_staff=")
        .and_then(|v| v.split(';').next())
        .unwrap()
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn xss_corpus_through_every_field_stays_inert_in_chromium_with_and_without_csp() {
    let payloads = corpus();
    assert!(payloads.len() >= 300, "only {} payloads", payloads.len());
    let app = TestApp::spawn(Backend::Sqlite).await;
    let sue = app.staff("sue", "supervisor").await;
    let aud = app.staff("aud", "auditor").await;

    // The packs each field takes: every payload in every field, as many reports as it takes.
    let short = pack(&payloads, MAX_SHORT, "\n");
    let one_line = pack(&payloads, MAX_SHORT, " ");
    let narrative = pack(&payloads, MAX_NARRATIVE - 40, "\n");
    let description = pack(&payloads, MAX_DESCRIPTION, "\n");
    // Without white space, for the fields that must look like an address.
    let bare: Vec<String> = payloads
        .iter()
        .filter(|p| !p.contains(char::is_whitespace))
        .cloned()
        .collect();
    let emails = pack(&bare, MAX_SHORT - 14, "");
    let urls = pack(&bare, MAX_URL - 20, "");
    let listed: Vec<&String> = payloads
        .iter()
        .filter(|p| (1..=MAX_SHORT).contains(&p.trim().chars().count()))
        .collect();
    let lists: Vec<Vec<String>> = listed
        .chunks(tipline::intake::report::MAX_IDENTIFIERS)
        .map(|c| c.iter().map(|p| p.trim().to_owned()).collect())
        .collect();

    let full = short
        .len()
        .max(narrative.len())
        .max(description.len())
        .max(emails.len())
        .max(lists.len());
    let mut reports: Vec<ReportId> = Vec::new();
    let mut twins = 0;
    let mut receipt = String::new();
    for i in 0..full {
        let list = lists.get(i).cloned().unwrap_or_default();
        let websites: Vec<String> = list
            .iter()
            .map(|p| {
                if p.contains(char::is_whitespace) {
                    p.clone()
                } else {
                    format!("https://x{i}.example/{p}")
                }
            })
            .collect();
        let handles: Vec<String> = list.iter().map(|p| format!("@{p}")).collect();
        let body = json!({
            "category": "labour_exploitation", "country": "LU", "language": "en",
            "narrative": format!("Corpus report {i}.\n{}", nth(&narrative, i)).trim(),
            "city": nth(&short, i), "venue": nth(&one_line, i),
            "victims_description": nth(&description, i), "exploiters_description": nth(&description, i),
            "phones": list, "emails": list, "websites": websites, "social_handles": handles, "vehicle_plates": list,
            "anonymous": false, "contact_name": nth(&short, i), "contact_phone": nth(&one_line, i),
            "contact_email": format!("x@example.org{}", nth(&emails, i)),
            "still_happening": true,
        });
        let (r, id) = file(&app, &body).await;
        if i == 0 {
            receipt = r;
        }
        reports.push(id);
        // Twins of the reports with identifier lists: the same identifiers, venue and city, so
        // the related reports, the shared identifiers and the cluster graph show them too.
        if !body["phones"].as_array().unwrap().is_empty() {
            let mut twin = body.clone();
            twin["narrative"] = json!(format!("Twin of corpus report {i}."));
            twin["anonymous"] = json!(true);
            let (_, id) = file(&app, &twin).await;
            reports.push(id);
            twins += 1;
        }
    }
    // Child sexual abuse material online: its own short form (the address and where it was seen).
    // As many reports as the addresses take (a few): "where it was seen" is shown like the city
    // and the venue (bdi in a user-text paragraph) and gets only the first packs, which keeps the
    // number of case pages, and the test's time, down.
    let abuse = urls.len();
    for i in 0..abuse {
        let body = json!({
            "category": "abuse_material_online", "country": "LU",
            "abuse_url": format!("https://abuse{i}.example/{}", nth(&urls, i)),
            "abuse_where": nth(&short, i), "narrative": nth(&narrative, i),
        });
        reports.push(file(&app, &body).await.1);
    }

    // The conversation on report 0: the reporter over the follow-up API, the hotline through the
    // case page's form; staff notes; saved assessments with a reason.
    let conversation = reports[0].clone();
    let token = app.followup_token(&receipt).await;
    let messages = pack(
        &payloads,
        tipline::followup::conversation::MAX_MESSAGE,
        "\n",
    );
    for body in &messages {
        let posted = app
            .client
            .post(format!("{}/api/v1/followup/messages", app.base))
            .bearer_auth(&token)
            .json(&json!({ "body": body }))
            .send()
            .await
            .unwrap();
        assert_eq!(posted.status(), 201, "{}", posted.text().await.unwrap());
        let sent = sue
            .post(
                &app,
                &format!("/staff/reports/{conversation}/messages"),
                &[("body", body)],
            )
            .await;
        assert_eq!(sent.status(), 303, "a message to the reporter");
    }
    for body in pack(&payloads, tipline::app::cases::MAX_NOTE, "\n") {
        let noted = sue
            .post(
                &app,
                &format!("/staff/reports/{conversation}/notes"),
                &[("body", &body)],
            )
            .await;
        assert_eq!(noted.status(), 303, "a note");
    }
    for (person, reason) in description.iter().enumerate() {
        let person = (person + 1).to_string();
        let saved = sue
            .post(
                &app,
                &format!("/staff/reports/{conversation}/assessment"),
                &[
                    ("person", &person),
                    ("set", "adult_labour"),
                    ("action", "save"),
                    ("status", "NotAVictimOfTrafficking"),
                    ("reason", reason),
                ],
            )
            .await;
        assert_eq!(saved.status(), 303, "an assessment with a reason");
    }
    app.indexed().await;

    // What the script needs: the corpus, who it is, where the reports are.
    let plan = json!({
        "payloads": payloads,
        "reports": reports.iter().map(ReportId::as_str).collect::<Vec<_>>(),
        "twins": twins,
        "conversation": conversation.as_str(),
        "receipt": receipt,
        "cookies": { "sue": session_cookie(&app, &sue).await, "aud": session_cookie(&app, &aud).await },
        "limits": { "short": MAX_SHORT, "message": tipline::followup::conversation::MAX_MESSAGE },
    });
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/e2e/artifacts");
    std::fs::create_dir_all(dir).unwrap();
    let path = format!("{dir}/xss-plan.json");
    std::fs::write(&path, serde_json::to_vec(&plan).unwrap()).unwrap();
    run_journey("xss.mjs", &app, vec![("XSS_PLAN".to_owned(), path)]).await;
    app.finish().await;
}

#[test]
fn the_corpus_loader_expands_its_placeholders() {
    assert_eq!(unescape("a\\u{202E}b\\u{0}"), "a\u{202E}b\u{0}");
    let payloads = corpus();
    assert_eq!(payloads[0], "<script>__xss(1)</script>");
    assert!(
        payloads.iter().all(|p| !p.contains('$')),
        "a placeholder left unexpanded"
    );
    assert!(
        payloads.iter().any(|p| p.contains('\u{202E}'))
            && payloads.iter().any(|p| p.contains('\u{0}'))
    );
    assert!(payloads.iter().any(|p| p.chars().count() > MAX_SHORT * 10));
}
