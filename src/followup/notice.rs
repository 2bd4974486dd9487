//! The e-mail notice to reporters who asked for one: no content, no receipt.
//!
//! A reporter who left an e-mail address may be told "there is a new message, sign in with your
//! receipt". This module only carries such a notice to an SMTP server: the caller passes the
//! translated subject and body, and nothing else goes into the message. It never logs the
//! recipient, and its errors never carry the recipient or the server's reply text (which often
//! repeats the address).
//!
//! The SMTP server is given as a URL:
//!
//! * `smtp://host:port`: plain SMTP, for a relay on the same host or network;
//! * `smtp://host:port?tls=starttls`: STARTTLS, required (the send fails without it);
//! * `smtps://host:port`: TLS from the first byte (implicit TLS, usually port 465);
//! * credentials may precede the host: `smtp://user:pass@host:port`, percent-encoded.
//!
//! Without a port: 25 for plain SMTP, 587 for STARTTLS, 465 for `smtps`. TLS uses rustls with the
//! Mozilla (webpki) roots.

use std::fmt;
use std::time::Duration;

use lettre::message::header::ContentType;
use lettre::message::{Mailbox, Message};
use lettre::{Address, AsyncSmtpTransport, AsyncTransport, Tokio1Executor};

/// How long one SMTP step (connect, each command) may take before the send fails.
const TIMEOUT: Duration = Duration::from_secs(10);

/// Where and as whom notices are sent.
#[derive(Clone, PartialEq, Eq)]
pub struct SmtpSettings {
    /// `smtp://host:port`, `smtp://host:port?tls=starttls` or `smtps://host:port`, with optional
    /// `user:pass@` before the host.
    pub url: String,
    /// The sender, e.g. `hotline@example.org` or `Hotline <hotline@example.org>`.
    pub from: String,
}

impl fmt::Debug for SmtpSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmtpSettings")
            .field("url", &redact(&self.url))
            .field("from", &self.from)
            .finish()
    }
}

/// Why a notice could not be set up or sent.
#[derive(Debug, thiserror::Error)]
pub enum NoticeError {
    /// The SMTP URL is malformed or uses an unknown scheme or option.
    #[error(
        "the SMTP URL is not valid: {0}; use smtp://host:port, smtp://host:port?tls=starttls or smtps://host:port"
    )]
    BadUrl(String),
    /// The configured sender address does not parse.
    #[error("the sender address {0} is not valid")]
    BadFrom(String),
    /// The reporter's address does not parse (it is deliberately not repeated).
    #[error("the recipient address is not valid")]
    BadRecipient,
    /// Building or sending the message failed (connection, TLS, timeout, refusal).
    #[error("sending the notice failed: {0}")]
    Send(String),
}

/// Sends notices through one SMTP server. Cheap to clone; each send opens its own connection.
#[derive(Clone)]
pub struct Notifier {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    /// The URL with any password replaced, for `Debug`.
    server: String,
}

impl fmt::Debug for Notifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Notifier")
            .field("server", &self.server)
            .field("from", &self.from.to_string())
            .finish_non_exhaustive()
    }
}

impl Notifier {
    /// Checks the settings and prepares the transport. Does not connect.
    pub fn new(settings: &SmtpSettings) -> Result<Self, NoticeError> {
        let url = lettre_url(&settings.url)?;
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(&url)
            .map_err(|e| NoticeError::BadUrl(e.to_string()))?
            .timeout(Some(TIMEOUT))
            .build();
        let from = settings
            .from
            .trim()
            .parse::<Mailbox>()
            .map_err(|_| NoticeError::BadFrom(settings.from.clone()))?;
        Ok(Self {
            transport,
            from,
            server: redact(&settings.url),
        })
    }

