//! The error pages of each surface: a staff page that fails inside shows a translated page
//! with a reference to quote and what to do next, never the database's own words; refusals keep
//! their statuses.

use crate::helpers::{TestApp, both_backends};

/// A reference as the pages show it: ten lower-case hexadecimal characters.
fn reference_in(html: &str) -> Option<String> {
    let marker = "class=\"reference\">";
    let after = &html[html.find(marker)? + marker.len()..];
    let text = after.split('<').next()?;
    let word = text.trim().rsplit(' ').next()?;
    (word.len() == 10 && word.chars().all(|c| c.is_ascii_hexdigit())).then(|| word.to_owned())
}

both_backends! {
    async fn a_failure_inside_a_staff_page_shows_a_reference_not_the_database(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let sue = app.staff("sue", "supervisor").await;
        let id = app.report("Workers locked in a bakery.").await;
        assert_eq!(sue.post(&app, "/staff/language", &[("language", "fr")]).await.status(), 303);

        // The case view reads the notes; without their table the store fails.
        sqlx::raw_sql("DROP TABLE report_notes")
            .execute(app.db().pool())
            .await
            .unwrap();
        let response = sue.get(&app, &format!("/staff/reports/{id}")).await;
        assert_eq!(response.status(), 500);
        let html = response.text().await.unwrap();
        assert!(html.contains("Un problème est survenu"), "translated title: {html}");
        assert!(html.contains("votre administrateur"), "what to do next: {html}");
        assert!(reference_in(&html).is_some(), "a reference to quote: {html}");
        for database_text in ["report_notes", "no such table", "does not exist", "relation", "error returned from database"] {
            assert!(!html.contains(database_text), "{database_text} shown: {html}");
        }
        // Refusals keep their own pages and statuses.
        let missing = sue.get(&app, "/staff/reports/00000000-0000-0000-0000-000000000000").await;
        assert_eq!(missing.status(), 404);
        let html = missing.text().await.unwrap();
        assert!(html.contains("lang=\"fr\""), "{html}");
        assert!(reference_in(&html).is_none());
        app.finish().await;
    }
}
