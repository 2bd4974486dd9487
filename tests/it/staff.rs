//! The back office over HTTP on both databases: set-up link, password, TOTP enrolment, sign-in
//! and throttling, sessions that expire and end, CSRF, the whole role matrix, the workflow and
//! its deadlines, the queue, the case view and the CLI.

use crate::helpers::{Backend, TestApp, both_backends};
use serde_json::json;
use tipline::staff::{accounts, totp};
use tipline::store::cases;
use tipline::types::{ReportId, UserId};

/// A strong password every test user sets.
pub const PASSWORD: &str = "plum kettle orbit 71 sleeve";

/// A staff member's browser: a cookie-keeping client and what they know.
pub struct Staff {
    pub client: reqwest::Client,
    pub username: String,
    pub secret: totp::TotpSecret,
    pub id: UserId,
}

/// The address of a queue page's "next page" link, unescaped.
pub fn queue_next(page: &str) -> Option<String> {
    let link = page
        .split("id=\"queue-next\"")
        .next()
        .filter(|_| page.contains("id=\"queue-next\""))?;
    let href = link.rsplit("href=\"").next()?.split('"').next()?;
    Some(
        href.replace("&amp;", "&")
            .replace("&#x2f;", "/")
            .replace("&#x3d;", "="),
    )
}

fn between<'a>(html: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let i = html.find(start)? + start.len();
    Some(html[i..].split(end).next().unwrap_or(""))
}

pub fn csrf_in(html: &str) -> String {
    between(html, "name=\"csrf\" value=\"", "\"")
        .expect("a CSRF field")
        .to_owned()
}

/// The TOTP secret an enrolment page shows (grouped in fours for reading).
pub fn totp_secret_in(html: &str) -> totp::TotpSecret {
    let shown = between(html, "id=\"totp-secret\" translate=\"no\">", "<")
        .expect("the secret on the enrolment page")
        .replace(' ', "");
    let bytes = data_encoding::BASE32_NOPAD
        .decode(shown.as_bytes())
        .expect("the secret in base32");
    totp::TotpSecret::from_bytes(bytes).expect("a secret of the right length")
}

pub fn form_token_in(html: &str) -> String {
    between(html, "name=\"form_token\" value=\"", "\"")
        .expect("a form token")
        .to_owned()
}

pub fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

impl TestApp {
    /// Creates an account and goes through the set-up link and TOTP enrolment.
    pub async fn staff(&self, username: &str, role: &str) -> Staff {
        let token = accounts::add(self.db(), username, role, "en", self.clock.unix())
            .await
            .unwrap();
        self.staff_with_token(username, &token).await
    }

