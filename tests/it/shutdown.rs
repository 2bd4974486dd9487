//! A served instance shuts down promptly on both databases: it stops accepting connections, its
//! background tasks (indexing set-aside reports again, the minute sweep) are told to stop and
//! end, and its database is closed. Reports arriving while it shuts down are either answered
//! 201 and stored, or answered with an error and not stored: the report writer commits and
//! answers what it has queued and refuses the rest before it ends, and the process exits.

use crate::helpers::{Backend, PgDatabase, both_backends, settings_for};
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tipline::cli::app::start;
use tipline::clock::SystemClock;
use tipline::intake::sealed::open_report;
use tipline::seal::KeyRing;
use tipline::store::{Db, data_keys, reports};
use tokio::task::JoinHandle;

/// Clients filing reports side by side.
const STREAMS: usize = 8;
/// Most reports one client files before giving up on the shutdown.
const PER_STREAM: usize = 200;

/// The narratives of the reports sent, each with the status it was answered (none when the
/// request never reached the server: refused connection, closed listener).
type Answers = Vec<(String, Option<u16>)>;

/// Starts [`STREAMS`] clients each filing reports one after another until one is not answered
/// 201; the first receiver is told when the first receipt came back, so that shutdown can begin
/// while reports keep arriving.
fn file_until_refused(
    base: String,
    marker: &'static str,
) -> (tokio::sync::oneshot::Receiver<()>, JoinHandle<Answers>) {
    let (first, first_answered) = tokio::sync::oneshot::channel();
    let first = Arc::new(std::sync::Mutex::new(Some(first)));
    let client = reqwest::Client::new();
    let streams: Vec<_> = (0..STREAMS)
        .map(|stream| {
            let (client, base, first) = (client.clone(), base.clone(), Arc::clone(&first));
            tokio::spawn(async move {
                let mut answers = Vec::new();
                for i in 0..PER_STREAM {
                    let narrative = format!("{marker} stream {stream} report {i}");
                    let body = json!({ "category": "labour_exploitation", "narrative": narrative });
                    let request = client.post(format!("{base}/api/v1/reports"));
                    // Half the clients attach a photo: cleaning it holds the report back from
                    // the writer for a while, so some reach it only once it has stopped.
                    let request = if stream % 2 == 0 {
                        request.json(&body)
                    } else {
                        let photo = crate::sealing::png_with_text("Comment", "shutdown");
                        request.multipart(
                            reqwest::multipart::Form::new()
                                .part(
                                    "report",
                                    reqwest::multipart::Part::text(body.to_string())
                                        .mime_str("application/json")
                                        .unwrap(),
                                )
                                .part(
                                    "attachments",
                                    reqwest::multipart::Part::bytes(photo).file_name("photo.png"),
                                ),
                        )
                    };
                    let sent = request.send().await;
                    let status = match sent {
                        Ok(response) => {
                            let status = response.status().as_u16();
                            if status == 201 {
                                let created: Value = response.json().await.unwrap();
                                assert!(created["receipt"].is_string());
                                if let Some(first) = first.lock().unwrap().take() {
                                    let _ = first.send(());
                                }
                            }
                            Some(status)
                        }
                        Err(_) => None,
                    };
                    answers.push((narrative, status));
                    if status != Some(201) {
                        break;
                    }
                }
                answers
            })
        })
        .collect();
    let all = tokio::spawn(async move {
        let mut answers = Vec::new();
        for stream in streams {
            answers.extend(stream.await.unwrap());
        }
        answers
    });
    (first_answered, all)
}

/// The narratives of every report stored in `db`, opened with the keys in `key_dir`.
async fn stored_narratives(db: &Db, key_dir: &Path, data_dir: &Path) -> BTreeSet<String> {
    let keys = KeyRing::load_or_create(key_dir, data_dir).unwrap();
    let sealer = data_keys::load_sealer(db, &keys, 0).await.unwrap();
    let mut narratives = BTreeSet::new();
    for id in reports::all_ids(db).await.unwrap() {
        let stored = reports::by_id(db, &id).await.unwrap().unwrap();
        let opened = open_report(&sealer, &stored).unwrap();
        narratives.insert(opened.narrative.narrative);
    }
    narratives
}

/// Every report answered 201 is stored, every other one is not, and some were acknowledged
/// (the storm did overlap the shutdown); refusals are the API's "could not be stored, retry".
fn check_answers(answers: &Answers, stored: &BTreeSet<String>) {
    let created: BTreeSet<String> = answers
        .iter()
        .filter(|(_, status)| *status == Some(201))
        .map(|(narrative, _)| narrative.clone())
        .collect();
    assert!(!created.is_empty(), "some reports were acknowledged");
    for (narrative, status) in answers {
        match status {
            Some(201) => assert!(stored.contains(narrative), "a 201 for a missing report"),
            Some(status) => {
                assert_eq!(*status, 503, "refused as could not be stored");
                assert!(!stored.contains(narrative), "refused, yet stored");
            }
            None => assert!(!stored.contains(narrative), "never answered, yet stored"),
        }
    }
    assert_eq!(
        stored, &created,
        "exactly the acknowledged reports are stored"
    );
}

