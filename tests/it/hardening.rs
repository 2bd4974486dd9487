//! Issue 15, holes 7 and 8 (web parts): attachment cleaning that cannot take the server down,
//! the download's own sandbox CSP, the audited assessment page, HSTS and the transport warning,
//! private database files, and the same-origin check on state-changing requests.

use crate::helpers::{Backend, TestApp};
use std::io::{BufRead, BufReader, Read};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use tipline::seal::KeyRing;
use tipline::staff::audit::{self, AuditFilter, AuditLog};

// ---------------------------------------------------------------------------
// Attachments
// ---------------------------------------------------------------------------

/// A PNG header declaring `side` x `side` RGBA pixels, with an empty image stream.
pub fn png_bomb(side: u32) -> Vec<u8> {
    fn crc32(data: &[u8]) -> u32 {
        let mut crc = 0xFFFF_FFFFu32;
        for &b in data {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = if crc & 1 != 0 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }
    fn chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
        let mut out = (data.len() as u32).to_be_bytes().to_vec();
        let mut body = kind.to_vec();
        body.extend_from_slice(data);
        out.extend_from_slice(&body);
        out.extend_from_slice(&crc32(&body).to_be_bytes());
        out
    }
    let mut ihdr = side.to_be_bytes().to_vec();
    ihdr.extend_from_slice(&side.to_be_bytes());
    ihdr.extend_from_slice(&[8, 6, 0, 0, 0]);
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.extend(chunk(b"IHDR", &ihdr));
    png.extend(chunk(
        b"IDAT",
        &[0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01],
    ));
    png.extend(chunk(b"IEND", &[]));
    png
}

