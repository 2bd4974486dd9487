//! The staff side of issue 15 over HTTP on both databases: enrolment that cannot be hijacked and
//! session ids that change when a session gains privilege; sign-in limits in front of Argon2
//! with failures folded in the audit trail; resets that keep disabled accounts disabled; and a
//! supervisor's approval before an admin's new content-reading account works.

use crate::helpers::{TestApp, both_backends};
use tipline::staff::accounts;
use tipline::store::staff as repo;

fn between<'a>(html: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let i = html.find(start)? + start.len();
    Some(html[i..].split(end).next().unwrap_or(""))
}

both_backends! {
    async fn resetting_a_disabled_account_keeps_it_disabled(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let adm = app.staff("adm", "admin").await;
        app.staff("aud", "auditor").await;
        assert_eq!(adm.post(&app, "/staff/users/aud/disable", &[]).await.status(), 303);
        let page = adm.post(&app, "/staff/users/aud/reset", &[]).await.text().await.unwrap();
        let row = repo::user_by_username(app.db(), "aud").await.unwrap().unwrap();
        assert!(row.disabled, "a reset must not re-enable the account");
        assert!(page.contains("id=\"stays-disabled\""), "the admin is told: {page}");
        assert!(page.contains("tipline user enable --username aud"), "and what to do next");
        let link = between(&page, "id=\"setup-link\" translate=\"no\">", "<").unwrap().trim().to_owned();
        // The page escapes the slashes of the address; the token is its last part.
        let path = format!("/staff/setup/{}", link.rsplit(['/', ';']).next().unwrap());
        assert_eq!(app.get(&path).await.status(), 404, "the link does not work while disabled");

        // The domain call the CLI uses says so too, and `enable` brings the account back.
        let reset = accounts::reset(app.db(), "aud", app.clock.unix()).await.unwrap();
        assert!(reset.stays_disabled);
        accounts::enable(app.db(), "aud").await.unwrap();
        assert_eq!(app.get(&format!("/staff/setup/{}", reset.token)).await.status(), 200);
        app.finish().await;
    }
}

#[test]
fn the_cli_reset_says_a_disabled_account_stays_disabled() {
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        let out = crate::startup::tipline()
            .current_dir(dir.path())
            .args(args)
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        )
    };
    assert_eq!(
        run(&["user", "add", "--username", "ana", "--role", "analyst"]).0,
        Some(0)
    );
    assert_eq!(run(&["user", "disable", "--username", "ana"]).0, Some(0));
    let (code, out) = run(&["user", "reset", "--username", "ana"]);
    assert_eq!(code, Some(0));
    assert!(
        out.contains("stays disabled") && out.contains("tipline user enable --username ana"),
        "{out}"
    );
    let (_, out) = run(&["user", "list"]);
    assert!(out.contains("disabled"), "{out}");
    let (code, _) = run(&["user", "enable", "--username", "ana"]);
    assert_eq!(code, Some(0));
    let (_, out) = run(&["user", "list"]);
    assert!(out.contains("set-up pending"), "{out}");
}