    /// Goes through a set-up link and TOTP enrolment.
    pub async fn staff_with_token(&self, username: &str, token: &str) -> Staff {
        let client = browser();
        let page = client
            .get(format!("{}/staff/setup/{token}", self.base))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let response = client
            .post(format!("{}/staff/setup/{token}", self.base))
            .form(&[
                ("form_token", form_token_in(&page).as_str()),
                ("password", PASSWORD),
                ("confirm", PASSWORD),
                ("lang", "en"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 303, "{}", response.text().await.unwrap());
        let page = client
            .get(format!("{}/staff/enrol", self.base))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(page.contains("<svg"), "a QR code");
        let secret = totp_secret_in(&page);
        let code = totp::code_at(&secret, self.clock.unix());
        let response = client
            .post(format!("{}/staff/enrol", self.base))
            .form(&[("csrf", csrf_in(&page)), ("code", code)])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 303);
        assert_eq!(response.headers()["location"], "/staff");
        let id = tipline::store::staff::user_by_username(self.db(), username)
            .await
            .unwrap()
            .unwrap()
            .id;
        Staff {
            client,
            username: username.to_owned(),
            secret,
            id,
        }
    }

    /// Signs in with password and a fresh code on a new browser; returns the response.
    pub async fn sign_in(
        &self,
        client: &reqwest::Client,
        username: &str,
        password: &str,
        code: &str,
    ) -> reqwest::Response {
        let page = client
            .get(format!("{}/staff/sign-in", self.base))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        client
            .post(format!("{}/staff/sign-in", self.base))
            .form(&[
                ("form_token", form_token_in(&page).as_str()),
                ("username", username),
                ("password", password),
                ("code", code),
            ])
            .send()
            .await
            .unwrap()
    }

    /// Signs `staff` in again on a fresh browser (after the clock jumped past the session's life).
    pub async fn resume(&self, staff: &mut Staff) {
        self.clock.advance(30);
        let client = browser();
        let code = totp::code_at(&staff.secret, self.clock.unix());
        let response = self
            .sign_in(&client, &staff.username, PASSWORD, &code)
            .await;
        assert_eq!(response.status(), 303);
        staff.client = client;
    }

    /// Files a report through the API; returns its id.
    pub async fn report(&self, narrative: &str) -> ReportId {
        let before = tipline::store::reports::all_ids(self.db()).await.unwrap();
        let response = self.post_api(&json!({ "category": "labour_exploitation", "narrative": narrative, "country": "LU" })).await;
        assert_eq!(response.status(), 201);
        let after = tipline::store::reports::all_ids(self.db()).await.unwrap();
        after.into_iter().find(|id| !before.contains(id)).unwrap()
    }
}

impl Staff {
    pub async fn get(&self, app: &TestApp, path: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{path}", app.base))
            .send()
            .await
            .unwrap()
    }

    /// Every page of the queue at `path`, following its "next page" links to the end.
    pub async fn queue_pages(&self, app: &TestApp, path: &str) -> Vec<String> {
        let mut pages = Vec::new();
        let mut next = Some(path.to_owned());
        while let Some(path) = next.take() {
            let response = self.get(app, &path).await;
            assert_eq!(response.status(), 200, "{path}");
            let page = response.text().await.unwrap();
            next = queue_next(&page);
            pages.push(page);
            assert!(
                pages.len() < 10_000,
                "the queue's next-page links go round in circles"
            );
        }
        pages
    }

    /// This session's CSRF token, read from the first staff page this role may see.
    pub async fn csrf(&self, app: &TestApp) -> String {
        for path in ["/staff", "/staff/audit", "/staff/users"] {
            let page = self.get(app, path).await.text().await.unwrap();
            if let Some(c) = between(&page, "name=\"csrf\" value=\"", "\"") {
                return c.to_owned();
            }
        }
        panic!("no page with a CSRF token for {}", self.username);
    }

