//! Scanners nobody here wrote: Debian's wapiti and sqlmap against the real `tipline serve`
//! binary, each on its own server, bounded in time. Each test asserts what the scanner reports
//! (no injection point, no vulnerability or anomaly) and what the server's own route log shows
//! (no 5xx, every POST route in scope reached, at least one report filed or action done).
//!
//! Scope, per scan:
//! - wapiti, public: the HTML pages and their POST forms (`/report`, `/followup`, and with a
//!   reporter's session `/followup/report/messages` and `/followup/report/notify`). wapiti
//!   3.0.4 sends only form fields, never a JSON body, so the JSON API is sqlmap's part.
//! - sqlmap, public and API: the same four form routes (multipart and urlencoded, each with the
//!   form's one-time token fetched fresh for every request) and the three JSON API POST routes.
//! - signed in (wapiti, then sqlmap): the staff search and a case page with every POST form that
//!   page shows, as a supervisor.
//!
//! Sign-out routes are left out on purpose (they would end the scanner's own session).
//!
//! The server runs with its rate limits raised: under the default limits the same request gets
//! a 429 after a few tries, and a scanner that compares answers reads that change as a sign of
//! injection (that is where wapiti's "Possible …" notes on the receipt field came from). The
//! production defaults are untouched.

use crate::staff::{PASSWORD, csrf_in, form_token_in, totp_secret_in};
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tipline::staff::totp;

/// wapiti 3.0.4 as Debian ships it, with three changes made at start-up:
/// - `-x` works again: its wildcard patterns put the regex flags at the end, which Python 3.11
///   refuses (every exclusion made wapiti crash);
/// - radio buttons send the checked value, as a browser does (wapiti sends the last one, so the
///   form said "not anonymous" with no contact and never validated);
/// - file fields carry a real PNG instead of the six bytes `GIF89a`, which the hotline refuses
///   (it takes JPEG, PNG and PDF only), so the report form can be filed at all.
///
/// Without the last two, no attack on the report form got past validation to where a report
/// is stored.
const WAPITI: &str = r#"
import os, re, sys
import requests
import wapitiCore.net.crawler as crawler
import wapitiCore.net.page as page

def wildcard_translate(pattern):
    return re.compile("(?ms)" + ".*".join(re.escape(p) for p in pattern.split("*")) + r"\Z")
crawler.wildcard_translate = wildcard_translate

iter_forms = page.Page.iter_forms
def checked_radios(self, autofill=True):
    for form in self.soup.find_all("form"):
        radios = form.find_all("input", attrs={"type": "radio", "name": True})
        checked = {r["name"] for r in radios if r.has_attr("checked")}
        for r in radios:
            if r["name"] in checked and not r.has_attr("checked"):
                r.decompose()
    return iter_forms(self, autofill)
page.Page.iter_forms = checked_radios

PNG = open(os.environ["SCAN_SAMPLE_PNG"], "rb").read()
post = requests.Session.post
def with_png(self, url, data=None, json=None, **kwargs):
    files = kwargs.get("files")
    if isinstance(files, list):
        kwargs["files"] = [
            [name, (value[0], PNG, "image/png")]
            if isinstance(value, (list, tuple)) and len(value) == 3 and value[1] in ("GIF89a", b"GIF89a")
            else [name, value]
            for name, value in files
        ]
    return post(self, url, data=data, json=json, **kwargs)
requests.Session.post = with_png

from wapitiCore.main.wapiti import wapiti_main
sys.argv[0] = "wapiti"
sys.exit(wapiti_main())
"#;

/// wapiti's attack modules in these scans, chosen for what tipline takes in: injection into
/// SQL (by errors and by timing), into a shell, into file paths, into headers (CRLF), into
/// pages (reflected and stored XSS) and open redirects. Left out: ssrf (it needs wapiti's
/// endpoint on the internet), xxe (no XML is read), brute-force file discovery (backup, buster,
/// nikto: slow, not injection), and the header and cookie audits, which `serving.rs` covers.
const WAPITI_MODULES: &str = "sql,blindsql,exec,file,crlf,xss,permanentxss,redirect";

