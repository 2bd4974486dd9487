//! Running [`super::attachments::sanitize`] so that no file can take the server down.
//!
//! Every file is first sized from its headers ([`estimated_memory`]); a bomb is refused there,
//! undecoded. Then it waits for one of a few cleaning slots and for its share of a total memory
//! budget, and is cleaned within a wall-clock time limit:
//!
//! * preferably in a child process (`tipline clean-attachment`, the same binary), which gets
//!   the file on stdin, gives the clean file on stdout, and runs under an address-space limit
//!   (its share of the budget plus room for the program itself), a CPU-time limit, no file
//!   writes and no core dumps, with an empty environment. A decoder that runs out of memory or
//!   loops kills only that child; the file is then unreadable.
//! * in-process on a blocking thread when no binary is known (library use) or it cannot be
//!   started: the same slots, budget and time limit apply; a thread that overruns its time keeps
//!   its slot and budget until it ends, so overruns cannot pile up.

use super::attachments::{
    self, AttachmentError, AttachmentKind, CleanAttachment, MAX_ATTACHMENT_BYTES, estimated_memory,
};
use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::{ExitCode, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// The hidden subcommand the child runs.
pub const SUBCOMMAND: &str = "clean-attachment";
/// Address space for the child's program, stack and allocator beyond the file's own estimate.
const CHILD_BASE_MIB: u64 = 256;
const MIB: u64 = 1024 * 1024;

/// How attachments are cleaned.
#[derive(Debug, Clone)]
pub struct CleanerSettings {
    /// The tipline binary to run `clean-attachment` with; `None` cleans in-process.
    pub program: Option<PathBuf>,
    /// Files cleaned at once.
    pub slots: usize,
    /// Memory all cleanings in progress may take together, in MiB.
    pub memory_mib: u32,
    /// Longest time one file may take (wall clock; the child's CPU limit is the same).
    pub time_limit: Duration,
}

impl Default for CleanerSettings {
    fn default() -> Self {
        Self {
            program: None,
            slots: std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(1)
                .clamp(1, 4),
            memory_mib: 1024,
            time_limit: Duration::from_secs(30),
        }
    }
}

struct Inner {
    settings: CleanerSettings,
    slots: Arc<Semaphore>,
    memory: Arc<Semaphore>,
    /// MiB reserved right now, and the most ever reserved at once (for tests and operators).
    reserved: AtomicU64,
    peak_reserved: AtomicU64,
}

/// Cleans attachments within the limits of its [`CleanerSettings`]. Cheap to clone.
#[derive(Clone)]
pub struct Cleaner(Arc<Inner>);

impl std::fmt::Debug for Cleaner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Cleaner").field(&self.0.settings).finish()
    }
}

/// Budget held while a file is cleaned; gives its MiB back when dropped.
struct Reservation {
    inner: Arc<Inner>,
    mib: u64,
    _slot: OwnedSemaphorePermit,
    _memory: OwnedSemaphorePermit,
}

impl Drop for Reservation {
    fn drop(&mut self) {
        self.inner.reserved.fetch_sub(self.mib, Ordering::SeqCst);
    }
}

impl Cleaner {
    pub fn new(settings: CleanerSettings) -> Self {
        let settings = CleanerSettings {
            slots: settings.slots.max(1),
            memory_mib: settings.memory_mib.max(1),
            ..settings
        };
        Self(Arc::new(Inner {
            slots: Arc::new(Semaphore::new(settings.slots)),
            memory: Arc::new(Semaphore::new(settings.memory_mib as usize)),
            settings,
            reserved: AtomicU64::new(0),
            peak_reserved: AtomicU64::new(0),
        }))
    }

    /// The most MiB ever reserved at once; never above the budget.
    pub fn peak_reserved_mib(&self) -> u64 {
        self.0.peak_reserved.load(Ordering::SeqCst)
    }

    /// Cleans the files of one request one after the other; the first refusal ends it.
    pub async fn clean_all(
        &self,
        files: Vec<Vec<u8>>,
    ) -> Result<Vec<CleanAttachment>, AttachmentError> {
        let mut clean = Vec::with_capacity(files.len());
        for file in files {
            clean.push(self.clean(file).await?);
        }
        Ok(clean)
    }

