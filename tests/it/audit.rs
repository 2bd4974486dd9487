//! The audit trail on both backends: concurrent appends get one gapless sequence, and every way
//! someone with write access to the database can tamper with the trail (edit, delete, cut off the
//! newest entries and fix up the head row, re-chain) is found and named, also by the binary.

use crate::helpers::{TestApp, both_backends};
use std::path::PathBuf;
use std::process::Output;
use tipline::seal::KeyRing;
use tipline::staff::audit::{
    self, AuditEntry, AuditFilter, AuditLog, KEY_PURPOSE, Verified, VerifyError,
};
use tipline::staff::audit_action::AuditAction;
use tipline::types::ReportId;

const T0: i64 = 1_750_000_000;

fn audit_log(app: &TestApp) -> AuditLog {
    let keys = KeyRing::load_or_create(&app.key_dir(), &app.data_dir()).unwrap();
    AuditLog::new(
        app.db().clone(),
        keys.derive(KEY_PURPOSE),
        app.key_dir().join(audit::HEAD_FILE),
    )
}

async fn verify(app: &TestApp) -> Result<Verified, VerifyError> {
    let keys = KeyRing::load_or_create(&app.key_dir(), &app.data_dir()).unwrap();
    audit::verify(
        app.db(),
        &keys.derive(KEY_PURPOSE),
        &app.key_dir().join(audit::HEAD_FILE),
    )
    .await
}

/// Appends `n` entries: actors u0..u2 in turn, reports r0..r3 in turn, every fifth without one.
async fn append_some(log: &AuditLog, n: i64) {
    for i in 1..=n {
        let actor = format!("u{}", i % 3);
        let report = ReportId::new(format!("r{}", i % 4));
        let seq = log
            .append(
                AuditEntry {
                    actor: &actor,
                    action: AuditAction::ReportView,
                    report_id: (i % 5 != 0).then_some(&report),
                    detail: &format!("n={i}"),
                },
                T0 + i,
            )
            .await
            .unwrap();
        assert!(seq >= 1);
    }
}

async fn sql(app: &TestApp, statement: &str) {
    sqlx::query(statement)
        .execute(app.db().pool())
        .await
        .unwrap();
}

/// Runs `tipline audit verify` against this app's database and key directory.
async fn verify_binary(app: &TestApp, key_dir: PathBuf) -> Output {
    let mut cmd = crate::startup::tipline();
    cmd.args(["audit", "verify", "--key-dir"]).arg(key_dir);
    match &app.database_url {
        Some(url) => cmd.args(["--database-url", url]),
        None => cmd.arg("--data-dir").arg(app.data_dir()),
    };
    tokio::task::spawn_blocking(move || cmd.output().unwrap())
        .await
        .unwrap()
}

fn broken_at(result: Result<Verified, VerifyError>) -> i64 {
    match result {
        Err(VerifyError::Broken { seq, .. } | VerifyError::HeadMismatch { seq }) => seq,
        other => panic!("expected a broken entry, got {other:?}"),
    }
}