/// Parameters wapiti does not attack (see [`wapiti`]).
const SKIPPED: &[&str] = &[
    "csrf",
    "form_token",
    "indicator",
    "age_groups",
    "warning_signs",
];

/// A scanner, or the server, that is missing: say how to get it, as `browser.rs` does.
fn require(program: &str) {
    let found = Command::new(program)
        .arg("--version")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok();
    assert!(
        found,
        "{program} is missing: install it (scripts/test does: apt-get install wapiti sqlmap)"
    );
}

/// One line of the route log: method, route pattern, status.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Logged {
    method: String,
    route: String,
    status: u16,
}

fn field<'a>(line: &'a str, name: &str) -> Option<&'a str> {
    let start = line.find(&format!(" {name}="))? + name.len() + 2;
    let rest = &line[start..];
    Some(match rest.strip_prefix('"') {
        Some(quoted) => quoted.split('"').next().unwrap_or(""),
        None => rest.split(' ').next().unwrap_or(""),
    })
}

fn parse(line: &str) -> Option<Logged> {
    if !line.contains(" request ") {
        return None;
    }
    Some(Logged {
        method: field(line, "method")?.to_owned(),
        route: field(line, "route")?.to_owned(),
        status: field(line, "status")?.parse().ok()?,
    })
}

/// `tipline serve` as a child process on a free port, its log read line by line.
struct Server {
    child: Child,
    base: String,
    dir: tempfile::TempDir,
    database_url: Option<String>,
    log: Arc<Mutex<Vec<String>>>,
}

/// The binary as `startup` runs it, without colour in its log (the test reads the lines) and
/// with nothing on standard input.
fn tipline() -> Command {
    let mut cmd = crate::startup::tipline();
    cmd.env("NO_COLOR", "1").stdin(Stdio::null());
    cmd
}

