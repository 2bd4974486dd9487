//! The staff side of issue 15 over HTTP on both databases: enrolment that cannot be hijacked and
//! session ids that change when a session gains privilege; sign-in limits in front of Argon2
//! with failures folded in the audit trail; resets that keep disabled accounts disabled; and a
//! supervisor's approval before an admin's new content-reading account works.

use crate::helpers::{TestApp, both_backends};
use crate::staff::{PASSWORD, csrf_in};
use tipline::staff::audit_action::AuditAction;
use tipline::staff::{accounts, totp};
use tipline::store::staff as repo;

fn between<'a>(html: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let i = html.find(start)? + start.len();
    Some(html[i..].split(end).next().unwrap_or(""))
}

/// A browser whose staff cookie the test holds by hand, so it can keep or replay old values.
struct Hand {
    client: reqwest::Client,
    cookie: Option<String>,
}

fn cookie_set_by(response: &reqwest::Response) -> Option<String> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| v.strip_prefix("tipline_staff="))
        .map(|v| v.split(';').next().unwrap_or("").to_owned())
        .find(|v| !v.is_empty())
}

impl Hand {
    fn new() -> Self {
        Self {
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            cookie: None,
        }
    }

    fn with_cookie(
        &self,
        rb: reqwest::RequestBuilder,
        cookie: Option<&str>,
    ) -> reqwest::RequestBuilder {
        match cookie.or(self.cookie.as_deref()) {
            Some(c) => rb.header("cookie", format!("tipline_staff={c}")),
            None => rb,
        }
    }

    async fn get_as(&self, app: &TestApp, path: &str, cookie: Option<&str>) -> reqwest::Response {
        self.with_cookie(self.client.get(format!("{}{path}", app.base)), cookie)
            .send()
            .await
            .unwrap()
    }

    async fn get(&self, app: &TestApp, path: &str) -> reqwest::Response {
        self.get_as(app, path, None).await
    }

    /// Posts a form; keeps a new cookie if one is set.
    async fn post(
        &mut self,
        app: &TestApp,
        path: &str,
        form: &[(&str, &str)],
    ) -> reqwest::Response {
        let response = self
            .with_cookie(self.client.post(format!("{}{path}", app.base)), None)
            .form(form)
            .send()
            .await
            .unwrap();
        if let Some(c) = cookie_set_by(&response) {
            self.cookie = Some(c);
        }
        response
    }

    /// Chooses the password through a set-up link; lands in the enrolment stage.
    async fn set_password(&mut self, app: &TestApp, token: &str) -> reqwest::Response {
        let page = self
            .get(app, &format!("/staff/setup/{token}"))
            .await
            .text()
            .await
            .unwrap();
        let form_token = between(&page, "name=\"form_token\" value=\"", "\"")
            .unwrap()
            .to_owned();
        self.post(
            app,
            &format!("/staff/setup/{token}"),
            &[
                ("form_token", &form_token),
                ("password", PASSWORD),
                ("confirm", PASSWORD),
                ("lang", "en"),
            ],
        )
        .await
    }

    async fn sign_in(
        &mut self,
        app: &TestApp,
        username: &str,
        password: &str,
        code: &str,
    ) -> reqwest::Response {
        let page = self.get(app, "/staff/sign-in").await.text().await.unwrap();
        let form_token = between(&page, "name=\"form_token\" value=\"", "\"")
            .unwrap()
            .to_owned();
        self.post(
            app,
            "/staff/sign-in",
            &[
                ("form_token", &form_token),
                ("username", username),
                ("password", password),
                ("code", code),
            ],
        )
        .await
    }

    /// The enrolment page: the secret shown and the form's CSRF token.
    async fn enrol_page(&self, app: &TestApp) -> (totp::TotpSecret, String) {
        let page = self.get(app, "/staff/enrol").await.text().await.unwrap();
        (crate::staff::totp_secret_in(&page), csrf_in(&page))
    }
}

