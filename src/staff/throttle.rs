//! Staff sign-in limits, in front of Argon2: a global ceiling, a limit per username, and a cap
//! on the password verifications running at once, so a flood of sign-ins cannot take the CPU,
//! the memory (19 MiB per verification) or the audit trail's throughput from everyone else.
//!
//! Failed and limited attempts are folded in the audit trail: the first one of a window is
//! written at once, the later ones of the same window are counted in memory and written as one
//! entry (`repeated=N`) when the window closes, when the account signs in, or when the server
//! stops. A flood therefore writes a bounded number of entries per account per window.
//!
//! Everything here is in memory and lost on restart; usernames are kept only as keyed hashes
//! (the key is random per process) and never logged.

use super::audit::{AuditEntry, AuditLog};
use super::audit_action::AuditAction;
use crate::clock::SharedClock;
use governor::middleware::NoOpMiddleware;
use governor::state::keyed::HashMapStateStore;
use governor::state::{InMemoryState, NotKeyed};
use governor::{Quota, RateLimiter};
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;
use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// The audit action of a failed sign-in (wrong password or code, unknown, locked or disabled
/// account: all look the same from outside).
pub const FAILED: AuditAction = AuditAction::SessionSignInFailed;
/// The audit action of a sign-in refused by a limit before any password was checked.
pub const LIMITED: AuditAction = AuditAction::SessionSignInLimited;
/// The actor of attempts that name no account (or are limited before the account is looked up).
pub const ANONYMOUS: &str = "anonymous";

/// The limits; the defaults suit a hotline of a few dozen staff.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignInLimits {
    /// Attempts per minute across all usernames.
    pub per_minute: u32,
    /// Attempts accepted at once above that rate.
    pub burst: u32,
    /// Attempts per minute for one username.
    pub per_user_per_minute: u32,
    /// Attempts for one username accepted at once above that rate.
    pub per_user_burst: u32,
    /// Password verifications (Argon2id, 19 MiB each) running at once.
    pub concurrent_hashes: usize,
    /// How long an attempt waits for a verification slot before it is refused as limited.
    pub hash_wait: Duration,
    /// Seconds over which repeated failures of one account fold into one audit entry.
    pub fold_seconds: i64,
}

impl Default for SignInLimits {
    fn default() -> Self {
        Self {
            per_minute: 120,
            burst: 30,
            per_user_per_minute: 5,
            per_user_burst: 5,
            concurrent_hashes: 2,
            hash_wait: Duration::from_secs(10),
            fold_seconds: 300,
        }
    }
}

/// The application clock as governor's time source, so limits follow the same "now" as the rest
/// (and the tests' clock).
#[derive(Clone)]
struct AppClock(SharedClock);

impl governor::clock::Clock for AppClock {
    type Instant = Duration;

    fn now(&self) -> Duration {
        let since_epoch = self.0.now() - time::OffsetDateTime::UNIX_EPOCH;
        Duration::try_from(since_epoch).unwrap_or_default()
    }
}

type Direct = RateLimiter<NotKeyed, InMemoryState, AppClock, NoOpMiddleware<Duration>>;
type Keyed = RateLimiter<[u8; 16], HashMapStateStore<[u8; 16]>, AppClock, NoOpMiddleware<Duration>>;

/// A sign-in attempt refused by a limit: the caller says to wait and try again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("too many sign-in attempts; wait a minute and try again")]
pub struct Limited;

/// Failures of one kind by one actor, in the current window.
#[derive(Debug, Clone, Copy)]
struct Fold {
    /// When the window opened (unix seconds); its first attempt was written then.
    since: i64,
    /// Attempts after the first, not written yet.
    unwritten: u64,
}

/// The sign-in gate of one server.
pub struct SignInGate {
    limits: SignInLimits,
    clock: SharedClock,
    global: Direct,
    per_user: Keyed,
    hashing: Arc<Semaphore>,
    /// Keys the per-username limiter, so usernames are not kept in memory as typed.
    username_key: [u8; 32],
    folds: Mutex<HashMap<(AuditAction, String), Fold>>,
    audit: AuditLog,
}

impl std::fmt::Debug for SignInGate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignInGate")
            .field("limits", &self.limits)
            .finish_non_exhaustive()
    }
}