impl Server {
    fn start(database_url: Option<String>) -> Self {
        let dir = tempfile::Builder::new()
            .prefix("scan-")
            .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
            .unwrap();
        let data = dir.path().join("data");
        let keys = dir.path().join("keys");
        let high = "100000";
        let mut cmd = tipline();
        cmd.arg("serve")
            .arg("--data-dir")
            .arg(&data)
            .arg("--key-dir")
            .arg(&keys)
            .args(["--listen", "127.0.0.1:0", "--log", "info"])
            .args(["--exit-url", "https://exit.example/"])
            .args(["--intake-per-second", high, "--intake-burst", high])
            .args(["--forms-per-second", high, "--per-form-per-hour", high])
            .args(["--receipt-attempts-per-second", high])
            .args(["--receipt-attempts-per-form", high])
            .args(["--messages-per-session-per-hour", high])
            .args(["--messages-per-report-per-day", high]);
        if let Some(url) = &database_url {
            cmd.args(["--database-url", url]);
        }
        let (mut child, base) = crate::startup::spawn_serving(cmd);
        let log = Arc::new(Mutex::new(Vec::new()));
        let sink = log.clone();
        let stderr = child.stderr.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                sink.lock().unwrap().push(line);
            }
        });
        Self {
            child,
            base,
            dir,
            database_url,
            log,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// How many log lines so far (a scan's lines are those after its mark).
    fn mark(&self) -> usize {
        self.log.lock().unwrap().len()
    }

    fn lines_since(&self, mark: usize) -> Vec<String> {
        self.log.lock().unwrap()[mark..].to_vec()
    }

    fn requests_since(&self, mark: usize) -> Vec<Logged> {
        self.lines_since(mark)
            .iter()
            .filter_map(|l| parse(l))
            .collect()
    }

    /// A staff account made with `tipline user add`; returns its set-up token.
    fn add_user(&self, username: &str, role: &str) -> String {
        let mut cmd = tipline();
        cmd.args(["user", "add", "--username", username, "--role", role])
            .arg("--data-dir")
            .arg(self.dir.path().join("data"))
            .arg("--key-dir")
            .arg(self.dir.path().join("keys"));
        if let Some(url) = &self.database_url {
            cmd.args(["--database-url", url]);
        }
        let out = cmd.output().unwrap();
        assert!(out.status.success(), "{out:?}");
        let stdout = String::from_utf8(out.stdout).unwrap();
        stdout
            .split("/staff/setup/")
            .nth(1)
            .expect("a set-up link")
            .trim()
            .to_owned()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

async fn text(response: reqwest::Response) -> String {
    response.text().await.unwrap()
}

fn set_cookie(response: &reqwest::Response, name: &str) -> Option<String> {
    let prefix = format!("{name}=");
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| v.strip_prefix(prefix.as_str()))
        .map(|v| v.split(';').next().unwrap_or("").to_owned())
        .find(|v| !v.is_empty())
}

/// Files a report through the API, with an e-mail address so that its follow-up page offers
/// the notice choice; returns its receipt.
async fn seed_report(server: &Server, narrative: &str) -> String {
    let response = client()
        .post(server.url("/api/v1/reports"))
        .json(&json!({
            "category": "labour_exploitation", "narrative": narrative, "country": "LU",
            "anonymous": false, "contact_email": "reporter@example.org",
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let body: Value = response.json().await.unwrap();
    body["receipt"].as_str().unwrap().to_owned()
}

/// Signs in with a receipt on the follow-up page; returns the session cookie's value.
async fn reporter_cookie(server: &Server, receipt: &str) -> String {
    let c = client();
    let page = text(c.get(server.url("/followup?lang=en")).send().await.unwrap()).await;
    let response = c
        .post(server.url("/followup"))
        .form(&[
            ("form_token", form_token_in(&page).as_str()),
            ("lang", "en"),
            ("receipt", receipt),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    set_cookie(&response, "tipline_followup").expect("a follow-up session")
}

/// A bearer token for the follow-up API.
async fn api_session(server: &Server, receipt: &str) -> String {
    let response = client()
        .post(server.url("/api/v1/followup/session"))
        .json(&json!({ "receipt": receipt }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let body: Value = response.json().await.unwrap();
    body["token"].as_str().unwrap().to_owned()
}

/// A supervisor's session cookie, through the set-up link, a password and TOTP enrolment.
async fn staff_cookie(server: &Server) -> String {
    let token = server.add_user("scanner", "supervisor");
    let c = client();
    let page = text(
        c.get(server.url(&format!("/staff/setup/{token}")))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let response = c
        .post(server.url(&format!("/staff/setup/{token}")))
        .form(&[
            ("form_token", form_token_in(&page).as_str()),
            ("password", PASSWORD),
            ("confirm", PASSWORD),
            ("lang", "en"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    let cookie = set_cookie(&response, "tipline_staff").expect("a set-up session");
    let page = text(
        c.get(server.url("/staff/enrol"))
            .header("cookie", format!("tipline_staff={cookie}"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let secret = totp_secret_in(&page);
    let now = tipline::clock::Clock::now(&tipline::clock::SystemClock).unix_timestamp();
    let response = c
        .post(server.url("/staff/enrol"))
        .header("cookie", format!("tipline_staff={cookie}"))
        .form(&[
            ("csrf", csrf_in(&page)),
            ("code", totp::code_at(&secret, now)),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    set_cookie(&response, "tipline_staff").expect("a signed-in session")
}

/// Runs a scanner with its output in files under `dir`; it must end within `limit`. (Blocking:
/// the server under scan is another process, and the scans take turns.)
#[allow(clippy::disallowed_methods)]
fn run_bounded(mut cmd: Command, dir: &Path, name: &str, limit: Duration) -> String {
    let out_path = dir.join(format!("{name}.out"));
    let out = File::create(&out_path).unwrap();
    let err = out.try_clone().unwrap();
    let started = Instant::now();
    let mut child = cmd
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(err)
        .spawn()
        .unwrap_or_else(|e| panic!("{name} did not start ({e}): run scripts/test"));
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "{name} ran over {limit:?}:\n{}",
                std::fs::read_to_string(&out_path).unwrap_or_default()
            );
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    let output = std::fs::read_to_string(&out_path).unwrap_or_default();
    assert!(status.success(), "{name} failed ({status}):\n{output}");
    eprintln!("{name}: {:.0?}", started.elapsed());
    output
}

/// What the server's log says about one scan: no 5xx, nothing logged at ERROR, and every
/// route in `must_reach` answered at least once.
fn assert_route_log(server: &Server, mark: usize, scanner: &str, must_reach: &[(&str, &str)]) {
    let lines = server.lines_since(mark);
    let requests = server.requests_since(mark);
    let failed: BTreeSet<String> = requests
        .iter()
        .filter(|r| r.status >= 500)
        .map(|r| format!("{} {} answered {}", r.method, r.route, r.status))
        .collect();
    assert!(
        failed.is_empty(),
        "{scanner} provoked server errors:\n{}",
        failed.into_iter().collect::<Vec<_>>().join("\n")
    );
    let errors: Vec<&String> = lines.iter().filter(|l| l.contains(" ERROR ")).collect();
    assert!(
        errors.is_empty(),
        "{scanner}: the server logged errors: {errors:#?}"
    );
    let reached: BTreeSet<(&str, &str)> = requests
        .iter()
        .map(|r| (r.method.as_str(), r.route.as_str()))
        .collect();
    let missed: Vec<String> = must_reach
        .iter()
        .filter(|r| !reached.contains(*r))
        .map(|(m, r)| format!("{m} {r}"))
        .collect();
    assert!(
        missed.is_empty(),
        "{scanner} never reached {missed:?}; it reached {reached:?}"
    );
    let mut counts: std::collections::BTreeMap<Logged, usize> = Default::default();
    for r in requests {
        *counts.entry(r).or_default() += 1;
    }
    eprintln!("{scanner}: route log");
    for (r, n) in counts {
        eprintln!("  {n:>6}  {} {} {}", r.method, r.route, r.status);
    }
}

/// How many requests of `method route` answered `status` since `mark`.
fn answered(server: &Server, mark: usize, method: &str, route: &str, status: u16) -> usize {
    server
        .requests_since(mark)
        .iter()
        .filter(|r| r.method == method && r.route == route && r.status == status)
        .count()
}

/// Runs wapiti with the given scope, start URLs, exclusions and headers; returns its JSON
/// report, after asserting it lists no vulnerability and no anomaly.
#[allow(clippy::too_many_arguments)]
fn wapiti(
    server: &Server,
    work: &Path,
    name: &str,
    base: &str,
    starts: &[String],
    excluded: &[String],
    headers: &[String],
    cookies: Option<&Path>,
    seconds: u32,
) -> Value {
    let png = work.join("sample.png");
    std::fs::write(&png, sample_png()).unwrap();
    let report = work.join(format!("{name}.json"));
    let mut cmd = Command::new("/usr/bin/python3");
    cmd.env("SCAN_SAMPLE_PNG", &png)
        .args(["-c", WAPITI])
        .args(["--url", &server.url(base), "--scope", "folder"])
        .args(["--module", WAPITI_MODULES])
        .args(["--flush-session", "--no-bugreport", "--verbose", "1"])
        .arg("--store-session")
        .arg(work.join(format!("{name}-session")))
        .arg("--store-config")
        .arg(work.join(format!("{name}-config")))
        .args(["--timeout", "10", "--max-attack-time", "8"])
        .args(["--max-scan-time", &seconds.to_string()])
        .args(["--format", "json", "--output"])
        .arg(&report);
    for s in starts {
        cmd.args(["--start", s]);
    }
    for x in excluded {
        cmd.args(["--exclude", x]);
    }
    for h in headers {
        cmd.args(["--header", h]);
    }
    if let Some(file) = cookies {
        cmd.arg("--cookie").arg(file);
    }
    // Not attacked: the tokens (a changed token is refused before anything else is read) and
    // the checkbox lists of fixed codes (an unknown code is refused the same way). wapiti
    // checks its time bound only between forms, and the assessment form alone has some 70
    // indicator boxes: attacking each one ran the scan for many minutes.
    for skipped in SKIPPED {
        cmd.args(["--skip", skipped]);
    }
    let output = run_bounded(
        cmd,
        work,
        name,
        Duration::from_secs(u64::from(seconds) + 120),
    );
    let report: Value = serde_json::from_str(
        &std::fs::read_to_string(&report)
            .unwrap_or_else(|e| panic!("{name} wrote no report ({e}):\n{output}")),
    )
    .unwrap();
    for section in ["vulnerabilities", "anomalies"] {
        let found: Vec<String> = report[section]
            .as_object()
            .expect("wapiti's JSON report")
            .iter()
            .flat_map(|(category, items)| {
                items.as_array().into_iter().flatten().map(move |item| {
                    format!(
                        "{category}: {} ({})\n{}",
                        item["info"].as_str().unwrap_or(""),
                        item["parameter"].as_str().unwrap_or(""),
                        item["http_request"].as_str().unwrap_or("")
                    )
                })
            })
            .collect();
        assert!(
            found.is_empty(),
            "{name} found {section}:\n{}",
            found.join("\n\n")
        );
    }
    report
}

fn sample_png() -> Vec<u8> {
    let mut out = Vec::new();
    image::RgbImage::from_pixel(4, 4, image::Rgb([200, 10, 10]))
        .write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
        .unwrap();
    out
}

/// Asserts a sqlmap run tested something and found no injection point.
fn assert_sqlmap_clean(name: &str, output: &str) {
    assert!(
        !output.contains("identified the following injection point"),
        "{name} found an injection:\n{output}"
    );
    assert!(
        output.contains("do not appear to be injectable"),
        "{name} did not finish its tests:\n{output}"
    );
}

/// A raw HTTP request for `sqlmap -r`.
fn request_file(server: &Server, dir: &Path, name: &str, head: &str, body: &str) -> PathBuf {
    let host = server.base.trim_start_matches("http://");
    let path = dir.join(format!("{name}.http"));
    std::fs::write(
        &path,
        format!("{head}\r\nHost: {host}\r\n\r\n{body}").replace("\r\n\r\n\r\n", "\r\n\r\n"),
    )
    .unwrap();
    path
}

fn multipart(fields: &[(&str, &str)]) -> (String, String) {
    let boundary = "tiplinescan7f3c";
    let mut body = String::new();
    for (name, value) in fields {
        body.push_str(&format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
        ));
    }
    body.push_str(&format!("--{boundary}--\r\n"));
    (
        format!("Content-Type: multipart/form-data; boundary={boundary}"),
        body,
    )
}

/// sqlmap with the defaults (level 1, risk 1, every technique), in batch mode, offline, its
/// session and output under `dir`.
fn sqlmap(dir: &Path, name: &str, args: &[&str]) -> String {
    let mut cmd = Command::new("sqlmap");
    cmd.args([
        "--batch",
        "--ignore-stdin",
        "--disable-coloring",
        "--flush-session",
    ])
    .args(["--timeout", "10", "--retries", "1"])
    .arg("--output-dir")
    .arg(dir.join("sqlmap"))
    .args(args);
    let output = run_bounded(cmd, dir, name, Duration::from_secs(180));
    assert_sqlmap_clean(name, &output);
    output
}

/// A fresh one-time form token before every request, as a browser gets when it opens the
/// form: Python for sqlmap's `--eval` (its `--csrf-token` does not reach into multipart bodies).
/// The helper retries a dropped connection, which sqlmap's own requests also do.
fn fresh_form_token(dir: &Path, url: &str) -> String {
    std::fs::write(
        dir.join("scantoken.py"),
        r#"
import re, time, urllib.request

def fresh(url):
    for attempt in range(5):
        try:
            page = urllib.request.urlopen(url, timeout=10).read().decode()
            return re.search(r'name="form_token" value="([^"]+)"', page).group(1)
        except Exception:
            if attempt == 4:
                raise
            time.sleep(0.5)
"#,
    )
    .unwrap();
    format!(
        "import sys; sys.path.insert(0, '{}'); import scantoken; form_token = scantoken.fresh('{url}')",
        dir.display()
    )
}

/// One scan at a time: on two cores, scanners running side by side slow each other past their
/// time bounds, and the measured minutes would mean nothing.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wapiti_finds_nothing_on_the_public_pages_and_reaches_every_form() {
    let _turn = ONE_AT_A_TIME.lock().await;
    require("wapiti");
    let server = Server::start(None);
    let receipt = seed_report(&server, "Workers kept in a house near the harbour.").await;
    let cookie = reporter_cookie(&server, &receipt).await;
    let work = server.dir.path().join("wapiti-public");
    std::fs::create_dir_all(&work).unwrap();
    // The reporter's session goes only to the pages under `/followup/report`, so that wapiti
    // still sees the receipt sign-in form on `/followup` (which sends a signed-in browser on).
    let jar = work.join("cookies.json");
    std::fs::write(
        &jar,
        json!({ "127.0.0.1": { "/followup/report": { "tipline_followup": {
            "value": cookie, "expires": null, "secure": false, "port": null, "version": 0,
        }}}})
        .to_string(),
    )
    .unwrap();
    let mark = server.mark();
    wapiti(
        &server,
        &work,
        "wapiti-public",
        "/",
        &[
            server.url("/report?lang=en&category=labour_exploitation"),
            server.url("/report?lang=en&category=abuse_material_online"),
            server.url("/followup/report?lang=en"),
        ],
        &[
            server.url("/staff*"),
            server.url("/followup/sign-out*"),
            server.url("/exit*"),
            server.url("/followup/exit*"),
        ],
        &[],
        Some(&jar),
        90,
    );
    assert_route_log(
        &server,
        mark,
        "wapiti",
        &[
            ("POST", "/report"),
            ("POST", "/followup"),
            ("POST", "/followup/report/messages"),
            ("POST", "/followup/report/notify"),
        ],
    );
    assert!(
        answered(&server, mark, "POST", "/report", 200) >= 1,
        "wapiti filed no report"
    );
    assert!(
        answered(&server, mark, "POST", "/followup/report/messages", 303) >= 1,
        "wapiti sent no follow-up message"
    );
}

async fn sqlmap_public_and_api(database_url: Option<String>) {
    let _turn = ONE_AT_A_TIME.lock().await;
    require("sqlmap");
    let server = Server::start(database_url);
    let receipt = seed_report(&server, "Workers kept in a house near the harbour.").await;
    let cookie = reporter_cookie(&server, &receipt).await;
    let bearer = api_session(&server, &receipt).await;
    let follow_page = text(
        client()
            .get(server.url("/followup/report?lang=en"))
            .header("cookie", format!("tipline_followup={cookie}"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let csrf = csrf_in(&follow_page);
    let work = server.dir.path().join("sqlmap");
    std::fs::create_dir_all(&work).unwrap();
    let mark = server.mark();

    // The report form: multipart, a fresh one-time token for every request.
    let (content_type, body) = multipart(&[
        ("form_token", "fetched-by-eval"),
        ("lang", "en"),
        ("category", "labour_exploitation"),
        ("narrative", "Workers kept in a house near the harbour."),
        ("country", "LU"),
        ("city", "Esch"),
        ("anonymous", "yes"),
    ]);
    let form = request_file(
        &server,
        &work,
        "report",
        &format!("POST /report?lang=en HTTP/1.1\r\n{content_type}"),
        &body,
    );
    let eval = fresh_form_token(
        &work,
        &server.url("/report?lang=en&category=labour_exploitation"),
    );
    sqlmap(
        &work,
        "sqlmap-report",
        &[
            "-r",
            form.to_str().unwrap(),
            "-p",
            "category,narrative,country,city,lang",
            "--eval",
            &eval,
        ],
    );

    // The receipt sign-in: urlencoded, sqlmap's own CSRF handling.
    let signin_url = server.url("/followup?lang=en");
    sqlmap(
        &work,
        "sqlmap-followup",
        &[
            "-u",
            &server.url("/followup"),
            "--data",
            "form_token=x&lang=en&receipt=AAAA-BBBB-CCCC-DDDD-EEEE-FFFF",
            "-p",
            "receipt,lang",
            "--csrf-token",
            "form_token",
            "--csrf-url",
            &signin_url,
            // A wrong receipt is a 401; sqlmap stops at its first 401 unless told.
            "--ignore-code",
            "401",
        ],
    );

    // A reporter's message and notice choice, in their session.
    let session = format!("tipline_followup={cookie}");
    let (content_type, body) = multipart(&[
        ("form_token", &csrf),
        ("lang", "en"),
        ("narrative", "They moved the workers to another house."),
    ]);
    let message = request_file(
        &server,
        &work,
        "message",
        &format!(
            "POST /followup/report/messages?lang=en HTTP/1.1\r\nCookie: {session}\r\n{content_type}"
        ),
        &body,
    );
    sqlmap(
        &work,
        "sqlmap-message",
        &["-r", message.to_str().unwrap(), "-p", "narrative,lang"],
    );
    sqlmap(
        &work,
        "sqlmap-notify",
        &[
            "-u",
            &server.url("/followup/report/notify"),
            "--data",
            &format!("csrf={csrf}&lang=en&notify=no"),
            "--cookie",
            &session,
            "-p",
            "notify,lang",
        ],
    );

    // The JSON API.
    sqlmap(
        &work,
        "sqlmap-api-reports",
        &[
            "-u",
            &server.url("/api/v1/reports"),
            "--data",
            r#"{"category":"labour_exploitation","narrative":"Workers kept in a house.","country":"LU","city":"Esch"}"#,
        ],
    );
    sqlmap(
        &work,
        "sqlmap-api-session",
        &[
            "-u",
            &server.url("/api/v1/followup/session"),
            "--data",
            r#"{"receipt":"AAAA-BBBB-CCCC-DDDD-EEEE-FFFF"}"#,
            "--ignore-code",
            "401",
        ],
    );
    sqlmap(
        &work,
        "sqlmap-api-messages",
        &[
            "-u",
            &server.url("/api/v1/followup/messages"),
            "--data",
            r#"{"body":"They moved the workers to another house."}"#,
            "--headers",
            &format!("Authorization: Bearer {bearer}"),
        ],
    );

    assert_route_log(
        &server,
        mark,
        "sqlmap",
        &[
            ("POST", "/report"),
            ("POST", "/followup"),
            ("POST", "/followup/report/messages"),
            ("POST", "/followup/report/notify"),
            ("POST", "/api/v1/reports"),
            ("POST", "/api/v1/followup/session"),
            ("POST", "/api/v1/followup/messages"),
        ],
    );
    assert!(
        answered(&server, mark, "POST", "/report", 200) >= 1,
        "sqlmap filed no report through the form"
    );
    assert!(
        answered(&server, mark, "POST", "/api/v1/reports", 201) >= 1,
        "sqlmap filed no report through the API"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlmap_finds_no_injection_in_the_public_forms_and_the_api_on_sqlite() {
    sqlmap_public_and_api(None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlmap_finds_no_injection_in_the_public_forms_and_the_api_on_postgres() {
    let pg = crate::helpers::PgDatabase::create().await;
    sqlmap_public_and_api(Some(pg.url().to_owned())).await;
    pg.drop_now().await;
}

/// The route pattern of a form's action on a case page.
fn case_route(action: &str, id: &str) -> String {
    action.replace(id, "{id}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signed_in_scans_of_the_staff_search_and_case_pages_find_nothing() {
    let _turn = ONE_AT_A_TIME.lock().await;
    require("wapiti");
    require("sqlmap");
    let server = Server::start(None);
    seed_report(&server, "Workers kept in a house near the harbour.").await;
    let staff = staff_cookie(&server).await;
    let session = format!("tipline_staff={staff}");
    let queue = text(
        client()
            .get(server.url("/staff"))
            .header("cookie", &session)
            .send()
            .await
            .unwrap(),
    )
    .await;
    let id = queue
        .split("href=\"/staff/reports/")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the seeded report in the queue")
        .to_owned();
    let case_path = format!("/staff/reports/{id}");
    let case = text(
        client()
            .get(server.url(&case_path))
            .header("cookie", &session)
            .send()
            .await
            .unwrap(),
    )
    .await;
    // Every POST form of the case itself is in scope (the page's sign-out and language forms
    // are not).
    let posts: BTreeSet<String> = case
        .split("<form method=\"post\" action=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .filter(|action| action.starts_with(&format!("{case_path}/")))
        .map(|action| case_route(action, &id))
        .collect();
    assert!(
        posts.len() >= 5,
        "the case page shows its actions: {posts:?}"
    );
    let csrf = csrf_in(&case);
    let work = server.dir.path().join("signed-in");
    std::fs::create_dir_all(&work).unwrap();

    let mark = server.mark();
    wapiti(
        &server,
        &work,
        "wapiti-staff",
        "/staff/",
        &[
            server.url("/staff/search?q=harbour"),
            server.url(&case_path),
        ],
        &[
            server.url("/staff/sign-out*"),
            server.url("/staff/sign-in*"),
            server.url("/staff/language*"),
            server.url("/staff/setup*"),
            server.url("/staff/enrol*"),
            server.url("/staff/users*"),
            server.url("/staff/approvals*"),
            server.url("/staff/audit*"),
        ],
        &[format!("Cookie: {session}")],
        None,
        60,
    );
    let mut must: Vec<(&str, &str)> =
        vec![("GET", "/staff/search"), ("GET", "/staff/reports/{id}")];
    must.extend(posts.iter().map(|p| ("POST", p.as_str())));
    assert_route_log(&server, mark, "wapiti (signed in)", &must);
    assert!(
        answered(&server, mark, "POST", "/staff/reports/{id}/notes", 303) >= 1,
        "wapiti added no note"
    );

    let mark = server.mark();
    sqlmap(
        &work,
        "sqlmap-search",
        &[
            "-u",
            &server.url("/staff/search?q=harbour&status=&category=&country=LU&urgency=&from=&to="),
            "--cookie",
            &session,
            "-p",
            "q,status,category,country,urgency,from,to",
        ],
    );
    sqlmap(
        &work,
        "sqlmap-note",
        &[
            "-u",
            &server.url(&format!("{case_path}/notes")),
            "--data",
            &format!("csrf={csrf}&body=Called+the+labour+inspectorate."),
            "--cookie",
            &session,
            "-p",
            "body",
        ],
    );
    assert_route_log(
        &server,
        mark,
        "sqlmap (signed in)",
        &[
            ("GET", "/staff/search"),
            ("POST", "/staff/reports/{id}/notes"),
        ],
    );
    assert!(
        answered(&server, mark, "GET", "/staff/search", 200) >= 1,
        "sqlmap's searches were all refused"
    );
}
