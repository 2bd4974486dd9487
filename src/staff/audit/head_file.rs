//! The head file: the newest entry's sequence number and mac, kept in the key directory apart
//! from the database and rewritten atomically after every append, so that cutting off the
//! newest entries and fixing up `audit_head` still shows.

use data_encoding::HEXLOWER;
use std::fs;
use std::io::Write;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// The head file; it lives in the KEY directory (outside the data directory and the database).
pub const HEAD_FILE: &str = "audit-head";
/// First line of the head file.
const HEAD_FILE_TITLE: &str = "tipline audit head v1";

/// The head file of a key directory.
pub fn head_path(key_dir: &Path) -> PathBuf {
    key_dir.join(HEAD_FILE)
}

/// What the head file records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct HeadFile {
    pub seq: i64,
    pub mac: Vec<u8>,
}

fn head_file_text(seq: i64, mac: &[u8]) -> String {
    format!(
        "{HEAD_FILE_TITLE}\nseq {seq}\nmac {}\n",
        HEXLOWER.encode(mac)
    )
}

pub(super) fn parse_head_file(text: &str) -> Result<HeadFile, &'static str> {
    const DAMAGED: &str = "the head file is damaged";
    let mut lines = text.lines();
    if lines.next() != Some(HEAD_FILE_TITLE) {
        return Err(DAMAGED);
    }
    let seq = lines
        .next()
        .and_then(|l| l.strip_prefix("seq "))
        .and_then(|s| s.parse::<i64>().ok())
        .filter(|s| *s >= 1)
        .ok_or(DAMAGED)?;
    let mac = lines
        .next()
        .and_then(|l| l.strip_prefix("mac "))
        .and_then(|m| HEXLOWER.decode(m.as_bytes()).ok())
        .filter(|m| m.len() == 32)
        .ok_or(DAMAGED)?;
    if lines.any(|l| !l.is_empty()) {
        return Err(DAMAGED);
    }
    Ok(HeadFile { seq, mac })
}

/// Replaces the head file atomically: a private temporary file, synced, renamed over the old
/// one, and the directory synced, so a crash leaves either the old head or the new one.
pub(super) fn write_head_file(path: &Path, seq: i64, mac: &[u8]) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| HEAD_FILE.to_owned());
    let tmp = dir.join(format!(".{name}.{:016x}.tmp", rand::random::<u64>()));
    let result = (|| {
        let mut file = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&tmp)?;
        file.set_permissions(fs::Permissions::from_mode(0o600))?;
        file.write_all(head_file_text(seq, mac).as_bytes())?;
        file.sync_all()?;
        drop(file);
        fs::rename(&tmp, path)?;
        fs::File::open(dir)?.sync_all()
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_head_file_is_private_atomic_and_reads_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = head_path(dir.path());
        write_head_file(&path, 7, &[9; 32]).unwrap();
        write_head_file(&path, 8, &[10; 32]).unwrap();
        let text = fs::read_to_string(&path).unwrap();
        assert_eq!(
            parse_head_file(&text),
            Ok(HeadFile {
                seq: 8,
                mac: vec![10; 32]
            })
        );
        let mode = fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1, "no temp left");
        assert!(parse_head_file("tipline audit head v1\nseq 0\nmac 00\n").is_err());
        assert!(parse_head_file(&text.replace("seq 8", "seq x")).is_err());
        assert!(parse_head_file("").is_err());
    }
}
