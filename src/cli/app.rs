//! Wiring: builds the application from settings (keys, database, sealer, writer, web state),
//! serves it, and shuts it down cleanly. Tests start the real server through [`start`].

use super::config::{ServeArgs, Settings};
use crate::clock::{SharedClock, SystemClock};
use crate::followup::notice::Notifier;
use crate::intake::cleaning::{Cleaner, CleanerSettings};
use crate::intake::submit::Intake;
use crate::link::index::BlindIndex;
use crate::seal::{KeyError, KeyRing, ReceiptHasher, TokenIssuer};
use crate::search::index::TermIndex;
use crate::staff::audit::{self, AuditLog};
use crate::staff::passkeys::SecondFactors;
use crate::staff::throttle::SignInGate;
use crate::store::{Db, ReportWriter, StoreError, data_keys};
use crate::web::i18n::I18n;
use crate::web::security::RateLimits;
use crate::web::templates::Templates;
use crate::web::{AppState, Shared, router};
use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;
use tokio::runtime::Runtime;
use tokio::sync::{oneshot, watch};
use tokio::task::{JoinHandle, JoinSet};

/// Why tipline could not start; each says what to do.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("{0}")]
    Keys(#[from] KeyError),
    #[error("{0}")]
    Store(#[from] StoreError),
    #[error("cannot listen on {addr}: {source}; choose another address with --listen")]
    Listen {
        addr: SocketAddr,
        #[source]
        source: std::io::Error,
    },
    #[error("the built-in translations or templates are broken: {0}; please report this bug")]
    Assets(String),
    #[error("{0}")]
    Smtp(#[from] crate::followup::notice::NoticeError),
    #[error("{0}")]
    Catalogue(#[from] crate::assess::catalogue::CatalogueError),
    #[error("{0}")]
    ForwardKeys(#[from] crate::forward::keys::ForwardKeyError),
}

/// A running server.
pub struct Running {
    /// The address actually bound (the port is chosen by the system when 0 was asked).
    pub addr: SocketAddr,
    pub db: Db,
    sign_in_gate: Arc<SignInGate>,
    /// The report writer, stopped after the requests in flight: it commits and answers what is
    /// queued before the database closes.
    writer: ReportWriter,
    shutdown: oneshot::Sender<()>,
    task: JoinHandle<()>,
    /// The background tasks (indexing set-aside reports again, the minute sweep), told to stop
    /// through `stop_tasks`.
    tasks: JoinSet<()>,
    stop_tasks: watch::Sender<bool>,
}

/// How long [`Running::stop`] waits for the background tasks once told to stop; they stop at
/// their next await, so this is only reached by a task stuck in a blocking call.
const TASKS_GRACE: Duration = Duration::from_secs(10);

impl Running {
    /// Stops accepting connections, lets requests in flight finish, stops the background tasks
    /// and the report writer (which commits and answers every report already queued, and
    /// answers any later one with an error) and waits for them, then closes the database.
    /// Returns how many background or writer tasks had to be cut off (none, unless one was
    /// stuck).
    pub async fn stop(mut self) -> usize {
        let _ = self.shutdown.send(());
        let _ = self.task.await;
        let _ = self.stop_tasks.send(true);
        let tasks = &mut self.tasks;
        let joined = tokio::time::timeout(TASKS_GRACE, async {
            while tasks.join_next().await.is_some() {}
        })
        .await;
        let cut_off = if joined.is_err() {
            let left = self.tasks.len();
            tracing::warn!(
                tasks = left,
                "background tasks still running at shutdown were cut off"
            );
            self.tasks.abort_all();
            left
        } else {
            0
        };
        let writer_cut_off = self.writer.stop(TASKS_GRACE).await;
        if writer_cut_off > 0 {
            tracing::warn!(
                tasks = writer_cut_off,
                "report writer tasks still running at shutdown were cut off; their reports were rolled back and answered with an error"
            );
        }
        // Failed sign-ins still folded in memory go to the audit trail before the database closes.
        self.sign_in_gate.flush_all().await;
        self.db.close().await;
        cut_off + writer_cut_off
    }
}

/// Runs `work` until it ends or the server is told to stop, whichever comes first (the work is
/// dropped at its next await).
async fn until_stopped(mut stop: watch::Receiver<bool>, work: impl Future<Output = ()>) {
    tokio::select! {
        () = work => {}
        _ = stop.wait_for(|stopped| *stopped) => {}
    }
}

/// The sub-key labels derived from the MAC key.
mod purpose {
    pub const RECEIPT_SECRET: &str = "receipt-secret";
    pub const RECEIPT_HASH: &str = "receipt-hash";
    pub const FORM_TOKEN: &str = "form-token";
    pub const SUBMISSION: &str = "submission";
    pub const API_IDEMPOTENCY: &str = "api-idempotency";
    /// Keyed hashes of staff recovery codes, and the stand-in passkeys of unknown names.
    pub const STAFF_RECOVERY: &str = "staff-recovery";
}

/// An instance opened for filing: its keys, its database (migrated) and the filing service.
pub struct Opened {
    pub keys: KeyRing,
    pub db: Db,
    pub intake: Intake,
}

/// Opens the keys (created on first run), the database, and builds the filing service on them:
/// what `serve` and `dev seed` share, so that both seal and index reports alike.
pub async fn open_intake(settings: &Settings, clock: &SharedClock) -> Result<Opened, StartError> {
    crate::link::identifiers::keep_phone_patterns_compiled();
    let keys = KeyRing::load_or_create(&settings.key_dir, &settings.data_dir)?;
    // The forwarding keys are made on the first run too, so that `tipline keys show-public` has
    // something to show before the first case is forwarded.
    crate::forward::keys::ForwardKeys::load_or_create(&settings.key_dir)?;
    let db = match &settings.database_url {
        Some(url) => Db::connect(url).await?,
        None => Db::open_embedded(&settings.data_dir).await?,
    };
    db.migrate().await?;
    let sealer = Arc::new(data_keys::load_sealer(&db, &keys, clock.now().unix_timestamp()).await?);
    // Values written before their report binding are sealed again before anything is served.
    crate::app::reseal::run(&db, &sealer).await?;
    let writer = ReportWriter::start(db.clone());
    let receipts = ReceiptHasher::new(
        keys.derive(purpose::RECEIPT_SECRET),
        keys.derive(purpose::RECEIPT_HASH),
    );
    let catalogue = Arc::new(match &settings.indicator_catalogue_file {
        Some(path) => crate::assess::catalogue::load_file(path)?,
        None => crate::assess::builtin().clone(),
    });
    let blind_index = BlindIndex::new(keys.derive(crate::link::index::KEY_PURPOSE));
    let term_index = TermIndex::new(keys.derive(crate::search::index::KEY_PURPOSE));
    let intake = Intake::new(
        sealer,
        catalogue,
        blind_index,
        term_index,
        receipts,
        keys.derive(purpose::SUBMISSION),
        writer,
    );
    Ok(Opened { keys, db, intake })
}

/// Opens keys and database, and serves on `settings.listen`.
pub async fn start(settings: &Settings, clock: SharedClock) -> Result<Running, StartError> {
    if let Some(warning) = super::config::transport_warning(&settings.public_url) {
        tracing::warn!("{warning}");
    }
    let embedded = settings.database_url.is_none();
    for warning in super::private::check_private(&settings.data_dir, embedded) {
        tracing::warn!("{warning}");
    }
    let Opened { keys, db, intake } = open_intake(settings, &clock).await?;
    let writer = intake.writer().clone();
    let i18n = Arc::new(I18n::load().map_err(|e| StartError::Assets(e.to_string()))?);
    let templates = Templates::load(i18n.clone()).map_err(|e| StartError::Assets(e.to_string()))?;
    let notifier = match &settings.smtp {
        Some(smtp) => Some(Notifier::new(smtp)?),
        None => None,
    };
    let audit_log = AuditLog::new(
        db.clone(),
        keys.derive(audit::KEY_PURPOSE),
        settings.key_dir.join(audit::HEAD_FILE),
    );
    let sign_in_gate = Arc::new(SignInGate::new(
        settings.sign_in,
        clock.clone(),
        audit_log.clone(),
    ));
    let site_name = i18n.t("en", "site-name", None);
    let state = AppState::new(Shared {
        db: db.clone(),
        intake,
        tokens: TokenIssuer::new(keys.derive(purpose::FORM_TOKEN), time::Duration::hours(24)),
        i18n,
        templates,
        help_numbers: settings.help_numbers.clone(),
        limits: RateLimits::new(settings.rates),
        clock,
        exit_url: settings.exit_url.clone(),
        api_idempotency_key: keys.derive(purpose::API_IDEMPOTENCY),
        factors: SecondFactors::new(
            &settings.public_url,
            &site_name,
            keys.derive(purpose::STAFF_RECOVERY),
        ),
        audit: audit_log,
        sign_in_gate: sign_in_gate.clone(),
        session_policy: settings.sessions,
        deadlines: settings.deadlines,
        public_url: settings.public_url.clone(),
        secure_cookies: settings.public_url.starts_with("https://"),
        reporter_sessions: crate::followup::signin::ReporterSessionPolicy::default(),
        notifier,
        serve_limits: settings.serving,
        cleaner: Cleaner::new(CleanerSettings {
            program: settings.attachment_cleaner.clone(),
            ..CleanerSettings::default()
        }),
    });

    let (stop_tasks, stopped_tasks) = watch::channel(false);
    let mut tasks = JoinSet::new();
    tasks.spawn(until_stopped(
        stopped_tasks.clone(),
        crate::app::rederive::keep(
            db.clone(),
            Arc::clone(state.intake.sealer()),
            state.intake.term_index().clone(),
        ),
    ));
    let sweeper = state.clone();
    tasks.spawn(until_stopped(stopped_tasks, async move {
        let mut tick = tokio::time::interval(Duration::from_secs(60));
        loop {
            tick.tick().await;
            sweeper.limits.forget_idle();
            sweeper
                .intake
                .forget_old_texts(sweeper.clock.now().unix_timestamp());
            sweeper.sign_in_gate.flush_due().await;
        }
    }));

    let listener = tokio::net::TcpListener::bind(settings.listen)
        .await
        .map_err(|source| StartError::Listen {
            addr: settings.listen,
            source,
        })?;
    let addr = listener.local_addr().map_err(|source| StartError::Listen {
        addr: settings.listen,
        source,
    })?;
    let limits = settings.serving;
    let app = router(state);
    let (shutdown, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(crate::web::serve::serve(
        listener,
        app,
        limits,
        async {
            let _ = stopped.await;
        },
        limits.request_timeout,
    ));
    Ok(Running {
        addr,
        db,
        sign_in_gate,
        writer,
        shutdown,
        task,
        tasks,
        stop_tasks,
    })
}

fn init_logging(filter: &str) {
    let filter = tracing_subscriber::EnvFilter::try_new(filter)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        if let Ok(mut term) =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            tokio::select! {
                _ = ctrl_c => {},
                _ = term.recv() => {},
            }
            return;
        }
    }
    let _ = ctrl_c.await;
}

/// `tipline serve`.
pub fn serve_main(args: ServeArgs, runtime: &Runtime) -> ExitCode {
    let settings = match args.resolve() {
        // Attachments are cleaned by this very binary, in a child process with its own limits.
        Ok(s) => Settings {
            attachment_cleaner: std::env::current_exe().ok(),
            ..s
        },
        Err(e) => {
            eprintln!("tipline: {e}");
            return ExitCode::from(2);
        }
    };
    init_logging(&settings.log);
    runtime.block_on(async {
        let running = match start(&settings, Arc::new(SystemClock)).await {
            Ok(r) => r,
            Err(e) => {
                eprintln!("tipline: {e}");
                return ExitCode::from(2);
            }
        };
        println!("tipline is serving http://{}/", running.addr);
        shutdown_signal().await;
        running.stop().await;
        ExitCode::SUCCESS
    })
}