both_backends! {
    async fn concurrent_appends_get_one_gapless_sequence_that_verifies(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        assert_eq!(verify(&app).await, Ok(Verified { entries: 0, head_seq: 0 }), "empty, no file");
        // Two "nodes" (separate mutexes, separate head files) plus 8 tasks: only the database
        // serialises them.
        let node_a = audit_log(&app);
        let keys = KeyRing::load_or_create(&app.key_dir(), &app.data_dir()).unwrap();
        let other_keys = app.dir.path().join("node-b-keys");
        std::fs::create_dir_all(&other_keys).unwrap();
        let node_b = AuditLog::for_key_dir(app.db().clone(), &keys, &other_keys);
        let mut tasks = Vec::new();
        for t in 0..8 {
            let log = if t % 2 == 0 { node_a.clone() } else { node_b.clone() };
            tasks.push(tokio::spawn(async move {
                let mut seqs = Vec::new();
                for i in 0..25 {
                    let actor = format!("staff-{t}");
                    let report = ReportId::new(format!("report-{i}"));
                    seqs.push(
                        log.append(
                            AuditEntry {
                                actor: &actor,
                                action: AuditAction::ReportView,
                                report_id: Some(&report),
                                detail: "",
                            },
                            T0 + i,
                        )
                        .await
                        .unwrap(),
                    );
                }
                seqs
            }));
        }
        // Verifying while appends run never reports a broken trail.
        while !tasks.iter().all(|t| t.is_finished()) {
            let during = audit::verify(
                app.db(),
                &keys.derive(KEY_PURPOSE),
                &audit::head_path(&other_keys),
            )
            .await;
            assert!(
                during.is_ok() || matches!(during, Err(VerifyError::HeadFileMissing { .. })),
                "{during:?}"
            );
        }
        let mut seqs = Vec::new();
        for task in tasks {
            seqs.extend(task.await.unwrap());
        }
        seqs.sort_unstable();
        assert_eq!(seqs, (1..=200).collect::<Vec<i64>>());
        let listed = node_a.list(&AuditFilter::default(), 1000, 0).await.unwrap();
        assert_eq!(
            listed.iter().map(|r| r.seq).collect::<Vec<_>>(),
            (1..=200).rev().collect::<Vec<i64>>(),
            "newest first"
        );
        assert_eq!(verify(&app).await, Ok(Verified { entries: 200, head_seq: 200 }));
        // Node B's head file may be behind the newest entry; it still checks out.
        let b = audit::verify(app.db(), &keys.derive(KEY_PURPOSE), &audit::head_path(&other_keys))
            .await;
        assert_eq!(b, Ok(Verified { entries: 200, head_seq: 200 }));
        let head = std::fs::read_to_string(app.key_dir().join(audit::HEAD_FILE)).unwrap();
        assert!(head.contains("\nseq "), "{head}");
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(app.key_dir().join(audit::HEAD_FILE))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);

        let out = verify_binary(&app, app.key_dir()).await;
        assert_eq!(out.status.code(), Some(0), "{out:?}");
        assert_eq!(
            String::from_utf8_lossy(&out.stdout).trim(),
            "audit trail intact: 200 entries, head 200"
        );
        app.finish().await;
    }
}

both_backends! {
    async fn list_filters_by_actor_and_report_newest_first_in_pages(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let log = audit_log(&app);
        append_some(&log, 30).await;
        let by_actor = |actor: &str| AuditFilter { actor: Some(actor.to_owned()), report_id: None };
        let u1 = log.list(&by_actor("u1"), 100, 0).await.unwrap();
        assert_eq!(u1.len(), 10);
        assert!(u1.iter().all(|r| r.actor == "u1"));
        assert!(u1.windows(2).all(|w| w[0].seq > w[1].seq), "newest first");
        assert_eq!(u1[0].seq, 28);
        assert_eq!(u1[0].at, T0 + 28);
        assert_eq!(u1[0].detail, "n=28");
        assert_eq!(u1[0].action, AuditAction::ReportView.as_str());
        assert_eq!(u1[0].report_id, Some("r0".into()));

        let r2 = log
            .list(&AuditFilter { actor: None, report_id: Some("r2".into()) }, 100, 0)
            .await
            .unwrap();
        // i % 4 == 2 and i % 5 != 0 for i in 1..=30: 2, 6, 14, 18, 22, 26 (10 and 30 have none).
        assert_eq!(r2.iter().map(|r| r.seq).collect::<Vec<_>>(), vec![26, 22, 18, 14, 6, 2]);
        let both = log
            .list(
                &AuditFilter { actor: Some("u2".into()), report_id: Some("r2".into()) },
                100,
                0,
            )
            .await
            .unwrap();
        assert_eq!(both.iter().map(|r| r.seq).collect::<Vec<_>>(), vec![26, 14, 2]);
        let page2 = log.list(&AuditFilter::default(), 10, 10).await.unwrap();
        assert_eq!(page2.iter().map(|r| r.seq).collect::<Vec<_>>(), (11..=20).rev().collect::<Vec<_>>());
        assert!(log.list(&by_actor("nobody"), 10, 0).await.unwrap().is_empty());
        let none = log.list(&AuditFilter::default(), 100, 0).await.unwrap();
        assert_eq!(none.iter().filter(|r| r.report_id.is_none()).count(), 6);
        let json = serde_json::to_value(&u1[0]).unwrap();
        assert_eq!(json["seq"], 28);
        assert_eq!(json["report_id"], "r0");

        let long = "x".repeat(audit::MAX_DETAIL + 1);
        let refused = log
            .append(
                AuditEntry { actor: "u1", action: AuditAction::ReportView, report_id: None, detail: &long },
                T0,
            )
            .await;
        assert!(refused.is_err());
        assert_eq!(verify(&app).await, Ok(Verified { entries: 30, head_seq: 30 }));
        app.finish().await;
    }
}