    /// Posts a form with this session's CSRF token.
    pub async fn post(
        &self,
        app: &TestApp,
        path: &str,
        fields: &[(&str, &str)],
    ) -> reqwest::Response {
        let csrf = self.csrf(app).await;
        let mut all = vec![("csrf", csrf.as_str())];
        all.extend_from_slice(fields);
        self.client
            .post(format!("{}{path}", app.base))
            .form(&all)
            .send()
            .await
            .unwrap()
    }
}

both_backends! {
    async fn staff_sign_in_needs_password_and_a_fresh_totp_code(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let ana = app.staff("ana", "analyst").await;
        assert_eq!(ana.get(&app, "/staff").await.status(), 200);

        // Sign out really ends the session: the old cookie no longer works.
        let out = ana.post(&app, "/staff/sign-out", &[]).await;
        assert_eq!(out.status(), 303);
        assert!(out.headers()["set-cookie"].to_str().unwrap().contains("Max-Age=0"));
        assert_eq!(ana.get(&app, "/staff").await.status(), 303);

        app.clock.advance(30);
        let code = totp::code_at(&ana.secret, app.clock.unix());
        let browser = crate::staff::browser();
        let wrong_password = app.sign_in(&browser, "ana", "not the password at all", &code).await;
        assert_eq!(wrong_password.status(), 401);
        let wrong_code = app.sign_in(&browser, "ana", PASSWORD, "000000").await;
        assert_eq!(wrong_code.status(), 401);
        let unknown = app.sign_in(&browser, "nobody", PASSWORD, &code).await;
        assert_eq!(unknown.status(), 401);
        let ok = app.sign_in(&browser, "ana", PASSWORD, &code).await;
        assert_eq!(ok.status(), 303);
        let cookie = ok.headers()["set-cookie"].to_str().unwrap().to_owned();
        assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict") && cookie.contains("Path=/staff"), "{cookie}");
        assert!(!cookie.contains("Expires") && !cookie.contains("Max-Age"), "a session cookie");
        assert_eq!(browser.get(format!("{}/staff", app.base)).send().await.unwrap().status(), 200);
        // The same code cannot be used twice.
        let replay = app.sign_in(&crate::staff::browser(), "ana", PASSWORD, &code).await;
        assert_eq!(replay.status(), 401);
        app.finish().await;
    }
}

both_backends! {
    async fn repeated_failures_lock_the_account_for_a_while(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let ana = app.staff("ana", "analyst").await;
        let browser = crate::staff::browser();
        for _ in 0..accounts::FREE_FAILURES {
            assert_eq!(app.sign_in(&browser, "ana", "wrong wrong wrong", "123456").await.status(), 401);
        }
        app.clock.advance(30);
        let code = totp::code_at(&ana.secret, app.clock.unix());
        assert_eq!(app.sign_in(&browser, "ana", PASSWORD, &code).await.status(), 401, "locked");
        app.clock.advance(61);
        let code = totp::code_at(&ana.secret, app.clock.unix());
        assert_eq!(app.sign_in(&browser, "ana", PASSWORD, &code).await.status(), 303, "unlocked after the wait");
        app.finish().await;
    }
}

#[tokio::test]
async fn sessions_end_when_idle_and_after_the_absolute_limit() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let ana = app.staff("ana", "analyst").await;
    app.clock.advance(29 * 60);
    assert_eq!(ana.get(&app, "/staff").await.status(), 200);
    app.clock.advance(31 * 60);
    assert_eq!(ana.get(&app, "/staff").await.status(), 303, "idle timeout");

    let bob = app.staff("bob", "analyst").await;
    for _ in 0..40 {
        app.clock.advance(20 * 60);
        if bob.get(&app, "/staff").await.status() != 200 {
            break;
        }
    }
    assert_eq!(
        bob.get(&app, "/staff").await.status(),
        303,
        "absolute timeout"
    );
    app.finish().await;
}

