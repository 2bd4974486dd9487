//! `tipline keys show-public`: prints the public halves of the hotline's forwarding keys (its age
//! recipient and its minisign public key) for its recipients, from the same key directory as
//! `tipline serve`. It never prints a secret, and never makes keys (`serve` makes them on its
//! first run).

use super::audit::VerifyArgs;
use super::config::ServeArgs;
use crate::forward::keys::{ENCRYPTION_FILE, ForwardKeys, SIGNING_FILE};
use clap::Subcommand;
use std::process::ExitCode;

#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Print this hotline's age recipient (partners encrypt to it) and minisign public key
    /// (recipients check its signatures with `minisign -V -P KEY`).
    ShowPublic(VerifyArgs),
}

/// Runs `tipline keys ...`; returns the process exit code.
pub fn keys_main(command: KeysCommand) -> ExitCode {
    let KeysCommand::ShowPublic(args) = command;
    let settings = ServeArgs {
        config: args.config,
        data_dir: args.data_dir,
        key_dir: args.key_dir,
        database_url: args.database_url,
        ..Default::default()
    }
    .resolve();
    let settings = match settings {
        Ok(settings) => settings,
        Err(e) => {
            eprintln!("tipline: {e}");
            return ExitCode::from(2);
        }
    };
    let dir = &settings.key_dir;
    if [ENCRYPTION_FILE, SIGNING_FILE]
        .iter()
        .any(|file| !dir.join(file).exists())
    {
        eprintln!(
            "tipline: no forwarding keys in {} yet: start `tipline serve` once to make them, or give this instance's key directory with --key-dir",
            dir.display()
        );
        return ExitCode::from(2);
    }
    match ForwardKeys::load_or_create(dir) {
        Ok(keys) => {
            print!("{}", keys.show_public());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("tipline: {e}");
            ExitCode::from(2)
        }
    }
}