    /// Cleans one file, or says why not. Waiting for a slot counts against the time limit too:
    /// under a flood of files a reporter gets an answer, not an endless wait.
    pub async fn clean(&self, bytes: Vec<u8>) -> Result<CleanAttachment, AttachmentError> {
        let need = estimated_memory(&bytes)?;
        let mib = need.div_ceil(MIB).max(1);
        let limits = &self.0.settings;
        if mib > u64::from(limits.memory_mib) {
            return Err(AttachmentError::Unreadable);
        }
        let reservation = tokio::time::timeout(limits.time_limit, self.reserve(mib))
            .await
            .map_err(|_| AttachmentError::Unreadable)??;
        if let Some(program) = &limits.program {
            match run_child(program, &bytes, mib + CHILD_BASE_MIB, limits.time_limit).await {
                Ok(result) => return result,
                Err(e) => tracing::warn!(
                    error = %e,
                    "the attachment cleaner process could not run; cleaning in-process"
                ),
            }
        }
        let work = tokio::task::spawn_blocking(move || {
            let result = attachments::sanitize(&bytes);
            drop(reservation);
            result
        });
        match tokio::time::timeout(limits.time_limit, work).await {
            Ok(Ok(result)) => result,
            Ok(Err(_)) | Err(_) => Err(AttachmentError::Unreadable),
        }
    }

    async fn reserve(&self, mib: u64) -> Result<Reservation, AttachmentError> {
        let inner = &self.0;
        let slot = Arc::clone(&inner.slots)
            .acquire_owned()
            .await
            .map_err(|_| AttachmentError::Unreadable)?;
        let memory = Arc::clone(&inner.memory)
            .acquire_many_owned(u32::try_from(mib).map_err(|_| AttachmentError::Unreadable)?)
            .await
            .map_err(|_| AttachmentError::Unreadable)?;
        let now = inner.reserved.fetch_add(mib, Ordering::SeqCst) + mib;
        inner.peak_reserved.fetch_max(now, Ordering::SeqCst);
        Ok(Reservation {
            inner: Arc::clone(inner),
            mib,
            _slot: slot,
            _memory: memory,
        })
    }
}

