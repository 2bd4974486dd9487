//! Staff sign-in security over HTTP on both databases: recovery codes (shown once, each signs
//! in once, replaced as a set, gone with a reset), the supervisor's passkey requirement (a content
//! role without a passkey must add one before anything else), the sign-in challenge that looks the
//! same for names with and without passkeys, and the audit entries. The passkey ceremonies
//! themselves run in Chromium with a virtual authenticator (`browser.rs`, `e2e/passkeys.mjs`).

use crate::helpers::{TestApp, both_backends};
use crate::staff::{PASSWORD, Staff, browser, csrf_in, form_token_in};
use serde_json::Value;
use tipline::staff::totp;

/// The recovery codes a page shows.
fn codes_in(html: &str) -> Vec<String> {
    let Some(list) = html.split("<ul class=\"codes\" translate=\"no\">").nth(1) else {
        return Vec::new();
    };
    let list = list.split("</ul>").next().unwrap_or("");
    list.split("<li class=\"receipt\">")
        .skip(1)
        .filter_map(|item| item.split("</li>").next())
        .map(str::to_owned)
        .collect()
}

async fn security_page(app: &TestApp, staff: &Staff) -> String {
    let response = staff.get(app, "/staff/security").await;
    let status = response.status();
    let text = response.text().await.unwrap();
    assert_eq!(status, 200, "{text}");
    text
}

async fn make_codes(app: &TestApp, staff: &Staff) -> Vec<String> {
    let page = security_page(app, staff).await;
    let response = staff
        .client
        .post(format!("{}/staff/security/recovery-codes", app.base))
        .form(&[("csrf", csrf_in(&page))])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    codes_in(&response.text().await.unwrap())
}

async fn actions_of(app: &TestApp, user: &tipline::types::UserId) -> Vec<(String, String)> {
    sqlx::query_as("SELECT action, detail FROM audit_log WHERE actor = $1 ORDER BY seq")
        .bind(user)
        .fetch_all(app.db().pool())
        .await
        .unwrap()
}

both_backends! {
    async fn recovery_codes_sign_in_once_each_and_are_replaced_as_a_set(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let ana = app.staff("ana", "analyst").await;
        let page = security_page(&app, &ana).await;
        assert!(page.contains("id=\"recovery-unused\">Unused recovery codes: 0."), "{page}");

        let codes = make_codes(&app, &ana).await;
        assert_eq!(codes.len(), 10, "{codes:?}");
        assert!(codes.iter().all(|c| c.len() == 11 && c.as_bytes()[5] == b'-'), "{codes:?}");
        // Shown once: the page after it no longer holds them, only how many are left.
        let page = security_page(&app, &ana).await;
        assert!(codes.iter().all(|c| !page.contains(c.as_str())));
        assert!(page.contains("Unused recovery codes: 10."), "{page}");
        // Stored as keyed hashes only.
        let stored: Vec<Vec<u8>> = sqlx::query_scalar("SELECT code_hash FROM staff_recovery_codes")
            .fetch_all(app.db().pool())
            .await
            .unwrap();
        assert_eq!(stored.len(), 10);
        assert!(stored.iter().all(|h| h.len() == 32 && !codes.iter().any(|c| h.windows(5).any(|w| w == &c.as_bytes()[..5]))));

        // A code signs in in place of the app's code, typed loosely (lower case, no dash).
        let typed = codes[0].to_lowercase().replace('-', " ");
        let response = app.sign_in(&browser(), "ana", PASSWORD, &typed).await;
        assert_eq!(response.status(), 303, "{}", response.text().await.unwrap());
        assert_eq!(response.headers()["location"], "/staff");
        // ...once.
        let response = app.sign_in(&browser(), "ana", PASSWORD, &codes[0]).await;
        assert_eq!(response.status(), 401);
        // A made-up code does not.
        let response = app.sign_in(&browser(), "ana", PASSWORD, "ABCDE-FGHJK").await;
        assert_eq!(response.status(), 401);
        // New codes replace the old ones.
        let fresh = make_codes(&app, &ana).await;
        let response = app.sign_in(&browser(), "ana", PASSWORD, &codes[1]).await;
        assert_eq!(response.status(), 401);
        app.clock.advance(3600);
        let response = app.sign_in(&browser(), "ana", PASSWORD, &fresh[0]).await;
        assert_eq!(response.status(), 303);

        let actions = actions_of(&app, &ana.id).await;
        assert_eq!(actions.iter().filter(|(a, _)| a == "user.recovery_codes_made").count(), 2, "{actions:?}");
        assert!(actions.iter().any(|(a, d)| a == "session.sign_in" && d == "full recovery-code"), "{actions:?}");

        // A reset takes the recovery codes with the other credentials.
        tipline::staff::accounts::reset(app.db(), "ana", app.clock.unix()).await.unwrap();
        let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM staff_recovery_codes")
            .fetch_one(app.db().pool())
            .await
            .unwrap();
        assert_eq!(left, 0);
        app.finish().await;
    }
}

