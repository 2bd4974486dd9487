//! Vehicle plates: upper-case letters and digits only, with at least one digit.

/// A vehicle plate: upper-case letters and digits without spaces, dashes or dots; `None` unless it
/// has 2 to 12 characters including a digit.
pub fn normalise_plate(raw: &str) -> Option<String> {
    let mut out = String::new();
    for c in raw.trim().chars() {
        if c.is_whitespace() || "-.·_/".contains(c) {
            continue;
        }
        if !c.is_alphanumeric() {
            return None;
        }
        out.extend(c.to_uppercase());
    }
    let n = out.chars().count();
    ((2..=12).contains(&n) && out.chars().any(|c| c.is_ascii_digit())).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plates() {
        for raw in ["ab-123-cd", "AB 123 CD", "ab.123.cd", " AB123CD "] {
            assert_eq!(normalise_plate(raw).as_deref(), Some("AB123CD"), "{raw}");
        }
        assert_eq!(normalise_plate("M-ÜL 123").as_deref(), Some("MÜL123"));
        for bad in ["", "unknown", "white van", "A", "ab@123", "1234567890ABC"] {
            assert_eq!(normalise_plate(bad), None, "{bad}");
        }
    }
}
