//! A tiny SMTP server for tests: listens on 127.0.0.1 on a free port, accepts every message and
//! hands it to the test through a channel. It speaks just enough SMTP for lettre: greeting, EHLO
//! (no STARTTLS, no AUTH), HELO, MAIL FROM, RCPT TO, DATA (dot-stuffing undone), RSET, NOOP, QUIT;
//! several messages per connection and several connections.
//!
//! One deliberate refusal: a recipient whose local part is `refused` gets `550` with the address
//! quoted in the reply, as real servers do, so tests can check that such replies are not passed on.

use std::net::SocketAddr;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};

/// How long [`Sink::next`] waits for a message.
const WAIT: Duration = Duration::from_secs(10);

/// A running sink. The server stops with the test's runtime.
pub struct Sink {
    pub addr: SocketAddr,
    rx: UnboundedReceiver<Mail>,
}

/// One accepted message: the envelope and the raw message as sent after DATA (CRLF line ends,
/// dot-stuffing undone, without the final `.` line).
#[derive(Debug, Clone)]
pub struct Mail {
    pub from: String,
    pub to: Vec<String>,
    pub data: String,
}

/// Starts a sink on 127.0.0.1 on a port the system picks.
pub async fn start() -> Sink {
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind the SMTP sink");
    let addr = listener.local_addr().expect("the SMTP sink's address");
    let (tx, rx) = unbounded_channel();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            tokio::spawn(session(stream, tx.clone()));
        }
    });
    Sink { addr, rx }
}

impl Sink {
    /// The next message; waits up to 10 s, then panics.
    pub async fn next(&mut self) -> Mail {
        match tokio::time::timeout(WAIT, self.rx.recv()).await {
            Ok(Some(mail)) => mail,
            Ok(None) => panic!("the SMTP sink stopped before a message arrived"),
            Err(_) => panic!(
                "no message reached the SMTP sink at {} within {} s",
                self.addr,
                WAIT.as_secs()
            ),
        }
    }

    /// A message already received, if any; does not wait.
    pub fn try_next(&mut self) -> Option<Mail> {
        self.rx.try_recv().ok()
    }
}

impl Mail {
    /// The value of the first header with this name (case-insensitive), unfolded, as sent (still
    /// RFC 2047-encoded if it was).
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers()
            .into_iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    }

    /// All header names, in order.
    pub fn header_names(&self) -> Vec<String> {
        self.headers().into_iter().map(|(n, _)| n).collect()
    }

    /// The Subject, with RFC 2047 encoded words decoded.
    pub fn subject(&self) -> String {
        decode_words(&self.header("Subject").unwrap_or_default())
    }

    /// The body decoded according to its Content-Transfer-Encoding, with `\n` line ends.
    pub fn text(&self) -> String {
        let raw = self.data.split_once("\r\n\r\n").map_or("", |(_, b)| b);
        let encoding = self
            .header("Content-Transfer-Encoding")
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase();
        let bytes = match encoding.as_str() {
            "quoted-printable" => decode_qp(raw, false),
            "base64" => {
                let compact: String = raw.chars().filter(|c| !c.is_whitespace()).collect();
                data_encoding::BASE64
                    .decode(compact.as_bytes())
                    .expect("a base64 body")
            }
            _ => raw.as_bytes().to_vec(),
        };
        String::from_utf8(bytes)
            .expect("a UTF-8 body")
            .replace("\r\n", "\n")
    }

    fn headers(&self) -> Vec<(String, String)> {
        let head = self
            .data
            .split_once("\r\n\r\n")
            .map_or(&*self.data, |(h, _)| h);
        let mut headers: Vec<(String, String)> = Vec::new();
        for line in head.split("\r\n") {
            if line.starts_with([' ', '\t']) {
                if let Some((_, value)) = headers.last_mut() {
                    value.push_str(line);
                }
            } else if let Some((name, value)) = line.split_once(':') {
                headers.push((name.trim().to_owned(), value.trim_start().to_owned()));
            }
        }
        headers
    }
}

/// Decodes RFC 2047 encoded words (`=?charset?B|Q?text?=`); whitespace between two encoded words
/// is dropped, other whitespace becomes one space. Assumes UTF-8.
fn decode_words(value: &str) -> String {
    let mut out: Vec<u8> = Vec::new();
    let mut previous_encoded = false;
    for (i, token) in value.split_whitespace().enumerate() {
        let decoded = encoded_word(token);
        if i > 0 && !(previous_encoded && decoded.is_some()) {
            out.push(b' ');
        }
        previous_encoded = decoded.is_some();
        match decoded {
            Some(bytes) => out.extend(bytes),
            None => out.extend(token.as_bytes()),
        }
    }
    String::from_utf8(out).expect("a UTF-8 header")
}

