//! `mirrorc schema`: the JSON Schema (draft-07) of an inventory file, derived from the syntax
//! types, for yaml-language-server and other editors.

use schemars::generate::SchemaSettings;

use crate::syntax::ast::SiteFile;

/// The schema as pretty JSON with a trailing newline.
pub fn json_schema() -> String {
    let generator = SchemaSettings::draft07().into_generator();
    let schema = generator.into_root_schema_for::<SiteFile>();
    serde_json::to_string_pretty(&schema).unwrap_or_default() + "\n"
}
