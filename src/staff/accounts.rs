//! Staff accounts: creating them with a one-time set-up link, choosing a password, enrolling
//! the second factor, signing in with throttling per account, disabling and resetting.

use super::passkeys::SecondFactors;
use super::password::{self, PasswordProblem};
use super::policy::{Actor, Role};
use super::sessions::Stage;
use super::throttle::{ANONYMOUS, Limited, SignInGate};
use super::totp::{self, TotpSecret};
use super::user::{StaffUser, user_from_row};
use crate::seal::token::{new_token, token_hash};
use crate::seal::{Aad, Sealer};
use crate::store::staff::{self as repo, NewUser, UserRow};
use crate::store::{Db, StoreError};
use crate::types::UserId;

/// How long a set-up link works.
pub const SETUP_LINK_HOURS: i64 = 72;
/// Failed sign-ins allowed before the account locks for a while.
pub const FREE_FAILURES: i64 = 5;
/// Longest lock after repeated failures, in seconds.
pub const MAX_LOCK_SECONDS: i64 = 3600;

#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error(
        "the username must be 2 to 64 characters: lower-case letters, digits, dot, dash or underscore"
    )]
    BadUsername,
    #[error("unknown role; use one of analyst, supervisor, auditor, admin")]
    BadRole,
    #[error("the username {0} is already taken")]
    Taken(String),
    #[error("there is no account named {0}; list the accounts with `tipline user list`")]
    NoSuchUser(String),
    #[error(
        "this set-up link is invalid or has expired; ask an administrator for a new one (`tipline user reset`)"
    )]
    BadSetupLink,
    #[error(
        "this account waits for a supervisor's approval; ask a supervisor to approve it on their Approvals page, then open the link again"
    )]
    AwaitingApproval,
    #[error("no account named {0} waits for approval; it may have been approved already")]
    NothingToApprove(String),
    #[error("only a supervisor may approve accounts")]
    NotAllowed,
    #[error("the password does not meet the policy")]
    WeakPassword(PasswordProblem),
    #[error("the code is wrong; check the time on your phone and try the next code")]
    BadCode,
    #[error(
        "this account already has a second factor; sign in with it, or ask an administrator to reset the account if the phone is lost"
    )]
    AlreadyEnrolled,
    #[error("{0}")]
    Limited(#[from] Limited),
    #[error("{0}")]
    Store(#[from] StoreError),
    #[error("password hashing failed")]
    Hash,
}

fn valid_username(name: &str) -> bool {
    (2..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b))
}

/// Who gives an account its role.
#[derive(Debug, Clone, Copy)]
pub enum GrantedBy<'a> {
    /// The server's operator, from the command line: holds the keys anyway, so needs no approval
    /// (the audit trail says it was the operator).
    Operator,
    /// An admin on the web: a role that reads report content then waits for a supervisor's
    /// approval.
    Admin(&'a Actor),
}

impl GrantedBy<'_> {
    /// The admin whose grant of `role` must wait for a supervisor, if it must.
    fn requester(self, role: Role) -> Option<UserId> {
        match self {
            Self::Admin(actor) if role.reads_content() => Some(actor.user_id.clone()),
            _ => None,
        }
    }
}

/// A new account: the set-up token to put in the one-time link, and whether the link waits for
/// a supervisor's approval.
#[derive(Debug)]
pub struct Added {
    pub token: String,
    pub role: Role,
    pub awaiting_approval: bool,
}

/// Creates an account as the server's operator (the command line, tests); returns the set-up
/// token to put in the one-time link.
pub async fn add(
    db: &Db,
    username: &str,
    role: &str,
    language: &str,
    now: i64,
) -> Result<String, AccountError> {
    Ok(
        add_granted(db, GrantedBy::Operator, username, role, language, now)
            .await?
            .token,
    )
}

/// Creates an account. A role that reads report content, given by an admin, waits for a
/// supervisor's approval before its link works.
pub async fn add_granted(
    db: &Db,
    by: GrantedBy<'_>,
    username: &str,
    role: &str,
    language: &str,
    now: i64,
) -> Result<Added, AccountError> {
    let mut conn = db.pool().acquire().await.map_err(StoreError::from)?;
    add_granted_in(&mut conn, by, username, role, language, now).await
}

