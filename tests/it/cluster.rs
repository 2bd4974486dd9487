//! The cluster view over HTTP on both databases: the reports around one report as an SVG graph
//! and tables, two hops out through shared identifiers, the role rule (a hidden report and what
//! only it carries never show), the same permission as opening the report, an audit entry per
//! report shown, and escaped labels.

use crate::helpers::{Backend, TestApp, both_backends};
use serde_json::json;
use tipline::seal::KeyRing;
use tipline::staff::audit::{self, AuditFilter, AuditLog, KEY_PURPOSE};
use tipline::staff::audit_action::AuditAction;
use tipline::store::cases;
use tipline::types::ReportId;

/// The inline SVG of a cluster page.
fn svg_of(html: &str) -> &str {
    let start = html.find("<svg").expect("an SVG graph");
    let end = html.rfind("</svg>").expect("a closed SVG");
    &html[start..end + 6]
}

fn short(id: &ReportId) -> &str {
    let id = id.as_str();
    &id[id.len() - 8..]
}

fn audit_log(app: &TestApp) -> AuditLog {
    let keys = KeyRing::load_or_create(&app.key_dir(), &app.data_dir()).unwrap();
    AuditLog::new(
        app.db().clone(),
        keys.derive(KEY_PURPOSE),
        app.key_dir().join(audit::HEAD_FILE),
    )
}

both_backends! {
    async fn the_cluster_shows_the_reports_sharing_a_phone_and_not_the_others(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let sue = app.staff("sue", "supervisor").await;
        let a = app.file_api(json!({ "category": "labour_exploitation", "narrative": "Bar workers.", "country": "LU",
            "phones": ["+352 621 123 456"] })).await;
        let b = app.file_api(json!({ "category": "sexual_exploitation", "country": "LU",
            "narrative": "Call 00352 621 123 456 to book, said the advert." })).await;
        let c = app.file_api(json!({ "category": "other", "country": "LU", "phones": ["621123456"],
            "narrative": "Same number again." })).await;
        let d = app.file_api(json!({ "category": "other", "narrative": "Unrelated, call +352 691 000 111.", "country": "LU" })).await;

        let case = sue.get(&app, &format!("/staff/reports/{a}")).await.text().await.unwrap();
        assert!(case.contains(&format!("href=\"/staff/reports/{a}/cluster\"")), "the case view links to its cluster");

        let response = sue.get(&app, &format!("/staff/reports/{a}/cluster")).await;
        assert_eq!(response.status(), 200);
        let csp = response.headers()["content-security-policy"].to_str().unwrap().to_owned();
        assert!(!csp.contains("unsafe-inline"), "{csp}");
        let html = response.text().await.unwrap();
        let svg = svg_of(&html);
        for id in [&a, &b, &c] {
            assert!(svg.contains(&format!("href=\"/staff/reports/{id}\"")), "{id} is a node linking to it");
            assert!(html.contains(short(id)));
        }
        assert!(!html.contains(d.as_str()) && !html.contains(short(&d)), "a report sharing nothing is not in the cluster");
        assert!(svg.contains("role=\"img\"") && svg.contains("<title id=\"cluster-graph-title\">") && svg.contains("<desc"));
        assert!(svg.contains("viewBox=\"0 0 480 "));
        assert!(!svg.contains("style") && !svg.contains("<script"), "no style and no script in the SVG");
        assert!(svg.contains("Phone: +352 621 123 456"), "the identifier, from the report's own copy");
        // The text alternative: a table of the reports and one of the identifiers.
        let table = &html[html.find("id=\"cluster-reports\"").unwrap()..];
        assert_eq!(table[..table.find("</table>").unwrap()].matches("<tr>").count(), 4, "a header and three reports");
        let identifiers = &html[html.find("id=\"cluster-identifiers\"").unwrap()..];
        assert!(identifiers.contains("+352 621 123 456"));
        assert!(!html.contains("id=\"cluster-capped\""));

        // The view is audited: once for the report, once for each other report shown.
        let log = audit_log(&app);
        let of = |id: &ReportId| AuditFilter { actor: None, report_id: Some(id.clone()) };
        let entries = log.list(&of(&a), 100, 0).await.unwrap();
        assert!(entries.iter().any(|e| e.action == AuditAction::ReportCluster.as_str() && sue.id == e.actor.as_str() && e.detail.starts_with("reports=3 ")));
        for other in [&b, &c] {
            let entries = log.list(&of(other), 100, 0).await.unwrap();
            assert!(entries.iter().any(|e| e.action == AuditAction::ReportClusterMember.as_str() && e.detail == format!("cluster={a}")), "{other}");
        }
        assert!(log.list(&of(&d), 100, 0).await.unwrap().iter().all(|e| ![AuditAction::ReportCluster.as_str(), AuditAction::ReportClusterMember.as_str()].contains(&e.action.as_str())));

        // The fourth is alone: its page says so and draws nothing.
        let html = sue.get(&app, &format!("/staff/reports/{d}/cluster")).await.text().await.unwrap();
        assert!(html.contains("id=\"cluster-none\"") && !html.contains("<svg"));
        app.finish().await;
    }
}

