//! Configuration: command-line flags, `TIPLINE_*` environment variables and an optional TOML
//! file, in that order of precedence, resolved into [`Settings`]. Bad configuration becomes one
//! line saying what is wrong and how to fix it.

use crate::followup::notice::SmtpSettings;
use crate::intake::help::{self, HelpNumber};
use crate::staff::sessions::SessionPolicy;
use crate::staff::throttle::SignInLimits;
use crate::triage::deadlines::DeadlinePolicy;
use crate::web::security::RateSettings;
use crate::web::serve::ServeLimits;
use clap::Args;
use serde::Deserialize;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Options of `tipline serve`. Every flag can also be set as `TIPLINE_<NAME>` or in the file.
#[derive(Debug, Default, Clone, Args)]
pub struct ServeArgs {
    /// TOML configuration file.
    #[arg(long, env = "TIPLINE_CONFIG")]
    pub config: Option<PathBuf>,
    /// Directory of the SQLite database (default ./tipline-data).
    #[arg(long, env = "TIPLINE_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// Directory of the keys, outside the data directory (default: tipline-keys beside it).
    #[arg(long, env = "TIPLINE_KEY_DIR")]
    pub key_dir: Option<PathBuf>,
    /// Address and port to listen on (default 127.0.0.1:8080).
    #[arg(long, env = "TIPLINE_LISTEN")]
    pub listen: Option<String>,
    /// postgres://… to use PostgreSQL instead of the embedded SQLite database.
    #[arg(long, env = "TIPLINE_DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,
    /// Where the quick-exit button leads.
    #[arg(long, env = "TIPLINE_EXIT_URL")]
    pub exit_url: Option<String>,
    /// TOML file of help numbers to show (default: the EU-wide numbers).
    #[arg(long, env = "TIPLINE_HELP_NUMBERS_FILE")]
    pub help_numbers_file: Option<PathBuf>,
    /// Reports accepted per second across all clients.
    #[arg(long, env = "TIPLINE_INTAKE_PER_SECOND")]
    pub intake_per_second: Option<u32>,
    /// Burst of reports allowed above that rate.
    #[arg(long, env = "TIPLINE_INTAKE_BURST")]
    pub intake_burst: Option<u32>,
    /// Submissions of one form per hour.
    #[arg(long, env = "TIPLINE_PER_FORM_PER_HOUR")]
    pub per_form_per_hour: Option<u32>,
    /// Submissions per minute from one IP address (0: off, right behind Tor or a proxy).
    #[arg(long, env = "TIPLINE_PER_IP_PER_MINUTE")]
    pub per_ip_per_minute: Option<u32>,
    /// Log filter, e.g. info or tipline=debug.
    #[arg(long, env = "TIPLINE_LOG")]
    pub log: Option<String>,
    /// The address people use to reach tipline, e.g. https://report.example.org (set-up links;
    /// https makes the staff cookie Secure). Default: http://<listen>.
    #[arg(long, env = "TIPLINE_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// Minutes without activity after which a staff session ends.
    #[arg(long, env = "TIPLINE_SESSION_IDLE_MINUTES")]
    pub session_idle_minutes: Option<i64>,
    /// Hours after sign-in after which a staff session ends.
    #[arg(long, env = "TIPLINE_SESSION_ABSOLUTE_HOURS")]
    pub session_absolute_hours: Option<i64>,
    /// Receipt sign-in attempts per second, all clients together.
    #[arg(long, env = "TIPLINE_RECEIPT_ATTEMPTS_PER_SECOND")]
    pub receipt_attempts_per_second: Option<u32>,
    /// SMTP server for the content-free notice to reporters who ask for it:
    /// smtp://host:port, smtp://host:port?tls=starttls or smtps://host:port (credentials as
    /// smtp://user:password@host). Without it, no notice is offered.
    #[arg(long, env = "TIPLINE_SMTP_URL", hide_env_values = true)]
    pub smtp_url: Option<String>,
    /// Sender address of the notice.
    #[arg(long, env = "TIPLINE_SMTP_FROM")]
    pub smtp_from: Option<String>,
    /// The hotline's own indicator catalogue (TOML), replacing the built-in ILO/EC one.
    #[arg(long, env = "TIPLINE_INDICATOR_CATALOGUE_FILE")]
    pub indicator_catalogue_file: Option<PathBuf>,
    /// Days within which a report must be acknowledged.
    #[arg(long, env = "TIPLINE_ACKNOWLEDGE_DAYS")]
    pub acknowledge_days: Option<i64>,
    /// Months after acknowledgement within which the reporter gets feedback.
    #[arg(long, env = "TIPLINE_FEEDBACK_MONTHS")]
    pub feedback_months: Option<u8>,
    /// Ceiling: forms issued per second, all clients together.
    #[arg(long, env = "TIPLINE_FORMS_PER_SECOND")]
    pub forms_per_second: Option<u32>,
    /// Receipt sign-in attempts with one sign-in form.
    #[arg(long, env = "TIPLINE_RECEIPT_ATTEMPTS_PER_FORM")]
    pub receipt_attempts_per_form: Option<u32>,
    /// Seconds under which a filled-in form is flagged as possible junk.
    #[arg(long, env = "TIPLINE_MIN_FILL_SECONDS")]
    pub min_fill_seconds: Option<u32>,
    /// Messages one follow-up session may send per hour.
    #[arg(long, env = "TIPLINE_MESSAGES_PER_SESSION_PER_HOUR")]
    pub messages_per_session_per_hour: Option<u32>,
    /// Messages a reporter may add to one report per day.
    #[arg(long, env = "TIPLINE_MESSAGES_PER_REPORT_PER_DAY")]
    pub messages_per_report_per_day: Option<u32>,
    /// Total MiB of files per report, its messages' included.
    #[arg(long, env = "TIPLINE_ATTACHMENT_MIB_PER_REPORT")]
    pub attachment_mib_per_report: Option<u32>,
    /// Most connections open at once (default 1024).
    #[arg(long, env = "TIPLINE_MAX_CONNECTIONS")]
    pub max_connections: Option<usize>,
    /// Seconds a client has to send a request's headers (default 10).
    #[arg(long, env = "TIPLINE_HEADER_TIMEOUT_SECONDS")]
    pub header_timeout_seconds: Option<u64>,
    /// Seconds to read and answer a request without files (default 30).
    #[arg(long, env = "TIPLINE_REQUEST_TIMEOUT_SECONDS")]
    pub request_timeout_seconds: Option<u64>,
    /// Seconds to read and answer a request that uploads files (default 600).
    #[arg(long, env = "TIPLINE_UPLOAD_TIMEOUT_SECONDS")]
    pub upload_timeout_seconds: Option<u64>,
}