    /// Sends one plain-text e-mail. The caller passes the translated subject and body; this
    /// module adds no content of its own and logs nothing about the recipient.
    pub async fn send(&self, to: &str, subject: &str, body: &str) -> Result<(), NoticeError> {
        let to = to
            .trim()
            .parse::<Address>()
            .map_err(|_| NoticeError::BadRecipient)?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(Mailbox::new(None, to))
            .subject(one_line(subject))
            .message_id(None)
            .header(ContentType::TEXT_PLAIN)
            .body(body.to_owned())
            .map_err(|e| NoticeError::Send(format!("the message could not be built: {e}")))?;
        self.transport
            .send(message)
            .await
            .map(|_| ())
            .map_err(|e| NoticeError::Send(describe(&e)))
    }
}

/// Describes a send failure without the server's reply text: a refusal often quotes the
/// recipient's address, and the error may end up in a log.
fn describe(e: &lettre::transport::smtp::Error) -> String {
    if let Some(code) = e.status() {
        let kind = if e.is_permanent() {
            "permanently"
        } else {
            "for now"
        };
        format!("the server refused it {kind} (reply {code})")
    } else if e.is_timeout() {
        format!("no answer from the server within {} s", TIMEOUT.as_secs())
    } else if e.is_response() {
        "the server's reply could not be understood".to_owned()
    } else {
        // Connection, network and TLS errors: I/O and TLS messages, no addresses.
        e.to_string()
    }
}

/// A subject is one header line: line breaks and other control characters become spaces.
fn one_line(subject: &str) -> String {
    subject
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// Checks the URL against the forms this module accepts and rewrites it into the form lettre
/// expects (`tls=starttls` is lettre's `tls=required`). Error texts never repeat the URL, which
/// may hold a password.
fn lettre_url(url: &str) -> Result<String, NoticeError> {
    let bad = |why: &str| NoticeError::BadUrl(why.to_owned());
    let url = url.trim();
    let (scheme, rest) = url
        .split_once("://")
        .ok_or_else(|| bad("it has no scheme"))?;
    let scheme = scheme.to_ascii_lowercase();
    if scheme != "smtp" && scheme != "smtps" {
        return Err(bad("the scheme must be smtp or smtps"));
    }
    if rest.contains('#') {
        return Err(bad("it must not have a fragment (#)"));
    }
    let (rest, query) = match rest.split_once('?') {
        Some((rest, query)) => (rest, Some(query)),
        None => (rest, None),
    };
    let starttls = match (scheme.as_str(), query) {
        (_, None | Some("")) => false,
        ("smtp", Some(q)) if q.eq_ignore_ascii_case("tls=starttls") => true,
        ("smtps", Some(_)) => return Err(bad("smtps takes no options (it is TLS already)")),
        _ => return Err(bad("the only option is ?tls=starttls")),
    };
    let authority = match rest.split_once('/') {
        Some((authority, "")) => authority,
        Some(_) => return Err(bad("it must not have a path")),
        None => rest,
    };
    let host_port = match authority.rsplit_once('@') {
        Some((userinfo, host_port)) => {
            match userinfo.split_once(':') {
                Some((user, pass)) if !user.is_empty() && !pass.is_empty() => {}
                _ => return Err(bad("credentials need a user and a password (user:pass@)")),
            }
            host_port
        }
        None => authority,
    };
    let (host, port) = if let Some(bracketed) = host_port.strip_prefix('[') {
        let (host, after) = bracketed
            .split_once(']')
            .ok_or_else(|| bad("an IPv6 host needs a closing ]"))?;
        let port = match after {
            "" => None,
            _ => Some(
                after
                    .strip_prefix(':')
                    .ok_or_else(|| bad("unexpected text after the IPv6 host"))?,
            ),
        };
        (host, port)
    } else {
        match host_port.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (host_port, None),
        }
    };
    if host.is_empty() {
        return Err(bad("it has no host"));
    }
    if let Some(port) = port {
        match port.parse::<u16>() {
            Ok(p) if p != 0 && port.bytes().all(|b| b.is_ascii_digit()) => {}
            _ => return Err(bad("the port must be a number from 1 to 65535")),
        }
    }
    let tls = if starttls { "?tls=required" } else { "" };
    Ok(format!("{scheme}://{authority}{tls}"))
}

