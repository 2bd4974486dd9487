//! The layers point one way: every `crate::` path in `src/` (in `use` lines and inline, code
//! only, comments left out) must name a room that `tipline::LAYERS` allows the room it is
//! written in to use. The table itself must point one way (a room only uses rooms listed before
//! it) and name every top-level module.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use tipline::LAYERS;

/// One use of a room by another.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Edge {
    from: String,
    to: String,
    file: String,
    line: usize,
    path: String,
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The code of a Rust file with comments blanked out (strings and characters kept, so that a
/// `//` inside a string does not hide the rest of the line); line breaks stay where they were.
fn code_only(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let blank = |c: char| if c == '\n' { '\n' } else { ' ' };
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                out.push(' ');
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut depth = 0;
            while i < chars.len() {
                if chars[i] == '/' && chars.get(i + 1) == Some(&'*') {
                    depth += 1;
                    out.push_str("  ");
                    i += 2;
                } else if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    out.push_str("  ");
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    out.push(blank(chars[i]));
                    i += 1;
                }
            }
        } else if c == 'r' && (next == Some('"') || next == Some('#')) {
            // A raw string: r"…", r#"…"#, …
            let mut j = i + 1;
            let mut hashes = 0;
            while chars.get(j) == Some(&'#') {
                hashes += 1;
                j += 1;
            }
            if chars.get(j) != Some(&'"') {
                out.push(c);
                i += 1;
                continue;
            }
            let end: String = std::iter::once('"')
                .chain(std::iter::repeat_n('#', hashes))
                .collect();
            let rest: String = chars[j + 1..].iter().collect();
            let len = rest.find(&end).map_or(rest.len(), |k| k + end.len());
            let stop = j + 1 + rest[..len].chars().count();
            out.extend(chars[i..stop].iter());
            i = stop;
        } else if c == '"' {
            out.push(c);
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                if chars[i] == '\\' {
                    out.push(chars[i]);
                    i += 1;
                }
                if i < chars.len() {
                    out.push(chars[i]);
                    i += 1;
                }
            }
            if i < chars.len() {
                out.push('"');
                i += 1;
            }
        } else if c == '\'' && (chars.get(i + 2) == Some(&'\'') || next == Some('\\')) {
            // A character literal ('"', '\''), not a lifetime.
            let mut j = i + 1;
            if chars[j] == '\\' {
                j += 1;
            }
            j += 1;
            while j < chars.len() && chars[j] != '\'' {
                j += 1;
            }
            let stop = (j + 1).min(chars.len());
            out.extend(chars[i..stop].iter());
            i = stop;
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

/// The first identifier of each item of a `{…}` group (`{a::b, c, d::{e, f}}` → a, c, d).
fn group_heads(group: &str) -> Vec<String> {
    let mut heads = Vec::new();
    let mut depth = 0;
    let mut item = String::new();
    for c in group.chars() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                heads.push(std::mem::take(&mut item));
                continue;
            }
            _ => {}
        }
        item.push(c);
    }
    heads.push(item);
    heads
        .iter()
        .filter_map(|i| {
            let head: String = i
                .trim()
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            (!head.is_empty()).then_some(head)
        })
        .collect()
}

/// Every room named by a path in `code`, with the line and the path as written. `module` is
/// the module path of the file (for `super::`).
fn rooms_named(code: &str, module: &[String]) -> Vec<(String, usize, String)> {
    let line_of = |at: usize| code[..at].matches('\n').count() + 1;
    let mut found = Vec::new();
    let bytes = code.as_bytes();
    let is_ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let mut at = 0;
    while at < code.len() {
        let Some(k) = code[at..].find("crate::").map(|k| at + k) else {
            break;
        };
        at = k + "crate::".len();
        if k > 0 && (is_ident(bytes[k - 1]) || bytes[k - 1] == b':') {
            continue; // `$crate::`, `my_crate::`, `::crate::`…
        }
        let rest = &code[at..];
        if rest.starts_with('{') {
            let mut depth = 0;
            let end = rest
                .char_indices()
                .find(|&(_, c)| {
                    match c {
                        '{' => depth += 1,
                        '}' => depth -= 1,
                        _ => {}
                    }
                    depth == 0
                })
                .map_or(rest.len(), |(i, _)| i);
            for head in group_heads(&rest[1..end]) {
                let shown = format!("crate::{{… {head} …}}");
                found.push((head, line_of(k), shown));
            }
        } else {
            let head: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            let shown: String = code[k..]
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
                .collect();
            found.push((head, line_of(k), shown));
        }
    }
    // `super::super::x` leaving the room it is written in.
    let mut at = 0;
    while let Some(k) = code[at..].find("super::").map(|k| at + k) {
        at = k + 1;
        if k > 0 && (is_ident(bytes[k - 1]) || bytes[k - 1] == b':') {
            continue;
        }
        let mut ups = 0;
        let mut rest = &code[k..];
        while let Some(r) = rest.strip_prefix("super::") {
            ups += 1;
            rest = r;
        }
        at = code.len() - rest.len();
        if ups >= module.len() {
            let head: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            found.push((head, line_of(k), code[k..at].to_owned() + "…"));
        }
    }
    found
}