/// Runs `program clean-attachment` on the file. `Err` only when the child could not be run at
/// all; a child that dies, overruns or answers nonsense makes the file unreadable.
async fn run_child(
    program: &PathBuf,
    bytes: &[u8],
    memory_mib: u64,
    time_limit: Duration,
) -> Result<Result<CleanAttachment, AttachmentError>, std::io::Error> {
    let mut child = tokio::process::Command::new(program)
        .arg(SUBCOMMAND)
        .arg("--memory-mib")
        .arg(memory_mib.to_string())
        .arg("--cpu-seconds")
        .arg(time_limit.as_secs().max(1).to_string())
        .env_clear()
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()?;
    let (Some(mut stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
        return Ok(Err(AttachmentError::Unreadable));
    };
    let talk = async {
        let input = bytes.to_vec();
        let write = async move {
            // A child that dies early closes the pipe; its exit status tells the rest.
            let _ = stdin.write_all(&input).await;
            drop(stdin);
        };
        let mut output = Vec::new();
        let mut stdout = stdout.take(2 * MAX_ATTACHMENT_BYTES as u64 + 2);
        let ((), read) = tokio::join!(write, stdout.read_to_end(&mut output));
        let status = child.wait().await;
        (read, status, output)
    };
    let answer = match tokio::time::timeout(time_limit, talk).await {
        Ok((Ok(_), Ok(status), output)) if status.success() => decode_answer(&output),
        Ok(_) => Err(AttachmentError::Unreadable),
        Err(_) => {
            // kill_on_drop ends the child with the dropped handle.
            Err(AttachmentError::Unreadable)
        }
    };
    Ok(answer)
}

fn kind_tag(kind: AttachmentKind) -> u8 {
    match kind {
        AttachmentKind::Jpeg => b'J',
        AttachmentKind::Png => b'P',
        AttachmentKind::Pdf => b'D',
    }
}

fn error_tag(e: &AttachmentError) -> u8 {
    match e {
        AttachmentError::TooLarge => b'L',
        AttachmentError::Unsupported => b'U',
        AttachmentError::Unreadable => b'R',
    }
}

/// The child's answer: a kind tag and the clean file, or `!` and an error tag.
fn encode_answer(result: &Result<CleanAttachment, AttachmentError>) -> Vec<u8> {
    match result {
        Ok(clean) => {
            let mut out = Vec::with_capacity(clean.bytes.len() + 1);
            out.push(kind_tag(clean.kind));
            out.extend_from_slice(&clean.bytes);
            out
        }
        Err(e) => vec![b'!', error_tag(e)],
    }
}

fn decode_answer(answer: &[u8]) -> Result<CleanAttachment, AttachmentError> {
    let kind = match answer.first() {
        Some(b'J') => AttachmentKind::Jpeg,
        Some(b'P') => AttachmentKind::Png,
        Some(b'D') => AttachmentKind::Pdf,
        Some(b'!') => {
            return Err(match answer.get(1) {
                Some(b'L') => AttachmentError::TooLarge,
                Some(b'U') => AttachmentError::Unsupported,
                _ => AttachmentError::Unreadable,
            });
        }
        _ => return Err(AttachmentError::Unreadable),
    };
    Ok(CleanAttachment {
        kind,
        bytes: answer[1..].to_vec(),
    })
}

/// `tipline clean-attachment`: limits itself, reads one file on stdin, writes the answer on
/// stdout. Meant to be run by [`Cleaner`] only.
pub fn child_main(memory_mib: u64, cpu_seconds: u64) -> ExitCode {
    use rustix::process::{Resource, Rlimit, setrlimit};
    let limit = |value: u64| Rlimit {
        current: Some(value),
        maximum: Some(value),
    };
    let limited = [
        (Resource::As, memory_mib.saturating_mul(MIB)),
        (Resource::Cpu, cpu_seconds),
        (Resource::Fsize, 0),
        (Resource::Core, 0),
    ]
    .into_iter()
    .all(|(resource, value)| setrlimit(resource, limit(value)).is_ok());
    if !limited {
        // Without its limits the child must not decode anything.
        return ExitCode::FAILURE;
    }
    let mut input = Vec::new();
    if std::io::stdin()
        .lock()
        .take(MAX_ATTACHMENT_BYTES as u64 + 1)
        .read_to_end(&mut input)
        .is_err()
    {
        return ExitCode::FAILURE;
    }
    let answer = encode_answer(&attachments::sanitize(&input));
    let mut out = std::io::stdout().lock();
    if out.write_all(&answer).and_then(|()| out.flush()).is_err() {
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A PNG header declaring `side` x `side` RGBA pixels, with an empty image stream.
    fn png_bomb(side: u32) -> Vec<u8> {
        fn chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
            let mut body = kind.to_vec();
            body.extend_from_slice(data);
            let mut crc = 0xFFFF_FFFFu32;
            for &b in &body {
                crc ^= u32::from(b);
                for _ in 0..8 {
                    crc = if crc & 1 != 0 {
                        (crc >> 1) ^ 0xEDB8_8320
                    } else {
                        crc >> 1
                    };
                }
            }
            let mut out = (data.len() as u32).to_be_bytes().to_vec();
            out.extend_from_slice(&body);
            out.extend_from_slice(&(!crc).to_be_bytes());
            out
        }
        let mut ihdr = side.to_be_bytes().to_vec();
        ihdr.extend_from_slice(&side.to_be_bytes());
        ihdr.extend_from_slice(&[8, 6, 0, 0, 0]);
        let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
        png.extend(chunk(b"IHDR", &ihdr));
        png.extend(chunk(
            b"IDAT",
            &[0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01],
        ));
        png.extend(chunk(b"IEND", &[]));
        png
    }

    #[test]
    fn answers_round_trip() {
        for result in [
            Ok(CleanAttachment {
                kind: AttachmentKind::Pdf,
                bytes: b"%PDF".to_vec(),
            }),
            Err(AttachmentError::Unsupported),
            Err(AttachmentError::TooLarge),
            Err(AttachmentError::Unreadable),
        ] {
            let back = decode_answer(&encode_answer(&result));
            assert_eq!(
                back.as_ref().map(|c| &c.bytes),
                result.as_ref().map(|c| &c.bytes)
            );
            assert_eq!(back.err(), result.err());
        }
        assert_eq!(decode_answer(b"").err(), Some(AttachmentError::Unreadable));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn in_process_cleaning_stays_within_slots_and_budget() {
        let cleaner = Cleaner::new(CleanerSettings {
            program: None,
            slots: 2,
            memory_mib: 200,
            time_limit: Duration::from_secs(10),
        });
        // 6000 x 6000 RGBA: 137 MiB each to decode, twice that with the turn: over the budget
        // alone, refused from its header. 4000 x 4000: 122 MiB estimated, one at a time.
        let mut tasks = Vec::new();
        for side in [6_000, 4_000, 4_000, 4_000, 30_000] {
            let cleaner = cleaner.clone();
            tasks.push(tokio::spawn(
                async move { cleaner.clean(png_bomb(side)).await },
            ));
        }
        for task in tasks {
            assert_eq!(task.await.unwrap().err(), Some(AttachmentError::Unreadable));
        }
        let peak = cleaner.peak_reserved_mib();
        assert!(peak > 0 && peak <= 200, "{peak}");
    }
}