/// The configuration file: the same names as the flags, with underscores.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    data_dir: Option<PathBuf>,
    key_dir: Option<PathBuf>,
    listen: Option<String>,
    database_url: Option<String>,
    exit_url: Option<String>,
    help_numbers_file: Option<PathBuf>,
    intake_per_second: Option<u32>,
    intake_burst: Option<u32>,
    per_form_per_hour: Option<u32>,
    per_ip_per_minute: Option<u32>,
    log: Option<String>,
    public_url: Option<String>,
    session_idle_minutes: Option<i64>,
    session_absolute_hours: Option<i64>,
    acknowledge_days: Option<i64>,
    feedback_months: Option<u8>,
    receipt_attempts_per_second: Option<u32>,
    smtp_url: Option<String>,
    smtp_from: Option<String>,
    indicator_catalogue_file: Option<PathBuf>,
    forms_per_second: Option<u32>,
    receipt_attempts_per_form: Option<u32>,
    min_fill_seconds: Option<u32>,
    messages_per_session_per_hour: Option<u32>,
    messages_per_report_per_day: Option<u32>,
    attachment_mib_per_report: Option<u32>,
    max_connections: Option<usize>,
    header_timeout_seconds: Option<u64>,
    request_timeout_seconds: Option<u64>,
    upload_timeout_seconds: Option<u64>,
}