#[tokio::test]
async fn forms_without_the_sessions_csrf_token_are_refused() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let sup = app.staff("sue", "supervisor").await;
    let id = app.report("Workers locked in.").await;
    let response = sup
        .client
        .post(format!("{}/staff/reports/{id}/notes", app.base))
        .form(&[("csrf", "forged"), ("body", "should not be stored")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);
    assert!(cases::notes(app.db(), &id).await.unwrap().is_empty());
    assert_eq!(
        sup.post(
            &app,
            &format!("/staff/reports/{id}/notes"),
            &[("body", "stored")]
        )
        .await
        .status(),
        303
    );
    assert_eq!(cases::notes(app.db(), &id).await.unwrap().len(), 1);
    app.finish().await;
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Kind {
    Open,
    AnaOwn,
    BenOwn,
    AnaRestricted,
    BenRestricted,
}
const KINDS: [Kind; 5] = [
    Kind::Open,
    Kind::AnaOwn,
    Kind::BenOwn,
    Kind::AnaRestricted,
    Kind::BenRestricted,
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Act {
    View,
    Download,
    Claim,
    Assign,
    Status,
    Restrict,
    Note,
    Message,
}
const ACTS: [Act; 8] = [
    Act::View,
    Act::Download,
    Act::Claim,
    Act::Assign,
    Act::Status,
    Act::Restrict,
    Act::Note,
    Act::Message,
];

/// The expected answer, written out by hand from the rules (not derived from the code).
fn expected(user: &str, kind: Kind, act: Act) -> bool {
    use Act::*;
    use Kind::*;
    if user == "ben" {
        return expected("ana", mirrored(kind), act);
    }
    match user {
        "sue" => true,
        "ana" => match (kind, act) {
            (BenRestricted, _) => false,
            (_, View | Download) => true,
            (Open, Claim) => true,
            (AnaOwn | AnaRestricted, Status | Note | Message) => true,
            _ => false,
        },
        _ => false,
    }
}

/// Ben is an analyst too: his own cases are Ana's seen in a mirror.
fn mirrored(kind: Kind) -> Kind {
    match kind {
        Kind::AnaOwn => Kind::BenOwn,
        Kind::BenOwn => Kind::AnaOwn,
        Kind::AnaRestricted => Kind::BenRestricted,
        Kind::BenRestricted => Kind::AnaRestricted,
        Kind::Open => Kind::Open,
    }
}

/// Whether `user` may see the report exists at all.
fn visible(user: &str, kind: Kind) -> bool {
    if user == "ben" {
        return visible("ana", mirrored(kind));
    }
    match user {
        "sue" => true,
        "ana" => kind != Kind::BenRestricted,
        _ => false,
    }
}

async fn make(app: &TestApp, kind: Kind, ana: &UserId, ben: &UserId) -> (ReportId, String) {
    let report =
        json!({ "category": "other", "narrative": format!("{kind:?} report") }).to_string();
    let form = reqwest::multipart::Form::new()
        .part("report", reqwest::multipart::Part::text(report))
        .part(
            "attachments",
            reqwest::multipart::Part::bytes(crate::sealing::png_with_text("k", "v"))
                .file_name("a.png"),
        );
    let before = tipline::store::reports::all_ids(app.db()).await.unwrap();
    let response = app
        .client
        .post(format!("{}/api/v1/reports", app.base))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let id = tipline::store::reports::all_ids(app.db())
        .await
        .unwrap()
        .into_iter()
        .find(|i| !before.contains(i))
        .unwrap();
    let now = app.clock.unix();
    match kind {
        Kind::Open => {}
        Kind::AnaOwn => cases::assign(app.db(), &id, Some(ana), now).await.unwrap(),
        Kind::BenOwn => cases::assign(app.db(), &id, Some(ben), now).await.unwrap(),
        Kind::AnaRestricted | Kind::BenRestricted => {
            let who = if kind == Kind::AnaRestricted {
                ana
            } else {
                ben
            };
            cases::assign(app.db(), &id, Some(who), now).await.unwrap();
            cases::set_restricted(app.db(), &id, true, now)
                .await
                .unwrap();
        }
    }
    let attachment = tipline::store::reports::attachments(app.db(), &id)
        .await
        .unwrap()[0]
        .id
        .clone();
    (id, attachment)
}

async fn act(
    app: &TestApp,
    staff: &Staff,
    act: Act,
    id: &ReportId,
    attachment: &str,
    assignee: &UserId,
) -> reqwest::Response {
    let base = format!("/staff/reports/{id}");
    match act {
        Act::View => staff.get(app, &base).await,
        Act::Download => {
            staff
                .get(app, &format!("{base}/attachments/{attachment}"))
                .await
        }
        Act::Claim => staff.post(app, &format!("{base}/claim"), &[]).await,
        Act::Assign => {
            staff
                .post(
                    app,
                    &format!("{base}/assign"),
                    &[("assignee", assignee.as_str())],
                )
                .await
        }
        Act::Status => {
            staff
                .post(
                    app,
                    &format!("{base}/status"),
                    &[("status", "acknowledged")],
                )
                .await
        }
        Act::Restrict => {
            staff
                .post(app, &format!("{base}/restrict"), &[("restricted", "yes")])
                .await
        }
        Act::Note => {
            staff
                .post(app, &format!("{base}/notes"), &[("body", "a note")])
                .await
        }
        Act::Message => {
            staff
                .post(app, &format!("{base}/messages"), &[("body", "a question")])
                .await
        }
    }
}

both_backends! {
    async fn every_role_against_every_staff_route_and_action(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let users = [
            app.staff("ana", "analyst").await,
            app.staff("ben", "analyst").await,
            app.staff("sue", "supervisor").await,
            app.staff("aud", "auditor").await,
            app.staff("adm", "admin").await,
        ];
        let (ana_id, ben_id, sue_id) = (users[0].id.clone(), users[1].id.clone(), users[2].id.clone());
        // What a report that does not exist looks like, per user.
        let mut missing = Vec::new();
        for u in &users {
            let r = u.get(&app, "/staff/reports/00000000-0000-7000-8000-000000000000").await;
            assert_eq!(r.status(), 404);
            missing.push(r.text().await.unwrap());
        }
        let mut checked = 0;
        for (n, user) in users.iter().enumerate() {
            for kind in KINDS {
                for a in ACTS {
                    let (id, attachment) = make(&app, kind, &ana_id, &ben_id).await;
                    let response = act(&app, user, a, &id, &attachment, &sue_id).await;
                    let status = response.status().as_u16();
                    let body = response.text().await.unwrap();
                    let name = user.username.as_str();
                    if name == "sue" && a == Act::Claim && kind != Kind::Open {
                        assert_eq!(status, 409, "claiming an assigned case is a conflict, not a permission");
                    } else if expected(name, kind, a) {
                        let ok = if matches!(a, Act::View | Act::Download) { 200 } else { 303 };
                        assert_eq!(status, ok, "{name} {kind:?} {a:?} should be allowed: {body}");
                    } else if visible(name, kind) {
                        assert_eq!(status, 403, "{name} {kind:?} {a:?} should be refused");
                    } else {
                        assert_eq!(status, 404, "{name} {kind:?} {a:?} should look missing");
                        assert_eq!(body, missing[n], "{name} {kind:?} {a:?}: a refusal reveals nothing");
                    }
                    checked += 1;
                }
            }
        }
        assert_eq!(checked, 5 * 5 * 8);

        // Routes that are not about one report.
        let expect = [("ana", 200, 403, 403), ("ben", 200, 403, 403), ("sue", 200, 403, 403), ("aud", 303, 200, 403), ("adm", 303, 403, 200)];
        for (user, (name, queue, audit, admin)) in users.iter().zip(expect) {
            assert_eq!(user.get(&app, "/staff").await.status().as_u16(), queue, "{name} queue");
            assert_eq!(user.get(&app, "/staff/audit").await.status().as_u16(), audit, "{name} audit");
            assert_eq!(user.get(&app, "/staff/users").await.status().as_u16(), admin, "{name} users");
        }
        // The queue shows exactly what the role may see.
        let mut ids = std::collections::HashMap::new();
        for kind in KINDS {
            ids.insert(kind, make(&app, kind, &ana_id, &ben_id).await.0);
        }
        let ana_queue = users[0].queue_pages(&app, "/staff").await.concat();
        let sue_queue = users[2].queue_pages(&app, "/staff").await.concat();
        for kind in KINDS {
            assert_eq!(ana_queue.contains(ids[&kind].as_str()), visible("ana", kind), "ana's queue and {kind:?}");
            assert!(sue_queue.contains(ids[&kind].as_str()), "sue's queue and {kind:?}");
        }
        // Unauthenticated requests go to the sign-in page and change nothing.
        let anonymous = crate::staff::browser();
        let r = anonymous.get(format!("{}/staff/reports/{}", app.base, ids[&Kind::Open])).send().await.unwrap();
        assert_eq!(r.status(), 303);
        assert_eq!(r.headers()["location"], "/staff/sign-in");
        app.finish().await;
    }
}

both_backends! {
    async fn the_workflow_moves_cases_along_and_the_queue_shows_what_is_overdue(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let mut ana = app.staff("ana", "analyst").await;
        let mut sue = app.staff("sue", "supervisor").await;
        let id = app.report("Cleaners sleep at the hotel.").await;
        let db = app.db().clone();
        let case = |id: ReportId| {
            let db = db.clone();
            async move { cases::get(&db, &id).await.unwrap().unwrap() }
        };

        // Eight days later the acknowledgement is overdue.
        app.clock.advance(8 * 24 * 3600);
        app.resume(&mut ana).await;
        let queue = ana.get(&app, "/staff").await.text().await.unwrap();
        assert!(queue.contains("Acknowledgement overdue"), "{queue}");

        assert_eq!(ana.post(&app, &format!("/staff/reports/{id}/claim"), &[]).await.status(), 303);
        let before = app.clock.unix();
        assert_eq!(ana.post(&app, &format!("/staff/reports/{id}/status"), &[("status", "acknowledged")]).await.status(), 303);
        let after = app.clock.unix();
        let c = case(id.clone()).await;
        assert_eq!(c.triage.status, "acknowledged");
        // The test clock is real time plus the jumps, so the second may tick during the request.
        let at = c.acknowledged_at.expect("acknowledged_at is set");
        assert!((before..=after).contains(&at), "{before} <= {at} <= {after}");
        let queue = ana.get(&app, "/staff").await.text().await.unwrap();
        assert!(!queue.contains("Acknowledgement overdue"));

        // Moves that the workflow does not allow are refused, whoever asks.
        assert_eq!(ana.post(&app, &format!("/staff/reports/{id}/status"), &[("status", "new")]).await.status(), 409);
        assert_eq!(ana.post(&app, &format!("/staff/reports/{id}/status"), &[("status", "in_assessment")]).await.status(), 303);
        // Three months after the acknowledgement without feedback, feedback is overdue.
        app.clock.advance(93 * 24 * 3600);
        app.resume(&mut ana).await;
        app.resume(&mut sue).await;
        let page = ana.get(&app, &format!("/staff/reports/{id}")).await.text().await.unwrap();
        assert!(page.contains("Feedback overdue"));
        assert_eq!(ana.post(&app, &format!("/staff/reports/{id}/status"), &[("status", "forwarded")]).await.status(), 303);

        // Only a supervisor closes, and only with a reason.
        assert_eq!(ana.post(&app, &format!("/staff/reports/{id}/status"), &[("status", "closed"), ("reason", "duplicate")]).await.status(), 403);
        assert_eq!(sue.post(&app, &format!("/staff/reports/{id}/status"), &[("status", "closed")]).await.status(), 409);
        assert_eq!(sue.post(&app, &format!("/staff/reports/{id}/status"), &[("status", "closed"), ("reason", "referred_elsewhere")]).await.status(), 303);
        let c = case(id.clone()).await;
        assert_eq!((c.triage.status.as_str(), c.closed_reason.as_deref()), ("closed", Some("referred_elsewhere")));
        assert!(!ana.get(&app, "/staff").await.text().await.unwrap().contains(id.as_str()), "closed cases leave the open queue");
        assert!(ana.get(&app, "/staff?status=closed").await.text().await.unwrap().contains(id.as_str()));
        // Re-open.
        assert_eq!(ana.post(&app, &format!("/staff/reports/{id}/status"), &[("status", "in_assessment")]).await.status(), 403);
        assert_eq!(sue.post(&app, &format!("/staff/reports/{id}/status"), &[("status", "in_assessment")]).await.status(), 303);
        assert_eq!(case(id.clone()).await.triage.status, "in_assessment");
        app.finish().await;
    }
}

#[tokio::test]
async fn the_queue_puts_the_most_urgent_first_then_the_oldest_and_filters() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let ana = app.staff("ana", "analyst").await;
    let file = |body: serde_json::Value| {
        let app = &app;
        async move {
            assert_eq!(app.post_api(&body).await.status(), 201);
            app.clock.advance(60);
        }
    };
    file(json!({ "category": "labour_exploitation", "narrative": "old normal", "country": "BE" }))
        .await;
    file(json!({ "category": "labour_exploitation", "narrative": "high", "still_happening": true, "country": "LU" })).await;
    file(json!({ "category": "child_sexual_exploitation", "narrative": "critical", "still_happening": true, "country": "LU" })).await;
    file(json!({ "category": "labour_exploitation", "narrative": "new normal", "country": "LU" }))
        .await;
    let queue = ana.get(&app, "/staff").await.text().await.unwrap();
    let order: Vec<&str> = queue
        .match_indices("<td>Critical</td>")
        .chain(queue.match_indices("<td>High</td>"))
        .chain(queue.match_indices("<td>Normal</td>"))
        .map(|(i, _)| &queue[i..i + 14])
        .collect();
    let positions =
        ["<td>Critical</td>", "<td>High</td>", "<td>Normal</td>"].map(|m| queue.find(m).unwrap());
    assert!(
        positions[0] < positions[1] && positions[1] < positions[2],
        "{order:?}"
    );
    let rows = tipline::store::cases::list(app.db(), &["new"])
        .await
        .unwrap();
    let old_be = rows
        .iter()
        .find(|r| r.triage.country.as_deref() == Some("BE"))
        .unwrap();
    let new_lu = rows
        .iter()
        .find(|r| r.triage.country.as_deref() == Some("LU") && r.triage.urgency == "normal")
        .unwrap();
    assert!(
        queue.find(old_be.id.as_str()).unwrap() < queue.find(new_lu.id.as_str()).unwrap(),
        "older first within an urgency"
    );
    let filtered = ana
        .get(&app, "/staff?country=be")
        .await
        .text()
        .await
        .unwrap();
    assert!(filtered.contains(old_be.id.as_str()) && !filtered.contains(new_lu.id.as_str()));
    let filtered = ana
        .get(&app, "/staff?category=child_sexual_exploitation")
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(filtered.matches("/staff/reports/").count(), 1);
    let mine = ana
        .get(&app, "/staff?assignee=me")
        .await
        .text()
        .await
        .unwrap();
    assert!(mine.contains("id=\"queue-empty\""));
    app.finish().await;
}

#[tokio::test]
async fn hostile_content_is_inert_text_and_attachments_are_downloads() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let sue = app.staff("sue", "supervisor").await;
    let payload =
        "<script>window.__pwned=1</script><img src=x onerror=\"window.__pwned=1\">\u{202E}gnp.exe";
    let long = "x".repeat(100_000);
    let response = app
        .post_api(&json!({
            "category": "other", "narrative": format!("{payload}\n{}", &long[..19_000]), "city": payload,
            "victims_description": payload, "phones": [payload], "anonymous": false, "contact_name": payload,
            "contact_email": "a@example.org"
        }))
        .await;
    assert_eq!(response.status(), 201);
    let id = tipline::store::reports::all_ids(app.db())
        .await
        .unwrap()
        .pop()
        .unwrap();
    let page = sue.get(&app, &format!("/staff/reports/{id}")).await;
    assert_eq!(page.headers()["cache-control"], "no-store");
    let html = page.text().await.unwrap();
    assert!(
        !html.contains("<script>window") && !html.contains("<img src=x"),
        "escaped"
    );
    assert!(html.contains("&lt;script&gt;window.__pwned=1&lt;&#x2f;script&gt;"));
    assert!(html.contains("id=\"anonymity\">The reporter chose to leave contact details."));

    let (status, _) = {
        let token = app.form_token("en", "other").await;
        app.post_form(
            &[
                ("form_token", &token),
                ("category", "other"),
                ("narrative", "with a photo"),
            ],
            &[("p.png", crate::sealing::png_with_text("a", "b"))],
        )
        .await
    };
    assert_eq!(status, 200);
    let id = tipline::store::reports::all_ids(app.db())
        .await
        .unwrap()
        .pop()
        .unwrap();
    let attachment = tipline::store::reports::attachments(app.db(), &id)
        .await
        .unwrap()[0]
        .id
        .clone();
    let download = sue
        .get(
            &app,
            &format!("/staff/reports/{id}/attachments/{attachment}"),
        )
        .await;
    assert_eq!(download.status(), 200);
    assert_eq!(
        download.headers()["content-type"],
        "application/octet-stream"
    );
    assert!(
        download.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment; filename=\"report-attachment-1.png\"")
    );
    assert!(download.bytes().await.unwrap().starts_with(b"\x89PNG"));
    app.finish().await;
}

