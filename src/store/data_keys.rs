//! Data keys in the database, wrapped by the master key. On first start one is created; the
//! newest seals new values and every stored key still opens old ones.

use super::{Db, StoreError};
use crate::seal::{DataKey, KeyId, KeyRing, Sealer};
use sqlx::Row;
use uuid::Uuid;

/// Loads every data key (creating the first one if there is none) and builds the sealer.
pub async fn load_sealer(db: &Db, keys: &KeyRing, now: i64) -> Result<Sealer, StoreError> {
    let mut rows = load_all(db, keys).await?;
    if rows.is_empty() {
        let key = DataKey::generate();
        sqlx::query("INSERT INTO data_keys (id, wrapped, created_at) VALUES ($1, $2, $3)")
            .bind(key.id.0.to_string())
            .bind(key.wrap(keys.master()))
            .bind(now)
            .execute(db.pool())
            .await?;
        rows = load_all(db, keys).await?;
    }
    // Ids are UUIDv7, so the largest is the newest key.
    rows.sort_by_key(|k| k.id.0);
    let active = rows.pop().ok_or(StoreError::Corrupt)?;
    Ok(Sealer::new(active, rows))
}

async fn load_all(db: &Db, keys: &KeyRing) -> Result<Vec<DataKey>, StoreError> {
    let rows = sqlx::query("SELECT id, wrapped FROM data_keys")
        .fetch_all(db.pool())
        .await?;
    rows.iter()
        .map(|row| {
            let id: String = row.try_get("id")?;
            let wrapped: Vec<u8> = row.try_get("wrapped")?;
            let id = KeyId(Uuid::parse_str(&id).map_err(|_| StoreError::Corrupt)?);
            Ok(DataKey::unwrap_with(id, &wrapped, keys.master())?)
        })
        .collect()
}
