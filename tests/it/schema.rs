//! The SQLite and PostgreSQL migrations build the same schema: the same tables, columns (name,
//! nullability, type mapped to one vocabulary), primary keys, foreign keys (columns, target and
//! what a delete does), unique constraints, indexes (by name, columns, uniqueness and predicate)
//! and triggers. Each backend's schema is read from its
//! catalogue into a set of facts; the facts only one side holds must be exactly the allowed
//! differences listed below, each with its reason (a difference that goes away fails the test
//! too, so the list stays true).

use crate::helpers::PgDatabase;
use std::collections::{BTreeMap, BTreeSet};
use tipline::store::Db;

/// A fact only one backend may hold, and why.
struct Allowed {
    sqlite: &'static [&'static str],
    postgres: &'static [&'static str],
    reason: &'static str,
}

/// The differences the two schemas may have. Everything else must match.
const ALLOWED: &[Allowed] = &[
    Allowed {
        sqlite: &[
            "column assessments.id: text, null",
            "column attachments.id: text, null",
            "column audit_head.id: integer, null",
            "column audit_log.seq: integer, null",
            "column data_keys.id: text, null",
            "column messages.id: text, null",
            "column report_notes.id: text, null",
            "column reporter_sessions.id_hash: blob, null",
            "column reports.id: text, null",
            "column reseal_progress.kind: text, null",
            "column search_set_aside.report_id: text, null",
            "column staff_sessions.id_hash: blob, null",
            "column staff_users.id: text, null",
        ],
        postgres: &[
            "column assessments.id: text, not null",
            "column attachments.id: text, not null",
            "column audit_head.id: integer, not null",
            "column audit_log.seq: integer, not null",
            "column data_keys.id: text, not null",
            "column messages.id: text, not null",
            "column report_notes.id: text, not null",
            "column reporter_sessions.id_hash: blob, not null",
            "column reports.id: text, not null",
            "column reseal_progress.kind: text, not null",
            "column search_set_aside.report_id: text, not null",
            "column staff_sessions.id_hash: blob, not null",
            "column staff_users.id: text, not null",
        ],
        reason: "SQLite lets a PRIMARY KEY column other than INTEGER PRIMARY KEY hold NULL (a \
                 quirk it keeps for compatibility), where PostgreSQL implies NOT NULL. Adding \
                 NOT NULL in SQLite means rebuilding each table (reports included, with its \
                 triggers and indexes), a risk for a difference no code path can reach: every \
                 key is written by the application, never NULL.",
    },
    Allowed {
        sqlite: &[],
        postgres: &[
            "index search_docs.search_docs_category include (doc)",
            "index search_docs.search_docs_category_country include (doc)",
        ],
        reason: "PostgreSQL migration 0013 adds the document number to the filter indexes so a \
                 search reads them alone. In SQLite `doc` is the rowid (INTEGER PRIMARY KEY), \
                 which every index entry already ends with: the same covering index, unnamed.",
    },
];

#[tokio::test]
async fn the_sqlite_and_postgresql_migrations_build_the_same_schema() {
    let dir = tempfile::tempdir().unwrap();
    let sqlite = Db::open_embedded(dir.path()).await.unwrap();
    sqlite.migrate().await.unwrap();
    let sqlite_facts = sqlite_schema(&sqlite).await;
    sqlite.close().await;

    let pg = PgDatabase::create().await;
    let postgres = Db::connect(pg.url()).await.unwrap();
    postgres.migrate().await.unwrap();
    let postgres_facts = postgres_schema(&postgres).await;
    postgres.close().await;
    pg.drop_now().await;

    assert!(
        sqlite_facts.contains("table reports") && postgres_facts.contains("table reports"),
        "the schemas were read: {sqlite_facts:#?}"
    );
    assert!(
        sqlite_facts.iter().any(|f| f.starts_with("foreign key"))
            && postgres_facts.iter().any(|f| f.starts_with("foreign key")),
        "the foreign keys were read"
    );
    let only_sqlite: BTreeSet<&str> = sqlite_facts
        .difference(&postgres_facts)
        .map(String::as_str)
        .collect();
    let only_postgres: BTreeSet<&str> = postgres_facts
        .difference(&sqlite_facts)
        .map(String::as_str)
        .collect();
    let allowed_sqlite: BTreeSet<&str> = ALLOWED.iter().flat_map(|a| a.sqlite).copied().collect();
    let allowed_postgres: BTreeSet<&str> =
        ALLOWED.iter().flat_map(|a| a.postgres).copied().collect();
    assert!(ALLOWED.iter().all(|a| !a.reason.is_empty()));
    assert_eq!(
        only_sqlite, allowed_sqlite,
        "facts of the SQLite schema that PostgreSQL's lacks (left), against the allowed list (right)"
    );
    assert_eq!(
        only_postgres, allowed_postgres,
        "facts of the PostgreSQL schema that SQLite's lacks (left), against the allowed list (right)"
    );
}