/// [`add_granted`] on a connection (in a transaction, with its audit entry).
pub async fn add_granted_in(
    conn: &mut sqlx::AnyConnection,
    by: GrantedBy<'_>,
    username: &str,
    role: &str,
    language: &str,
    now: i64,
) -> Result<Added, AccountError> {
    if !valid_username(username) {
        return Err(AccountError::BadUsername);
    }
    let role = Role::parse(role).ok_or(AccountError::BadRole)?;
    let (token, hash) = new_token();
    let id = UserId::new(uuid::Uuid::now_v7().to_string());
    let requester = by.requester(role);
    let created = repo::insert_user_in(
        conn,
        &NewUser {
            id: &id,
            username,
            role: role.as_str(),
            language: crate::types::language_or_default(language),
            setup_token_hash: &hash,
            setup_expires_at: now + SETUP_LINK_HOURS * 3600,
            created_at: now,
            approval_requested_by: requester.as_ref(),
        },
    )
    .await?;
    if !created {
        return Err(AccountError::Taken(username.to_owned()));
    }
    Ok(Added {
        token,
        role,
        awaiting_approval: requester.is_some(),
    })
}

/// What a reset gives: the new set-up token, whether the account stays disabled (its link works
/// only once the account is enabled again), and whether it waits for a supervisor's approval.
#[derive(Debug)]
pub struct Reset {
    pub token: String,
    pub role: Role,
    pub stays_disabled: bool,
    pub awaiting_approval: bool,
}

/// Clears an account's credentials and ends its sessions, as the server's operator; returns a
/// new set-up token. A disabled account stays disabled.
pub async fn reset(db: &Db, username: &str, now: i64) -> Result<Reset, AccountError> {
    reset_granted(db, GrantedBy::Operator, username, now).await
}

/// Clears an account's credentials and ends its sessions; returns a new set-up token. A disabled
/// account stays disabled; an admin's reset of a role that reads report content waits for a
/// supervisor's approval.
pub async fn reset_granted(
    db: &Db,
    by: GrantedBy<'_>,
    username: &str,
    now: i64,
) -> Result<Reset, AccountError> {
    let mut tx = db.pool().begin().await.map_err(StoreError::from)?;
    let reset = reset_granted_in(db, &mut tx, by, username, now).await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(reset)
}

/// [`reset_granted`] with its change on `conn`, in a transaction (with its audit entry); the
/// account is read from `db`.
pub async fn reset_granted_in(
    db: &Db,
    conn: &mut sqlx::AnyConnection,
    by: GrantedBy<'_>,
    username: &str,
    now: i64,
) -> Result<Reset, AccountError> {
    let row = repo::user_by_username(db, username)
        .await?
        .ok_or_else(|| AccountError::NoSuchUser(username.to_owned()))?;
    let role = Role::parse(&row.role).ok_or(AccountError::BadRole)?;
    let requester = by.requester(role);
    let (token, hash) = new_token();
    crate::store::passkeys::forget_in(conn, username).await?;
    let disabled = repo::reset_user_in(
        conn,
        username,
        &hash,
        now + SETUP_LINK_HOURS * 3600,
        requester.as_ref(),
        now,
    )
    .await?
    .ok_or_else(|| AccountError::NoSuchUser(username.to_owned()))?;
    Ok(Reset {
        token,
        role,
        stays_disabled: disabled,
        awaiting_approval: requester.is_some(),
    })
}

/// Accounts waiting for a supervisor's approval, by username.
pub async fn awaiting_approval(db: &Db) -> Result<Vec<UserRow>, AccountError> {
    Ok(repo::list_users(db)
        .await?
        .into_iter()
        .filter(|u| u.approval_requested_by.is_some())
        .collect())
}

/// A supervisor approves an account an admin gave a content role; its set-up link works from
/// now, for its full life. Returns the role approved.
pub async fn approve(
    db: &Db,
    approver: &Actor,
    username: &str,
    now: i64,
) -> Result<Role, AccountError> {
    let mut conn = db.pool().acquire().await.map_err(StoreError::from)?;
    approve_in(db, &mut conn, approver, username, now).await
}