both_backends! {
    async fn a_restricted_report_of_someone_else_is_absent_for_an_analyst_and_present_for_a_supervisor(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let ana = app.staff("ana", "analyst").await;
        let ben = app.staff("ben", "analyst").await;
        let sue = app.staff("sue", "supervisor").await;
        let a = app.file_api(json!({ "category": "other", "narrative": "x", "country": "LU",
            "phones": ["+352 661 424 242", "+352 621 555 000"] })).await;
        let open = app.file_api(json!({ "category": "other", "narrative": "y", "country": "LU", "phones": ["+352 621 555 000"] })).await;
        // Shares a number only with `a`; restricted and assigned to ben.
        let hidden = app.file_api(json!({ "category": "other", "narrative": "z", "country": "LU",
            "phones": ["00352661424242", "+352 691 777 333"] })).await;
        // Reachable from `a` only through the hidden report.
        let behind = app.file_api(json!({ "category": "other", "narrative": "w", "country": "LU", "phones": ["+352 691 777 333"] })).await;
        let now = app.clock.unix();
        cases::assign(app.db(), &hidden, Some(&ben.id), now).await.unwrap();
        cases::set_restricted(app.db(), &hidden, true, now).await.unwrap();

        let html = ana.get(&app, &format!("/staff/reports/{a}/cluster")).await.text().await.unwrap();
        assert!(html.contains(open.as_str()), "an open report is shown");
        for (what, needle) in [
            ("the hidden report", hidden.as_str()),
            ("its short id", short(&hidden)),
            ("a report seen only through it", behind.as_str()),
            ("that report's short id", short(&behind)),
            ("the number only it shares", "661 424 242"),
            ("the number only it shares, normalised", "661424242"),
            ("the number it shares with the report behind it", "777 333"),
        ] {
            assert!(!html.contains(needle), "{what} shows for an analyst");
        }
        assert!(html.contains("Reports in the graph: 2"), "the counts do not include the hidden report");
        // Nor is it audited as shown to her.
        let log = audit_log(&app);
        let shown = log.list(&AuditFilter { actor: Some(ana.id.to_string()), report_id: Some(hidden.clone()) }, 100, 0).await.unwrap();
        assert!(shown.is_empty(), "{shown:?}");
        // Its own cluster looks like a report that does not exist.
        assert_eq!(ana.get(&app, &format!("/staff/reports/{hidden}/cluster")).await.status(), 404);

        let html = sue.get(&app, &format!("/staff/reports/{a}/cluster")).await.text().await.unwrap();
        for id in [&open, &hidden, &behind] {
            assert!(svg_of(&html).contains(&format!("/staff/reports/{id}\"")), "{id} missing for a supervisor");
        }
        assert!(html.contains("+352 661 424 242"), "the number shared with the restricted report");
        assert!(html.contains("Reports in the graph: 4"));
        // The assignee sees it too.
        let html = ben.get(&app, &format!("/staff/reports/{a}/cluster")).await.text().await.unwrap();
        assert!(html.contains(hidden.as_str()) && html.contains(behind.as_str()));
        app.finish().await;
    }
}

