//! TOTP second factor (RFC 6238: SHA-1, 6 digits, 30 s) with replay protection.
//!
//! `totp-rs` computes the codes; the window (the current step ±1) and the replay rule (a step
//! is accepted at most once, and never one at or before the last accepted step) are handled
//! here so they are exact. Time is always a parameter.

use crate::types::xml;
use qrcode::render::{Renderer, svg};
use qrcode::{EcLevel, QrCode};
use rand::RngCore;
use std::fmt::Write as _;
use subtle::{Choice, ConstantTimeEq};
use totp_rs::{Algorithm, Builder, Totp};
use zeroize::Zeroizing;

/// Digits in a code.
const DIGITS: usize = 6;
/// Seconds in a step.
const STEP_SECONDS: i64 = 30;
/// Steps accepted either side of the current one, for clock drift.
const SKEW_STEPS: i64 = 1;
/// Bytes in a generated secret (160 bits, as RFC 4226 recommends).
const GENERATED_LEN: usize = 20;
/// Smallest secret accepted (128 bits, RFC 4226's minimum and `totp-rs`'s).
const MIN_LEN: usize = 16;
/// Largest secret accepted.
const MAX_LEN: usize = 64;
/// Modules of light border around the QR code (the standard's quiet zone).
const QUIET_ZONE: usize = 4;

/// A TOTP secret (20 random bytes), wiped on drop, Debug redacted.
pub struct TotpSecret(Zeroizing<Vec<u8>>);

impl std::fmt::Debug for TotpSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TotpSecret(<redacted>)")
    }
}

impl TotpSecret {
    /// A new random secret of 20 bytes.
    pub fn generate() -> Self {
        let mut bytes = Zeroizing::new(vec![0u8; GENERATED_LEN]);
        rand::rng().fill_bytes(&mut bytes);
        Self(bytes)
    }

    /// A secret from stored bytes; `None` unless 16..=64 bytes. The bytes are wiped either way.
    pub fn from_bytes(bytes: Vec<u8>) -> Option<Self> {
        let bytes = Zeroizing::new(bytes);
        (MIN_LEN..=MAX_LEN)
            .contains(&bytes.len())
            .then_some(Self(bytes))
    }

    /// The raw secret, to store (encrypted).
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// Base32 (RFC 4648, no padding) in groups of 4 for manual entry, e.g. "JBSW Y3DP ...".
    pub fn display_base32(&self) -> String {
        let plain = Zeroizing::new(data_encoding::BASE32_NOPAD.encode(&self.0));
        let mut out = String::with_capacity(plain.len() + plain.len() / 4);
        for (i, c) in plain.chars().enumerate() {
            if i > 0 && i % 4 == 0 {
                out.push(' ');
            }
            out.push(c);
        }
        out
    }

    /// The `totp-rs` generator for this secret: SHA-1, 6 digits, 30 s steps, no skew (the
    /// window is ours).
    fn totp(&self) -> Totp {
        // `build()` would only re-check what `TotpSecret` already guarantees (16..=64 bytes,
        // 6 digits, a non-zero step); a test checks that it agrees.
        builder(&self.0).build_noncompliant()
    }
}

fn builder(secret: &[u8]) -> Builder {
    Builder::new()
        .with_algorithm(Algorithm::SHA1)
        .with_digits(DIGITS as u8)
        .with_skew(0)
        .with_step_duration(STEP_SECONDS as u64)
        .with_secret(secret)
}

/// Percent-encodes everything but RFC 3986's unreserved characters.
fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// otpauth://totp/ISSUER:ACCOUNT?secret=...&issuer=...&algorithm=SHA1&digits=6&period=30
/// (percent-encoded)
pub fn provisioning_uri(secret: &TotpSecret, issuer: &str, account: &str) -> String {
    let base32 = Zeroizing::new(data_encoding::BASE32_NOPAD.encode(&secret.0));
    let issuer = percent_encode(issuer);
    let account = percent_encode(account);
    format!(
        "otpauth://totp/{issuer}:{account}?secret={}&issuer={issuer}&algorithm=SHA1&digits={DIGITS}&period={STEP_SECONDS}",
        base32.as_str()
    )
}