fn encoded_word(token: &str) -> Option<Vec<u8>> {
    let inner = token.strip_prefix("=?")?.strip_suffix("?=")?;
    let mut parts = inner.splitn(3, '?');
    let _charset = parts.next()?;
    let encoding = parts.next()?;
    let text = parts.next()?;
    match encoding {
        "B" | "b" => data_encoding::BASE64.decode(text.as_bytes()).ok(),
        "Q" | "q" => Some(decode_qp(text, true)),
        _ => None,
    }
}

/// Quoted-printable (RFC 2045) or, with `underscore_is_space`, the Q encoding of RFC 2047.
fn decode_qp(text: &str, underscore_is_space: bool) -> Vec<u8> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let rest = &bytes[i..];
        if rest.starts_with(b"=\r\n") {
            i += 3;
        } else if rest.starts_with(b"=\n") {
            i += 2;
        } else if let (b'=', Some(byte)) = (rest[0], hex_byte(rest.get(1..3))) {
            out.push(byte);
            i += 3;
        } else if rest[0] == b'_' && underscore_is_space {
            out.push(b' ');
            i += 1;
        } else {
            out.push(rest[0]);
            i += 1;
        }
    }
    out
}

fn hex_byte(pair: Option<&[u8]>) -> Option<u8> {
    u8::from_str_radix(std::str::from_utf8(pair?).ok()?, 16).ok()
}

/// What the client has said so far in the current transaction.
#[derive(Default)]
struct Transaction {
    from: Option<String>,
    to: Vec<String>,
}

async fn session(stream: TcpStream, tx: UnboundedSender<Mail>) {
    // Any I/O error ends the session: the client went away.
    let _ = converse(stream, tx).await;
}

async fn converse(stream: TcpStream, tx: UnboundedSender<Mail>) -> std::io::Result<()> {
    let (read, mut write) = stream.into_split();
    let mut read = BufReader::new(read);
    write.write_all(b"220 sink ESMTP test sink\r\n").await?;
    let mut current = Transaction::default();
    let mut line = Vec::new();
    loop {
        line.clear();
        if read.read_until(b'\n', &mut line).await? == 0 {
            return Ok(());
        }
        let command = String::from_utf8_lossy(&line);
        let command = command.trim_end_matches(['\r', '\n']);
        let verb = command
            .split_whitespace()
            .next()
            .unwrap_or("")
            .to_ascii_uppercase();
        let reply: &[u8] = match verb.as_str() {
            "EHLO" => {
                current = Transaction::default();
                b"250-sink greets you\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n250 SIZE 10485760\r\n"
            }
            "HELO" => {
                current = Transaction::default();
                b"250 sink\r\n"
            }
            "MAIL" => match path_after(command, "MAIL FROM:") {
                Some(from) => {
                    current = Transaction {
                        from: Some(from),
                        to: Vec::new(),
                    };
                    b"250 2.1.0 OK\r\n"
                }
                None => b"501 5.5.4 syntax: MAIL FROM:<address>\r\n",
            },
            "RCPT" => match (&current.from, path_after(command, "RCPT TO:")) {
                (None, _) => b"503 5.5.1 MAIL first\r\n",
                (Some(_), None) => b"501 5.5.4 syntax: RCPT TO:<address>\r\n",
                (Some(_), Some(to)) if to.starts_with("refused@") => {
                    let refusal = format!("550 5.1.1 <{to}>: recipient refused\r\n");
                    write.write_all(refusal.as_bytes()).await?;
                    continue;
                }
                (Some(_), Some(to)) => {
                    current.to.push(to);
                    b"250 2.1.5 OK\r\n"
                }
            },
            "DATA" if current.to.is_empty() => b"503 5.5.1 RCPT first\r\n",
            "DATA" => {
                write
                    .write_all(b"354 end data with <CR><LF>.<CR><LF>\r\n")
                    .await?;
                let data = read_data(&mut read).await?;
                let transaction = std::mem::take(&mut current);
                let _ = tx.send(Mail {
                    from: transaction.from.unwrap_or_default(),
                    to: transaction.to,
                    data,
                });
                b"250 2.0.0 OK queued\r\n"
            }
            "RSET" => {
                current = Transaction::default();
                b"250 2.0.0 OK\r\n"
            }
            "NOOP" => b"250 2.0.0 OK\r\n",
            "QUIT" => {
                write.write_all(b"221 2.0.0 bye\r\n").await?;
                return write.shutdown().await;
            }
            _ => b"502 5.5.2 command not implemented\r\n",
        };
        write.write_all(reply).await?;
    }
}

