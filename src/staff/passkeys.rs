//! The second factors beside TOTP: passkeys (WebAuthn, phishing-resistant: the browser binds
//! each signature to this hotline's address) and one-time recovery codes (for the day a phone
//! or a key is lost).
//!
//! A passkey ceremony takes two requests: the first gives the browser a challenge, the second
//! brings back what the authenticator signed. Its state is kept in the database between them
//! (any node of a cluster can finish it), found by a hash of a random id only that browser holds,
//! for [`CEREMONY_SECONDS`], and taken once. What is stored of a passkey is its public key and
//! counter: nothing that signs anyone in. Recovery codes are stored as keyed hashes.
//!
//! Passkeys need the hotline's public address to be a name (WebAuthn refuses an IP address):
//! without one, [`SecondFactors::passkeys`] is `None` and the pages say so.

use super::user::StaffUser;
use crate::seal::keys::Secret32;
use crate::seal::token::{new_token, token_hash};
use crate::store::passkeys::{self as repo, PasskeyRow};
use crate::store::{Db, StoreError};
use crate::types::UserId;
use data_encoding::BASE64URL_NOPAD;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;
use webauthn_rs::fake::{FakePasskeyDistribution, WebauthnFakeCredentialGenerator};
use webauthn_rs::prelude::{
    CreationChallengeResponse, CredentialID, Passkey, PasskeyAuthentication, PasskeyRegistration,
    PublicKeyCredential, RegisterPublicKeyCredential, Url, Uuid, Webauthn, WebauthnBuilder,
};

/// Seconds a ceremony may take between its two requests.
pub const CEREMONY_SECONDS: i64 = 300;
/// Recovery codes made at once.
pub const RECOVERY_CODES: usize = 10;
/// Characters of a recovery code (Crockford base32, 5 bits each: 50 bits).
const RECOVERY_CODE_CHARS: usize = 10;
/// Longest passkey name, in characters.
pub const MAX_NAME: usize = 60;
/// The setting that makes content roles sign in with a passkey ("on" or "off").
pub const REQUIRE_PASSKEYS: &str = "require_passkeys_for_content_roles";

/// The stored value of [`REQUIRE_PASSKEYS`].
pub fn requirement_value(required: bool) -> &'static str {
    if required { "on" } else { "off" }
}

/// Whether a supervisor requires passkeys of the roles that read report content.
pub async fn passkeys_required(db: &Db) -> Result<bool, StoreError> {
    Ok(repo::setting(db, REQUIRE_PASSKEYS).await?.as_deref() == Some(requirement_value(true)))
}

const REGISTER: &str = "register";
const SIGN_IN: &str = "sign-in";

