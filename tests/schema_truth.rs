//! One truth for types: for every type-level fixture (and every valid estate), `mirrorc check`
//! and the JSON Schema of `mirrorc schema` (validated with the `jsonschema` crate) give the
//! same verdict, file by file. Quoted numbers and booleans, minimums and maximums included.

use std::path::{Path, PathBuf};

use mirrorc_core::source;

/// Codes about a value's type or range, or a key's presence: what a schema can say.
const TYPE_CODES: [&str; 8] = [
    "mirrorc::wrong_type",
    "mirrorc::unknown_key",
    "mirrorc::misplaced_key",
    "mirrorc::missing_key",
    "mirrorc::duplicate_key",
    "mirrorc::invalid_copies",
    "mirrorc::invalid_port",
    "mirrorc::invalid_safety_limit",
];

/// Lexical, so beyond any schema: YAML reads `0o17` as 15 before a validator sees it.
const LEXICAL: [&str; 1] = ["wrong_type-octal_port"];

fn folders() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut out: Vec<PathBuf> = ["site", "examples/at", "examples/failover"]
        .iter()
        .map(|d| root.join(d))
        .collect();
    for parent in ["tests/fixtures/ok", "tests/fixtures/errors"] {
        let mut dirs: Vec<PathBuf> = std::fs::read_dir(root.join(parent))
            .expect("fixtures")
            .map(|e| e.expect("entry").path())
            .collect();
        dirs.sort();
        out.extend(dirs);
    }
    out.retain(|d| {
        let name = d.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        let code = format!("mirrorc::{}", name.split('-').next().unwrap_or_default());
        !LEXICAL.contains(&name)
            && (!d.starts_with(root.join("tests/fixtures/errors"))
                || TYPE_CODES.contains(&code.as_str()))
    });
    out
}

#[test]
fn check_and_the_schema_agree_on_every_type_level_fixture() {
    let schema: serde_json::Value =
        serde_json::from_str(&mirrorc_core::schema::json_schema()).expect("schema");
    let validator = jsonschema::draft7::new(&schema).expect("valid schema");
    let mut compared = 0;
    for dir in folders() {
        let sources = source::load(std::slice::from_ref(&dir)).expect("load");
        let findings = mirrorc_core::check(&sources).findings;
        for (id, file) in sources.iter() {
            let by_check = findings
                .iter()
                .any(|f| f.file == Some(id) && TYPE_CODES.contains(&f.code().as_str()));
            let by_schema = match source::from_yaml::<serde_json::Value>(&file.text) {
                Ok(v) => !validator.is_valid(&v),
                Err(_) => true,
            };
            assert_eq!(
                by_check, by_schema,
                "{}: check says invalid={by_check}, the schema {by_schema}",
                file.name
            );
            compared += 1;
        }
    }
    assert!(compared > 30, "only {compared} files compared");
}