both_backends! {
    async fn auditors_and_admins_are_refused_the_cluster_like_the_report(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let aud = app.staff("aud", "auditor").await;
        let adm = app.staff("adm", "admin").await;
        let sue = app.staff("sue", "supervisor").await;
        let a = app.file_api(json!({ "category": "other", "narrative": "x", "country": "LU", "phones": ["+352 621 888 999"] })).await;
        app.file_api(json!({ "category": "other", "narrative": "y", "country": "LU", "phones": ["+352 621 888 999"] })).await;
        for who in [&aud, &adm] {
            let response = who.get(&app, &format!("/staff/reports/{a}/cluster")).await;
            assert_eq!(response.status(), 404, "{}", who.username);
            let html = response.text().await.unwrap();
            assert!(!html.contains("<svg") && !html.contains("621 888 999"));
        }
        assert_eq!(sue.get(&app, "/staff/reports/no-such-report/cluster").await.status(), 404);
        let signed_out = app.get(&format!("/staff/reports/{a}/cluster")).await.text().await.unwrap();
        assert!(!signed_out.contains("<svg") && !signed_out.contains("621 888 999"), "signed out");
        app.finish().await;
    }
}

both_backends! {
    async fn identifiers_holding_markup_are_escaped_in_the_graph_and_the_tables(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let sue = app.staff("sue", "supervisor").await;
        let venue = "<script>window.__pwned=1</script> Hotel \"Bellevue\" <img src=x onerror=alert(1)>";
        let a = app.file_api(json!({ "category": "other", "narrative": "x", "venue": venue, "city": "Esch" })).await;
        let b = app.file_api(json!({ "category": "other", "narrative": "y", "venue": venue, "city": "Esch" })).await;
        let html = sue.get(&app, &format!("/staff/reports/{a}/cluster")).await.text().await.unwrap();
        assert!(html.contains(b.as_str()), "the two reports share the venue");
        assert!(!html.contains("<script") && !html.contains("<img"), "markup from a report is never markup on the page");
        let svg = svg_of(&html);
        assert!(svg.contains("&lt;script&gt;window.__pwned=1&lt;/script&gt;"), "{svg}");
        assert!(svg.contains("&quot;Bellevue&quot;"));
        assert!(!svg.contains("onerror=alert") || svg.contains("&lt;img src=x onerror=alert(1)&gt;"));
        let table = &html[html.find("id=\"cluster-identifiers\"").unwrap()..];
        assert!(table.contains("&lt;script&gt;window.__pwned=1&lt;"));
        app.finish().await;
    }
}

#[tokio::test]
async fn the_cluster_is_capped_and_says_so() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let sue = app.staff("sue", "supervisor").await;
    let phone = "+352 621 404 404";
    let first = app
        .file_api(
            json!({ "category": "other", "narrative": "x", "country": "LU", "phones": [phone] }),
        )
        .await;
    for n in 0..tipline::link::cluster::MAX_REPORTS {
        let body = json!({ "category": "other", "narrative": format!("n{n}"), "country": "LU", "phones": [phone] });
        assert_eq!(app.post_api(&body).await.status(), 201);
    }
    let html = sue
        .get(&app, &format!("/staff/reports/{first}/cluster"))
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("id=\"cluster-capped\""));
    assert!(html.contains(&format!(
        "Only the {} most closely connected reports are shown",
        tipline::link::cluster::MAX_REPORTS
    )));
    assert_eq!(
        svg_of(&html).matches("<a href=\"/staff/reports/").count(),
        tipline::link::cluster::MAX_REPORTS
    );
    app.finish().await;
}

#[tokio::test]
async fn nothing_is_shown_when_the_cluster_view_cannot_be_recorded() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let sue = app.staff("sue", "supervisor").await;
    let phone = "+352 621 303 303";
    let a = app
        .file_api(
            json!({ "category": "other", "narrative": "x", "country": "LU", "phones": [phone] }),
        )
        .await;
    app.file_api(
        json!({ "category": "other", "narrative": "y", "country": "LU", "phones": [phone] }),
    )
    .await;
    assert_eq!(
        sue.get(&app, &format!("/staff/reports/{a}/cluster"))
            .await
            .status(),
        200
    );
    sqlx::query("DELETE FROM audit_log WHERE seq > (SELECT MAX(seq) - 2 FROM audit_log)")
        .execute(app.db().pool())
        .await
        .unwrap();
    sqlx::query(
        "UPDATE audit_head SET seq = (SELECT MAX(seq) FROM audit_log), \
         mac = (SELECT mac FROM audit_log WHERE seq = (SELECT MAX(seq) FROM audit_log)) WHERE id = 1",
    )
    .execute(app.db().pool())
    .await
    .unwrap();
    let response = sue.get(&app, &format!("/staff/reports/{a}/cluster")).await;
    assert_eq!(response.status(), 503);
    let html = response.text().await.unwrap();
    assert!(!html.contains("<svg") && !html.contains("621 303 303"));
    app.finish().await;
}