/// Why a passkey step did not happen.
#[derive(Debug, thiserror::Error)]
pub enum PasskeyError {
    /// This hotline's address is not a name a passkey can be bound to.
    #[error("passkeys need the hotline's public address to be a host name")]
    Unavailable,
    /// The ceremony is unknown, expired, already finished or someone else's.
    #[error("the passkey ceremony is over; start again")]
    Expired,
    /// What the browser sent is not a valid answer to the challenge.
    #[error("the passkey did not answer the challenge")]
    Refused,
    /// The authenticator's credential is already registered.
    #[error("this passkey is already registered")]
    Duplicate,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Passkeys (when this hotline's address allows them) and the key of the recovery codes.
pub struct SecondFactors {
    relying_party: Option<RelyingParty>,
    recovery_key: Secret32,
}

/// This hotline as a WebAuthn relying party, and the host name its passkeys are bound to.
struct RelyingParty {
    webauthn: Webauthn,
    id: String,
}

impl SecondFactors {
    /// Passkeys bound to the host of `public_url` (none when it is an IP address or not a URL).
    pub fn new(public_url: &str, site_name: &str, recovery_key: Secret32) -> Self {
        let relying_party = Url::parse(public_url).ok().and_then(|origin| {
            let id = origin.domain()?.to_owned();
            let webauthn = WebauthnBuilder::new(&id, &origin)
                .ok()?
                .rp_name(site_name)
                .build()
                .ok()?;
            Some(RelyingParty { webauthn, id })
        });
        Self {
            relying_party,
            recovery_key,
        }
    }

    /// The WebAuthn relying party, if passkeys are available here.
    pub fn passkeys(&self) -> Option<&Webauthn> {
        self.relying_party.as_ref().map(|rp| &rp.webauthn)
    }

    fn webauthn(&self) -> Result<&Webauthn, PasskeyError> {
        self.passkeys().ok_or(PasskeyError::Unavailable)
    }

    /// Starts adding a passkey to `user`'s account: the options for the browser and the
    /// ceremony's id.
    pub async fn start_registration(
        &self,
        db: &Db,
        user: &StaffUser,
        now: i64,
    ) -> Result<(String, CreationChallengeResponse), PasskeyError> {
        let webauthn = self.webauthn()?;
        let existing: Vec<CredentialID> = repo::list(db, &user.id)
            .await?
            .iter()
            .filter_map(|row| read(row).map(|p| p.cred_id().clone()))
            .collect();
        let (options, state) = webauthn
            .start_passkey_registration(
                user_handle(&user.id),
                &user.username,
                &user.username,
                Some(existing),
            )
            .map_err(|_| PasskeyError::Refused)?;
        let id = keep(db, user.id.as_str(), REGISTER, &state, now).await?;
        Ok((id, options))
    }

    /// Finishes adding a passkey: the new passkey's row (named `name`), for the caller to
    /// store with its audit entry.
    pub async fn finish_registration(
        &self,
        db: &Db,
        user: &StaffUser,
        ceremony: &str,
        response: &str,
        name: &str,
        now: i64,
    ) -> Result<PasskeyRow, PasskeyError> {
        let webauthn = self.webauthn()?;
        let state: PasskeyRegistration =
            take(db, ceremony, user.id.as_str(), REGISTER, now).await?;
        let answer: RegisterPublicKeyCredential =
            serde_json::from_str(response).map_err(|_| PasskeyError::Refused)?;
        let passkey = webauthn
            .finish_passkey_registration(&answer, &state)
            .map_err(|_| PasskeyError::Refused)?;
        Ok(PasskeyRow {
            id: Uuid::new_v4().to_string(),
            user_id: user.id.clone(),
            credential_id: passkey.cred_id().to_vec(),
            name: name.to_owned(),
            passkey: serde_json::to_vec(&passkey).map_err(|_| PasskeyError::Refused)?,
            created_at: now,
            last_used_at: None,
        })
    }

    /// Starts a sign-in with a passkey for the account `user_id` names (`None`: no such account,
    /// or one without passkeys): the ceremony's id and the options for the browser. Either way the
    /// browser gets a challenge of the same shape, naming credentials that stay the same for the
    /// same name, so the answer tells nobody whether the account exists or has passkeys.
    pub async fn start_sign_in(
        &self,
        db: &Db,
        user_id: Option<&UserId>,
        username: &str,
        now: i64,
    ) -> Result<(String, serde_json::Value), PasskeyError> {
        let webauthn = self.webauthn()?;
        let passkeys: Vec<Passkey> = match user_id {
            Some(id) => repo::list(db, id).await?.iter().filter_map(read).collect(),
            None => Vec::new(),
        };
        if let (Some(id), false) = (user_id, passkeys.is_empty()) {
            let (options, state) = webauthn
                .start_passkey_authentication(&passkeys)
                .map_err(|_| PasskeyError::Refused)?;
            let ceremony = keep(db, id.as_str(), SIGN_IN, &state, now).await?;
            let options = serde_json::to_value(options).map_err(|_| PasskeyError::Refused)?;
            return Ok((ceremony, options));
        }
        let generator = WebauthnFakeCredentialGenerator::<FakePasskeyDistribution>::new(
            self.recovery_key.expose(),
        )
        .map_err(|_| PasskeyError::Refused)?;
        // webauthn-rs's distribution, but never none: an account that signs in with passkeys has
        // at least one, so an empty list would tell a name without passkeys apart. The same name
        // still gets the same list each time.
        let mut seed = username.trim().as_bytes().to_vec();
        let fake = loop {
            let fake = generator
                .generate(&seed)
                .map_err(|_| PasskeyError::Refused)?;
            if !fake.is_empty() {
                break fake;
            }
            seed.push(0);
        };
        let mut challenge = [0u8; 32];
        rand::rng().fill_bytes(&mut challenge);
        let allow: Vec<serde_json::Value> = fake
            .iter()
            .map(|id| serde_json::json!({ "type": "public-key", "id": BASE64URL_NOPAD.encode(id) }))
            .collect();
        let options = serde_json::json!({
            "publicKey": {
                "challenge": BASE64URL_NOPAD.encode(&challenge),
                "timeout": CEREMONY_SECONDS * 1000,
                "rpId": self.relying_party.as_ref().map(|rp| rp.id.as_str()),
                "allowCredentials": allow,
                "userVerification": "required",
            }
        });
        let (ceremony, _) = new_token();
        Ok((ceremony, options))
    }

    /// Checks a passkey's answer to a sign-in ceremony of `user_id`; on success its counter and
    /// time of use are stored and its name is returned.
    pub async fn finish_sign_in(
        &self,
        db: &Db,
        user_id: &UserId,
        ceremony: &str,
        response: &str,
        now: i64,
    ) -> Result<String, PasskeyError> {
        let webauthn = self.webauthn()?;
        let state: PasskeyAuthentication =
            take(db, ceremony, user_id.as_str(), SIGN_IN, now).await?;
        let answer: PublicKeyCredential =
            serde_json::from_str(response).map_err(|_| PasskeyError::Refused)?;
        let result = webauthn
            .finish_passkey_authentication(&answer, &state)
            .map_err(|_| PasskeyError::Refused)?;
        let rows = repo::list(db, user_id).await?;
        let (row, mut passkey) = rows
            .iter()
            .find_map(|row| {
                let passkey = read(row)?;
                (passkey.cred_id() == result.cred_id()).then_some((row, passkey))
            })
            .ok_or(PasskeyError::Refused)?;
        passkey.update_credential(&result);
        let stored = serde_json::to_vec(&passkey).map_err(|_| PasskeyError::Refused)?;
        repo::used(db, &row.id, &stored, now).await?;
        Ok(row.name.clone())
    }

    /// New recovery codes for `user_id`: the codes to show once, and the hashes to store.
    pub fn recovery_codes(&self, user_id: &UserId) -> (Vec<String>, Vec<Vec<u8>>) {
        let mut rng = rand::rng();
        let codes: Vec<String> = (0..RECOVERY_CODES)
            .map(|_| {
                let mut bytes = [0u8; 8];
                rng.fill_bytes(&mut bytes);
                let value = u64::from_le_bytes(bytes);
                let chars: String = (0..RECOVERY_CODE_CHARS)
                    .map(|i| char::from(CROCKFORD[((value >> (5 * i)) & 31) as usize]))
                    .collect();
                format!("{}-{}", &chars[..5], &chars[5..])
            })
            .collect();
        let hashes = codes
            .iter()
            .filter_map(|code| self.recovery_hash(user_id, code))
            .collect();
        (codes, hashes)
    }

    /// The stored form of a recovery code as typed (in any case, with or without the dash and
    /// spaces, O for 0 and I or L for 1), or `None` if it cannot be one.
    pub fn recovery_hash(&self, user_id: &UserId, typed: &str) -> Option<Vec<u8>> {
        let code: String = typed
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .map(|c| match c.to_ascii_uppercase() {
                'O' => '0',
                'I' | 'L' => '1',
                c => c,
            })
            .collect();
        if code.len() != RECOVERY_CODE_CHARS || !code.bytes().all(|b| CROCKFORD.contains(&b)) {
            return None;
        }
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(self.recovery_key.expose()).ok()?;
        mac.update(user_id.as_str().as_bytes());
        mac.update(b"\0");
        mac.update(code.as_bytes());
        Some(mac.finalize().into_bytes().to_vec())
    }
}

const CROCKFORD: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// The handle an authenticator keeps for the account: its id (a UUID), nothing else; an id of
/// another form is hashed into one.
fn user_handle(id: &UserId) -> Uuid {
    Uuid::parse_str(id.as_str()).unwrap_or_else(|_| {
        let digest = <Sha256 as sha2::Digest>::digest(id.as_str().as_bytes());
        let mut bytes = [0u8; 16];
        bytes.copy_from_slice(&digest[..16]);
        Uuid::from_bytes(bytes)
    })
}

/// A stored passkey, read back; `None` for a row that does not read (it cannot sign in).
fn read(row: &PasskeyRow) -> Option<Passkey> {
    serde_json::from_slice(&row.passkey).ok()
}

/// Keeps a ceremony's state; returns its id for the browser.
async fn keep<T: serde::Serialize>(
    db: &Db,
    user_id: &str,
    purpose: &str,
    state: &T,
    now: i64,
) -> Result<String, PasskeyError> {
    let state = serde_json::to_vec(state).map_err(|_| PasskeyError::Refused)?;
    let (id, hash) = new_token();
    repo::insert_ceremony(db, &hash, user_id, purpose, &state, now + CEREMONY_SECONDS).await?;
    Ok(id)
}

/// Takes a ceremony's state (it finishes once).
async fn take<T: serde::de::DeserializeOwned>(
    db: &Db,
    ceremony: &str,
    user_id: &str,
    purpose: &str,
    now: i64,
) -> Result<T, PasskeyError> {
    let state = repo::take_ceremony(db, &token_hash(ceremony), user_id, purpose, now)
        .await?
        .ok_or(PasskeyError::Expired)?;
    serde_json::from_slice(&state).map_err(|_| PasskeyError::Expired)
}
