//! The public report form over HTTP, on both databases: filing, what is stored, double
//! submission, validation that keeps every answer, languages.

use crate::helpers::{TestApp, both_backends, is_receipt, receipt_in};
use tipline::seal::ReceiptCode;
use tipline::store::reports;

both_backends! {
    async fn a_filed_report_is_stored_sealed_with_clear_triage_facts(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let receipt = app
            .file_report("fr", "child_sexual_exploitation", &[
                ("narrative", "Une fille de 15 ans travaille la nuit à l'hôtel."),
                ("country", "LU"),
                ("city", "Esch-sur-Alzette"),
                ("venue", "Hôtel Bellevue"),
                ("incident_date", "2026-10-02"),
                ("still_happening", "yes"),
                ("people_count", "2"),
                ("age_groups", "12_17"),
                ("age_groups", "18_24"),
                ("warning_signs", "documents_taken"),
                ("phones", "+352 621 123 456\n 621 654 321 "),
                ("emails", "boss@example.org"),
                ("anonymous", "yes"),
                ("contact_email", "should-be-dropped@example.org"),
            ])
            .await;
        assert!(is_receipt(&receipt), "{receipt}");

        let stored = app.stored_reports().await;
        assert_eq!(stored.len(), 1);
        let (row, opened) = &stored[0];
        assert_eq!(row.triage.category, "child_sexual_exploitation");
        assert_eq!(row.triage.country.as_deref(), Some("LU"));
        let parts = tipline::intake::sealed::open_report_parts(&app.sealer().await, row);
        assert!(!parts.damaged);
        assert_eq!(parts.profile.incident_month.as_deref(), Some("2026-10"));
        assert_eq!(row.triage.status, "new");
        assert_eq!(row.triage.urgency, "critical");
        assert_eq!(row.triage.child_involved, "yes");
        assert_eq!(parts.profile.age_groups, ["12_17", "18_24"]);
        assert_eq!(row.triage.channel, "form");
        assert_eq!(row.triage.language, "fr");
        assert_eq!(opened.narrative.narrative, "Une fille de 15 ans travaille la nuit à l'hôtel.");
        assert_eq!(opened.place.venue, "Hôtel Bellevue");
        assert_eq!(opened.people.count, Some(2));
        assert_eq!(opened.identifiers.phones, ["+352 621 123 456", "621 654 321"]);
        assert_eq!(opened.signs.warning_signs, ["documents_taken"]);
        assert_eq!(opened.contact, None, "anonymous reporters' contact details are never stored");

        // The receipt matches its stored salted hash; the code itself is not stored.
        let code = ReceiptCode::parse(&receipt).unwrap();
        assert_eq!(row.receipt_lookup, code.lookup());
        assert!(!row.receipt_hash.is_empty() && row.receipt_salt.len() == 16);
        app.finish().await;
    }
}

both_backends! {
    async fn a_refreshed_or_double_submitted_form_files_one_report_with_one_receipt(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let token = app.form_token("en", "labour_exploitation").await;
        let fields = [
            ("form_token", token.as_str()),
            ("lang", "en"),
            ("category", "labour_exploitation"),
            ("narrative", "Men sleep in the warehouse."),
        ];
        let (first, second) = tokio::join!(app.post_form(&fields, &[]), app.post_form(&fields, &[]));
        let third = app.post_form(&fields, &[]).await;
        for (status, _) in [&first, &second, &third] {
            assert_eq!(*status, 200);
        }
        let receipts = [receipt_in(&first.1), receipt_in(&second.1), receipt_in(&third.1)];
        assert!(receipts.iter().all(|r| r == &receipts[0]), "{receipts:?}");
        assert!(third.1.contains("already been received"));
        assert_eq!(reports::all_ids(app.db()).await.unwrap().len(), 1);

        // A new form is a new report.
        app.file_report("en", "labour_exploitation", &[("narrative", "Another one.")]).await;
        assert_eq!(reports::all_ids(app.db()).await.unwrap().len(), 2);
        app.finish().await;
    }
}

both_backends! {
    async fn a_wrong_answer_shows_the_form_again_with_everything_kept(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let token = app.form_token("de", "domestic_servitude").await;
        let fields = [
            ("form_token", token.as_str()),
            ("lang", "de"),
            ("category", "domestic_servitude"),
            ("narrative", ""),
            ("city", "Köln <b>bold</b>"),
            ("country", "DE"),
            ("incident_date", "2999-01-01"),
            ("warning_signs", "cannot_leave"),
            ("phones", "0176 1234567\n+49 30 123456"),
            ("anonymous", "no"),
            ("contact_email", "kein-at-zeichen"),
        ];
        let files = [("foto.jpg", b"not really a jpeg".to_vec())];
        let (status, html) = app.post_form(&fields, &files).await;
        assert_eq!(status, 422);
        assert!(html.contains("<html lang=\"de\">"));
        assert!(html.contains("id=\"error-summary\""));
        assert!(html.contains("id=\"narrative-error\">Bitte beantworten Sie diese Frage."), "{html}");
        assert!(html.contains("id=\"incident_date-error\""));
        assert!(html.contains("id=\"contact_email-error\""));
        // Everything typed comes back, escaped.
        assert!(html.contains("value=\"Köln &lt;b&gt;bold&lt;&#x2f;b&gt;\""), "city kept and escaped");
        assert!(html.contains("<option value=\"DE\" selected>"));
        assert!(html.contains("value=\"2999-01-01\""));
        assert!(html.contains("value=\"cannot_leave\" checked"));
        assert!(html.contains("0176 1234567\n+49 30 123456</textarea>"));
        assert!(html.contains("id=\"anonymous-no\" value=\"no\" checked"));
        assert!(html.contains("value=\"kein-at-zeichen\""));
        // Files cannot come back in a form: the reporter is told to choose them again.
        assert!(html.contains("id=\"attachments-again\"") && html.contains("foto.jpg"));
        assert!(reports::all_ids(app.db()).await.unwrap().is_empty());

        // The same token, corrected, files the report.
        let mut fixed = fields.to_vec();
        fixed.retain(|(k, _)| !matches!(*k, "narrative" | "incident_date" | "contact_email"));
        fixed.extend([("narrative", "Sie darf das Haus nicht verlassen."), ("contact_email", "ich@example.de")]);
        let (status, html) = app.post_form(&fixed, &[]).await;
        assert_eq!(status, 200, "{html}");
        let stored = app.stored_reports().await;
        assert_eq!(stored[0].1.contact.as_ref().map(|c| c.email.as_str()), Some("ich@example.de"));
        app.finish().await;
    }
}