/// [`approve`] with its change on `conn` (in a transaction, with its audit entry); the account
/// is read from `db`.
pub async fn approve_in(
    db: &Db,
    conn: &mut sqlx::AnyConnection,
    approver: &Actor,
    username: &str,
    now: i64,
) -> Result<Role, AccountError> {
    if !super::policy::allowed(approver, super::policy::Action::ApproveAccounts, None) {
        return Err(AccountError::NotAllowed);
    }
    let row = repo::user_by_username(db, username)
        .await?
        .filter(|u| u.approval_requested_by.is_some())
        .ok_or_else(|| AccountError::NothingToApprove(username.to_owned()))?;
    let role = Role::parse(&row.role).ok_or(AccountError::BadRole)?;
    if !repo::approve_user_in(conn, username, now + SETUP_LINK_HOURS * 3600).await? {
        return Err(AccountError::NothingToApprove(username.to_owned()));
    }
    Ok(role)
}

pub async fn disable(db: &Db, username: &str) -> Result<(), AccountError> {
    if !repo::disable_user(db, username).await? {
        return Err(AccountError::NoSuchUser(username.to_owned()));
    }
    Ok(())
}

/// [`disable`] on a connection in a transaction (with its audit entry).
pub async fn disable_in(
    conn: &mut sqlx::AnyConnection,
    username: &str,
) -> Result<(), AccountError> {
    if !repo::disable_user_in(conn, username).await? {
        return Err(AccountError::NoSuchUser(username.to_owned()));
    }
    Ok(())
}

/// Enables a disabled account again (the server's operator, from the command line).
pub async fn enable(db: &Db, username: &str) -> Result<(), AccountError> {
    if !repo::enable_user(db, username).await? {
        return Err(AccountError::NoSuchUser(username.to_owned()));
    }
    Ok(())
}

/// The account a set-up link belongs to, if the link is valid now.
pub async fn setup_account(db: &Db, token: &str, now: i64) -> Result<UserRow, AccountError> {
    let row = repo::user_by_setup_hash(db, &token_hash(token))
        .await?
        .ok_or(AccountError::BadSetupLink)?;
    if row.disabled || row.setup_expires_at.is_none_or(|t| t < now) {
        return Err(AccountError::BadSetupLink);
    }
    if row.approval_requested_by.is_some() {
        return Err(AccountError::AwaitingApproval);
    }
    Ok(row)
}

/// A password chosen through a set-up link: checked against the policy and hashed, not stored
/// yet ([`set_password_in`] stores it).
pub struct ChosenPassword {
    /// The account the link belongs to, as it was when the link was checked.
    pub account: UserRow,
    setup_token_hash: Vec<u8>,
    hash: String,
}

impl std::fmt::Debug for ChosenPassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChosenPassword")
            .field("account", &self.account.id)
            .finish_non_exhaustive()
    }
}

/// Checks a password chosen through a set-up link against the policy and hashes it. Nothing is
/// written: hashing is slow, so it happens before the transaction that stores the password
/// ([`set_password_in`]) is opened.
pub async fn choose_password(
    db: &Db,
    token: &str,
    new_password: String,
    now: i64,
) -> Result<ChosenPassword, AccountError> {
    let row = setup_account(db, token, now).await?;
    password::check_policy(&new_password, &row.username).map_err(AccountError::WeakPassword)?;
    let hash = tokio::task::spawn_blocking(move || password::hash(&new_password))
        .await
        .map_err(|_| AccountError::Hash)?
        .map_err(|_| AccountError::Hash)?;
    Ok(ChosenPassword {
        account: row,
        setup_token_hash: token_hash(token),
        hash,
    })
}

/// Stores a chosen password and uses its set-up link up, on `conn` (in the transaction with its
/// audit entry). [`AccountError::BadSetupLink`] if the link was used or replaced since it was
/// checked.
pub async fn set_password_in(
    conn: &mut sqlx::AnyConnection,
    chosen: &ChosenPassword,
) -> Result<(), AccountError> {
    let set = repo::set_password_in(
        conn,
        &chosen.account.id,
        &chosen.setup_token_hash,
        &chosen.hash,
    )
    .await?;
    if set {
        Ok(())
    } else {
        Err(AccountError::BadSetupLink)
    }
}

