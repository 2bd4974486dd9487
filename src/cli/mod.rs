//! The command line: `tipline serve` and its configuration, and the wiring that builds the
//! application from its parts.
//!
//! Owns: the commands, their configuration, the tokio runtime, and the wiring of the application.
//! May use: every room (see `LAYERS` in `src/lib.rs`).

pub mod app;
pub mod audit;
pub mod config;
#[cfg(feature = "dev-seed")]
pub mod dev;
pub mod keys;
pub mod private;
pub mod users;

use clap::{Parser, Subcommand};

/// tipline: a secure, multilingual reporting hotline for human trafficking and child sexual
/// exploitation.
#[derive(Debug, Parser)]
#[command(name = "tipline", version, about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the public reporting site and API.
    Serve(config::ServeArgs),
    /// Manage staff accounts.
    #[command(subcommand)]
    User(users::UserCommand),
    /// Check the audit trail: `tipline audit verify`.
    Audit(audit::AuditArgs),
    /// The hotline's forwarding keys: `tipline keys show-public`.
    #[command(subcommand)]
    Keys(keys::KeysCommand),
    /// Developer tooling, never needed to run a hotline: `tipline dev seed --reports N`.
    /// Only in builds with the `dev-seed` feature.
    #[cfg(feature = "dev-seed")]
    #[command(subcommand)]
    Dev(dev::DevCommand),
    /// Cleans one attachment from stdin to stdout under resource limits; run by `serve` only.
    #[command(name = "clean-attachment", hide = true)]
    CleanAttachment(CleanAttachmentArgs),
}

#[derive(Debug, clap::Args)]
pub struct CleanAttachmentArgs {
    /// Address space allowed, in MiB.
    #[arg(long)]
    pub memory_mib: u64,
    /// CPU time allowed, in seconds.
    #[arg(long)]
    pub cpu_seconds: u64,
}

/// Runs the command line; returns the process exit code.
pub fn main() -> std::process::ExitCode {
    private::restrict_new_files();
    let cli = Cli::parse();
    if let Command::CleanAttachment(args) = &cli.command {
        // The cleaning child runs under tight limits and needs no runtime.
        return crate::intake::cleaning::child_main(args.memory_mib, args.cpu_seconds);
    }
    // One runtime for whichever command runs.
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("tipline: cannot start the runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match cli.command {
        Command::Serve(args) => app::serve_main(args, &runtime),
        Command::User(command) => users::main(command, &runtime),
        Command::Audit(args) => audit::audit_main(args, &runtime),
        Command::Keys(command) => keys::keys_main(command),
        #[cfg(feature = "dev-seed")]
        Command::Dev(command) => dev::main(command, &runtime),
        // Answered above, before the runtime.
        Command::CleanAttachment(_) => std::process::ExitCode::SUCCESS,
    }
}