/// A one-page PDF with `streams` object streams, each inflating to `mib` MiB: every one is
/// under lopdf's per-stream cap, together they are not.
pub fn pdf_bomb(streams: u32, mib: usize) -> Vec<u8> {
    let mut out = b"%PDF-1.7\n".to_vec();
    let mut offsets = Vec::new();
    let mut object = |out: &mut Vec<u8>, body: &[u8]| {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n", offsets.len()).as_bytes());
        out.extend_from_slice(body);
        out.extend_from_slice(b"\nendobj\n");
    };
    object(&mut out, b"<< /Type /Catalog /Pages 2 0 R >>");
    object(&mut out, b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>");
    object(
        &mut out,
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>",
    );
    for i in 0..streams {
        let header = format!("{} 0 ", 1000 + i);
        let mut plain = header.clone().into_bytes();
        plain.extend_from_slice(b"(x)");
        plain.resize(mib * 1024 * 1024, b' ');
        let mut stream = lopdf::Stream::new(lopdf::Dictionary::new(), plain);
        stream.compress().unwrap();
        let mut body = format!(
            "<< /Type /ObjStm /N 1 /First {} /Filter /FlateDecode /Length {} >>\nstream\n",
            header.len(),
            stream.content.len()
        )
        .into_bytes();
        body.extend_from_slice(&stream.content);
        body.extend_from_slice(b"\nendstream");
        object(&mut out, &body);
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", offsets.len() + 1).as_bytes(),
    );
    for offset in &offsets {
        out.extend_from_slice(format!("{offset:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            offsets.len() + 1
        )
        .as_bytes(),
    );
    out
}

/// A small real photo.
fn photo() -> Vec<u8> {
    let image = image::RgbImage::from_fn(64, 48, |x, y| image::Rgb([x as u8 * 4, y as u8 * 5, 90]));
    let mut out = std::io::Cursor::new(Vec::new());
    image.write_to(&mut out, image::ImageFormat::Jpeg).unwrap();
    out.into_inner()
}

async fn post_with_files(app: &TestApp, files: &[(&str, Vec<u8>)]) -> (u16, String) {
    let token = app.form_token("en", "other").await;
    app.post_form(
        &[
            ("form_token", &token),
            ("category", "other"),
            ("narrative", "What I saw at the car wash."),
        ],
        files,
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn attachment_bombs_are_refused_while_a_photo_goes_through() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    for bomb in [pdf_bomb(5, 7), png_bomb(30_000)] {
        let (status, html) = post_with_files(&app, &[("bomb", bomb)]).await;
        assert_eq!(status, 422, "refused, not filed");
        assert!(
            html.contains("A file could not be read."),
            "translated error"
        );
        assert!(
            html.contains("What I saw at the car wash."),
            "what was typed is kept"
        );
    }
    assert_eq!(app.get("/healthz").await.status(), 200);
    let (status, html) = post_with_files(&app, &[("photo.jpg", photo())]).await;
    assert_eq!(status, 200, "{html}");
    assert_eq!(app.stored_reports().await.len(), 1);
    app.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parallel_bombs_stay_within_the_budget_and_the_server_answers() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let bombs: Vec<_> = (0..4)
        .map(|_| {
            // The first refusal ends a request: one bomb each, all at once.
            let files = vec![("a.pdf", pdf_bomb(5, 7))];
            let token_app = &app;
            async move { post_with_files(token_app, &files).await.0 }
        })
        .collect();
    let health = async {
        tokio::time::sleep(Duration::from_millis(50)).await;
        let started = Instant::now();
        let status = app.get("/healthz").await.status();
        (status, started.elapsed())
    };
    let (statuses, (health, took)) = tokio::join!(futures_join_all(bombs), health);
    assert_eq!(statuses, vec![422; 4], "every bomb refused");
    assert_eq!(health, 200);
    assert!(took < Duration::from_secs(2), "health check took {took:?}");
    assert!(app.stored_reports().await.is_empty());
    app.finish().await;
}

/// Runs futures concurrently (no extra crate for one join).
async fn futures_join_all<F: std::future::Future<Output = u16>>(futures: Vec<F>) -> Vec<u16> {
    let mut set = Vec::new();
    for f in futures {
        set.push(Box::pin(f));
    }
    let mut out = vec![0; set.len()];
    let mut pending: Vec<usize> = (0..set.len()).collect();
    std::future::poll_fn(|cx| {
        pending.retain(|&i| match set[i].as_mut().poll(cx) {
            std::task::Poll::Ready(v) => {
                out[i] = v;
                false
            }
            std::task::Poll::Pending => true,
        });
        if pending.is_empty() {
            std::task::Poll::Ready(())
        } else {
            std::task::Poll::Pending
        }
    })
    .await;
    out
}

// ---------------------------------------------------------------------------
// Staff pages
// ---------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_attachment_download_carries_its_own_sandbox_csp() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let sue = app.staff("sue", "supervisor").await;
    let (status, _) =
        post_with_files(&app, &[("p.png", crate::sealing::png_with_text("a", "b"))]).await;
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
    let csp: Vec<_> = download
        .headers()
        .get_all("content-security-policy")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect();
    assert_eq!(csp, ["sandbox; default-src 'none'"]);
    // Pages keep the site policy.
    let page = sue.get(&app, &format!("/staff/reports/{id}")).await;
    assert_eq!(
        page.headers()["content-security-policy"],
        tipline::web::security::CSP
    );
    app.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn opening_the_assessment_page_is_audited() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let ana = app.staff("ana", "analyst").await;
    let id = app.report("Workers sleep in the car wash.").await;
    assert_eq!(
        ana.post(&app, &format!("/staff/reports/{id}/claim"), &[])
            .await
            .status(),
        303
    );
    let keys = KeyRing::load_or_create(&app.key_dir(), &app.data_dir()).unwrap();
    let log = AuditLog::new(
        app.db().clone(),
        keys.derive(audit::KEY_PURPOSE),
        app.key_dir().join(audit::HEAD_FILE),
    );
    let filter = AuditFilter {
        report_id: Some(id.clone()),
        ..Default::default()
    };
    let before = log.list(&filter, 100, 0).await.unwrap().len();
    let page = ana
        .get(&app, &format!("/staff/reports/{id}/assessment"))
        .await;
    assert_eq!(page.status(), 200);
    let entries = log.list(&filter, 100, 0).await.unwrap();
    assert_eq!(
        entries.len(),
        before + 1,
        "one entry for opening the reporter's signs"
    );
    assert_eq!(
        entries[0].action,
        tipline::staff::audit_action::AuditAction::ReportView.as_str()
    );
    assert_eq!(entries[0].detail, "assessment");
    app.finish().await;
}

// ---------------------------------------------------------------------------
// Transport, files, origins
// ---------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_https_public_url_sends_hsts() {
    let app = TestApp::spawn_with(Backend::Sqlite, |s| {
        s.public_url = "https://report.example.org".into();
    })
    .await;
    let page = app.get("/").await;
    assert_eq!(
        page.headers()["strict-transport-security"],
        "max-age=63072000"
    );
    app.finish().await;
    let app = TestApp::spawn(Backend::Sqlite).await;
    assert!(
        app.get("/")
            .await
            .headers()
            .get("strict-transport-security")
            .is_none()
    );
    app.finish().await;
}

/// `tipline serve` under a permissive umask (as a careless service manager would start it).
fn serve(cwd: &Path, args: &[&str]) -> (Child, String) {
    let mut command = Command::new("sh");
    command
        .current_dir(cwd)
        .args([
            "-c",
            "umask 022; exec \"$0\" \"$@\"",
            env!("CARGO_BIN_EXE_tipline"),
        ])
        .args(["serve", "--listen", "127.0.0.1:0", "--log", "warn"])
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (key, _) in std::env::vars() {
        if key.starts_with("TIPLINE_") {
            command.env_remove(key);
        }
    }
    let mut child = command.spawn().unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line
        .trim()
        .strip_prefix("tipline is serving ")
        .unwrap_or_else(|| panic!("unexpected: {line:?}"))
        .trim_end_matches('/')
        .to_owned();
    (child, url)
}

fn stop(mut child: Child) -> String {
    child.kill().unwrap();
    child.wait().unwrap();
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    stderr
}

fn blocking_get(url: &str) -> u16 {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async { reqwest::get(url).await.unwrap().status().as_u16() })
}

