//! Starting the real binary: zero configuration, keys outside the data directory with private
//! modes, and one clear line for each bad configuration.

use std::io::{BufRead, BufReader};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};

pub fn tipline() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_tipline"));
    for (key, _) in std::env::vars() {
        if key.starts_with("TIPLINE_") {
            cmd.env_remove(key);
        }
    }
    cmd
}

/// Starts `tipline serve` in `cwd` with extra args; returns the child and the URL it printed.
pub fn serve(cwd: &Path, args: &[&str]) -> (Child, String) {
    let mut cmd = tipline();
    cmd.current_dir(cwd)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .args(args);
    spawn_serving(cmd)
}

/// Spawns `cmd` (a `tipline serve`) with its output piped and waits for the line that says where
/// it serves; returns the child (its standard error still to read) and that URL.
pub fn spawn_serving(mut cmd: Command) -> (Child, String) {
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line
        .trim()
        .strip_prefix("tipline is serving ")
        .unwrap_or_else(|| panic!("unexpected: {line:?}"))
        .to_owned();
    (child, url.trim_end_matches('/').to_owned())
}

fn failure(cwd: &Path, args: &[&str]) -> String {
    let out = tipline()
        .current_dir(cwd)
        .arg("serve")
        .args(args)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(stderr.trim().lines().count(), 1, "one clear line: {stderr}");
    assert!(!stderr.contains("panicked"));
    stderr
}

#[test]
fn zero_configuration_creates_data_and_private_keys_beside_it() {
    let dir = tempfile::tempdir().unwrap();
    let (mut child, url) = serve(dir.path(), &[]);
    let body = reqwest::blocking_get(&format!("{url}/healthz"));
    assert_eq!(body, "ok");
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(dir.path().join("tipline-data/tipline.sqlite3").exists());
    for key in ["master.key", "mac.key"] {
        let meta = std::fs::metadata(dir.path().join("tipline-keys").join(key)).unwrap();
        assert_eq!(meta.permissions().mode() & 0o777, 0o600, "{key}");
        assert_eq!(meta.len(), 32);
    }
    let data_mode = std::fs::metadata(dir.path().join("tipline-data"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(data_mode & 0o077, 0, "data directory is private");
}

#[test]
fn bad_configuration_gets_one_line_that_says_how_to_fix_it() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    let e = failure(p, &["--data-dir", "d", "--key-dir", "d/keys"]);
    assert!(
        e.contains("inside the data directory") && e.contains("--key-dir"),
        "{e}"
    );

    std::fs::create_dir_all(p.join("k")).unwrap();
    std::fs::write(p.join("k/master.key"), [7u8; 32]).unwrap();
    std::fs::set_permissions(
        p.join("k/master.key"),
        std::fs::Permissions::from_mode(0o644),
    )
    .unwrap();
    let e = failure(p, &["--data-dir", "d2", "--key-dir", "k"]);
    assert!(e.contains("chmod 600"), "{e}");

    let e = failure(p, &["--listen", "localhost"]);
    assert!(e.contains("127.0.0.1:8080"), "{e}");
    let e = failure(p, &["--database-url", "mysql://x"]);
    assert!(e.contains("postgres://"), "{e}");
    let e = failure(p, &["--database-url", "sqlite:///no/such/file.db"]);
    assert!(e.contains("does not exist"), "{e}");
    std::fs::write(p.join("bad.toml"), "listen = 8080\n").unwrap();
    let e = failure(p, &["--config", "bad.toml"]);
    assert!(e.contains("bad.toml"), "{e}");
    let e = failure(p, &["--database-url", "postgres://nobody@127.0.0.1:1/none"]);
    assert!(e.contains("cannot connect"), "{e}");
}

mod reqwest {
    /// A tiny blocking GET without pulling reqwest's blocking feature.
    pub fn blocking_get(url: &str) -> String {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async { ::reqwest::get(url).await.unwrap().text().await.unwrap() })
    }
}