/// The one vocabulary of column types. SQLite's by its affinity rules (a declared type holding
/// INT is integer; CHAR, CLOB or TEXT text; BLOB or none blob; REAL, FLOA or DOUB real).
fn sqlite_type(declared: &str) -> &'static str {
    let t = declared.to_ascii_uppercase();
    if t.contains("INT") {
        "integer"
    } else if t.contains("CHAR") || t.contains("CLOB") || t.contains("TEXT") {
        "text"
    } else if t.contains("BLOB") || t.is_empty() {
        "blob"
    } else if t.contains("REAL") || t.contains("FLOA") || t.contains("DOUB") {
        "real"
    } else {
        "numeric"
    }
}

fn postgres_type(data_type: &str) -> String {
    match data_type {
        "smallint" | "integer" | "bigint" => "integer".into(),
        "text" | "character varying" | "character" => "text".into(),
        "bytea" => "blob".into(),
        "real" | "double precision" => "real".into(),
        other => format!("unmapped {other}"),
    }
}

/// An index expression or predicate in a form both catalogues agree on: lower case, without
/// parentheses or `::text` casts, single spaces.
fn normalise(expression: &str) -> String {
    let mut s = expression.to_ascii_lowercase();
    for cast in ["::text", "::bigint", "::integer"] {
        s = s.replace(cast, "");
    }
    s.replace(['(', ')'], " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn index_fact(
    table: &str,
    name: &str,
    columns: &[String],
    unique: bool,
    predicate: &str,
) -> String {
    let mut fact = format!("index {table}.{name} ({})", columns.join(", "));
    if unique {
        fact.push_str(" unique");
    }
    if !predicate.is_empty() {
        fact.push_str(&format!(" where {predicate}"));
    }
    fact
}

fn foreign_key_fact(table: &str, from: &str, target: &str, to: &str, on_delete: &str) -> String {
    format!("foreign key {table} ({from}) references {target} ({to}) on delete {on_delete}")
}

/// The key parts and the predicate of a `CREATE INDEX … ON t (…) [WHERE …]` statement, split at
/// the top-level commas.
fn sqlite_index_parts(sql: &str) -> (Vec<String>, String) {
    let upper = sql.to_ascii_uppercase();
    let on = upper.find(" ON ").unwrap();
    let open = on + sql[on..].find('(').unwrap();
    let mut depth = 0;
    let mut parts = Vec::new();
    let mut start = open + 1;
    let mut close = open;
    for (i, c) in sql[open..].char_indices() {
        let at = open + i;
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    parts.push(sql[start..at].trim().to_owned());
                    close = at;
                    break;
                }
            }
            ',' if depth == 1 => {
                parts.push(sql[start..at].trim().to_owned());
                start = at + 1;
            }
            _ => {}
        }
    }
    let rest = sql[close + 1..].trim();
    let predicate = if rest.to_ascii_uppercase().starts_with("WHERE") {
        normalise(&rest[5..])
    } else {
        String::new()
    };
    (parts, predicate)
}

