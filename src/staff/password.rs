//! Staff passwords: the policy and Argon2id hashing.
//!
//! Hashing and verifying are deliberately slow (tens of milliseconds, more in debug builds):
//! callers run them in `spawn_blocking`.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use rand::RngCore;
use std::sync::LazyLock;
use zxcvbn::Score;

/// Fewest characters a password may have.
pub const MIN_LENGTH: usize = 12;
/// Most characters a password may have (bounds the work of the strength estimate and the hash).
pub const MAX_LENGTH: usize = 256;

/// Argon2id memory cost in KiB (19 MiB), the OWASP recommendation.
const M_COST_KIB: u32 = 19 * 1024;
/// Argon2id iterations.
const T_COST: u32 = 2;
/// Argon2id parallelism.
const P_COST: u32 = 1;
/// Bytes of random salt.
const SALT_LEN: usize = 16;

/// Why a password is refused; [`PasswordProblem::code`] is the Fluent message key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordProblem {
    /// Fewer than [`MIN_LENGTH`] characters.
    TooShort,
    /// More than [`MAX_LENGTH`] characters.
    TooLong,
    /// Easy to guess: zxcvbn scores it below 3 (this includes the common-password lists).
    TooCommon,
    /// Contains the username.
    ContainsUsername,
}

impl PasswordProblem {
    /// The Fluent message key for this problem.
    pub fn code(self) -> &'static str {
        match self {
            Self::TooShort => "password-too-short",
            Self::TooLong => "password-too-long",
            Self::TooCommon => "password-too-common",
            Self::ContainsUsername => "password-contains-username",
        }
    }
}

/// Length (in chars) between MIN and MAX, not containing the username (case-insensitive, if
/// username has ≥3 chars), and zxcvbn score ≥ 3 with the username and "tipline" as user inputs
/// (zxcvbn's dictionaries include the common-password lists).
pub fn check_policy(password: &str, username: &str) -> Result<(), PasswordProblem> {
    let length = password.chars().count();
    if length < MIN_LENGTH {
        return Err(PasswordProblem::TooShort);
    }
    if length > MAX_LENGTH {
        return Err(PasswordProblem::TooLong);
    }
    if username.chars().count() >= 3 && password.to_lowercase().contains(&username.to_lowercase()) {
        return Err(PasswordProblem::ContainsUsername);
    }
    if zxcvbn::zxcvbn(password, &[username, "tipline"]).score() < Score::Three {
        return Err(PasswordProblem::TooCommon);
    }
    Ok(())
}

/// Hashing failed (in practice never: the parameters are fixed and valid).
#[derive(Debug, thiserror::Error)]
pub enum PasswordError {
    #[error("password hashing failed")]
    Hash,
}

fn argon2id() -> Result<Argon2<'static>, PasswordError> {
    let params = Params::new(M_COST_KIB, T_COST, P_COST, None).map_err(|_| PasswordError::Hash)?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// Argon2id PHC string, OWASP parameters (m = 19 MiB, t = 2, p = 1), random salt.
pub fn hash(password: &str) -> Result<String, PasswordError> {
    let mut salt_bytes = [0u8; SALT_LEN];
    rand::rng().fill_bytes(&mut salt_bytes);
    let salt = SaltString::encode_b64(&salt_bytes).map_err(|_| PasswordError::Hash)?;
    let phc = argon2id()?
        .hash_password(password.as_bytes(), &salt)
        .map_err(|_| PasswordError::Hash)?;
    Ok(phc.to_string())
}

/// Constant-time verify; false on malformed hashes.
///
/// Only Argon2id hashes are accepted; their own parameters are used, so hashes made with older
/// parameters still verify.
pub fn verify(password: &str, phc: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(phc) else {
        return false;
    };
    if parsed.algorithm != argon2::ARGON2ID_IDENT {
        return false;
    }
    // The comparison of the outputs inside is constant-time (`password_hash::Output`'s `Eq`).
    Argon2::default()
        .verify_password(password.as_bytes(), &parsed)
        .is_ok()
}

/// A real hash of a password nobody knows, made once on first use.
static DUMMY_HASH: LazyLock<Option<String>> =
    LazyLock::new(|| hash("tipline dummy password: no account has it").ok());