both_backends! {
    async fn attachments_are_cleaned_and_sealed_and_bad_ones_refused(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let token = app.form_token("en", "other").await;
        let base = [("form_token", token.as_str()), ("lang", "en"), ("category", "other"), ("narrative", "See photo.")];
        let (status, html) = app.post_form(&base, &[("evil.jpg", b"#!/bin/sh\necho hi\n".to_vec())]).await;
        assert_eq!(status, 422);
        assert!(html.contains("id=\"attachments-error\">A file is not a JPEG, PNG or PDF"), "{html}");

        let png = crate::sealing::png_with_text("Comment", "GPS-SECRET-PLACE");
        let (status, html) = app.post_form(&base, &[("photo.png", png)]).await;
        assert_eq!(status, 200, "{html}");
        let id = &reports::all_ids(app.db()).await.unwrap()[0];
        let files = reports::attachments(app.db(), id).await.unwrap();
        assert_eq!(files.len(), 1);
        let sealer = app.sealer().await;
        let content = sealer
            .open(&tipline::intake::sealed::attachment_aad(id, &files[0].id, "content"), &files[0].content)
            .unwrap();
        assert!(content.starts_with(b"\x89PNG"));
        assert!(!content.windows(16).any(|w| w == b"GPS-SECRET-PLACE"), "metadata stripped");
        app.finish().await;
    }
}

#[tokio::test]
async fn the_abuse_material_category_has_its_own_short_form() {
    let app = TestApp::spawn(crate::helpers::Backend::Sqlite).await;
    let page = app
        .get("/report?lang=nl&category=abuse_material_online")
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("id=\"abuse_url\""));
    assert!(
        !page.contains("id=\"victims_description\""),
        "short form only"
    );
    let token = app.form_token("nl", "abuse_material_online").await;
    let (status, html) = app
        .post_form(
            &[
                ("form_token", &token),
                ("lang", "nl"),
                ("category", "abuse_material_online"),
            ],
            &[],
        )
        .await;
    assert_eq!(status, 422);
    assert!(html.contains("id=\"abuse_url-error\""));
    let (status, _) = app
        .post_form(
            &[
                ("form_token", &token),
                ("lang", "nl"),
                ("category", "abuse_material_online"),
                ("abuse_url", "https://example.com/gallery/1"),
                ("abuse_where", "forum"),
            ],
            &[],
        )
        .await;
    assert_eq!(status, 200);
    let stored = app.stored_reports().await;
    assert_eq!(
        stored[0].1.abuse_material.as_ref().unwrap().url,
        "https://example.com/gallery/1"
    );
    assert_eq!(stored[0].0.triage.child_involved, "yes");
    app.finish().await;
}

#[tokio::test]
async fn pages_speak_the_reporters_language() {
    let app = TestApp::spawn(crate::helpers::Backend::Sqlite).await;
    for (accept, lang, word) in [
        ("fr-BE,fr;q=0.9", "fr", "Signaler"),
        ("de-LU", "de", "Meldung"),
        ("nl", "nl", "melding"),
        ("pt-BR", "en", "Report"),
    ] {
        let html = app
            .client
            .get(format!("{}/", app.base))
            .header("accept-language", accept)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            html.contains(&format!("<html lang=\"{lang}\">")),
            "{accept}"
        );
        assert!(html.contains(word), "{accept}: {word}");
    }
    // The switcher wins over the browser, and every page offers all four languages.
    let html = app
        .client
        .get(format!("{}/report?lang=nl", app.base))
        .header("accept-language", "fr")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("<html lang=\"nl\">"));
    for code in ["en", "fr", "de", "nl"] {
        assert!(html.contains(&format!("hreflang=\"{code}\"")));
    }
    // Country names come from CLDR in the page language.
    let form = app
        .get("/report?lang=de&category=other")
        .await
        .text()
        .await
        .unwrap();
    assert!(form.contains(">Österreich</option>") && form.contains(">Belgien</option>"));
    app.finish().await;
}

#[tokio::test]
async fn continuing_without_a_category_asks_for_one() {
    let app = TestApp::spawn(crate::helpers::Backend::Sqlite).await;
    let response = app.get("/report?lang=en&step=choose").await;
    assert_eq!(response.status(), 422);
    let html = response.text().await.unwrap();
    assert!(html.contains("id=\"category-error\""), "{html}");
    assert!(
        app.get("/report?lang=en")
            .await
            .text()
            .await
            .unwrap()
            .contains("name=\"category\"")
    );
    app.finish().await;
}