async fn sqlite_schema(db: &Db) -> BTreeSet<String> {
    let pool = db.pool();
    let mut facts = BTreeSet::new();
    // sqlite_* tables are SQLite's own (sqlite_sequence backs AUTOINCREMENT); _sqlx_migrations
    // is the migrator's, on both sides.
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table' \
         AND name NOT LIKE 'sqlite_%' AND name <> '_sqlx_migrations'",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    for table in &tables {
        facts.insert(format!("table {table}"));
        let columns: Vec<(String, String, i64, i64)> = sqlx::query_as(
            "SELECT name, type, \"notnull\", pk FROM pragma_table_info($1) ORDER BY cid",
        )
        .bind(table)
        .fetch_all(pool)
        .await
        .unwrap();
        let mut key: Vec<(i64, String)> = Vec::new();
        for (name, _, _, pk) in &columns {
            if *pk > 0 {
                key.push((*pk, name.clone()));
            }
        }
        // The rowid alias (a lone INTEGER PRIMARY KEY) can never be NULL, whatever the pragma says.
        let rowid_alias = key.len() == 1
            && columns
                .iter()
                .any(|(_, declared, _, pk)| *pk == 1 && declared.eq_ignore_ascii_case("INTEGER"));
        for (name, declared, not_null, pk) in &columns {
            let not_null = *not_null != 0 || (rowid_alias && *pk == 1);
            facts.insert(format!(
                "column {table}.{name}: {}, {}",
                sqlite_type(declared),
                if not_null { "not null" } else { "null" }
            ));
        }
        key.sort();
        if !key.is_empty() {
            let key: Vec<String> = key.into_iter().map(|(_, c)| c).collect();
            facts.insert(format!("primary key {table} ({})", key.join(", ")));
        }

        let references: Vec<(i64, String, String, String, String)> = sqlx::query_as(
            "SELECT id, \"table\", \"from\", \"to\", on_delete \
             FROM pragma_foreign_key_list($1) ORDER BY id, seq",
        )
        .bind(table)
        .fetch_all(pool)
        .await
        .unwrap();
        let mut by_id: BTreeMap<i64, (String, Vec<String>, Vec<String>, String)> = BTreeMap::new();
        for (id, target, from, to, on_delete) in references {
            let entry = by_id.entry(id).or_insert_with(|| {
                (
                    target,
                    Vec::new(),
                    Vec::new(),
                    on_delete.to_ascii_lowercase(),
                )
            });
            entry.1.push(from);
            entry.2.push(to);
        }
        for (target, from, to, on_delete) in by_id.into_values() {
            facts.insert(foreign_key_fact(
                table,
                &from.join(", "),
                &target,
                &to.join(", "),
                &on_delete,
            ));
        }

        let indexes: Vec<(String, i64, String, i64)> =
            sqlx::query_as("SELECT name, \"unique\", origin, partial FROM pragma_index_list($1)")
                .bind(table)
                .fetch_all(pool)
                .await
                .unwrap();
        for (index, unique, origin, _partial) in indexes {
            let info: Vec<(i64, i64, Option<String>)> =
                sqlx::query_as("SELECT seqno, cid, name FROM pragma_index_info($1) ORDER BY seqno")
                    .bind(&index)
                    .fetch_all(pool)
                    .await
                    .unwrap();
            match origin.as_str() {
                // The primary key's own index: the key is read from the table above.
                "pk" => {}
                "u" => {
                    let columns: Vec<String> =
                        info.into_iter().map(|(_, _, n)| n.unwrap()).collect();
                    facts.insert(format!("unique {table} ({})", columns.join(", ")));
                }
                _ => {
                    let sql: String =
                        sqlx::query_scalar("SELECT sql FROM sqlite_master WHERE name = $1")
                            .bind(&index)
                            .fetch_one(pool)
                            .await
                            .unwrap();
                    let (parts, predicate) = sqlite_index_parts(&sql);
                    assert_eq!(parts.len(), info.len(), "{sql}");
                    let columns: Vec<String> = info
                        .into_iter()
                        .zip(parts)
                        .map(|((_, _, name), part)| match name {
                            Some(name) => name,
                            None => normalise(&part),
                        })
                        .collect();
                    facts.insert(index_fact(table, &index, &columns, unique != 0, &predicate));
                }
            }
        }
    }
    let triggers: Vec<(String, String)> =
        sqlx::query_as("SELECT name, tbl_name FROM sqlite_master WHERE type = 'trigger'")
            .fetch_all(pool)
            .await
            .unwrap();
    for (name, table) in triggers {
        facts.insert(format!("trigger {table}.{name}"));
    }
    facts
}

