//! The e-mail notice: what reaches an SMTP server (the local sink), and what is refused.

use std::time::Duration;

use tipline::followup::notice::{NoticeError, Notifier, SmtpSettings};

use crate::smtp_sink;

fn settings(url: impl Into<String>) -> SmtpSettings {
    SmtpSettings {
        url: url.into(),
        from: "hotline@example.org".into(),
    }
}

const SUBJECT: &str = "Nouveau message : connectez-vous à la ligne d'écoute — réponse reçue";
const BODY: &str = "Bonjour,\n\nUn nouveau message vous attend. Connectez-vous avec votre reçu \
                    pour le lire.\n.\n..\n.point en tête de ligne\n\nÀ bientôt, l'équipe.\n";

#[tokio::test]
async fn a_notice_reaches_the_server_intact() {
    let mut sink = smtp_sink::start().await;
    let notifier = Notifier::new(&settings(format!("smtp://{}", sink.addr))).expect("notifier");

    notifier
        .send("reporter@example.net", SUBJECT, BODY)
        .await
        .expect("sent");
    let mail = sink.next().await;

    assert_eq!(mail.from, "hotline@example.org");
    assert_eq!(mail.to, ["reporter@example.net"]);
    assert_eq!(
        mail.header("From").as_deref(),
        Some("hotline@example.org"),
        "{}",
        mail.data
    );
    assert_eq!(mail.header("To").as_deref(), Some("reporter@example.net"));
    assert_eq!(mail.subject(), SUBJECT, "{}", mail.data);
    assert_eq!(mail.text().trim_end(), BODY.trim_end(), "{}", mail.data);
    assert_eq!(
        mail.header("Content-Type")
            .map(|v| v.to_ascii_lowercase().replace(' ', "")),
        Some("text/plain;charset=utf-8".to_owned())
    );
    assert!(mail.header("Date").is_some(), "{}", mail.data);
    let id = mail.header("Message-ID").expect("a Message-ID");
    assert!(
        id.starts_with('<') && id.ends_with('>') && id.contains('@'),
        "{id}"
    );

    // Nothing else about the sender's software or server.
    let allowed = [
        "from",
        "to",
        "subject",
        "date",
        "message-id",
        "content-type",
        "content-transfer-encoding",
        "mime-version",
    ];
    for name in mail.header_names() {
        assert!(
            allowed.contains(&name.to_ascii_lowercase().as_str()),
            "unexpected header {name}: {}",
            mail.data
        );
    }
    assert!(sink.try_next().is_none());
}

#[tokio::test]
async fn one_notifier_sends_several_notices() {
    let mut sink = smtp_sink::start().await;
    let notifier = Notifier::new(&settings(format!("smtp://{}", sink.addr))).expect("notifier");
    let clone = notifier.clone();

    notifier
        .send("one@example.net", "Nouveau message", "Connectez-vous.")
        .await
        .expect("first");
    clone
        .send(" two@example.net ", "Nouveau message", "Connectez-vous.")
        .await
        .expect("second");

    assert_eq!(sink.next().await.to, ["one@example.net"]);
    assert_eq!(sink.next().await.to, ["two@example.net"]);
}

#[tokio::test]
async fn a_subject_cannot_add_headers() {
    let mut sink = smtp_sink::start().await;
    let notifier = Notifier::new(&settings(format!("smtp://{}", sink.addr))).expect("notifier");

    notifier
        .send(
            "reporter@example.net",
            "New message\r\nBcc: spy@example.com",
            "x",
        )
        .await
        .expect("sent");
    let mail = sink.next().await;

    assert_eq!(mail.to, ["reporter@example.net"]);
    assert!(mail.header("Bcc").is_none(), "{}", mail.data);
    // The line break became a space (the sink's decoder folds runs of spaces into one).
    assert_eq!(mail.subject(), "New message Bcc: spy@example.com");
}

