//! Social-media handles: the bare name, lower-case, without `@` and *without* the platform.

use super::url::{analyse_url, looks_like_url};
use super::{Found, Kind, char_before, re};
use regex::Regex;
use std::sync::LazyLock;

/// A social-media handle: the bare name, lower-case, without `@` and without the platform
/// (`instagram: @Anna_X`, `anna_x (TikTok)`, `https://instagram.com/anna_x` → `anna_x`).
pub fn normalise_handle(raw: &str) -> Option<String> {
    let t = raw.trim();
    if looks_like_url(t) {
        return analyse_url(t, false)?.handle;
    }
    // Drop "(instagram)" / "[tiktok]" notes, then a "platform:" prefix.
    let mut plain = String::with_capacity(t.len());
    let mut depth = 0usize;
    for c in t.chars() {
        match c {
            '(' | '[' => depth += 1,
            ')' | ']' => depth = depth.saturating_sub(1),
            _ if depth == 0 => plain.push(c),
            _ => {}
        }
    }
    let after_colon = plain
        .rsplit_once(':')
        .map_or(plain.as_str(), |(_, after)| after);
    let mut words = after_colon.split_whitespace().filter(|w| {
        let w = w
            .trim_matches(|c: char| !c.is_alphanumeric())
            .to_lowercase();
        !w.is_empty() && !PLATFORM_WORDS.contains(&w.as_str())
    });
    let name = words.next()?;
    if words.next().is_some() {
        return None;
    }
    clean_handle(name)
}

/// Words around a handle that name the platform, not the person.
const PLATFORM_WORDS: [&str; 48] = [
    "instagram",
    "insta",
    "ig",
    "snapchat",
    "snap",
    "sc",
    "tiktok",
    "telegram",
    "tg",
    "facebook",
    "fb",
    "messenger",
    "twitter",
    "x",
    "threads",
    "onlyfans",
    "of",
    "fansly",
    "whatsapp",
    "wa",
    "signal",
    "kik",
    "discord",
    "wechat",
    "line",
    "vk",
    "viber",
    "skype",
    "reddit",
    "youtube",
    "linkedin",
    "twitch",
    "on",
    "sur",
    "auf",
    "op",
    "via",
    "en",
    "at",
    "bei",
    "handle",
    "user",
    "username",
    "pseudo",
    "profile",
    "profil",
    "account",
    "compte",
];

pub(super) static HANDLE_IN_TEXT: LazyLock<Option<Regex>> =
    LazyLock::new(|| re(r"@([\p{L}\p{N}_](?:[\p{L}\p{N}_.\-]{0,62}[\p{L}\p{N}_])?)"));

/// A bare handle, lower-case, without `@`/`$`; `None` unless made of letters, digits, `.`, `_`
/// and `-` with at least one letter or digit.
pub(super) fn clean_handle(name: &str) -> Option<String> {
    let name = name.trim().trim_end_matches(['.', ',', ';', '!', '?']);
    let name = name
        .strip_prefix('@')
        .or_else(|| name.strip_prefix('$'))
        .unwrap_or(name);
    let n = name.chars().count();
    let ok = (1..=64).contains(&n)
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || "._-".contains(c))
        && name.chars().any(char::is_alphanumeric);
    ok.then(|| name.to_lowercase())
}

pub(super) fn find_handles(text: &str) -> Vec<Found> {
    let Some(handle_re) = HANDLE_IN_TEXT.as_ref() else {
        return Vec::new();
    };
    handle_re
        .captures_iter(text)
        .filter_map(|c| {
            let whole = c.get(0)?;
            let name = c.get(1)?;
            if char_before(text, whole.start())
                .is_some_and(|ch| ch.is_alphanumeric() || "_.@/".contains(ch))
                || !name.as_str().chars().any(char::is_alphabetic)
            {
                return None;
            }
            let value = clean_handle(name.as_str())?;
            Some(Found {
                start: whole.start(),
                end: whole.end(),
                kind: Kind::Handle,
                value,
                shown: whole.as_str().to_owned(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handles() {
        for raw in [
            "@Anna_X",
            "anna_x",
            " ANNA_X ",
            "instagram: @anna_x",
            "Instagram:anna_x",
            "anna_x (TikTok)",
            "@anna_x on snapchat",
            "https://www.instagram.com/anna_x/",
            "IG @Anna_X.",
        ] {
            assert_eq!(normalise_handle(raw).as_deref(), Some("anna_x"), "{raw}");
        }
        for bad in [
            "",
            "@",
            "anna maria",
            "two words here",
            "a/b c",
            "@@",
            "anna!x",
        ] {
            assert_eq!(normalise_handle(bad), None, "{bad}");
        }
    }
}