async fn postgres_schema(db: &Db) -> BTreeSet<String> {
    let pool = db.pool();
    let mut facts = BTreeSet::new();
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT table_name::text FROM information_schema.tables \
         WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' \
         AND table_name <> '_sqlx_migrations'",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    for table in &tables {
        facts.insert(format!("table {table}"));
        let columns: Vec<(String, String, String)> = sqlx::query_as(
            "SELECT column_name::text, data_type::text, is_nullable::text \
             FROM information_schema.columns \
             WHERE table_schema = current_schema() AND table_name = $1",
        )
        .bind(table)
        .fetch_all(pool)
        .await
        .unwrap();
        for (name, data_type, nullable) in columns {
            facts.insert(format!(
                "column {table}.{name}: {}, {}",
                postgres_type(&data_type),
                if nullable == "YES" {
                    "null"
                } else {
                    "not null"
                }
            ));
        }

        let constraints: Vec<(String, String)> = sqlx::query_as(
            "SELECT c.contype::text, \
                 array_to_string(ARRAY(SELECT a.attname::text \
                     FROM unnest(c.conkey) WITH ORDINALITY AS k(attnum, ord) \
                     JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum \
                     ORDER BY k.ord), ', ') \
             FROM pg_constraint c \
             WHERE c.conrelid = $1::regclass AND c.contype IN ('p', 'u')",
        )
        .bind(table)
        .fetch_all(pool)
        .await
        .unwrap();
        for (kind, columns) in constraints {
            let what = if kind == "p" { "primary key" } else { "unique" };
            facts.insert(format!("{what} {table} ({columns})"));
        }

        let references: Vec<(String, String, String, String)> = sqlx::query_as(
            "SELECT array_to_string(ARRAY(SELECT a.attname::text \
                     FROM unnest(c.conkey) WITH ORDINALITY AS k(attnum, ord) \
                     JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum \
                     ORDER BY k.ord), ', '), \
                 t.relname::text, \
                 array_to_string(ARRAY(SELECT a.attname::text \
                     FROM unnest(c.confkey) WITH ORDINALITY AS k(attnum, ord) \
                     JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.attnum \
                     ORDER BY k.ord), ', '), \
                 CASE c.confdeltype WHEN 'a' THEN 'no action' WHEN 'r' THEN 'restrict' \
                     WHEN 'c' THEN 'cascade' WHEN 'n' THEN 'set null' ELSE 'set default' END \
             FROM pg_constraint c JOIN pg_class t ON t.oid = c.confrelid \
             WHERE c.conrelid = $1::regclass AND c.contype = 'f'",
        )
        .bind(table)
        .fetch_all(pool)
        .await
        .unwrap();
        for (from, target, to, on_delete) in references {
            facts.insert(foreign_key_fact(table, &from, &target, &to, &on_delete));
        }

        // Indexes of their own, not those behind a primary key or unique constraint.
        let indexes: Vec<(String, i64, i64, i64, String)> = sqlx::query_as(
            "SELECT i.relname::text, ix.indisunique::int4::int8, ix.indnkeyatts::int8, \
                 ix.indnatts::int8, COALESCE(pg_get_expr(ix.indpred, ix.indrelid), '') \
             FROM pg_index ix JOIN pg_class i ON i.oid = ix.indexrelid \
             WHERE ix.indrelid = $1::regclass \
             AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = ix.indexrelid)",
        )
        .bind(table)
        .fetch_all(pool)
        .await
        .unwrap();
        for (index, unique, keys, all, predicate) in indexes {
            let parts: Vec<String> = sqlx::query_scalar(
                "SELECT pg_get_indexdef($1::regclass, n::int4, true) \
                 FROM generate_series(1, $2::int4) AS n ORDER BY n",
            )
            .bind(&index)
            .bind(all)
            .fetch_all(pool)
            .await
            .unwrap();
            let keys = usize::try_from(keys).unwrap();
            let columns: Vec<String> = parts[..keys].iter().map(|p| normalise(p)).collect();
            facts.insert(index_fact(
                table,
                &index,
                &columns,
                unique != 0,
                &normalise(&predicate),
            ));
            if parts.len() > keys {
                facts.insert(format!(
                    "index {table}.{index} include ({})",
                    parts[keys..].join(", ")
                ));
            }
        }
    }
    let triggers: Vec<(String, String)> = sqlx::query_as(
        "SELECT t.tgname::text, c.relname::text FROM pg_trigger t \
         JOIN pg_class c ON c.oid = t.tgrelid WHERE NOT t.tgisinternal",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    for (name, table) in triggers {
        facts.insert(format!("trigger {table}.{name}"));
    }
    facts
}