/// The address in `<...>` after a prefix such as `MAIL FROM:` (case-insensitive; parameters
/// after the path are ignored).
fn path_after(command: &str, prefix: &str) -> Option<String> {
    let head = command.get(..prefix.len())?;
    if !head.eq_ignore_ascii_case(prefix) {
        return None;
    }
    let rest = command[prefix.len()..].trim_start();
    let inner = rest.strip_prefix('<')?;
    let (path, _) = inner.split_once('>')?;
    Some(path.to_owned())
}

/// Reads the message after DATA up to the line `.`, undoing dot-stuffing.
async fn read_data<R: tokio::io::AsyncBufRead + Unpin>(read: &mut R) -> std::io::Result<String> {
    let mut data = Vec::new();
    let mut line = Vec::new();
    loop {
        line.clear();
        if read.read_until(b'\n', &mut line).await? == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        if line == b".\r\n" || line == b".\n" {
            break;
        }
        let unstuffed = if line.starts_with(b".") {
            &line[1..]
        } else {
            &line[..]
        };
        data.extend_from_slice(unstuffed);
    }
    Ok(String::from_utf8_lossy(&data).into_owned())
}

/// The sink itself, driven by hand: several messages on one connection, RSET, NOOP, HELO,
/// dot-stuffing, and a second connection.
#[tokio::test]
async fn sink_speaks_enough_smtp() {
    let mut sink = start().await;

    let stream = TcpStream::connect(sink.addr).await.expect("connect");
    let (read, mut write) = stream.into_split();
    let mut read = BufReader::new(read);
    expect_reply(&mut read, "220").await;
    let conversation: &[(&str, &str)] = &[
        ("EHLO client\r\n", "250"),
        ("MAIL FROM:<a@example.org> BODY=8BITMIME\r\n", "250"),
        ("RCPT TO:<b@example.org>\r\n", "250"),
        ("RCPT TO:<c@example.org>\r\n", "250"),
        ("DATA\r\n", "354"),
        ("Subject: one\r\n\r\n..dot\r\n.\r\n", "250"),
        ("NOOP\r\n", "250"),
        ("MAIL FROM:<x@example.org>\r\n", "250"),
        ("RSET\r\n", "250"),
        ("DATA\r\n", "503"),
        ("HELO client\r\n", "250"),
        ("mail from:<d@example.org>\r\n", "250"),
        ("rcpt to:<refused@example.org>\r\n", "550"),
        ("rcpt to:<e@example.org>\r\n", "250"),
        ("DATA\r\n", "354"),
        ("Subject: two\r\n\r\nline\r\n.\r\n", "250"),
        ("VRFY e\r\n", "502"),
        ("QUIT\r\n", "221"),
    ];
    for (say, code) in conversation {
        write.write_all(say.as_bytes()).await.expect("write");
        expect_reply(&mut read, code).await;
    }

    let one = sink.next().await;
    assert_eq!(one.from, "a@example.org");
    assert_eq!(one.to, ["b@example.org", "c@example.org"]);
    assert_eq!(one.data, "Subject: one\r\n\r\n.dot\r\n");
    assert_eq!(one.subject(), "one");
    assert_eq!(one.text(), ".dot\n");
    let two = sink.next().await;
    assert_eq!(two.from, "d@example.org");
    assert_eq!(two.to, ["e@example.org"]);
    assert_eq!(two.subject(), "two");
    assert!(sink.try_next().is_none());

    let mut second = TcpStream::connect(sink.addr).await.expect("connect again");
    second
        .write_all(
            b"EHLO c\r\nMAIL FROM:<f@example.org>\r\nRCPT TO:<g@example.org>\r\nDATA\r\nx\r\n.\r\nQUIT\r\n",
        )
        .await
        .expect("write");
    let three = sink.next().await;
    assert_eq!(
        (three.from.as_str(), three.data.as_str()),
        ("f@example.org", "x\r\n")
    );
}

/// Reads one reply (all its lines) and checks its code.
async fn expect_reply<R: tokio::io::AsyncBufRead + Unpin>(read: &mut R, code: &str) {
    let mut reply = String::new();
    loop {
        reply.clear();
        read.read_line(&mut reply).await.expect("a reply");
        assert!(reply.starts_with(code), "expected {code}, got {reply:?}");
        if reply.as_bytes().get(3) != Some(&b'-') {
            break;
        }
    }
}

#[test]
fn decoders() {
    assert_eq!(
        decode_words("=?utf-8?b?w4AgYmllbnTDtHQ=?= =?utf-8?q?_=C3=A9t=C3=A9?= fin"),
        "À bientôt été fin"
    );
    assert_eq!(decode_words("plain  words"), "plain words");
    assert_eq!(
        decode_qp("caf=C3=A9 =\r\nsuite", false),
        "café suite".as_bytes()
    );
}