both_backends! {
    async fn an_edited_entry_is_named_by_verify_and_the_binary(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let log = audit_log(&app);
        append_some(&log, 20).await;
        sql(&app, "UPDATE audit_log SET detail = 'status=closed' WHERE seq = 7").await;
        let result = verify(&app).await;
        assert_eq!(
            result,
            Err(VerifyError::Broken {
                seq: 7,
                reason: "mac does not match (edited or re-chained)".into()
            })
        );
        let out = verify_binary(&app, app.key_dir()).await;
        assert_eq!(out.status.code(), Some(1), "{out:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(
            stderr.trim(),
            "tipline: audit entry 7 is broken: mac does not match (edited or re-chained)"
        );

        // Editing the actor or the time is found just the same.
        sql(&app, "UPDATE audit_log SET detail = 'n=7' WHERE seq = 7").await;
        assert!(verify(&app).await.is_ok());
        sql(&app, "UPDATE audit_log SET actor = 'someone-else' WHERE seq = 3").await;
        assert_eq!(broken_at(verify(&app).await), 3);
        sql(&app, "UPDATE audit_log SET actor = 'u0' WHERE seq = 3").await;
        sql(&app, "UPDATE audit_log SET at = at + 1 WHERE seq = 12").await;
        assert_eq!(broken_at(verify(&app).await), 12);
        app.finish().await;
    }
}

both_backends! {
    async fn a_deleted_middle_entry_is_named_by_the_entry_after_the_gap(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let log = audit_log(&app);
        append_some(&log, 20).await;
        sql(&app, "DELETE FROM audit_log WHERE seq = 9").await;
        let message = verify(&app).await.unwrap_err().to_string();
        assert!(message.starts_with("audit entry 10 is broken: entry 9 before it is missing"), "{message}");
        assert_eq!(broken_at(verify(&app).await), 10);
        app.finish().await;
    }
}

both_backends! {
    async fn cutting_off_the_newest_entries_is_found_through_the_head_file(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let log = audit_log(&app);
        append_some(&log, 20).await;
        // An attacker with the database, not the key directory: delete the newest three and make
        // the head row agree with what is left.
        sql(&app, "DELETE FROM audit_log WHERE seq > 17").await;
        sql(
            &app,
            "UPDATE audit_head SET seq = 17, mac = (SELECT mac FROM audit_log WHERE seq = 17) WHERE id = 1",
        )
        .await;
        let result = verify(&app).await;
        assert_eq!(
            result,
            Err(VerifyError::Truncated { file_seq: 20, last_seq: 17, first_missing: 18 })
        );
        let out = verify_binary(&app, app.key_dir()).await;
        assert_eq!(out.status.code(), Some(1), "{out:?}");
        assert!(String::from_utf8_lossy(&out.stderr).contains("audit entry 18 is missing"));

        // The server refuses to write over the evidence: nothing more is recorded...
        let refused = log
            .append(AuditEntry { actor: "u1", action: AuditAction::ReportView, report_id: None, detail: "" }, T0)
            .await;
        assert!(
            matches!(refused, Err(audit::AuditError::HeadConflict { .. })),
            "{refused:?}"
        );
        assert!(refused.unwrap_err().to_string().contains("tipline audit verify"));
        assert_eq!(
            verify(&app).await,
            Err(VerifyError::Truncated { file_seq: 20, last_seq: 17, first_missing: 18 })
        );

        // ...until the operator moves the head file aside (e.g. after restoring a backup).
        let head = app.key_dir().join(audit::HEAD_FILE);
        std::fs::rename(&head, app.key_dir().join("audit-head.evidence")).unwrap();
        assert!(matches!(verify(&app).await, Err(VerifyError::HeadFileMissing { entries: 17, .. })));
        append_some(&log, 1).await;
        assert_eq!(verify(&app).await, Ok(Verified { entries: 18, head_seq: 18 }));
        app.finish().await;
    }
}

both_backends! {
    async fn deleting_the_newest_entries_without_fixing_the_head_is_found(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let log = audit_log(&app);
        append_some(&log, 5).await;
        sql(&app, "DELETE FROM audit_log WHERE seq = 5").await;
        assert!(matches!(verify(&app).await, Err(VerifyError::Truncated { first_missing: 5, .. })));
        // Even without a head file the head row gives it away.
        std::fs::remove_file(app.key_dir().join(audit::HEAD_FILE)).unwrap();
        assert_eq!(
            verify(&app).await,
            Err(VerifyError::DbHeadMismatch { head_seq: 5, last_seq: 4 })
        );
        app.finish().await;
    }
}

