//! `tipline audit verify`: checks the audit trail's chain and head against the keys, finding the
//! same database and key directory as `tipline serve`. It never creates keys or a database.
//!
//! Exit status: 0 intact, 1 broken (the first broken entry is named), 2 could not check.

use super::config::ServeArgs;
use crate::seal::KeyRing;
use crate::staff::audit::{self, VerifyError};
use crate::store::Db;
use clap::{Args, Subcommand};
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use tokio::runtime::Runtime;
use zeroize::Zeroizing;

/// `tipline audit ...`
#[derive(Debug, Args)]
pub struct AuditArgs {
    #[command(subcommand)]
    pub command: AuditCommand,
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Check that no audit entry was edited, deleted or re-chained, and that the newest were not
    /// cut off. Exit status 0: intact; 1: broken; 2: could not check.
    Verify(VerifyArgs),
}

/// Where the database and keys are: the same flags, variables and file as `tipline serve`.
#[derive(Debug, Default, Clone, Args)]
pub struct VerifyArgs {
    /// TOML configuration file.
    #[arg(long, env = "TIPLINE_CONFIG")]
    pub config: Option<PathBuf>,
    /// Directory of the SQLite database (default ./tipline-data).
    #[arg(long, env = "TIPLINE_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// Directory of the keys (default: tipline-keys beside the data directory).
    #[arg(long, env = "TIPLINE_KEY_DIR")]
    pub key_dir: Option<PathBuf>,
    /// postgres://… when the instance uses PostgreSQL.
    #[arg(long, env = "TIPLINE_DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,
}

/// Runs `tipline audit ...`; returns the process exit code.
pub fn audit_main(args: AuditArgs, runtime: &Runtime) -> ExitCode {
    match args.command {
        AuditCommand::Verify(args) => verify_main(args, runtime),
    }
}

/// Why the trail could not be checked at all.
#[derive(Debug)]
struct CannotCheck(String);

fn verify_main(args: VerifyArgs, runtime: &Runtime) -> ExitCode {
    match runtime.block_on(run_verify(args)) {
        Ok(Ok(verified)) => {
            println!(
                "audit trail intact: {} entries, head {}",
                verified.entries, verified.head_seq
            );
            ExitCode::SUCCESS
        }
        Ok(Err(e @ (VerifyError::Store(_) | VerifyError::HeadFile { .. }))) => {
            eprintln!("tipline: {e}");
            ExitCode::from(2)
        }
        Ok(Err(broken)) => {
            eprintln!("tipline: {broken}");
            ExitCode::from(1)
        }
        Err(CannotCheck(message)) => {
            eprintln!("tipline: {message}");
            ExitCode::from(2)
        }
    }
}

async fn run_verify(args: VerifyArgs) -> Result<Result<audit::Verified, VerifyError>, CannotCheck> {
    let settings = ServeArgs {
        config: args.config,
        data_dir: args.data_dir,
        key_dir: args.key_dir,
        database_url: args.database_url,
        ..Default::default()
    }
    .resolve()
    .map_err(|e| CannotCheck(e.to_string()))?;
    let keys = load_existing_keys(&settings.key_dir).map_err(CannotCheck)?;
    let db = match &settings.database_url {
        Some(url) => Db::connect(url).await,
        None => {
            // The embedded database `tipline serve` keeps in the data directory.
            let path = settings.data_dir.join("tipline.sqlite3");
            if !path.is_file() {
                return Err(CannotCheck(format!(
                    "there is no database at {}; check --data-dir (or give --database-url)",
                    path.display()
                )));
            }
            Db::connect(&format!("sqlite://{}", path.display())).await
        }
    }
    .map_err(|e| CannotCheck(e.to_string()))?;
    let key = keys.derive(audit::KEY_PURPOSE);
    let result = audit::verify(&db, &key, &audit::head_path(&settings.key_dir)).await;
    db.close().await;
    Ok(result)
}

/// The key ring of an existing key directory, like [`KeyRing::load_or_create`] but never
/// creating anything. Only `mac.key` is read (the audit key derives from it); `master.key` must
/// exist, so that a wrong directory is named as such.
fn load_existing_keys(key_dir: &Path) -> Result<KeyRing, String> {
    let missing = |file: &Path| {
        format!(
            "the key file {} does not exist; give the key directory of this instance with --key-dir (verify never creates keys)",
            file.display()
        )
    };
    let master = key_dir.join("master.key");
    let mac = key_dir.join("mac.key");
    for file in [&master, &mac] {
        let meta = fs::metadata(file).map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                missing(file)
            } else {
                format!(
                    "cannot read the key file {}: {e}; check that it is readable",
                    file.display()
                )
            }
        })?;
        if meta.permissions().mode() & 0o077 != 0 {
            return Err(format!(
                "the key file {0} can be read by group or others; run `chmod 600 {0}` (and `chmod 700` on its directory)",
                file.display()
            ));
        }
    }
    let bytes = Zeroizing::new(fs::read(&mac).map_err(|e| {
        format!(
            "cannot read the key file {}: {e}; check that it is readable",
            mac.display()
        )
    })?);
    let mac_key: Zeroizing<[u8; 32]> =
        Zeroizing::new(bytes.as_slice().try_into().map_err(|_| {
            format!(
                "the key file {} is damaged (it must hold exactly 32 bytes); restore it from your key backup",
                mac.display()
            )
        })?);
    Ok(KeyRing::from_bytes([0; 32], *mac_key))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_keys_are_named_and_never_created() {
        let dir = tempfile::tempdir().unwrap();
        let keys = dir.path().join("keys");
        let err = load_existing_keys(&keys).unwrap_err();
        assert!(
            err.contains("master.key") && err.contains("--key-dir"),
            "{err}"
        );
        assert!(!keys.exists());

        let data = dir.path().join("data");
        let ring = KeyRing::load_or_create(&keys, &data).unwrap();
        let loaded = load_existing_keys(&keys).unwrap();
        assert_eq!(
            ring.derive(audit::KEY_PURPOSE).expose(),
            loaded.derive(audit::KEY_PURPOSE).expose()
        );
        fs::set_permissions(keys.join("mac.key"), fs::Permissions::from_mode(0o640)).unwrap();
        assert!(load_existing_keys(&keys).unwrap_err().contains("chmod 600"));
    }
}