both_backends! {
    async fn a_served_instance_stops_promptly_and_its_tasks_end(backend: Backend) {
        let dir = tempfile::tempdir().unwrap();
        let pg = match backend {
            Backend::Sqlite => None,
            Backend::Postgres => Some(PgDatabase::create().await),
        };
        let url = pg.as_ref().map(|pg| pg.url().to_owned());
        let settings = settings_for(dir.path(), url);
        let running = start(&settings, Arc::new(SystemClock)).await.unwrap();
        let addr = running.addr;
        let db = running.db.clone();
        let health = reqwest::get(format!("http://{addr}/healthz")).await.unwrap();
        assert_eq!(health.status(), 200);

        let began = Instant::now();
        let cut_off = tokio::time::timeout(Duration::from_secs(5), running.stop())
            .await
            .expect("the server stops within 5 s");
        assert_eq!(cut_off, 0, "every background task ended when told to");
        assert!(began.elapsed() < Duration::from_secs(5));
        assert!(db.pool().is_closed(), "the database is closed");
        assert!(
            tokio::net::TcpStream::connect(addr).await.is_err(),
            "no longer accepting connections"
        );
        if let Some(pg) = pg {
            pg.drop_now().await;
        }
    }
}

both_backends! {
    async fn reports_in_flight_at_shutdown_are_stored_and_acknowledged_or_refused(backend: Backend) {
        let dir = tempfile::tempdir().unwrap();
        let pg = match backend {
            Backend::Sqlite => None,
            Backend::Postgres => Some(PgDatabase::create().await),
        };
        let url = pg.as_ref().map(|pg| pg.url().to_owned());
        let mut settings = settings_for(dir.path(), url);
        // Requests in flight get next to no grace (reports have the upload deadline, not this
        // one): the writer is stopped while reports are still on their way to it.
        settings.serving.request_timeout = Duration::from_millis(1);
        let running = start(&settings, Arc::new(SystemClock)).await.unwrap();
        let db = running.db.clone();
        let (first, storm) = file_until_refused(format!("http://{}", running.addr), "INFLIGHT-7d2e");
        first.await.expect("a first report was acknowledged");

        let cut_off = tokio::time::timeout(Duration::from_secs(15), running.stop())
            .await
            .expect("the server stops while reports arrive");
        assert_eq!(cut_off, 0, "the writer and the background tasks ended when told to");
        assert!(db.pool().is_closed(), "the database is closed");
        let answers = tokio::time::timeout(Duration::from_secs(30), storm)
            .await
            .expect("every request was answered or refused")
            .unwrap();

        // Restarted, the instance holds exactly the reports it acknowledged.
        let again = start(&settings, Arc::new(SystemClock)).await.unwrap();
        let stored = stored_narratives(&again.db, &settings.key_dir, &settings.data_dir).await;
        check_answers(&answers, &stored);
        assert_eq!(again.stop().await, 0);
        if let Some(pg) = pg {
            pg.drop_now().await;
        }
    }
}

both_backends! {
    async fn the_process_told_to_stop_while_reports_arrive_exits_having_stored_what_it_acknowledged(backend: Backend) {
        let dir = tempfile::tempdir().unwrap();
        let pg = match backend {
            Backend::Sqlite => None,
            Backend::Postgres => Some(PgDatabase::create().await),
        };
        let mut args = vec!["--intake-per-second", "100000", "--intake-burst", "100000"];
        if let Some(pg) = &pg {
            args.extend(["--database-url", pg.url()]);
        }
        let (mut child, base) = crate::startup::serve(dir.path(), &args);
        // Read its log as it comes, so that a full pipe never holds the server up.
        let mut log = child.stderr.take().unwrap();
        let log = std::thread::spawn(move || {
            let mut text = String::new();
            let _ = std::io::Read::read_to_string(&mut log, &mut text);
            text
        });
        let (first, storm) = file_until_refused(base, "SIGTERM-5a1c");
        first.await.expect("a first report was acknowledged");
        let terminated = std::process::Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status()
            .unwrap();
        assert!(terminated.success());
        let began = Instant::now();
        let status = loop {
            if let Some(status) = child.try_wait().unwrap() {
                break status;
            }
            assert!(
                began.elapsed() < Duration::from_secs(30),
                "the process exits once told to stop"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        };
        let log = log.join().unwrap();
        assert!(status.success(), "a clean exit: {status:?}\n{log}");
        assert!(!log.contains("panicked"), "{log}");
        let answers = tokio::time::timeout(Duration::from_secs(30), storm)
            .await
            .expect("every request was answered or refused")
            .unwrap();

        let data_dir = dir.path().join("tipline-data");
        if pg.is_none() {
            // Closed cleanly: the write-ahead log was checkpointed into the database file.
            let wal = data_dir.join("tipline.sqlite3-wal");
            assert!(
                std::fs::metadata(&wal).map_or(true, |m| m.len() == 0),
                "the write-ahead log was checkpointed at exit"
            );
        }
        let db = match &pg {
            Some(pg) => Db::connect(pg.url()).await.unwrap(),
            None => Db::open_embedded(&data_dir).await.unwrap(),
        };
        let stored = stored_narratives(&db, &dir.path().join("tipline-keys"), &data_dir).await;
        check_answers(&answers, &stored);
        db.close().await;
        if let Some(pg) = pg {
            pg.drop_now().await;
        }
    }
}
