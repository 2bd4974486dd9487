//! Staff passwords: the policy and Argon2id hashing.
//!
//! Hashing and verifying are deliberately slow (tens of milliseconds, more in debug builds):
//! callers run them in `spawn_blocking`.

use argon2::password_hash::{Output, ParamsString, PasswordHash, Salt, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use rand::RngCore;
use std::sync::LazyLock;
use zeroize::Zeroize;
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

/// Blocks of working memory (1 KiB each) above which the C library's allocator always maps a
/// fresh region and hands it back to the system when freed. glibc raises the size it serves
/// from its heaps, up to 32 MiB, to the largest mapped block freed so far (mallopt(3),
/// M_MMAP_THRESHOLD): once one 19 MiB hash had been freed, the next ones came from the heap of
/// the thread that hashed and stayed resident after it, one per thread that ever hashed.
const RETURNED_BLOCKS: usize = 32 * 1024 + 1;

/// Runs `argon` over `password` and `salt` into `out`, in a working memory (19 MiB with the
/// parameters above) that is wiped and then handed back to the system.
///
/// The memory is reserved above [`RETURNED_BLOCKS`] and only the part the hash needs is
/// touched. Left behind, it held what the hash computed, whose first block lets a guess be
/// tried without the memory-hard work; the staff pages bench measured the server at 53 MiB
/// resident once two people had signed in, against 34 MiB with the memory handed back.
fn hash_into(
    argon: &Argon2<'_>,
    password: &[u8],
    salt: &[u8],
    out: &mut [u8],
) -> Result<(), argon2::Error> {
    let mut memory = working_memory(argon.params().block_count());
    let done = argon.hash_password_into_with_memory(password, salt, out, &mut memory);
    wipe(&mut memory);
    done
}

/// `blocks` zeroed blocks, in an allocation of at least [`RETURNED_BLOCKS`].
fn working_memory(blocks: usize) -> Vec<Block> {
    let mut memory = Vec::with_capacity(blocks.max(RETURNED_BLOCKS));
    memory.resize(blocks, Block::default());
    memory
}

fn wipe(memory: &mut [Block]) {
    memory.iter_mut().for_each(Zeroize::zeroize);
}

/// Argon2id PHC string, OWASP parameters (m = 19 MiB, t = 2, p = 1), random salt.
pub fn hash(password: &str) -> Result<String, PasswordError> {
    let mut salt_bytes = [0u8; SALT_LEN];
    rand::rng().fill_bytes(&mut salt_bytes);
    let salt = SaltString::encode_b64(&salt_bytes).map_err(|_| PasswordError::Hash)?;
    let argon = argon2id()?;
    let length = argon
        .params()
        .output_len()
        .unwrap_or(Params::DEFAULT_OUTPUT_LEN);
    let output = Output::init_with(length, |out| {
        hash_into(&argon, password.as_bytes(), &salt_bytes, out).map_err(Into::into)
    })
    .map_err(|_| PasswordError::Hash)?;
    let phc = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(argon.params()).map_err(|_| PasswordError::Hash)?,
        salt: Some(salt.as_salt()),
        hash: Some(output),
    };
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
    if parsed.algorithm != Algorithm::Argon2id.ident() {
        return false;
    }
    let (Some(salt), Some(expected)) = (parsed.salt, parsed.hash) else {
        return false;
    };
    let Ok(params) = Params::try_from(&parsed) else {
        return false;
    };
    let version = match parsed.version.map(Version::try_from).transpose() {
        Ok(version) => version.unwrap_or_default(),
        Err(_) => return false,
    };
    let mut salt_buf = [0u8; Salt::MAX_LENGTH];
    let Ok(salt_bytes) = salt.decode_b64(&mut salt_buf) else {
        return false;
    };
    let argon = Argon2::new(Algorithm::Argon2id, version, params);
    let Ok(computed) = Output::init_with(expected.len(), |out| {
        hash_into(&argon, password.as_bytes(), salt_bytes, out).map_err(Into::into)
    }) else {
        return false;
    };
    // `Output`'s equality is constant-time.
    computed == expected
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
    fn hashes_read_and_made_as_the_argon2_crate_makes_them() {
        use argon2::password_hash::{PasswordHasher, PasswordVerifier};
        // Hashes stored before the working memory was kept verify, and the crate reads ours.
        let salt = SaltString::encode_b64(b"sixteen byte slt").expect("salt");
        let theirs = argon2id()
            .expect("params")
            .hash_password(b"correcthorsebatterystaple", &salt)
            .expect("hash")
            .to_string();
        assert!(verify("correcthorsebatterystaple", &theirs));
        assert!(!verify("correcthorsebatterystaplf", &theirs));
        let ours = hash("correcthorsebatterystaple").expect("hash");
        let parsed = PasswordHash::new(&ours).expect("a PHC string");
        assert!(
            Argon2::default()
                .verify_password(b"correcthorsebatterystaple", &parsed)
                .is_ok()
        );
        // Older, smaller parameters still verify (the kept memory is the wrong size for them).
        let small = Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            Params::new(64, 1, 1, None).expect("params"),
        )
        .hash_password(b"correcthorsebatterystaple", &salt)
        .expect("hash")
        .to_string();
        assert!(verify("correcthorsebatterystaple", &small));
        assert!(!verify("correcthorsebatterystaplf", &small));
    }

    #[test]
    fn the_working_memory_is_wiped_and_large_enough_to_be_handed_back() {
        let argon = Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            Params::new(256, 1, 1, None).expect("params"),
        );
        let mut ours = [0u8; 32];
        hash_into(&argon, b"a password", b"sixteen byte slt", &mut ours).expect("hash");
        let mut theirs = [0u8; 32];
        argon
            .hash_password_into(b"a password", b"sixteen byte slt", &mut theirs)
            .expect("hash");
        assert_eq!(
            ours, theirs,
            "the same hash as the crate's own memory gives"
        );

        let mut memory = working_memory(argon.params().block_count());
        argon
            .hash_password_into_with_memory(
                b"a password",
                b"sixteen byte slt",
                &mut ours,
                &mut memory,
            )
            .expect("hash");
        assert!(memory.iter().any(|b| b.as_ref().iter().any(|w| *w != 0)));
        wipe(&mut memory);
        assert!(
            memory.iter().all(|b| b.as_ref().iter().all(|w| *w == 0)),
            "nothing the hash computed is left"
        );
        // The production parameters need less than the allocation that is always returned.
        assert!(argon2id().expect("params").params().block_count() < RETURNED_BLOCKS);
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