#[test]
fn settings_debug_hides_the_password() {
    let shown = format!("{:?}", settings("smtp://user:secret@host:25"));
    assert!(!shown.contains("secret"), "{shown}");
    assert!(
        shown.contains("user") && shown.contains("host:25"),
        "{shown}"
    );

    let notifier = Notifier::new(&settings("smtp://user:secret@host:25")).expect("notifier");
    let shown = format!("{notifier:?}");
    assert!(!shown.contains("secret"), "{shown}");
}

#[test]
fn bad_urls_are_refused() {
    for url in ["http://x", "smtp://", "smtp://host:25?tls=maybe", "host:25"] {
        match Notifier::new(&settings(url)) {
            Err(NoticeError::BadUrl(why)) => assert!(!why.is_empty()),
            other => panic!("{url}: expected BadUrl, got {other:?}"),
        }
    }
    assert!(Notifier::new(&settings("smtp://relay:587?tls=starttls")).is_ok());
    assert!(Notifier::new(&settings("smtps://relay")).is_ok());
}

#[test]
fn a_bad_sender_is_refused() {
    let err = Notifier::new(&SmtpSettings {
        url: "smtp://localhost:25".into(),
        from: "hotline at example".into(),
    })
    .expect_err("refused");
    assert!(matches!(err, NoticeError::BadFrom(_)), "{err}");
}

#[tokio::test]
async fn a_bad_recipient_is_refused_before_connecting() {
    let mut sink = smtp_sink::start().await;
    let notifier = Notifier::new(&settings(format!("smtp://{}", sink.addr))).expect("notifier");

    for to in ["not an address", "", "a@b\r\nRCPT TO:<x@y>", "<a@b>"] {
        let err = notifier.send(to, "s", "b").await.expect_err(to);
        assert!(matches!(err, NoticeError::BadRecipient), "{to:?}: {err}");
    }
    assert!(sink.try_next().is_none());
}

#[tokio::test]
async fn a_refusal_does_not_repeat_the_address() {
    let mut sink = smtp_sink::start().await;
    let notifier = Notifier::new(&settings(format!("smtp://{}", sink.addr))).expect("notifier");

    // The sink answers 550 quoting the address, as real servers do.
    let err = notifier
        .send("refused@example.net", "s", "b")
        .await
        .expect_err("refused");

    assert!(matches!(err, NoticeError::Send(_)), "{err}");
    let shown = format!("{err} {err:?}");
    assert!(!shown.contains("refused@"), "{shown}");
    assert!(shown.contains("550"), "{shown}");
    assert!(sink.try_next().is_none());
}

#[tokio::test]
async fn a_server_that_is_down_fails_within_the_timeout() {
    let closed = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = closed.local_addr().expect("addr");
    drop(closed);
    let notifier = Notifier::new(&settings(format!("smtp://{addr}"))).expect("notifier");

    let result = tokio::time::timeout(
        Duration::from_secs(15),
        notifier.send("reporter@example.net", "s", "b"),
    )
    .await
    .expect("the send gives up within its timeout");

    match result {
        Err(NoticeError::Send(why)) => assert!(!why.contains("reporter@"), "{why}"),
        other => panic!("expected a Send error, got {other:?}"),
    }
}

#[tokio::test]
async fn required_tls_is_never_skipped() {
    let mut sink = smtp_sink::start().await;
    // The sink offers no STARTTLS and speaks no TLS: both forms must fail, never send in clear.
    for url in [
        format!("smtp://{}?tls=starttls", sink.addr),
        format!("smtps://{}", sink.addr),
    ] {
        let notifier = Notifier::new(&settings(url.as_str())).expect("notifier");
        let result = tokio::time::timeout(
            Duration::from_secs(15),
            notifier.send("reporter@example.net", "s", "b"),
        )
        .await
        .expect("the send gives up within its timeout");
        assert!(
            matches!(result, Err(NoticeError::Send(_))),
            "{url}: {result:?}"
        );
    }
    assert!(sink.try_next().is_none());
}