fn nz(n: u32) -> NonZeroU32 {
    NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN)
}

fn quota(per_minute: u32, burst: u32) -> Quota {
    Quota::per_minute(nz(per_minute)).allow_burst(nz(burst))
}

impl SignInGate {
    pub fn new(limits: SignInLimits, clock: SharedClock, audit: AuditLog) -> Self {
        let mut username_key = [0u8; 32];
        rand::rng().fill_bytes(&mut username_key);
        Self {
            global: RateLimiter::direct_with_clock(
                quota(limits.per_minute, limits.burst),
                AppClock(clock.clone()),
            ),
            per_user: RateLimiter::hashmap_with_clock(
                quota(limits.per_user_per_minute, limits.per_user_burst),
                AppClock(clock.clone()),
            ),
            hashing: Arc::new(Semaphore::new(limits.concurrent_hashes.max(1))),
            username_key,
            folds: Mutex::new(HashMap::new()),
            limits,
            clock,
            audit,
        }
    }

    fn now(&self) -> i64 {
        self.clock.now().unix_timestamp()
    }

    fn username_hash(&self, username: &str) -> [u8; 16] {
        let normalised = username.trim().to_lowercase();
        let mut mac = match <Hmac<Sha256> as Mac>::new_from_slice(&self.username_key) {
            Ok(m) => m,
            Err(_) => unreachable!("HMAC accepts keys of any length"),
        };
        mac.update(normalised.as_bytes());
        let full = mac.finalize().into_bytes();
        let mut out = [0u8; 16];
        out.copy_from_slice(&full[..16]);
        out
    }

    /// Lets an attempt for `username` through the limits (the username's first, so that a flood
    /// on one name does not use up everyone's), or counts it as limited.
    pub async fn admit(&self, username: &str) -> Result<(), Limited> {
        let admitted = self
            .per_user
            .check_key(&self.username_hash(username))
            .is_ok()
            && self.global.check().is_ok();
        if admitted {
            Ok(())
        } else {
            self.note(LIMITED, ANONYMOUS).await;
            Err(Limited)
        }
    }

    /// A slot to verify one password in; hold it until the verification is over (move it into
    /// the blocking task). Waits at most [`SignInLimits::hash_wait`].
    pub async fn hash_slot(&self) -> Result<OwnedSemaphorePermit, Limited> {
        match tokio::time::timeout(
            self.limits.hash_wait,
            Arc::clone(&self.hashing).acquire_owned(),
        )
        .await
        {
            Ok(Ok(permit)) => Ok(permit),
            _ => {
                self.note(LIMITED, ANONYMOUS).await;
                Err(Limited)
            }
        }
    }

    /// Records a failed sign-in of `actor` (a user id, or [`ANONYMOUS`]).
    pub async fn failed(&self, actor: &str) {
        self.note(FAILED, actor).await;
    }

    /// `actor` signed in: the failures folded so far are written now.
    pub async fn succeeded(&self, actor: &str) {
        let folded = self.lock().remove(&(FAILED, actor.to_owned()));
        if let Some(fold) = folded {
            self.write_folded(FAILED, actor, fold).await;
        }
    }

    /// Writes the folded counts of every window that has closed; run now and then.
    pub async fn flush_due(&self) {
        let now = self.now();
        let window = self.limits.fold_seconds;
        let due: Vec<((AuditAction, String), Fold)> = {
            let mut folds = self.lock();
            let keys: Vec<_> = folds
                .iter()
                .filter(|(_, f)| now >= f.since + window)
                .map(|(k, _)| k.clone())
                .collect();
            keys.into_iter()
                .filter_map(|k| folds.remove(&k).map(|f| (k, f)))
                .collect()
        };
        for ((action, actor), fold) in due {
            self.write_folded(action, &actor, fold).await;
        }
    }