/// The associated data of a user's sealed TOTP secret.
pub fn totp_aad(user_id: &UserId) -> Aad {
    Aad::field("staff_users", user_id.as_str(), "totp_secret")
}

/// The associated data of a pending TOTP secret during enrolment.
pub fn pending_totp_aad(user_id: &UserId) -> Aad {
    Aad::field("staff_sessions", user_id.as_str(), "pending_totp")
}

/// Confirms enrolment: the code must match the pending secret. Then, at once, the secret is
/// stored sealed (only if the account has none yet: an enrolment is never overwritten), every
/// session of the account ends, and a fresh full session starts in their place, so an id that
/// was known before the second factor existed is worthless. Returns the new session's cookie
/// value.
/// On `conn`, in the transaction with its audit entry: on an error nothing was changed.
pub async fn confirm_totp_in(
    conn: &mut sqlx::AnyConnection,
    sealer: &Sealer,
    user_id: &UserId,
    pending: &TotpSecret,
    code: &str,
    now: i64,
) -> Result<String, AccountError> {
    let step = totp::verify(pending, code, now, None).ok_or(AccountError::BadCode)?;
    let sealed = sealer.seal(&totp_aad(user_id), pending.as_bytes());
    let (cookie, id_hash) = new_token();
    let (csrf_token, _) = new_token();
    let session = repo::NewSession {
        id_hash: &id_hash,
        csrf_token: &csrf_token,
        stage: Stage::Full.as_str(),
        now,
    };
    if !repo::complete_enrolment_in(conn, user_id, &sealed, step, session).await? {
        return Err(AccountError::AlreadyEnrolled);
    }
    Ok(cookie)
}

/// What a successful sign-in leads to.
#[derive(Debug)]
pub enum SignedIn {
    /// Password and second factor right: a full session.
    Full(StaffUser, Factor),
    /// Password and code right, but the hotline requires a passkey of this role and the account
    /// has none yet: the user must add one before seeing anything.
    MustAddPasskey(StaffUser, Factor),
    /// Password right, but no second factor yet: the user must enrol before seeing anything.
    MustEnrol(StaffUser),
}

/// The second factor a sign-in brings.
#[derive(Debug, Clone, Copy)]
pub enum SecondFactor<'a> {
    /// What was typed in the code field: a TOTP code or a recovery code.
    Code(&'a str),
    /// A passkey's answer (JSON) to the ceremony the sign-in page started.
    Passkey {
        ceremony: &'a str,
        response: &'a str,
    },
}

/// The second factor that signed someone in (recorded with the sign-in).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Factor {
    Totp,
    RecoveryCode,
    Passkey,
}

impl Factor {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Totp => "totp",
            Self::RecoveryCode => "recovery-code",
            Self::Passkey => "passkey",
        }
    }
}

/// Checks the second factor of an account whose password was right.
async fn second_factor(
    db: &Db,
    sealer: &Sealer,
    factors: &SecondFactors,
    row: &UserRow,
    given: SecondFactor<'_>,
    now: i64,
) -> Result<Option<Factor>, AccountError> {
    match given {
        SecondFactor::Passkey { ceremony, response } => Ok(factors
            .finish_sign_in(db, &row.id, ceremony, response, now)
            .await
            .ok()
            .map(|_| Factor::Passkey)),
        SecondFactor::Code(code) => {
            let Some(sealed) = &row.totp_secret else {
                return Ok(None);
            };
            let secret = sealer
                .open(&totp_aad(&row.id), sealed)
                .ok()
                .and_then(|b| TotpSecret::from_bytes(b.to_vec()));
            if let Some(step) = secret.and_then(|s| totp::verify(&s, code, now, row.totp_last_step))
            {
                return Ok(repo::use_totp_step(db, &row.id, step)
                    .await?
                    .then_some(Factor::Totp));
            }
            match factors.recovery_hash(&row.id, code) {
                Some(hash) => Ok(crate::store::passkeys::use_recovery_code(
                    db, &row.id, &hash, now,
                )
                .await?
                .then_some(Factor::RecoveryCode)),
                None => Ok(None),
            }
        }
    }
}