/// The URL with the password (anything between the first `:` of the user information and the
/// last `@`) replaced by `***`.
fn redact(url: &str) -> String {
    let (prefix, rest) = match url.find("://") {
        Some(i) => url.split_at(i + 3),
        None => ("", url),
    };
    match rest.rfind('@') {
        Some(at) => {
            let (userinfo, host) = rest.split_at(at);
            match userinfo.split_once(':') {
                Some((user, _)) => format!("{prefix}{user}:***{host}"),
                None => url.to_owned(),
            }
        }
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepted_urls() {
        let cases = [
            ("smtp://localhost:2525", "smtp://localhost:2525"),
            ("smtp://relay", "smtp://relay"),
            (
                "smtp://relay:587?tls=starttls",
                "smtp://relay:587?tls=required",
            ),
            (
                "smtps://mail.example.org:465",
                "smtps://mail.example.org:465",
            ),
            ("smtps://mail.example.org/", "smtps://mail.example.org"),
            ("smtp://u%40x:p%3Aw@relay:25", "smtp://u%40x:p%3Aw@relay:25"),
            ("smtp://[::1]:25", "smtp://[::1]:25"),
            ("SMTP://relay:25", "smtp://relay:25"),
        ];
        for (given, expected) in cases {
            assert_eq!(lettre_url(given).unwrap(), expected, "{given}");
            assert!(
                Notifier::new(&SmtpSettings {
                    url: given.into(),
                    from: "hotline@example.org".into()
                })
                .is_ok(),
                "{given}"
            );
        }
    }

    #[test]
    fn refused_urls() {
        for url in [
            "",
            "localhost:25",
            "http://x",
            "smtp://",
            "smtp://:25",
            "smtp://user:pass@",
            "smtp://user:pass@:25",
            "smtp://host:0",
            "smtp://host:65536",
            "smtp://host:+25",
            "smtp://host:port",
            "smtp://host:25?tls=required",
            "smtp://host:25?tls=opportunistic",
            "smtps://host:465?tls=starttls",
            "smtp://host:25/ehlo-name",
            "smtp://host:25#x",
            "smtp://user@host:25",
            "smtp://user:@host:25",
            "smtp://[::1:25",
        ] {
            let err = lettre_url(url).unwrap_err();
            assert!(matches!(err, NoticeError::BadUrl(_)), "{url}: {err}");
        }
    }

    #[test]
    fn url_errors_do_not_repeat_the_password() {
        let err = lettre_url("smtp://user:hunter2@host:25?tls=nope").unwrap_err();
        assert!(!err.to_string().contains("hunter2"), "{err}");
    }

    #[test]
    fn redaction() {
        assert_eq!(redact("smtp://u:secret@h:25"), "smtp://u:***@h:25");
        assert_eq!(redact("smtp://u:se@cret@h:25"), "smtp://u:***@h:25");
        assert_eq!(redact("smtp://u:se/cr?et@h:25"), "smtp://u:***@h:25");
        assert_eq!(redact("u:secret@h:25"), "u:***@h:25");
        assert_eq!(redact("smtp://h:25"), "smtp://h:25");
        assert_eq!(redact("smtp://u@h:25"), "smtp://u@h:25");
    }

    #[test]
    fn bad_sender() {
        let err = Notifier::new(&SmtpSettings {
            url: "smtp://localhost:25".into(),
            from: "not an address".into(),
        })
        .unwrap_err();
        assert!(matches!(err, NoticeError::BadFrom(_)), "{err}");
    }

    #[test]
    fn subject_is_one_line() {
        assert_eq!(one_line("a\r\nBcc: x@y\tz"), "a  Bcc: x@y z");
    }

    #[test]
    fn notifier_debug_hides_password() {
        let n = Notifier::new(&SmtpSettings {
            url: "smtps://user:topsecret@mail.example.org".into(),
            from: "Hotline <hotline@example.org>".into(),
        })
        .unwrap();
        let shown = format!("{n:?}");
        assert!(!shown.contains("topsecret"), "{shown}");
        assert!(shown.contains("mail.example.org"), "{shown}");
    }
}