#[test]
fn the_cli_adds_lists_resets_and_disables_accounts() {
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
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (code, out, err) = run(&[
        "user",
        "add",
        "--username",
        "ana",
        "--role",
        "analyst",
        "--public-url",
        "https://report.example.org",
    ]);
    assert_eq!(code, Some(0), "{err}");
    assert!(
        out.contains("https://report.example.org/staff/setup/"),
        "{out}"
    );
    let (code, _, err) = run(&["user", "add", "--username", "ana", "--role", "analyst"]);
    assert_eq!(code, Some(2));
    assert!(
        err.contains("already taken") && err.lines().count() == 1,
        "{err}"
    );
    let (code, _, err) = run(&["user", "add", "--username", "xy", "--role", "boss"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("analyst, supervisor, auditor, admin"), "{err}");
    let (_, out, _) = run(&["user", "list"]);
    assert!(
        out.contains("ana") && out.contains("analyst") && out.contains("set-up pending"),
        "{out}"
    );
    let (code, out, _) = run(&["user", "reset", "--username", "ana"]);
    assert_eq!(code, Some(0));
    assert!(out.contains("/staff/setup/"));
    let (code, _, _) = run(&["user", "disable", "--username", "ana"]);
    assert_eq!(code, Some(0));
    let (_, out, _) = run(&["user", "list"]);
    assert!(out.contains("disabled"));
    let (code, _, err) = run(&["user", "disable", "--username", "nobody"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("tipline user list"), "{err}");
}

#[tokio::test]
async fn nothing_is_shown_when_the_view_cannot_be_recorded() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let sue = app.staff("sue", "supervisor").await;
    let id = app.report("Workers locked in.").await;
    assert_eq!(
        sue.get(&app, &format!("/staff/reports/{id}"))
            .await
            .status(),
        200
    );
    // Someone with database access cuts off the newest audit entries: the head file kept in the
    // key directory no longer matches, appends are refused, and so is showing the report.
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
    let response = sue.get(&app, &format!("/staff/reports/{id}")).await;
    assert_eq!(response.status(), 503);
    assert!(
        !response
            .text()
            .await
            .unwrap()
            .contains("Workers locked in.")
    );
    app.finish().await;
}

#[tokio::test]
async fn used_or_unknown_set_up_links_say_so_in_the_users_language() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let token = accounts::add(app.db(), "ana", "analyst", "de", app.clock.unix())
        .await
        .unwrap();
    let response = app.get("/staff/setup/not-a-token?lang=fr").await;
    assert_eq!(response.status(), 404);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("Ce lien ne fonctionne pas")
    );
    app.staff_with_token("ana", &token).await;
    let again = app.get(&format!("/staff/setup/{token}")).await;
    assert_eq!(again.status(), 404, "a set-up link works once");
    app.finish().await;
}