/// Resolved settings.
#[derive(Clone)]
pub struct Settings {
    pub data_dir: PathBuf,
    pub key_dir: PathBuf,
    pub listen: SocketAddr,
    /// `None`: the embedded SQLite database in the data directory.
    pub database_url: Option<String>,
    pub exit_url: String,
    pub help_numbers: Vec<HelpNumber>,
    pub rates: RateSettings,
    pub log: String,
    pub public_url: String,
    pub sessions: SessionPolicy,
    /// The limits in front of staff sign-in (built in; tests lower them).
    pub sign_in: SignInLimits,
    pub deadlines: DeadlinePolicy,
    pub smtp: Option<SmtpSettings>,
    pub indicator_catalogue_file: Option<PathBuf>,
    pub serving: ServeLimits,
    /// The tipline binary that cleans attachments in a child process (`serve` sets its own);
    /// `None` cleans them in-process, under the same slots, budget and time limit.
    pub attachment_cleaner: Option<PathBuf>,
}

impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings")
            .field("data_dir", &self.data_dir)
            .field("key_dir", &self.key_dir)
            .field("listen", &self.listen)
            .field(
                "database_url",
                &self.database_url.as_ref().map(|_| "<redacted>"),
            )
            .field("exit_url", &self.exit_url)
            .field("rates", &self.rates)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read the configuration file {path}: {reason}")]
    Read { path: String, reason: String },
    #[error("the configuration file {path} is not valid: {reason}")]
    Parse { path: String, reason: String },
    #[error("the listen address '{0}' is not ADDRESS:PORT; use for example 127.0.0.1:8080")]
    Listen(String),
    #[error("the exit URL '{0}' must start with https:// or http://")]
    ExitUrl(String),
    #[error(
        "the database URL must start with postgres:// or sqlite:; leave it unset for the embedded SQLite database"
    )]
    DatabaseUrl,
    #[error("{0}")]
    Help(#[from] help::HelpError),
    #[error("the public URL '{0}' must start with https:// or http://")]
    PublicUrl(String),
    #[error("{0} must be a positive number")]
    NotPositive(&'static str),
    #[error("smtp_url is set but smtp_from is not; give the sender address of the notice")]
    SmtpFrom,
}

/// The default neutral site for the quick exit.
pub const DEFAULT_EXIT_URL: &str = "https://www.wikipedia.org/";

impl ServeArgs {
    /// Resolves flags, environment and file into settings.
    pub fn resolve(self) -> Result<Settings, ConfigError> {
        let file = match &self.config {
            Some(path) => read_file(path)?,
            None => FileConfig::default(),
        };
        let data_dir = self
            .data_dir
            .or(file.data_dir)
            .unwrap_or_else(|| PathBuf::from("tipline-data"));
        let key_dir = self
            .key_dir
            .or(file.key_dir)
            .unwrap_or_else(|| default_key_dir(&data_dir));
        let listen_text = self
            .listen
            .or(file.listen)
            .unwrap_or_else(|| "127.0.0.1:8080".to_owned());
        let listen = listen_text
            .parse()
            .map_err(|_| ConfigError::Listen(listen_text.clone()))?;
        let database_url = self
            .database_url
            .or(file.database_url)
            .filter(|u| !u.trim().is_empty());
        if let Some(url) = &database_url
            && !(url.starts_with("postgres://")
                || url.starts_with("postgresql://")
                || url.starts_with("sqlite:"))
        {
            return Err(ConfigError::DatabaseUrl);
        }
        let exit_url = self
            .exit_url
            .or(file.exit_url)
            .unwrap_or_else(|| DEFAULT_EXIT_URL.to_owned());
        if !(exit_url.starts_with("https://") || exit_url.starts_with("http://")) {
            return Err(ConfigError::ExitUrl(exit_url));
        }
        let help_numbers = match self.help_numbers_file.or(file.help_numbers_file) {
            Some(path) => help::load(&path)?,
            None => help::defaults(),
        };
        let d = RateSettings::default();
        let rates = RateSettings {
            intake_per_second: self
                .intake_per_second
                .or(file.intake_per_second)
                .unwrap_or(d.intake_per_second),
            intake_burst: self
                .intake_burst
                .or(file.intake_burst)
                .unwrap_or(d.intake_burst),
            per_form_per_hour: self
                .per_form_per_hour
                .or(file.per_form_per_hour)
                .unwrap_or(d.per_form_per_hour),
            per_ip_per_minute: self
                .per_ip_per_minute
                .or(file.per_ip_per_minute)
                .unwrap_or(d.per_ip_per_minute),
            receipt_attempts_per_second: self
                .receipt_attempts_per_second
                .or(file.receipt_attempts_per_second)
                .unwrap_or(d.receipt_attempts_per_second),
            forms_per_second: self
                .forms_per_second
                .or(file.forms_per_second)
                .unwrap_or(d.forms_per_second),
            receipt_attempts_per_form: self
                .receipt_attempts_per_form
                .or(file.receipt_attempts_per_form)
                .unwrap_or(d.receipt_attempts_per_form),
            min_fill_seconds: self
                .min_fill_seconds
                .or(file.min_fill_seconds)
                .unwrap_or(d.min_fill_seconds),
            messages_per_session_per_hour: self
                .messages_per_session_per_hour
                .or(file.messages_per_session_per_hour)
                .unwrap_or(d.messages_per_session_per_hour),
            messages_per_report_per_day: self
                .messages_per_report_per_day
                .or(file.messages_per_report_per_day)
                .unwrap_or(d.messages_per_report_per_day),
            attachment_mib_per_report: self
                .attachment_mib_per_report
                .or(file.attachment_mib_per_report)
                .unwrap_or(d.attachment_mib_per_report),
        };
        let smtp = match (
            self.smtp_url.or(file.smtp_url),
            self.smtp_from.or(file.smtp_from),
        ) {
            (None, _) => None,
            (Some(url), Some(from)) => Some(SmtpSettings { url, from }),
            (Some(_), None) => return Err(ConfigError::SmtpFrom),
        };
        let public_url = self
            .public_url
            .or(file.public_url)
            .unwrap_or_else(|| format!("http://{listen}"));
        if !(public_url.starts_with("https://") || public_url.starts_with("http://")) {
            return Err(ConfigError::PublicUrl(public_url));
        }
        let positive = |v: Option<i64>, default: i64, name: &'static str| match v {
            Some(n) if n <= 0 => Err(ConfigError::NotPositive(name)),
            Some(n) => Ok(n),
            None => Ok(default),
        };
        let sd = SessionPolicy::default();
        let sessions = SessionPolicy {
            idle: positive(
                self.session_idle_minutes.or(file.session_idle_minutes),
                sd.idle / 60,
                "session_idle_minutes",
            )? * 60,
            absolute: positive(
                self.session_absolute_hours.or(file.session_absolute_hours),
                sd.absolute / 3600,
                "session_absolute_hours",
            )? * 3600,
        };
        let dd = DeadlinePolicy::default();
        let deadlines = DeadlinePolicy {
            acknowledge_days: positive(
                self.acknowledge_days.or(file.acknowledge_days),
                dd.acknowledge_days,
                "acknowledge_days",
            )?,
            feedback_months: self
                .feedback_months
                .or(file.feedback_months)
                .unwrap_or(dd.feedback_months),
        };
        let sl = ServeLimits::default();
        let seconds = |v: Option<u64>, default: Duration, name: &'static str| match v {
            Some(0) => Err(ConfigError::NotPositive(name)),
            Some(n) => Ok(Duration::from_secs(n)),
            None => Ok(default),
        };
        let serving = ServeLimits {
            max_connections: match self.max_connections.or(file.max_connections) {
                Some(0) => return Err(ConfigError::NotPositive("max_connections")),
                Some(n) => n,
                None => sl.max_connections,
            },
            header_timeout: seconds(
                self.header_timeout_seconds.or(file.header_timeout_seconds),
                sl.header_timeout,
                "header_timeout_seconds",
            )?,
            request_timeout: seconds(
                self.request_timeout_seconds
                    .or(file.request_timeout_seconds),
                sl.request_timeout,
                "request_timeout_seconds",
            )?,
            upload_timeout: seconds(
                self.upload_timeout_seconds.or(file.upload_timeout_seconds),
                sl.upload_timeout,
                "upload_timeout_seconds",
            )?,
        };
        Ok(Settings {
            serving,
            attachment_cleaner: None,
            indicator_catalogue_file: self
                .indicator_catalogue_file
                .or(file.indicator_catalogue_file),
            smtp,
            public_url,
            sessions,
            sign_in: SignInLimits::default(),
            deadlines,
            data_dir,
            key_dir,
            listen,
            database_url,
            exit_url,
            help_numbers,
            rates,
            log: self.log.or(file.log).unwrap_or_else(|| "info".to_owned()),
        })
    }
}

