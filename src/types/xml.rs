//! The one XML/HTML escaper, for text written into markup by hand (the cluster drawing, the QR
//! code's label): safe in element content and in single- or double-quoted attribute values.

/// Escapes `&`, `<`, `>`, `"` and `'`; turns line breaks and tabs into spaces (an attribute's
/// parser would do so anyway) and drops the other control characters, which XML does not allow.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\n' | '\r' | '\t' => out.push(' '),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn markup_and_quotes_are_escaped_and_controls_dropped() {
        assert_eq!(
            escape(r#"Scan "this" <code> & 'go'"#),
            "Scan &quot;this&quot; &lt;code&gt; &amp; &#39;go&#39;"
        );
        assert_eq!(escape("a\nb\tc\r\u{1}\u{7f}d"), "a b c d");
        assert_eq!(escape("Überprüfung €"), "Überprüfung €");
    }
}