#[test]
fn the_database_and_its_journal_files_are_private() {
    let dir = tempfile::tempdir().unwrap();
    let (child, url) = serve(dir.path(), &[]);
    assert_eq!(blocking_get(&format!("{url}/healthz")), 200);
    let data = dir.path().join("tipline-data");
    for file in [
        "tipline.sqlite3",
        "tipline.sqlite3-wal",
        "tipline.sqlite3-shm",
    ] {
        let mode = std::fs::metadata(data.join(file))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "{file} is {:o}", mode & 0o777);
    }
    stop(child);

    // An existing data directory that others can read gets a warning saying what to do.
    std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o755)).unwrap();
    let (child, _) = serve(dir.path(), &[]);
    let stderr = stop(child);
    assert!(stderr.contains("chmod 700"), "{stderr}");
}

#[test]
fn a_public_url_that_is_neither_https_nor_onion_is_warned_about_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let (child, _) = serve(dir.path(), &["--public-url", "http://report.example.org"]);
    let stderr = stop(child);
    assert!(
        stderr.contains("public URL") && stderr.contains("https"),
        "{stderr}"
    );
    for quiet in [
        "https://report.example.org",
        "http://abcdefghijklmnop.onion",
        "http://127.0.0.1:8080",
    ] {
        let (child, _) = serve(dir.path(), &["--public-url", quiet]);
        let stderr = stop(child);
        assert!(!stderr.contains("public URL"), "{quiet}: {stderr}");
    }
}

async fn followup_signin(app: &TestApp, headers: &[(&str, &str)]) -> u16 {
    let page = app.get("/followup?lang=en").await.text().await.unwrap();
    let token = page
        .split("name=\"form_token\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    let mut request = app.client.post(format!("{}/followup", app.base)).form(&[
        ("form_token", token.as_str()),
        ("receipt", "AAAA-BBBB-CCCC-DDDD-EEEE-FFFF"),
        ("lang", "en"),
    ]);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    request.send().await.unwrap().status().as_u16()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cross_site_posts_are_refused_and_same_origin_ones_pass() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    // A wrong receipt answers 401: the request reached the sign-in.
    assert_eq!(
        followup_signin(&app, &[]).await,
        401,
        "no header: curl, old browsers"
    );
    assert_eq!(
        followup_signin(&app, &[("sec-fetch-site", "same-origin")]).await,
        401
    );
    assert_eq!(followup_signin(&app, &[("origin", &app.base)]).await, 401);
    assert_eq!(
        followup_signin(&app, &[("sec-fetch-site", "cross-site")]).await,
        403
    );
    assert_eq!(
        followup_signin(&app, &[("sec-fetch-site", "same-site")]).await,
        403
    );
    assert_eq!(
        followup_signin(&app, &[("origin", "https://evil.example")]).await,
        403
    );
    // Chromium posts a same-origin form with `Origin: null` under this site's
    // `Referrer-Policy: no-referrer`: `Sec-Fetch-Site` decides; an opaque origin alone is not
    // judged (older browsers send it too).
    assert_eq!(
        followup_signin(
            &app,
            &[("origin", "null"), ("sec-fetch-site", "same-origin")]
        )
        .await,
        401
    );
    assert_eq!(
        followup_signin(
            &app,
            &[("origin", "null"), ("sec-fetch-site", "cross-site")]
        )
        .await,
        403
    );
    assert_eq!(followup_signin(&app, &[("origin", "null")]).await, 401);
    let refused = app
        .client
        .post(format!("{}/followup?lang=fr", app.base))
        .header("sec-fetch-site", "cross-site")
        .form(&[("receipt", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 403);
    let html = refused.text().await.unwrap();
    assert!(html.contains("lang=\"fr\""), "translated page");
    // The API stays open to cross-origin clients.
    let api = app
        .client
        .post(format!("{}/api/v1/reports", app.base))
        .header("sec-fetch-site", "cross-site")
        .header("origin", "https://partner.example")
        .json(&serde_json::json!({ "category": "other", "narrative": "Seen from a partner app." }))
        .send()
        .await
        .unwrap();
    assert_eq!(api.status(), 201);
    app.finish().await;
}