/// The QR code of `uri` as a standalone inline <svg> element (no XML prolog, no width/height
/// fixed in px beyond a viewBox so CSS can size it, dark modules #000 on #fff, with role="img"
/// and an aria-label attribute set to `label`, which the caller passes already translated).
///
/// The code has error correction level M and a 4-module quiet zone, drawn by the `qrcode`
/// crate's SVG renderer (one unit a module); only the root element's attributes are changed
/// here. Should `uri` be too long for any QR code (thousands of bytes; provisioning URIs are far
/// shorter), the result is an empty white square with the same attributes.
pub fn qr_svg(uri: &str, label: &str) -> String {
    let code = QrCode::with_error_correction_level(uri.as_bytes(), EcLevel::M).ok();
    let modules = code.as_ref().map_or(0, QrCode::width);
    let colors = code.as_ref().map(QrCode::to_colors).unwrap_or_default();
    let size = modules + 2 * QUIET_ZONE;
    let drawn = Renderer::<svg::Color<'_>>::new(&colors, modules, QUIET_ZONE as u32)
        .module_dimensions(1, 1)
        .dark_color(svg::Color("#000"))
        .light_color(svg::Color("#fff"))
        .build();
    // The renderer writes an XML prolog (not allowed inline in HTML) and a size in px.
    let element = drawn
        .split_once("?>")
        .map_or(drawn.as_str(), |(_, rest)| rest);
    element.replacen(
        &format!(r#" width="{size}" height="{size}" viewBox="#),
        &format!(
            r#" role="img" aria-label="{}" viewBox="#,
            xml::escape(label)
        ),
        1,
    )
}

/// The 6 digits of a code typed by a person, without its spaces; `None` unless exactly that.
fn normalise(code: &str) -> Option<[u8; DIGITS]> {
    let mut digits = [0u8; DIGITS];
    let mut n = 0;
    for c in code.chars().filter(|c| !c.is_whitespace()) {
        if !c.is_ascii_digit() || n == DIGITS {
            return None;
        }
        digits[n] = c as u8;
        n += 1;
    }
    (n == DIGITS).then_some(digits)
}

/// The code of one step (`step` ≥ 0).
fn code_of_step(totp: &Totp, step: i64) -> Zeroizing<String> {
    let time = u64::try_from(step)
        .unwrap_or(0)
        .saturating_mul(STEP_SECONDS as u64);
    Zeroizing::new(totp.generate(time).to_string())
}

/// Checks a 6-digit code typed by a person (spaces ignored) at `unix_time`, accepting the
/// current step and ±1 step for clock drift. `last_step` is the step of the last accepted
/// code: any step ≤ it is refused (replay). Returns the matched step to store as the new
/// `last_step`.
///
/// All steps of the window are computed and compared in constant time; should a code match
/// more than one usable step, the latest is returned, so the code cannot be used again.
pub fn verify(
    secret: &TotpSecret,
    code: &str,
    unix_time: i64,
    last_step: Option<i64>,
) -> Option<i64> {
    let typed = normalise(code)?;
    let totp = secret.totp();
    let current = unix_time.div_euclid(STEP_SECONDS);
    let mut matched: Option<i64> = None;
    for step in current.saturating_sub(SKEW_STEPS)..=current.saturating_add(SKEW_STEPS) {
        if step < 0 {
            continue;
        }
        let expected = code_of_step(&totp, step);
        let same: Choice = expected.as_bytes().ct_eq(&typed[..]);
        let fresh = last_step.is_none_or(|last| step > last);
        if bool::from(same) && fresh {
            matched = Some(step);
        }
    }
    matched
}

/// The code for `unix_time` (for tests and the enrolment check). Times before 1970 are taken
/// as 1970.
pub fn code_at(secret: &TotpSecret, unix_time: i64) -> String {
    let step = unix_time.max(0).div_euclid(STEP_SECONDS);
    String::clone(&code_of_step(&secret.totp(), step))
}

#[cfg(test)]
mod tests {
    use super::*;
    use qrcode::Color;

    /// RFC 6238 appendix B's SHA-1 secret.
    fn rfc_secret() -> TotpSecret {
        TotpSecret::from_bytes(b"12345678901234567890".to_vec()).expect("20 bytes")
    }

    #[test]
    fn rfc6238_sha1_vectors() {
        let secret = rfc_secret();
        // Appendix B gives 8 digits; the 6-digit code is the last 6 of them.
        for (time, eight) in [
            (59, "94287082"),
            (1_111_111_109, "07081804"),
            (1_111_111_111, "14050471"),
            (1_234_567_890, "89005924"),
            (2_000_000_000, "69279037"),
            (20_000_000_000, "65353130"),
        ] {
            assert_eq!(code_at(&secret, time), eight[2..], "time {time}");
        }
        assert_eq!(code_at(&secret, 59), "287082");
        assert_eq!(code_at(&secret, 1_111_111_109), "081804");
    }

    #[test]
    fn accepts_own_code_and_returns_step() {
        let secret = rfc_secret();
        assert_eq!(verify(&secret, "287082", 59, None), Some(1));
        assert_eq!(
            verify(&secret, "081804", 1_111_111_109, None),
            Some(37_037_036)
        );
    }

    #[test]
    fn window_is_plus_minus_one_step() {
        let secret = TotpSecret::generate();
        let now = 1_700_000_015; // inside step 56_666_667
        let step = now / 30;
        for delta in [-1, 0, 1] {
            let code = code_at(&secret, now + delta * 30);
            assert_eq!(
                verify(&secret, &code, now, None),
                Some(step + delta),
                "Δ{delta}"
            );
        }
        for delta in [-3, -2, 2, 3] {
            let code = code_at(&secret, now + delta * 30);
            // A random collision with a code in the window is possible (1 in 10⁶ per step);
            // the RFC secret below gives a deterministic check.
            if (-1..=1).all(|d| code_at(&secret, now + d * 30) != code) {
                assert_eq!(verify(&secret, &code, now, None), None, "Δ{delta}");
            }
        }
        let rfc = rfc_secret();
        assert_eq!(verify(&rfc, "287082", 59 + 60, None), None);
        assert_eq!(verify(&rfc, "287082", 59 - 60, None), None);
        assert_eq!(verify(&rfc, "287082", 59 + 30, None), Some(1));
        assert_eq!(verify(&rfc, "287082", 59 - 30, None), Some(1));
    }

    #[test]
    fn step_edges_follow_unix_time() {
        let secret = rfc_secret();
        // Step 1 is [30, 60); 90 is step 3, too far.
        assert_eq!(verify(&secret, "287082", 30, None), Some(1));
        assert_eq!(verify(&secret, "287082", 89, None), Some(1));
        assert_eq!(verify(&secret, "287082", 90, None), None);
        // Step 0 at time 0: the window's step -1 does not exist and is skipped.
        let at_zero = code_at(&secret, 0);
        assert_eq!(verify(&secret, &at_zero, 0, None), Some(0));
        assert_eq!(verify(&secret, &at_zero, -1, None), Some(0));
        assert_eq!(code_at(&secret, -100), at_zero);
    }

    #[test]
    fn replay_of_same_step_refused() {
        let secret = TotpSecret::generate();
        let now = 1_700_000_000;
        let code = code_at(&secret, now);
        let step = verify(&secret, &code, now, None).expect("first use");
        assert_eq!(verify(&secret, &code, now, Some(step)), None);
        assert_eq!(verify(&secret, &code, now + 29, Some(step)), None);
    }

    #[test]
    fn earlier_step_after_later_one_refused() {
        let secret = TotpSecret::generate();
        let now = 1_700_000_000;
        let later = code_at(&secret, now + 30);
        let earlier = code_at(&secret, now);
        let step = verify(&secret, &later, now, None).expect("later code");
        assert_eq!(step, now / 30 + 1);
        if earlier != later {
            assert_eq!(verify(&secret, &earlier, now, Some(step)), None);
        }
        // The next step is still good after that.
        let next = code_at(&secret, now + 60);
        assert_eq!(verify(&secret, &next, now + 60, Some(step)), Some(step + 1));
    }

    #[test]
    fn newer_step_than_last_accepted() {
        let secret = rfc_secret();
        assert_eq!(verify(&secret, "287082", 59, Some(0)), Some(1));
        assert_eq!(verify(&secret, "287082", 59, Some(1)), None);
        assert_eq!(verify(&secret, "287082", 59, Some(2)), None);
    }

    #[test]
    fn spaces_in_code_ignored() {
        let secret = rfc_secret();
        for typed in [
            "287 082",
            " 287082 ",
            "2 8 7 0 8 2",
            "287\u{a0}082",
            "\t287082\n",
        ] {
            assert_eq!(verify(&secret, typed, 59, None), Some(1), "{typed:?}");
        }
    }

    #[test]
    fn malformed_codes_refused() {
        let secret = rfc_secret();
        for typed in [
            "",
            "28708",
            "2870822",
            "94287082",
            "28708a",
            "+87082",
            "-87082",
            "287-082",
            "２８７０８２", // full-width digits
            "      ",
        ] {
            assert_eq!(verify(&secret, typed, 59, None), None, "{typed:?}");
        }
    }

    #[test]
    fn secret_lengths() {
        assert!(TotpSecret::from_bytes(vec![7; 15]).is_none());
        assert!(TotpSecret::from_bytes(vec![7; 65]).is_none());
        assert!(TotpSecret::from_bytes(Vec::new()).is_none());
        for len in [16, 20, 64] {
            let secret = TotpSecret::from_bytes(vec![7; len]).expect("valid length");
            assert_eq!(secret.as_bytes(), vec![7; len]);
            // totp-rs's own checks agree with ours.
            assert!(builder(secret.as_bytes()).build().is_ok(), "{len}");
        }
        let generated = TotpSecret::generate();
        assert_eq!(generated.as_bytes().len(), 20);
        assert_ne!(generated.as_bytes(), TotpSecret::generate().as_bytes());
    }

    #[test]
    fn debug_is_redacted() {
        let secret = rfc_secret();
        let shown = format!("{secret:?}");
        assert_eq!(shown, "TotpSecret(<redacted>)");
    }

    #[test]
    fn base32_display_groups_and_round_trips() {
        let secret =
            TotpSecret::from_bytes(b"Hello!\xde\xad\xbe\xefHello!\xde\xad\xbe\xef".to_vec())
                .expect("20 bytes");
        let shown = secret.display_base32();
        assert_eq!(shown, "JBSW Y3DP EHPK 3PXP JBSW Y3DP EHPK 3PXP");
        let compact: String = shown.chars().filter(|c| *c != ' ').collect();
        let decoded = data_encoding::BASE32_NOPAD
            .decode(compact.as_bytes())
            .expect("base32");
        assert_eq!(decoded, secret.as_bytes());

        for _ in 0..20 {
            let random = TotpSecret::generate();
            let shown = random.display_base32();
            assert!(shown.split(' ').all(|g| (1..=4).contains(&g.len())));
            let compact: String = shown.chars().filter(|c| *c != ' ').collect();
            let decoded = data_encoding::BASE32_NOPAD
                .decode(compact.as_bytes())
                .expect("base32");
            assert_eq!(decoded, random.as_bytes());
        }
    }

    #[test]
    fn provisioning_uri_format() {
        let secret = rfc_secret();
        let uri = provisioning_uri(&secret, "Tipline", "alice");
        assert_eq!(
            uri,
            "otpauth://totp/Tipline:alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Tipline\
             &algorithm=SHA1&digits=6&period=30"
        );
    }

    #[test]
    fn provisioning_uri_percent_encodes_names() {
        let secret = rfc_secret();
        let uri = provisioning_uri(&secret, "Hotline: North", "alice smith:ops");
        assert!(
            uri.starts_with("otpauth://totp/Hotline%3A%20North:alice%20smith%3Aops?"),
            "{uri}"
        );
        assert!(uri.contains("&issuer=Hotline%3A%20North&"), "{uri}");
        assert!(
            uri.contains("secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&"),
            "{uri}"
        );
        assert!(!uri.contains(' '));
        // Exactly one unencoded colon after the scheme: the label separator.
        assert_eq!(uri["otpauth://".len()..].matches(':').count(), 1);

        let uri = provisioning_uri(&secret, "Tipline", "jürgen&co=1?#");
        assert!(uri.contains("Tipline:j%C3%BCrgen%26co%3D1%3F%23?"), "{uri}");
    }

    #[test]
    fn qr_svg_is_inline_and_labelled() {
        let secret = rfc_secret();
        let uri = provisioning_uri(&secret, "Tipline", "alice");
        let svg = qr_svg(&uri, r#"Scan "this" <code> & 'go'"#);
        assert!(svg.starts_with("<svg "), "{svg}");
        assert!(svg.ends_with("</svg>"));
        assert!(!svg.contains("<?xml"));
        assert!(svg.contains(r#"role="img""#));
        assert!(
            svg.contains(r#"aria-label="Scan &quot;this&quot; &lt;code&gt; &amp; &#39;go&#39;""#),
            "{svg}"
        );
        assert!(svg.contains(r#" viewBox="0 0 "#));
        let root = &svg[..svg.find('>').expect("root tag")];
        assert!(
            !root.contains("width") && !root.contains("height"),
            "{root}"
        );
        assert!(svg.contains(r##"fill="#000""##) && svg.contains(r##"fill="#fff""##));
        // Exactly three elements open: svg, rect, path.
        assert_eq!(svg.matches('<').count(), 4);
    }

    #[test]
    fn qr_svg_modules_match_the_code() {
        let uri = "otpauth://totp/T:a?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
        let svg = qr_svg(uri, "QR");
        let code = QrCode::with_error_correction_level(uri, EcLevel::M).expect("fits");
        let size = code.width() + 2 * QUIET_ZONE;
        assert!(svg.contains(&format!(r#"viewBox="0 0 {size} {size}""#)));
        // Redraw the path's rectangles on a grid: it must be exactly the code's dark modules,
        // shifted by the quiet zone.
        let path = svg
            .split(" d=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .expect("path data");
        let drawn = grid(path, size);
        let modules = code.to_colors();
        for y in 0..size {
            for x in 0..size {
                let inside = (QUIET_ZONE..size - QUIET_ZONE).contains(&x)
                    && (QUIET_ZONE..size - QUIET_ZONE).contains(&y);
                let expected = if inside {
                    modules[(y - QUIET_ZONE) * code.width() + (x - QUIET_ZONE)]
                } else {
                    Color::Light
                };
                assert_eq!(drawn[y * size + x], expected, "({x}, {y})");
            }
        }
        // The same modules as the hand-written drawing this replaced (one rectangle per
        // horizontal run of dark modules).
        let mut runs = String::new();
        for (y, row) in modules.chunks(code.width()).enumerate() {
            let mut x = 0;
            while x < row.len() {
                let start = x;
                while x < row.len() && row[x] == Color::Dark {
                    x += 1;
                }
                if x > start {
                    let (left, top, w) = (start + QUIET_ZONE, y + QUIET_ZONE, x - start);
                    runs.push_str(&format!("M{left} {top}h{w}v1h-{w}z"));
                } else {
                    x += 1;
                }
            }
        }
        let old = grid(&runs, size);
        let dark = |g: &[Color]| g.iter().filter(|c| **c == Color::Dark).count();
        assert_eq!(dark(&drawn), dark(&old));
        assert!(dark(&old) > 100);
        assert_eq!(drawn, old);
    }

    /// The dark cells of an SVG path made of rectangles `M{x} {y}h{w}v{h}…`, one per `M`.
    fn grid(path: &str, size: usize) -> Vec<Color> {
        let mut drawn = vec![Color::Light; size * size];
        for rect in path.split('M').filter(|r| !r.is_empty()) {
            let (xy, rest) = rect.split_once('h').expect("h");
            let (x, y) = xy.split_once(' ').expect("x y");
            let (x, y): (usize, usize) = (x.parse().expect("x"), y.parse().expect("y"));
            let (w, rest) = rest.split_once('v').expect("v");
            let w: usize = w.parse().expect("w");
            let h: usize = rest
                .split(|c: char| !c.is_ascii_digit())
                .next()
                .and_then(|h| h.parse().ok())
                .expect("h");
            for row in y..y + h {
                for cell in &mut drawn[row * size + x..row * size + x + w] {
                    assert_eq!(*cell, Color::Light, "rectangles overlap");
                    *cell = Color::Dark;
                }
            }
        }
        drawn
    }

    #[test]
    fn qr_svg_too_long_is_still_an_svg() {
        let svg = qr_svg(&"x".repeat(10_000), "QR");
        assert!(svg.starts_with("<svg "));
        assert!(svg.contains(r#"viewBox="0 0 8 8""#));
        assert!(svg.ends_with("</svg>"));
    }
}