both_backends! {
    async fn a_password_session_from_before_enrolment_cannot_replace_the_second_factor(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let token = accounts::add(app.db(), "ana", "analyst", "en", app.clock.unix()).await.unwrap();
        let mut owner = Hand::new();
        assert_eq!(owner.set_password(&app, &token).await.status(), 303);
        let before_enrolment = owner.cookie.clone().unwrap();

        // Someone who learnt the password signs in before the owner enrols.
        let mut intruder = Hand::new();
        let r = intruder.sign_in(&app, "ana", PASSWORD, "").await;
        assert_eq!(r.headers()["location"], "/staff/enrol");
        let (intruder_secret, intruder_csrf) = intruder.enrol_page(&app).await;

        // The owner enrols.
        let (secret, csrf) = owner.enrol_page(&app).await;
        let enrolled = owner.post(&app, "/staff/enrol", &[("csrf", &csrf), ("code", &totp::code_at(&secret, app.clock.unix()))]).await;
        assert_eq!(enrolled.headers()["location"], "/staff");

        // The intruder's session ended with the enrolment; its own code changes nothing.
        let code = totp::code_at(&intruder_secret, app.clock.unix());
        let r = intruder.post(&app, "/staff/enrol", &[("csrf", &intruder_csrf), ("code", &code)]).await;
        assert_ne!(r.headers()["location"], "/staff", "the intruder must not get in");
        assert_eq!(intruder.get(&app, "/staff").await.status(), 303);

        // The owner's session got a new id on enrolment, and the old one is worthless.
        let after_enrolment = cookie_set_by(&enrolled).expect("a fresh session id on enrolment");
        assert_ne!(after_enrolment, before_enrolment);
        assert_eq!(owner.get(&app, "/staff").await.status(), 200);
        assert_eq!(owner.get_as(&app, "/staff", Some(&before_enrolment)).await.status(), 303, "the pre-enrolment id is dead");

        // Even a caller that gets past the session: the secret is written only where none is.
        let sealer = app.sealer().await;
        let row = repo::user_by_username(app.db(), "ana").await.unwrap().unwrap();
        let mut tx = app.db().pool().begin().await.unwrap();
        let again = accounts::confirm_totp_in(&mut tx, &sealer, &row.id, &intruder_secret, &totp::code_at(&intruder_secret, app.clock.unix() + 30), app.clock.unix() + 30).await;
        tx.rollback().await.unwrap();
        assert!(matches!(again, Err(accounts::AccountError::AlreadyEnrolled)), "{again:?}");

        // The owner's own second factor still works; signing in gives a new id again and ends
        // the session the browser came with.
        app.clock.advance(60);
        let r = owner.sign_in(&app, "ana", PASSWORD, &totp::code_at(&secret, app.clock.unix())).await;
        assert_eq!(r.headers()["location"], "/staff");
        let signed_in = cookie_set_by(&r).unwrap();
        assert_ne!(signed_in, after_enrolment);
        assert_eq!(owner.get_as(&app, "/staff", Some(&after_enrolment)).await.status(), 303, "the id from before sign-in is dead");
        assert_eq!(owner.get(&app, "/staff").await.status(), 200);
        app.finish().await;
    }
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

/// The audit entries with this action: (actor, detail), oldest first.
async fn audited(db: &tipline::store::Db, action: AuditAction) -> Vec<(String, String)> {
    sqlx::query_as::<_, (String, String)>(
        "SELECT actor, detail FROM audit_log WHERE action = $1 ORDER BY seq",
    )
    .bind(action.as_str())
    .fetch_all(db.pool())
    .await
    .unwrap()
}

fn few_per_user(settings: &mut tipline::cli::config::Settings) {
    settings.sign_in.per_user_per_minute = 3;
    settings.sign_in.per_user_burst = 3;
}

both_backends! {
    async fn a_sign_in_flood_is_limited_before_argon2_and_folded_in_the_audit_trail(backend: Backend) {
        let mut app = TestApp::spawn_with(backend, few_per_user).await;
        let ana = app.staff("ana", "analyst").await;
        let mut flood = Hand::new();
        for _ in 0..3 {
            assert_eq!(flood.sign_in(&app, "ana", "wrong wrong wrong", "123456").await.status(), 401);
        }
        // The fourth within the minute is refused before any password work, with a page that
        // says what to do.
        let limited = flood.sign_in(&app, "ana", "wrong wrong wrong", "123456").await;
        assert_eq!(limited.status(), 429);
        assert_eq!(limited.headers()["retry-after"], "60");
        let page = limited.text().await.unwrap();
        assert!(page.contains("Too many sign-in attempts. Wait a minute, then try again."), "{page}");
        for _ in 0..20 {
            assert_eq!(flood.sign_in(&app, "ana", "wrong wrong wrong", "123456").await.status(), 429);
        }
        // Another username is not held up by the flood on this one.
        assert_eq!(flood.sign_in(&app, "nobody", "wrong wrong wrong", "123456").await.status(), 401);

        // Three failures and 21 limited attempts wrote one entry each kind so far, plus one for
        // the unknown name.
        let failed = audited(app.db(), AuditAction::SessionSignInFailed).await;
        assert_eq!(failed, vec![(ana.id.to_string(), String::new()), ("anonymous".to_owned(), String::new())]);
        assert_eq!(audited(app.db(), AuditAction::SessionSignInLimited).await.len(), 1);

        // A minute later the owner signs in; the failures folded so far are written as one.
        app.clock.advance(61);
        let mut owner = Hand::new();
        let code = totp::code_at(&ana.secret, app.clock.unix());
        assert_eq!(owner.sign_in(&app, "ana", PASSWORD, &code).await.status(), 303);
        let failed = audited(app.db(), AuditAction::SessionSignInFailed).await;
        assert_eq!(failed.len(), 3, "{failed:?}");
        assert_eq!(ana.id, failed[2].0.as_str());
        assert!(failed[2].1.starts_with("repeated=2 "), "{failed:?}");

        // The limited attempts still folded are written on a normal shutdown.
        let db = app.stop_and_reopen().await;
        let limited = audited(&db, AuditAction::SessionSignInLimited).await;
        assert_eq!(limited.len(), 2, "{limited:?}");
        assert!(limited[1].1.starts_with("repeated=20 "), "{limited:?}");
        db.close().await;
        app.finish().await;
    }
}

/// The token of the set-up link an admin's page shows (the page escapes the address's slashes).
fn setup_token_in(page: &str) -> String {
    let link = between(page, "id=\"setup-link\" translate=\"no\">", "<").expect("a set-up link");
    link.trim().rsplit(['/', ';']).next().unwrap().to_owned()
}

both_backends! {
    async fn an_admins_new_content_reader_waits_for_a_supervisors_approval(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let sue = app.staff("sue", "supervisor").await;
        let adm = app.staff("adm", "admin").await;
        let aud = app.staff("aud", "auditor").await;
        let ana = app.staff("ana", "analyst").await;

        // An admin adds a supervisor: the set-up link does not work yet.
        let page = adm.post(&app, "/staff/users", &[("username", "eva"), ("role", "supervisor"), ("language", "en")]).await.text().await.unwrap();
        let token = setup_token_in(&page);
        let early = app.get(&format!("/staff/setup/{token}")).await;
        assert_ne!(early.status(), 200, "an admin's new supervisor must wait for a supervisor's approval");
        assert!(early.text().await.unwrap().contains("waits for a supervisor"), "the owner is told why");
        assert!(page.contains("id=\"awaiting-approval\""), "the admin is told: {page}");

        // The audit trail flags the request, and the auditor's page shows the flag.
        let requested = audited(app.db(), AuditAction::UserContentAccessRequested).await;
        assert_eq!(requested, vec![(adm.id.to_string(), "username=eva role=supervisor by=add".to_owned())]);
        let trail = aud.get(&app, "/staff/audit").await.text().await.unwrap();
        assert!(trail.contains("class=\"flag\"") && trail.contains("Gives access to report content"), "{trail}");

        // Neither the admin nor an analyst can approve; the supervisor sees and approves it.
        assert_eq!(adm.post(&app, "/staff/approvals/eva/approve", &[]).await.status(), 403);
        assert_eq!(ana.post(&app, "/staff/approvals/eva/approve", &[]).await.status(), 403);
        let list = sue.get(&app, "/staff/approvals").await.text().await.unwrap();
        assert!(list.contains("id=\"approve-eva\"") && list.contains("adm"), "{list}");
        assert_eq!(sue.post(&app, "/staff/approvals/eva/approve", &[]).await.status(), 303);
        let approved = audited(app.db(), AuditAction::UserContentAccessApproved).await;
        assert_eq!(approved, vec![(sue.id.to_string(), "username=eva role=supervisor".to_owned())]);
        let eva = app.staff_with_token("eva", &token).await;
        assert_eq!(eva.get(&app, "/staff").await.status(), 200);

        // A reset of an analyst by the admin waits too; a new auditor does not.
        let page = adm.post(&app, "/staff/users/ana/reset", &[]).await.text().await.unwrap();
        let ana_token = setup_token_in(&page);
        assert_ne!(app.get(&format!("/staff/setup/{ana_token}")).await.status(), 200);
        assert_eq!(sue.post(&app, "/staff/approvals/ana/approve", &[]).await.status(), 303);
        assert_eq!(app.get(&format!("/staff/setup/{ana_token}")).await.status(), 200);
        let page = adm.post(&app, "/staff/users", &[("username", "aude"), ("role", "auditor"), ("language", "en")]).await.text().await.unwrap();
        assert_eq!(app.get(&format!("/staff/setup/{}", setup_token_in(&page))).await.status(), 200);
        app.finish().await;
    }
}

both_backends! {
    async fn the_enrolment_page_shows_the_qr_code_of_its_secret(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let token = accounts::add(app.db(), "ana", "analyst", "en", app.clock.unix()).await.unwrap();
        let mut owner = Hand::new();
        assert_eq!(owner.set_password(&app, &token).await.status(), 303);
        let page = owner.get(&app, "/staff/enrol").await.text().await.unwrap();
        let secret = crate::staff::totp_secret_in(&page);
        let uri = totp::provisioning_uri(&secret, "Report trafficking and exploitation", "ana");

        // The code drawn on the page, module by module (the crate's renderer: one 1×1 rectangle
        // per dark module, inside a 4-module quiet zone), is the code of the secret shown beside it.
        let svg = between(&page, "<svg", "</svg>").expect("an inline SVG");
        assert!(svg.contains("role=\"img\"") && svg.contains("aria-label=\"QR code to set up the authenticator app\""), "{svg}");
        let code = qrcode::QrCode::with_error_correction_level(uri.as_bytes(), qrcode::EcLevel::M).unwrap();
        let size = code.width() + 8;
        assert!(svg.contains(&format!("viewBox=\"0 0 {size} {size}\"")), "{svg}");
        let path = between(svg, "fill=\"#000\" d=\"", "\"").expect("the dark modules");
        let mut drawn = vec![false; size * size];
        for module in path.split('M').filter(|m| !m.is_empty()) {
            let (x, rest) = module.split_once(' ').unwrap();
            let (y, rest) = rest.split_once('h').unwrap();
            assert!(rest.starts_with("1v1H"), "{module}");
            let (x, y): (usize, usize) = (x.parse().unwrap(), y.parse().unwrap());
            drawn[y * size + x] = true;
        }
        let expected: Vec<bool> = (0..size * size)
            .map(|i| {
                let (x, y) = (i % size, i / size);
                (4..size - 4).contains(&x)
                    && (4..size - 4).contains(&y)
                    && code[(x - 4, y - 4)] == qrcode::Color::Dark
            })
            .collect();
        assert_eq!(drawn, expected);
        app.finish().await;
    }
}
