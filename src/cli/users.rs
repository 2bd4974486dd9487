//! `tipline user add|list|disable|reset`: staff accounts from the command line. Adding or
//! resetting prints a one-time set-up link; nothing else about the account is ever printed.

use super::config::ServeArgs;
use crate::clock::{Clock, SystemClock};
use crate::staff::accounts;
use crate::staff::audit::{self, AuditEntry, AuditLog};
use crate::staff::audit_action::AuditAction;
use crate::staff::policy::Role;
use crate::store::{Db, staff as repo};
use clap::Subcommand;
use std::process::ExitCode;
use tokio::runtime::Runtime;

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create an account and print its one-time set-up link.
    Add {
        #[arg(long)]
        username: String,
        /// analyst, supervisor, auditor or admin.
        #[arg(long)]
        role: String,
        /// Language of the staff pages for this user: en, fr, de or nl.
        #[arg(long, default_value = "en")]
        language: String,
        #[command(flatten)]
        instance: ServeArgs,
    },
    /// List accounts.
    List {
        #[command(flatten)]
        instance: ServeArgs,
    },
    /// Enable a disabled account again.
    Enable {
        #[arg(long)]
        username: String,
        #[command(flatten)]
        instance: ServeArgs,
    },
    /// Disable an account and end its sessions.
    Disable {
        #[arg(long)]
        username: String,
        #[command(flatten)]
        instance: ServeArgs,
    },
    /// Clear an account's password and second factor, and print a new set-up link. A disabled
    /// account stays disabled.
    Reset {
        #[arg(long)]
        username: String,
        #[command(flatten)]
        instance: ServeArgs,
    },
}

/// Opens the database and audit trail of the instance the flags describe.
pub async fn open_instance(args: ServeArgs) -> anyhow::Result<(Db, AuditLog, String)> {
    let settings = args.resolve()?;
    let keys = crate::seal::KeyRing::load_or_create(&settings.key_dir, &settings.data_dir)?;
    let db = match &settings.database_url {
        Some(url) => Db::connect(url).await?,
        None => Db::open_embedded(&settings.data_dir).await?,
    };
    db.migrate().await?;
    let log = AuditLog::new(
        db.clone(),
        keys.derive(audit::KEY_PURPOSE),
        settings.key_dir.join(audit::HEAD_FILE),
    );
    Ok((db, log, settings.public_url))
}

/// The operator gave a role that reads report content without a supervisor's approval (the
/// command line needs none: whoever runs it holds the keys anyway); the audit trail says so.
async fn audit_operator_grant(
    log: &AuditLog,
    username: &str,
    role: &str,
    by: &str,
    now: i64,
) -> anyhow::Result<()> {
    if Role::parse(role).is_some_and(Role::reads_content) {
        log.append(
            AuditEntry {
                actor: "cli",
                action: AuditAction::UserContentAccessGranted,
                report_id: None,
                detail: &format!("username={username} role={role} by={by} approval=operator"),
            },
            now,
        )
        .await?;
    }
    Ok(())
}

async fn run(command: UserCommand) -> anyhow::Result<()> {
    let now = SystemClock.now().unix_timestamp();
    let link =
        |base: &str, token: &str| format!("{}/staff/setup/{token}", base.trim_end_matches('/'));
    match command {
        UserCommand::Add {
            username,
            role,
            language,
            instance,
        } => {
            let (db, log, base) = open_instance(instance).await?;
            let token = accounts::add(&db, &username, &role, &language, now).await?;
            log.append(
                AuditEntry {
                    actor: "cli",
                    action: AuditAction::UserAdd,
                    report_id: None,
                    detail: &format!("username={username} role={role}"),
                },
                now,
            )
            .await?;
            audit_operator_grant(&log, &username, &role, "add", now).await?;
            println!(
                "Account {username} ({role}) created. Give this one-time set-up link to its owner (valid {} hours):",
                accounts::SETUP_LINK_HOURS
            );
            println!("{}", link(&base, &token));
        }
        UserCommand::List { instance } => {
            let (db, _, _) = open_instance(instance).await?;
            for u in repo::list_users(&db).await? {
                let state = if u.disabled {
                    "disabled"
                } else if u.approval_requested_by.is_some() {
                    "waiting for a supervisor's approval"
                } else if u.password_hash.is_none() || u.totp_secret.is_none() {
                    "set-up pending"
                } else {
                    "active"
                };
                println!("{:<24} {:<11} {state}", u.username, u.role);
            }
        }
        UserCommand::Disable { username, instance } => {
            let (db, log, _) = open_instance(instance).await?;
            accounts::disable(&db, &username).await?;
            log.append(
                AuditEntry {
                    actor: "cli",
                    action: AuditAction::UserDisable,
                    report_id: None,
                    detail: &format!("username={username}"),
                },
                now,
            )
            .await?;
            println!("Account {username} disabled; its sessions have ended.");
        }
        UserCommand::Enable { username, instance } => {
            let (db, log, _) = open_instance(instance).await?;
            accounts::enable(&db, &username).await?;
            log.append(
                AuditEntry {
                    actor: "cli",
                    action: AuditAction::UserEnable,
                    report_id: None,
                    detail: &format!("username={username}"),
                },
                now,
            )
            .await?;
            println!("Account {username} enabled.");
        }
        UserCommand::Reset { username, instance } => {
            let (db, log, base) = open_instance(instance).await?;
            let reset = accounts::reset(&db, &username, now).await?;
            log.append(
                AuditEntry {
                    actor: "cli",
                    action: AuditAction::UserReset,
                    report_id: None,
                    detail: &format!("username={username}"),
                },
                now,
            )
            .await?;
            audit_operator_grant(&log, &username, reset.role.as_str(), "reset", now).await?;
            println!(
                "Account {username} reset. New one-time set-up link (valid {} hours):",
                accounts::SETUP_LINK_HOURS
            );
            println!("{}", link(&base, &reset.token));
            if reset.stays_disabled {
                println!(
                    "The account is disabled and stays disabled: the link works only after `tipline user enable --username {username}`."
                );
            }
        }
    }
    Ok(())
}

/// `tipline user …`.
pub fn main(command: UserCommand, runtime: &Runtime) -> ExitCode {
    match runtime.block_on(run(command)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("tipline: {e}");
            ExitCode::from(2)
        }
    }
}