/// Re-chains the trail as someone with database access would: wipes it, resets the head row to
/// the genesis, and writes an edited history through the real code under `key`, with a head file
/// of their own.
async fn rewrite_history(app: &TestApp, key: tipline::seal::keys::Secret32) {
    let db = app.db().clone();
    sqlx::query("DELETE FROM audit_log")
        .execute(db.pool())
        .await
        .unwrap();
    sqlx::query("UPDATE audit_head SET seq = 0, mac = $1 WHERE id = 1")
        .bind(vec![0u8; 32])
        .execute(db.pool())
        .await
        .unwrap();
    let own_head = app
        .dir
        .path()
        .join(format!("forged-head-{}", uuid::Uuid::now_v7().simple()));
    let forged = AuditLog::new(db, key, own_head);
    for i in 1..=10 {
        forged
            .append(
                AuditEntry {
                    actor: "u1",
                    action: AuditAction::ReportView,
                    report_id: None,
                    detail: "",
                },
                T0 + i,
            )
            .await
            .unwrap();
    }
}

both_backends! {
    async fn a_re_chained_trail_is_found(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let log = audit_log(&app);
        append_some(&log, 10).await;
        rewrite_history(&app, KeyRing::from_bytes([1; 32], [2; 32]).derive(KEY_PURPOSE)).await;
        assert_eq!(
            verify(&app).await,
            Err(VerifyError::Broken { seq: 1, reason: "mac does not match (edited or re-chained)".into() })
        );
        let out = verify_binary(&app, app.key_dir()).await;
        assert_eq!(out.status.code(), Some(1), "{out:?}");
        assert!(String::from_utf8_lossy(&out.stderr).contains("audit entry 1 is broken"), "{out:?}");

        // Even someone holding the key, but not the head file, is caught by the head file.
        let keys = KeyRing::load_or_create(&app.key_dir(), &app.data_dir()).unwrap();
        rewrite_history(&app, keys.derive(KEY_PURPOSE)).await;
        assert_eq!(verify(&app).await, Err(VerifyError::HeadMismatch { seq: 10 }));
        app.finish().await;
    }
}

both_backends! {
    async fn the_binary_never_creates_keys_and_says_what_is_missing(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let nowhere = app.dir.path().join("no-keys-here");
        let out = verify_binary(&app, nowhere.clone()).await;
        assert_eq!(out.status.code(), Some(2), "{out:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("does not exist") && stderr.contains("--key-dir"), "{stderr}");
        assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
        assert!(!nowhere.exists());

        // An empty trail without a head file is intact.
        let out = verify_binary(&app, app.key_dir()).await;
        assert_eq!(out.status.code(), Some(0), "{out:?}");
        assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "audit trail intact: 0 entries, head 0");
        app.finish().await;
    }
}

both_backends! {
    async fn rows_stored_under_an_older_action_name_still_read(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let log = audit_log(&app);
        let r1 = ReportId::new("r1");
        let entry = AuditEntry { actor: "u1", action: AuditAction::ReportView, report_id: Some(&r1), detail: "" };
        log.append(entry, T0).await.unwrap();
        // A row as it was stored before the names were made consistent (new entries can only be
        // written under the names of `AuditAction`).
        let mut conn = app.db().pool().acquire().await.unwrap();
        let old = tipline::store::audit::NewEntry {
            seq: 2,
            at: T0 + 1,
            actor: "u1",
            action: "report.search-result",
            report_id: Some(&r1),
            detail: "",
            prev_mac: &[0; 32],
            mac: &[1; 32],
        };
        tipline::store::audit::insert(&mut conn, &old).await.unwrap();
        drop(conn);
        let rows = log.list(&AuditFilter::default(), 10, 0).await.unwrap();
        let actions: Vec<&str> = rows.iter().map(|r| r.action.as_str()).collect();
        assert_eq!(actions, ["report.search-result", AuditAction::ReportView.as_str()]);
        assert_eq!(AuditAction::parse(actions[0]), Some(AuditAction::ReportSearchResult));
        app.finish().await;
    }
}
