-- Passkeys (WebAuthn credentials) of staff members. `passkey` is the credential as the WebAuthn
-- library keeps it (public key, counter), sealed; `credential_id` finds it (unique across all
-- accounts, as authenticators make them).
CREATE TABLE staff_passkeys (
    id TEXT NOT NULL PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES staff_users (id) ON DELETE CASCADE,
    credential_id BLOB NOT NULL UNIQUE,
    name TEXT NOT NULL,
    passkey BLOB NOT NULL,
    created_at BIGINT NOT NULL,
    last_used_at BIGINT
);
CREATE INDEX staff_passkeys_user ON staff_passkeys (user_id);

-- A WebAuthn ceremony between its two requests (registration or sign-in): its state, sealed,
-- found by a hash of the random id the browser holds; gone when finished or after a few minutes.
CREATE TABLE staff_passkey_ceremonies (
    id_hash BLOB NOT NULL PRIMARY KEY,
    user_id TEXT NOT NULL,
    purpose TEXT NOT NULL,
    state BLOB NOT NULL,
    expires_at BIGINT NOT NULL
);

-- One-time recovery codes: a keyed hash of each, marked when used.
CREATE TABLE staff_recovery_codes (
    user_id TEXT NOT NULL REFERENCES staff_users (id) ON DELETE CASCADE,
    code_hash BLOB NOT NULL,
    created_at BIGINT NOT NULL,
    used_at BIGINT,
    PRIMARY KEY (user_id, code_hash)
);

-- Settings the hotline's supervisors choose in the staff pages (name, value).
CREATE TABLE staff_settings (
    name TEXT NOT NULL PRIMARY KEY,
    value TEXT NOT NULL
);
