//! The minijinja environment: templates embedded from `templates/`, strict undefined (a
//! missing field is an error, never an empty string in a config), no auto-escaping (configs
//! are not HTML), block whitespace trimmed, trailing newline kept.

use std::sync::OnceLock;

use minijinja::syntax::SyntaxConfig;
use minijinja::{AutoEscape, Environment, UndefinedBehavior};

/// (name, source) of every template.
const TEMPLATES: &[(&str, &str)] = &[
    ("server.h", include_str!("../../templates/server.h.j2")),
    ("client.h", include_str!("../../templates/client.h.j2")),
    ("site.h", include_str!("../../templates/site.h.j2")),
    (
        "rsyncd.conf",
        include_str!("../../templates/rsyncd.conf.j2"),
    ),
];

/// The shared environment, built once.
pub fn env() -> Result<&'static Environment<'static>, String> {
    static ENV: OnceLock<Result<Environment<'static>, String>> = OnceLock::new();
    ENV.get_or_init(build).as_ref().map_err(Clone::clone)
}

fn build() -> Result<Environment<'static>, String> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_auto_escape_callback(|_| AutoEscape::None);
    let syntax = SyntaxConfig::builder()
        .trim_blocks(true)
        .lstrip_blocks(true)
        .keep_trailing_newline(true)
        .build()
        .map_err(|e| e.to_string())?;
    env.set_syntax(syntax);
    for (name, source) in TEMPLATES {
        env.add_template(name, source)
            .map_err(|e| format!("template {name}: {e}"))?;
    }
    Ok(env)
}

/// Renders template `name` with a serializable view.
pub fn render<T: serde::Serialize>(name: &str, view: &T) -> Result<String, String> {
    let env = env()?;
    let template = env.get_template(name).map_err(|e| e.to_string())?;
    template
        .render(minijinja::value::Serde(view))
        .map_err(|e| format!("rendering {name}: {e:#}"))
}
