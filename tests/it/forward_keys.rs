//! The hotline's forwarding keys with the tools a recipient without tipline has: Debian's `age`
//! opens what tipline encrypts and encrypts what tipline opens; Debian's `minisign -V` checks
//! tipline's signatures and prints their trusted comment. `tipline keys show-public` prints the
//! public halves from the instance's key directory, and never makes keys.

use crate::helpers::{Backend, TestApp};
use std::process::Command;
use tipline::forward::keys::ForwardKeys;

fn tool(name: &str) -> Command {
    assert!(
        std::path::Path::new(&format!("/usr/bin/{name}")).exists(),
        "{name} missing: run scripts/test (it installs Debian's age and minisign)"
    );
    Command::new(name)
}

fn show_public(key_dir: &std::path::Path, data_dir: &std::path::Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_tipline"))
        .args(["keys", "show-public", "--key-dir"])
        .arg(key_dir)
        .arg("--data-dir")
        .arg(data_dir)
        .env_remove("TIPLINE_CONFIG")
        .output()
        .unwrap()
}

#[tokio::test]
async fn recipients_open_and_check_with_debians_age_and_minisign() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    // The first run made the keys; show-public prints their public halves, the same each time.
    let shown = show_public(&app.key_dir(), &app.data_dir());
    assert!(
        shown.status.success(),
        "{}",
        String::from_utf8_lossy(&shown.stderr)
    );
    let text = String::from_utf8(shown.stdout).unwrap();
    assert_eq!(
        show_public(&app.key_dir(), &app.data_dir()).stdout,
        text.as_bytes()
    );
    assert!(!text.contains("SECRET"), "{text}");
    let field = |name: &str| -> String {
        text.lines()
            .find_map(|l| l.strip_prefix(&format!("{name} ")))
            .unwrap_or_else(|| panic!("no {name} in {text}"))
            .to_owned()
    };
    let recipient = field("age-recipient");
    let minisign_key = field("minisign-public-key");
    assert!(recipient.starts_with("age1"), "{recipient}");
    let keys = ForwardKeys::load_or_create(&app.key_dir()).unwrap();
    assert_eq!(keys.recipient().to_string(), recipient);

    let work = tempfile::tempdir().unwrap();
    let path = |name: &str| work.path().join(name);

    // minisign: a signature tipline made checks with the public key shown, and the trusted
    // comment it covers is printed; a changed file fails.
    std::fs::write(path("manifest"), b"sha256 of each file").unwrap();
    let signature = keys
        .sign(b"sha256 of each file", "package 0193 for police-lu")
        .unwrap();
    std::fs::write(path("manifest.minisig"), signature).unwrap();
    let checked = tool("minisign")
        .args(["-V", "-P", &minisign_key, "-m"])
        .arg(path("manifest"))
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&checked.stdout);
    assert!(
        checked.status.success(),
        "{out}{}",
        String::from_utf8_lossy(&checked.stderr)
    );
    assert!(
        out.contains("Trusted comment: package 0193 for police-lu"),
        "{out}"
    );
    std::fs::write(path("manifest"), b"sha256 of each file, changed").unwrap();
    let tampered = tool("minisign")
        .args(["-V", "-P", &minisign_key, "-m"])
        .arg(path("manifest"))
        .output()
        .unwrap();
    assert!(!tampered.status.success());

    // age, towards a recipient: tipline encrypts to a key made by age-keygen; age opens it.
    let made = tool("age-keygen")
        .arg("-o")
        .arg(path("police.key"))
        .output()
        .unwrap();
    assert!(made.status.success());
    let police = tool("age-keygen")
        .arg("-y")
        .arg(path("police.key"))
        .output()
        .unwrap();
    let police: age::x25519::Recipient = String::from_utf8(police.stdout)
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    std::fs::write(
        path("case.age"),
        keys.encrypt(&[police], b"the case").unwrap(),
    )
    .unwrap();
    let opened = tool("age")
        .args(["-d", "-i"])
        .arg(path("police.key"))
        .arg(path("case.age"))
        .output()
        .unwrap();
    assert!(
        opened.status.success(),
        "{}",
        String::from_utf8_lossy(&opened.stderr)
    );
    assert_eq!(opened.stdout, b"the case");

    // age, towards the hotline: a partner encrypts to the recipient shown; tipline opens it.
    std::fs::write(path("reply.txt"), b"received, investigating").unwrap();
    let sealed = tool("age")
        .args(["-r", &recipient, "-o"])
        .arg(path("reply.age"))
        .arg(path("reply.txt"))
        .output()
        .unwrap();
    assert!(
        sealed.status.success(),
        "{}",
        String::from_utf8_lossy(&sealed.stderr)
    );
    let reply = std::fs::read(path("reply.age")).unwrap();
    assert_eq!(keys.decrypt(&reply).unwrap(), b"received, investigating");

    // show-public never makes keys: an empty key directory is refused with what to do.
    let empty = tempfile::tempdir().unwrap();
    let refused = show_public(&empty.path().join("keys"), &empty.path().join("data"));
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("start `tipline serve` once"));
    assert!(!empty.path().join("keys").join("forward-age.key").exists());
    app.finish().await;
}