    /// Writes every folded count, closed window or not (when the server stops).
    pub async fn flush_all(&self) {
        let all: Vec<_> = self.lock().drain().collect();
        for ((action, actor), fold) in all {
            self.write_folded(action, &actor, fold).await;
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<(AuditAction, String), Fold>> {
        // A panic while holding the lock leaves only counts behind: keep going with them.
        self.folds
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Counts one attempt: written at once if it opens a window, folded otherwise.
    async fn note(&self, action: AuditAction, actor: &str) {
        let now = self.now();
        let window = self.limits.fold_seconds;
        let (closed, opens) = {
            let mut folds = self.lock();
            let fresh = Fold {
                since: now,
                unwritten: 0,
            };
            match folds.get_mut(&(action, actor.to_owned())) {
                Some(fold) if now < fold.since + window => {
                    fold.unwritten += 1;
                    (None, false)
                }
                Some(fold) => (Some(std::mem::replace(fold, fresh)), true),
                None => {
                    folds.insert((action, actor.to_owned()), fresh);
                    (None, true)
                }
            }
        };
        if let Some(fold) = closed {
            self.write_folded(action, actor, fold).await;
        }
        if opens {
            self.write(action, actor, "", now).await;
        }
    }

    async fn write_folded(&self, action: AuditAction, actor: &str, fold: Fold) {
        if fold.unwritten > 0 {
            let detail = format!(
                "repeated={} since={} window={}s",
                fold.unwritten, fold.since, self.limits.fold_seconds
            );
            self.write(action, actor, &detail, self.now()).await;
        }
    }

    async fn write(&self, action: AuditAction, actor: &str, detail: &str, at: i64) {
        let entry = AuditEntry {
            actor,
            action,
            report_id: None,
            detail,
        };
        if let Err(e) = self.audit.append(entry, at).await {
            tracing::error!(error = %e, action = action.as_str(), "could not record a sign-in attempt in the audit trail");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::Clock;
    use std::sync::atomic::{AtomicI64, Ordering};

    struct Fixed(AtomicI64);

    impl Clock for Fixed {
        fn now(&self) -> time::OffsetDateTime {
            time::OffsetDateTime::from_unix_timestamp(self.0.load(Ordering::SeqCst))
                .unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
        }
    }

    async fn gate(limits: SignInLimits) -> (SignInGate, Arc<Fixed>, tempfile::TempDir) {
        let dir = tempfile::tempdir().expect("temp dir");
        let db = crate::store::Db::open_embedded(dir.path())
            .await
            .expect("database");
        db.migrate().await.expect("migrations");
        let keys = crate::seal::KeyRing::from_bytes([1; 32], [2; 32]);
        let audit = AuditLog::for_key_dir(db, &keys, dir.path());
        let clock = Arc::new(Fixed(AtomicI64::new(1_700_000_000)));
        (SignInGate::new(limits, clock.clone(), audit), clock, dir)
    }

    #[tokio::test]
    async fn the_global_ceiling_holds_across_usernames_and_refills_with_time() {
        let limits = SignInLimits {
            per_minute: 60,
            burst: 3,
            per_user_per_minute: 100,
            per_user_burst: 100,
            ..SignInLimits::default()
        };
        let (gate, clock, _dir) = gate(limits).await;
        for name in ["a1", "a2", "a3"] {
            assert_eq!(gate.admit(name).await, Ok(()), "{name}");
        }
        assert_eq!(gate.admit("a4").await, Err(Limited));
        clock.0.fetch_add(1, Ordering::SeqCst);
        assert_eq!(gate.admit("a4").await, Ok(()), "one a second again");
    }

    #[tokio::test]
    async fn one_username_cannot_use_up_the_others_and_case_does_not_help() {
        let limits = SignInLimits {
            per_user_per_minute: 2,
            per_user_burst: 2,
            ..SignInLimits::default()
        };
        let (gate, _clock, _dir) = gate(limits).await;
        assert_eq!(gate.admit("ana").await, Ok(()));
        assert_eq!(gate.admit(" ANA ").await, Ok(()));
        assert_eq!(gate.admit("Ana").await, Err(Limited));
        assert_eq!(gate.admit("bob").await, Ok(()));
    }

    #[tokio::test]
    async fn verifications_at_once_are_capped() {
        let limits = SignInLimits {
            concurrent_hashes: 2,
            hash_wait: Duration::from_millis(20),
            ..SignInLimits::default()
        };
        let (gate, _clock, _dir) = gate(limits).await;
        let first = gate.hash_slot().await.expect("a slot");
        let _second = gate.hash_slot().await.expect("a slot");
        assert_eq!(gate.hash_slot().await.err(), Some(Limited));
        drop(first);
        assert!(gate.hash_slot().await.is_ok(), "a slot frees up");
    }
}
