//! Files only tipline may read: every command runs with umask 077, and `serve` says at start
//! when an existing data directory is open to group or others, and closes database files an
//! earlier version created readable by others (SQLite gives its -wal and -shm files the mode of
//! the database file, whatever the umask). Key files open to others are refused by
//! [`crate::seal::KeyRing`], which names the directory too.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

/// Database files of the embedded SQLite database.
const SQLITE_FILES: [&str; 3] = [
    "tipline.sqlite3",
    "tipline.sqlite3-wal",
    "tipline.sqlite3-shm",
];

/// New files and directories get no group or other permissions.
pub fn restrict_new_files() {
    rustix::process::umask(rustix::fs::Mode::from_raw_mode(0o077));
}

fn open_to_others(path: &Path) -> Option<u32> {
    let mode = std::fs::metadata(path).ok()?.permissions().mode();
    (mode & 0o077 != 0).then_some(mode & 0o777)
}

/// Checks the data directory; returns one warning per problem, each saying what to do.
/// Database files open to others are closed (0600) on the way, which is said too.
pub fn check_private(data_dir: &Path, embedded: bool) -> Vec<String> {
    let mut warnings = Vec::new();
    if let Some(mode) = open_to_others(data_dir) {
        warnings.push(format!(
            "the data directory {} has mode {mode:o}: group or others can list or read it; \
             run `chmod 700 {}`",
            data_dir.display(),
            data_dir.display()
        ));
    }
    if embedded {
        for file in SQLITE_FILES {
            let path = data_dir.join(file);
            if let Some(mode) = open_to_others(&path) {
                let closed =
                    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600));
                warnings.push(match closed {
                    Ok(()) => format!(
                        "{} had mode {mode:o}; it is now 0600. Check that backups of it are not \
                         readable by others either",
                        path.display()
                    ),
                    Err(e) => format!(
                        "{} has mode {mode:o} and cannot be changed ({e}); run `chmod 600 {}`",
                        path.display(),
                        path.display()
                    ),
                });
            }
        }
    }
    warnings
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn open_directories_are_named_and_open_database_files_closed() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        std::fs::create_dir(&data).unwrap();
        std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o750)).unwrap();
        let db = data.join("tipline.sqlite3");
        std::fs::write(&db, b"").unwrap();
        std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o644)).unwrap();
        let warnings = check_private(&data, true);
        assert_eq!(warnings.len(), 2, "{warnings:?}");
        assert!(warnings[0].contains("chmod 700") && warnings[0].contains("data directory"));
        assert!(warnings[1].contains("now 0600"));
        assert_eq!(
            std::fs::metadata(&db).unwrap().permissions().mode() & 0o777,
            0o600
        );
        assert_eq!(check_private(&data, false).len(), 1);
    }
}