/// Every use of one room by another in `src/`.
fn edges(src: &Path) -> Vec<Edge> {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    let mut edges = Vec::new();
    for file in files {
        let rel = file.strip_prefix(src).unwrap();
        let mut module: Vec<String> = rel
            .with_extension("")
            .iter()
            .map(|c| c.to_string_lossy().into_owned())
            .collect();
        if module.last().is_some_and(|m| m == "mod") {
            module.pop();
        }
        if module == ["lib"] || module == ["main"] {
            continue; // the crate root declares the rooms
        }
        let from = module[0].clone();
        let code = code_only(&std::fs::read_to_string(&file).unwrap());
        for (to, line, path) in rooms_named(&code, &module) {
            // Only rooms count: `super::x` inside a file's own `mod tests` names an item.
            let is_room = LAYERS.iter().any(|(room, _)| *room == to);
            if to != from && is_room {
                edges.push(Edge {
                    from: from.clone(),
                    to,
                    file: format!("src/{}", rel.display()),
                    line,
                    path,
                });
            }
        }
    }
    edges
}

fn allowed(from: &str, to: &str) -> bool {
    LAYERS
        .iter()
        .find(|(room, _)| *room == from)
        .is_some_and(|(_, uses)| uses.contains(&to))
}

#[test]
fn the_table_of_layers_points_one_way_and_names_every_room() {
    let mut seen: Vec<&str> = Vec::new();
    for (room, uses) in LAYERS {
        assert!(!seen.contains(room), "{room} is listed twice in LAYERS");
        for used in *uses {
            assert!(
                seen.contains(used),
                "LAYERS lets {room} use {used}, which is not listed before it"
            );
        }
        seen.push(room);
    }
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut rooms = BTreeSet::new();
    for entry in std::fs::read_dir(&src).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        if path.is_dir() || (path.extension().is_some_and(|e| e == "rs")) {
            rooms.insert(name);
        }
    }
    rooms.remove("lib");
    rooms.remove("main");
    let missing: Vec<&String> = rooms
        .iter()
        .filter(|r| !seen.contains(&r.as_str()))
        .collect();
    assert!(
        missing.is_empty(),
        "top-level modules missing from LAYERS in src/lib.rs: {missing:?}"
    );
}

#[test]
fn no_room_uses_a_room_above_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let forbidden: Vec<Edge> = edges(&src)
        .into_iter()
        .filter(|e| !allowed(&e.from, &e.to))
        .collect();
    let pairs: BTreeSet<(String, String)> = forbidden
        .iter()
        .map(|e| (e.from.clone(), e.to.clone()))
        .collect();
    let mut report = String::new();
    for (from, to) in &pairs {
        report.push_str(&format!("\n{from} → {to}:"));
        for e in forbidden.iter().filter(|e| &e.from == from && &e.to == to) {
            report.push_str(&format!("\n    {}:{}  {}", e.file, e.line, e.path));
        }
    }
    assert!(
        forbidden.is_empty(),
        "{} forbidden edges between rooms ({} uses); allowed edges are in LAYERS, src/lib.rs:{report}",
        pairs.len(),
        forbidden.len()
    );
}

#[test]
fn the_scanner_sees_paths_in_code_and_not_in_comments_or_strings() {
    let code = code_only(
        "use crate::{a::b, c};\n// crate::d\nlet s = \"http://x\"; crate::e::f();\n/* crate::g */ let c = '\"'; crate::h::i;\n",
    );
    let heads: Vec<String> = rooms_named(&code, &["x".to_owned()])
        .into_iter()
        .map(|(room, _, _)| room)
        .collect();
    assert_eq!(heads, ["a", "c", "e", "h"]);
    let up = rooms_named(
        &code_only("use super::super::store::Db;"),
        &["app".to_owned(), "x".to_owned()],
    );
    assert_eq!(up.len(), 1);
    assert_eq!(up[0].0, "store");
    assert!(edges_are_rooms_only());
}

/// Items named through `super::` or at the crate root (`crate::LAYERS`) are not rooms.
fn edges_are_rooms_only() -> bool {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    edges(&src)
        .iter()
        .all(|e| LAYERS.iter().any(|(room, _)| *room == e.to))
}