/// Checks a sign-in. The limits of `gate` come first, before any database or password work;
/// then unknown users cost the same work as known ones; every failure (wrong password or code,
/// locked or disabled account) looks the same from outside, and is recorded through `gate`,
/// which folds repeated failures of one account into one audit entry.
///
/// A success writes nothing but the code's step (a code is spent once presented): the caller
/// signs the person in with [`complete_sign_in_in`] in the transaction that records it, then
/// tells `gate` ([`SignInGate::succeeded`]).
#[allow(clippy::too_many_arguments)]
pub async fn check_sign_in(
    db: &Db,
    sealer: &Sealer,
    factors: &SecondFactors,
    gate: &SignInGate,
    username: &str,
    given_password: String,
    given: SecondFactor<'_>,
    now: i64,
) -> Result<Option<SignedIn>, AccountError> {
    gate.admit(username).await?;
    let row = repo::user_by_username(db, username.trim()).await?;
    let usable = row.as_ref().filter(|r| {
        !r.disabled
            && r.password_hash.is_some()
            && r.locked_until <= now
            && r.approval_requested_by.is_none()
    });
    let phc = usable.and_then(|r| r.password_hash.clone());
    let slot = gate.hash_slot().await?;
    let password_ok = tokio::task::spawn_blocking(move || {
        let _slot = slot;
        match phc {
            Some(phc) => password::verify(&given_password, &phc),
            None => {
                password::verify_dummy(&given_password);
                false
            }
        }
    })
    .await
    .unwrap_or(false);
    let Some(row) = usable else {
        gate.failed(row.as_ref().map_or(ANONYMOUS, |r| r.id.as_str()))
            .await;
        return Ok(None);
    };
    let user = user_from_row(row).ok_or(AccountError::BadRole)?;
    let outcome = if !password_ok {
        None
    } else if row.totp_secret.is_none() {
        Some(SignedIn::MustEnrol(user))
    } else {
        let factor = second_factor(db, sealer, factors, row, given, now).await?;
        // Without passkeys here (no host name) nobody could meet the requirement.
        let required = factors.passkeys().is_some()
            && user.role.reads_content()
            && super::passkeys::passkeys_required(db).await?;
        let has_passkeys = required && crate::store::passkeys::count(db, &row.id).await? > 0;
        match factor {
            // Where passkeys are required, a code no longer signs in an account that has one
            // (a recovery code still does: it is there for the lost passkey).
            Some(Factor::Totp) if required && has_passkeys => None,
            Some(factor) if required && !has_passkeys => {
                Some(SignedIn::MustAddPasskey(user, factor))
            }
            Some(factor) => Some(SignedIn::Full(user, factor)),
            None => None,
        }
    };
    match outcome {
        Some(ok) => Ok(Some(ok)),
        None => {
            let failures = row.failed_sign_ins + 1;
            let locked_until = if failures >= FREE_FAILURES {
                let exponent = u32::try_from((failures - FREE_FAILURES).min(12)).unwrap_or(12);
                now + (60_i64 << exponent).min(MAX_LOCK_SECONDS)
            } else {
                0
            };
            repo::record_failed_sign_in(db, &row.id, locked_until).await?;
            gate.failed(row.id.as_str()).await;
            Ok(None)
        }
    }
}

/// Signs in the account a [`check_sign_in`] let through, on `conn` (in the transaction with its
/// audit entry): its failed sign-ins and lock are cleared and a session at `stage` starts.
/// Returns the cookie value.
pub async fn complete_sign_in_in(
    conn: &mut sqlx::AnyConnection,
    user_id: &UserId,
    stage: Stage,
    now: i64,
) -> Result<String, StoreError> {
    repo::clear_failed_sign_ins_in(conn, user_id).await?;
    super::sessions::start_in(conn, user_id, stage, now).await
}