both_backends! {
    async fn a_required_passkey_must_be_added_before_anything_else(backend: Backend) {
        // Passkeys need a host name (the browser test reaches one; here a ceremony only starts).
        let app = TestApp::spawn_with(backend, |settings| {
            settings.public_url = "http://localhost:8080".into();
        })
        .await;
        let sue = app.staff("sue", "supervisor").await;
        let ana = app.staff("ana", "analyst").await;
        let aud = app.staff("aud", "auditor").await;
        // Only a supervisor may require passkeys.
        let page = security_page(&app, &ana).await;
        assert!(!page.contains("id=\"require-passkeys\""));
        let response = ana
            .client
            .post(format!("{}/staff/security/require-passkeys", app.base))
            .form(&[("csrf", csrf_in(&page).as_str()), ("required", "on")])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 403);
        let page = security_page(&app, &sue).await;
        let response = sue
            .client
            .post(format!("{}/staff/security/require-passkeys", app.base))
            .form(&[("csrf", csrf_in(&page).as_str()), ("required", "on")])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 303);
        assert!(security_page(&app, &sue).await.contains("id=\"require-passkeys\" name=\"required\" value=\"on\" checked"));

        // The analyst, who has no passkey, signs in with the app's code and lands on the page
        // that adds one; every other staff page sends them back there.
        app.clock.advance(30);
        let client = browser();
        let code = totp::code_at(&ana.secret, app.clock.unix());
        let response = app.sign_in(&client, "ana", PASSWORD, &code).await;
        assert_eq!(response.status(), 303);
        assert_eq!(response.headers()["location"], "/staff/security");
        for path in ["/staff", "/staff/search?q=x", "/staff/audit"] {
            let response = client.get(format!("{}{path}", app.base)).send().await.unwrap();
            assert_eq!(response.status(), 303, "{path}");
            assert_eq!(response.headers()["location"], "/staff/security", "{path}");
        }
        let page = client
            .get(format!("{}/staff/security", app.base))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(page.contains("id=\"must-add-passkey\""), "{page}");
        // Without JavaScript the form says what it needs.
        let response = client
            .post(format!("{}/staff/security/passkeys", app.base))
            .form(&[("csrf", csrf_in(&page).as_str()), ("name", "laptop"), ("ceremony", ""), ("response", "")])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 422);
        assert!(response.text().await.unwrap().contains("Adding a passkey needs JavaScript"));
        // A forged answer to a real ceremony adds nothing.
        let started: Value = client
            .post(format!("{}/staff/security/passkeys/options", app.base))
            .form(&[("csrf", csrf_in(&page))])
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert!(started["options"]["publicKey"]["challenge"].is_string(), "{started}");
        let response = client
            .post(format!("{}/staff/security/passkeys", app.base))
            .form(&[
                ("csrf", csrf_in(&page).as_str()),
                ("name", "laptop"),
                ("ceremony", started["ceremony"].as_str().unwrap()),
                ("response", r#"{"id":"AAAA","rawId":"AAAA","type":"public-key","response":{"attestationObject":"AAAA","clientDataJSON":"AAAA"}}"#),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 422);
        assert!(response.text().await.unwrap().contains("The passkey was not added"));
        let passkeys: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM staff_passkeys")
            .fetch_one(app.db().pool())
            .await
            .unwrap();
        assert_eq!(passkeys, 0);

        // Roles that read no report content are not held to it.
        app.clock.advance(30);
        let code = totp::code_at(&aud.secret, app.clock.unix());
        let response = app.sign_in(&browser(), "aud", PASSWORD, &code).await;
        assert_eq!(response.headers()["location"], "/staff");

        let actions = actions_of(&app, &sue.id).await;
        assert!(actions.iter().any(|(a, d)| a == "setting.passkeys_required" && d == "on"), "{actions:?}");
        let actions = actions_of(&app, &ana.id).await;
        assert!(actions.iter().any(|(a, d)| a == "session.sign_in" && d == "passkey totp"), "{actions:?}");
        app.finish().await;
    }
}

both_backends! {
    async fn the_passkey_challenge_tells_nothing_about_the_name(backend: Backend) {
        let app = TestApp::spawn_with(backend, |settings| {
            // Passkeys need a host name; the test reaches the server by address, which is all a
            // challenge needs.
            settings.public_url = "http://localhost:8080".into();
        })
        .await;
        let _ana = app.staff("ana", "analyst").await;
        let client = browser();
        let page = client
            .get(format!("{}/staff/sign-in", app.base))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(page.contains("id=\"passkey-sign-in\" hidden"), "the button waits for the script");
        let challenge = |name: &'static str| {
            let client = client.clone();
            let token = form_token_in(&page);
            let base = app.base.clone();
            async move {
                let response = client
                    .post(format!("{base}/staff/sign-in/passkey"))
                    .form(&[("form_token", token.as_str()), ("username", name)])
                    .send()
                    .await
                    .unwrap();
                assert_eq!(response.status(), 200);
                response.json::<Value>().await.unwrap()
            }
        };
        // An account without passkeys and a name nobody has get challenges of the same shape,
        // each naming credentials, the same ones each time for the same name.
        let known = challenge("ana").await;
        let unknown = challenge("nobody").await;
        let again = challenge("nobody").await;
        let keys = |v: &Value| -> Vec<String> {
            v["options"]["publicKey"].as_object().unwrap().keys().cloned().collect()
        };
        assert_eq!(keys(&known), keys(&unknown));
        // Never an empty list (an account with passkeys has at least one): webauthn-rs's own
        // distribution gives none to about one name in seven.
        for n in 0..20 {
            let name: &'static str = Box::leak(format!("nobody-{n}").into_boxed_str());
            let options = challenge(name).await;
            assert!(!options["options"]["publicKey"]["allowCredentials"].as_array().unwrap().is_empty(), "{name}");
        }
        assert_eq!(
            unknown["options"]["publicKey"]["allowCredentials"],
            again["options"]["publicKey"]["allowCredentials"]
        );
        assert_ne!(unknown["options"]["publicKey"]["challenge"], again["options"]["publicKey"]["challenge"]);
        assert_eq!(unknown["options"]["publicKey"]["rpId"], "localhost");
        // A forged answer signs nobody in, and counts as a failed sign-in.
        let response = client
            .post(format!("{}/staff/sign-in", app.base))
            .form(&[
                ("form_token", form_token_in(&page).as_str()),
                ("username", "ana"),
                ("password", PASSWORD),
                ("passkey_ceremony", known["ceremony"].as_str().unwrap()),
                ("passkey_response", r#"{"id":"AAAA","rawId":"AAAA","type":"public-key","response":{"authenticatorData":"AAAA","clientDataJSON":"AAAA","signature":"AAAA"}}"#),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 401);
        app.finish().await;
    }
}

both_backends! {
    async fn without_a_host_name_passkeys_are_not_offered(backend: Backend) {
        // The test server's public address is an IP address, as a hotline's may be.
        let app = TestApp::spawn(backend).await;
        let ana = app.staff("ana", "analyst").await;
        let page = security_page(&app, &ana).await;
        assert!(page.contains("id=\"passkeys-unavailable\""), "{page}");
        assert!(!page.contains("id=\"passkey-add-form\""));
        let response = ana
            .client
            .post(format!("{}/staff/security/passkeys/options", app.base))
            .form(&[("csrf", csrf_in(&page))])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 409);
        // A requirement nobody could meet here is not offered, and holds nobody back.
        let sue = app.staff("sue", "supervisor").await;
        let page = security_page(&app, &sue).await;
        assert!(!page.contains("id=\"require-passkeys\""), "{page}");
        let response = sue
            .client
            .post(format!("{}/staff/security/require-passkeys", app.base))
            .form(&[("csrf", csrf_in(&page).as_str()), ("required", "on")])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 303);
        app.clock.advance(30);
        let code = totp::code_at(&ana.secret, app.clock.unix());
        let response = app.sign_in(&browser(), "ana", PASSWORD, &code).await;
        assert_eq!(response.status(), 303);
        assert_eq!(response.headers()["location"], "/staff");
        app.finish().await;
    }
}