/// What to warn about at start when reporters would reach the site in clear text: a public URL
/// that is not `https://`, unless it is a `.onion` address (encrypted by Tor) or loopback.
pub fn transport_warning(public_url: &str) -> Option<String> {
    let url = url::Url::parse(public_url).ok()?;
    if url.scheme() == "https" {
        return None;
    }
    let private = match url.host()? {
        url::Host::Domain(d) => {
            let d = d.trim_end_matches('.').to_ascii_lowercase();
            d.ends_with(".onion") || d == "localhost" || d.ends_with(".localhost")
        }
        url::Host::Ipv4(ip) => ip.is_loopback(),
        url::Host::Ipv6(ip) => ip.is_loopback(),
    };
    (!private).then(|| {
        format!(
            "the public URL {public_url} is neither https:// nor a .onion address: what reporters \
             send can be read and changed on the way; serve tipline behind TLS and set \
             --public-url https://…, or publish it as an onion service"
        )
    })
}

/// `tipline-keys` beside the data directory.
pub fn default_key_dir(data_dir: &Path) -> PathBuf {
    let parent = data_dir
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    parent.join("tipline-keys")
}

fn read_file(path: &Path) -> Result<FileConfig, ConfigError> {
    let shown = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| ConfigError::Read {
        path: shown.clone(),
        reason: e.to_string(),
    })?;
    toml::from_str(&text).map_err(|e| ConfigError::Parse {
        path: shown,
        reason: e.message().to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_put_keys_beside_the_data() {
        let s = ServeArgs::default().resolve().unwrap();
        assert_eq!(s.data_dir, PathBuf::from("tipline-data"));
        assert_eq!(s.key_dir, PathBuf::from("./tipline-keys"));
        assert_eq!(s.listen.to_string(), "127.0.0.1:8080");
        let s = ServeArgs {
            data_dir: Some("/srv/t/data".into()),
            ..Default::default()
        }
        .resolve()
        .unwrap();
        assert_eq!(s.key_dir, PathBuf::from("/srv/t/tipline-keys"));
    }

    #[test]
    fn flags_beat_the_file_and_bad_values_say_how_to_fix() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tipline.toml");
        std::fs::write(&path, "listen = \"0.0.0.0:9000\"\nintake_per_second = 7\n").unwrap();
        let s = ServeArgs {
            config: Some(path.clone()),
            listen: Some("127.0.0.1:1".into()),
            ..Default::default()
        }
        .resolve()
        .unwrap();
        assert_eq!(s.listen.to_string(), "127.0.0.1:1");
        assert_eq!(s.rates.intake_per_second, 7);

        std::fs::write(&path, "lisen = \"x\"\n").unwrap();
        let err = ServeArgs {
            config: Some(path),
            ..Default::default()
        }
        .resolve()
        .unwrap_err();
        assert!(err.to_string().contains("unknown field"), "{err}");
        let err = ServeArgs {
            listen: Some("localhost".into()),
            ..Default::default()
        }
        .resolve()
        .unwrap_err();
        assert!(err.to_string().contains("127.0.0.1:8080"), "{err}");
        let err = ServeArgs {
            database_url: Some("mysql://x".into()),
            ..Default::default()
        }
        .resolve()
        .unwrap_err();
        assert!(err.to_string().contains("postgres://"), "{err}");
    }

    #[test]
    fn clear_text_public_urls_are_warned_about() {
        assert!(transport_warning("http://report.example.org").is_some());
        assert!(transport_warning("http://192.0.2.7:8080/").is_some());
        for quiet in [
            "https://report.example.org",
            "http://abcdefghijklmnop.onion",
            "http://127.0.0.1:8080",
            "http://[::1]:8080",
            "http://localhost:8080",
        ] {
            assert_eq!(transport_warning(quiet), None, "{quiet}");
        }
    }

    #[test]
    fn debug_hides_the_database_url() {
        let s = ServeArgs {
            database_url: Some("postgres://user:secret@db/x".into()),
            ..Default::default()
        }
        .resolve()
        .unwrap();
        assert!(!format!("{s:?}").contains("secret"));
    }
}