/// Does the same work as a real verify against a fixed dummy hash (computed once, LazyLock), so
/// that unknown usernames take as long as known ones.
///
/// The first call also computes the dummy hash (one more hash's time); a caller that minds
/// can call this once at startup.
pub fn verify_dummy(password: &str) {
    match DUMMY_HASH.as_deref() {
        Some(phc) => {
            let _ = verify(password, phc);
        }
        None => {
            // Could not make the dummy hash: spend the same time hashing instead.
            let _ = hash(password);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problem_codes_are_fluent_keys() {
        assert_eq!(PasswordProblem::TooShort.code(), "password-too-short");
        assert_eq!(PasswordProblem::TooLong.code(), "password-too-long");
        assert_eq!(PasswordProblem::TooCommon.code(), "password-too-common");
        assert_eq!(
            PasswordProblem::ContainsUsername.code(),
            "password-contains-username"
        );
    }

    #[test]
    fn length_bounds() {
        assert_eq!(
            check_policy("Xq7#vLp2!mZ", "alice"),
            Err(PasswordProblem::TooShort)
        );
        assert_eq!("Xq7#vLp2!mZ".chars().count(), MIN_LENGTH - 1);
        assert_eq!(check_policy("Xq7#vLp2!mZr", "alice"), Ok(()));
        let too_long = "Xq7#vLp2!mZr".repeat(22)[..MAX_LENGTH + 1].to_owned();
        assert_eq!(
            check_policy(&too_long, "alice"),
            Err(PasswordProblem::TooLong)
        );
        let longest = &too_long[..MAX_LENGTH];
        assert_eq!(check_policy(longest, "alice"), Ok(()));
    }

    #[test]
    fn length_counts_characters_not_bytes() {
        // 11 characters, 22 bytes: still too short.
        let eleven = "äöüßéèàçñøå";
        assert_eq!(eleven.chars().count(), 11);
        assert_eq!(
            check_policy(eleven, "alice"),
            Err(PasswordProblem::TooShort)
        );
        let too_long: String = "é".repeat(MAX_LENGTH + 1);
        assert_eq!(
            check_policy(&too_long, "alice"),
            Err(PasswordProblem::TooLong)
        );
    }

    #[test]
    fn common_passwords_refused() {
        for weak in [
            "password1234",
            "123456789012",
            "qwertyuiopasdf",
            "iloveyou2024",
        ] {
            assert_eq!(
                check_policy(weak, "alice"),
                Err(PasswordProblem::TooCommon),
                "{weak}"
            );
        }
    }

    #[test]
    fn the_product_name_counts_as_known() {
        assert_eq!(
            check_policy("tiplinetipline", "alice"),
            Err(PasswordProblem::TooCommon)
        );
    }

    #[test]
    fn strong_passwords_accepted() {
        for strong in [
            "correcthorsebatterystaple",
            "Xq7#vLp2!mZr",
            "plum kettle orbit 71 sleeve",
        ] {
            assert_eq!(check_policy(strong, "alice"), Ok(()), "{strong}");
        }
    }

    #[test]
    fn username_inside_refused_case_insensitively() {
        assert_eq!(
            check_policy("xq7#ALICEvLp2!mZr", "alice"),
            Err(PasswordProblem::ContainsUsername)
        );
        assert_eq!(
            check_policy("Xq7#vLp2!mZr-Bob", "bob"),
            Err(PasswordProblem::ContainsUsername)
        );
        // Usernames under 3 characters are not searched for.
        assert_eq!(check_policy("Xq7#vLp2!mZr-al", "al"), Ok(()));
    }

    #[test]
    fn hash_verify_round_trip_and_salt() {
        let first = hash("correcthorsebatterystaple").expect("hash");
        assert!(
            first.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{first}"
        );
        assert!(verify("correcthorsebatterystaple", &first));
        assert!(!verify("correcthorsebatterystaplf", &first));

        // Argon2 is slow in debug builds: one more hash, compared but not verified again.
        let second = hash("correcthorsebatterystaple").expect("hash");
        assert!(
            second.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{second}"
        );
        assert_ne!(first, second, "each hash has its own salt");
    }

    #[test]
    fn malformed_hashes_never_verify() {
        for bad in [
            "",
            "not a hash",
            "$argon2id$",
            "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$",
            "$argon2id$v=19$m=19456,t=2,p=1$!!!$!!!",
            // Well-formed, but not Argon2id.
            "$argon2i$v=19$m=16,t=2,p=1$c2FsdHNhbHQ$9sTbSlTio3Biev89thdrlKKiCaYsjjYVJxGAL3swxpQ",
            "$2b$12$KIXQJhZ0Zq6Z8b7J7m8b0u1l6oA5w3w7m8wS3g0k1c2d3e4f5g6h7",
        ] {
            assert!(!verify("correcthorsebatterystaple", bad), "{bad}");
        }
    }

    #[test]
    fn dummy_verify_runs() {
        // Nothing to observe but that it does the work without panicking.
        verify_dummy("whatever the attacker typed");
        assert!(DUMMY_HASH.is_some());
    }
}
