//! Page templates (minijinja, HTML auto-escaping), compiled into the binary. Templates hold
//! markup only: every word comes from the Fluent files through `t("key", name=value)`.

use super::i18n::I18n;
use fluent_bundle::{FluentArgs, FluentValue};
use minijinja::value::{Kwargs, Value};
use minijinja::{AutoEscape, Environment, Error, ErrorKind, State, UndefinedBehavior};
use std::sync::Arc;

/// Lists templates by their path under `templates/`, compiled into the binary.
macro_rules! templates {
    ($($name:literal),* $(,)?) => {
        &[$(($name, include_str!(concat!("../../templates/", $name)))),*]
    };
}

/// Every template, by name.
pub const TEMPLATES: &[(&str, &str)] = templates![
    "base.html",
    "landing.html",
    "choose.html",
    "form.html",
    "confirmation.html",
    "message.html",
    "macros.html",
    "followup_signin.html",
    "followup_report.html",
    "staff/base.html",
    "staff/message.html",
    "staff/sign_in.html",
    "staff/setup.html",
    "staff/enrol.html",
    "staff/security.html",
    "staff/queue.html",
    "staff/case.html",
    "staff/audit.html",
    "staff/users.html",
    "staff/approvals.html",
    "staff/assessment.html",
    "staff/search.html",
    "staff/cluster.html",
];

/// The template environment.
pub struct Templates {
    env: Environment<'static>,
}

impl std::fmt::Debug for Templates {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Templates")
    }
}

impl Templates {
    pub fn load(i18n: Arc<I18n>) -> Result<Self, Error> {
        let mut env = Environment::new();
        env.set_auto_escape_callback(|_| AutoEscape::Html);
        // A name the context lacks is an error, not a blank: a typo fails the page tests.
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        for (name, source) in TEMPLATES {
            env.add_template(name, source)?;
        }
        env.add_function("t", move |state: &State, key: &str, kwargs: Kwargs| {
            translate(&i18n, state, key, kwargs)
        });
        Ok(Self { env })
    }

    /// Renders `name` with `ctx`; the context must hold `lang`.
    pub fn render(&self, name: &str, ctx: Value) -> Result<String, Error> {
        self.env.get_template(name)?.render(ctx)
    }
}

fn translate(i18n: &I18n, state: &State, key: &str, kwargs: Kwargs) -> Result<String, Error> {
    let lang = state
        .lookup("lang")
        .and_then(|v| v.as_str().map(str::to_owned))
        .ok_or_else(|| Error::new(ErrorKind::UndefinedError, "template context lacks lang"))?;
    let mut args = FluentArgs::new();
    for name in kwargs.args() {
        let value: Value = kwargs.get(name)?;
        let value = match value.as_i64() {
            Some(n) => FluentValue::from(n),
            None => FluentValue::from(value.to_string()),
        };
        args.set(name.to_owned(), value);
    }
    Ok(i18n.t(&lang, key, kwargs.args().next().is_some().then_some(&args)))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Removes template syntax and markup; what is left is text a person would read.
    fn visible_text(source: &str) -> String {
        let mut out = String::new();
        let mut rest = source;
        while let Some(start) = rest.find(['<', '{']) {
            out.push_str(&rest[..start]);
            let tail = &rest[start..];
            let end = if tail.starts_with("{{") {
                tail.find("}}").map(|e| e + 2)
            } else if tail.starts_with("{%") {
                tail.find("%}").map(|e| e + 2)
            } else if tail.starts_with("{#") {
                tail.find("#}").map(|e| e + 2)
            } else if tail.starts_with('<') {
                tail.find('>').map(|e| e + 1)
            } else {
                Some(1)
            };
            rest = &tail[end.unwrap_or(tail.len())..];
        }
        out.push_str(rest);
        out
    }

    #[test]
    fn a_mistyped_name_is_an_error_not_a_blank() {
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        env.add_template("t", "<p>{{ titel }}</p>").unwrap();
        let err = env
            .get_template("t")
            .unwrap()
            .render(minijinja::context! { title => "x" })
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::UndefinedError);
        // And through the real environment, on a real template.
        let templates = Templates::load(Arc::new(I18n::load().unwrap())).unwrap();
        let err = templates
            .render("staff/message.html", minijinja::context! { lang => "en" })
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::UndefinedError, "{err}");
    }

    #[test]
    fn templates_hold_no_bare_words() {
        for (name, source) in TEMPLATES {
            let text = visible_text(source);
            let words: Vec<&str> = text
                .split_whitespace()
                .filter(|w| w.chars().any(char::is_alphabetic))
                // attribute fragments written by macros, e.g. aria-invalid="true"
                .filter(|w| !w.contains("=\""))
                .collect();
            assert!(
                words.is_empty(),
                "{name} holds untranslated text: {words:?}"
            );
        }
    }

    #[test]
    fn every_template_key_exists_in_english() {
        let i18n = I18n::load().unwrap();
        for (name, source) in TEMPLATES {
            let calls = source.match_indices("t(\"").filter(|(i, _)| {
                source[..*i]
                    .chars()
                    .last()
                    .is_none_or(|c| !c.is_alphanumeric() && c != '.')
            });
            for (i, _) in calls {
                let key = source[i + 3..].split('"').next().unwrap_or("");
                if key.ends_with('-') {
                    continue; // a prefix joined with a value, e.g. t("grade-" ~ grade)
                }
                assert!(i18n.has("en", key), "{name} uses missing key {key}");
            }
        }
    }
}
