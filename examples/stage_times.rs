//! Prints the time of each pipeline stage for an estate folder (a quick profiling aid):
//! `cargo run --release --example stage_times -- DIR`.
use std::time::Instant;

fn main() {
    let dir = std::env::args().nth(1).unwrap_or_else(|| "site".into());
    let t = Instant::now();
    let sources = mirrorc::source::load(&[dir.into()]).expect("load");
    let t_load = t.elapsed();
    let t = Instant::now();
    let (ast, _) = mirrorc::syntax::parse(&sources);
    let t_parse = t.elapsed();
    let t = Instant::now();
    let (model, findings) = mirrorc::analyze::analyze(&ast);
    let t_analyze = t.elapsed();
    let model = model.unwrap_or_else(|| panic!("{} findings", findings.len()));
    let t = Instant::now();
    let artifacts = mirrorc::emit::emit(&model).expect("emit");
    let t_emit = t.elapsed();
    let bytes: usize = artifacts.iter().map(|a| a.content.len()).sum();
    println!("load {t_load:?} parse {t_parse:?} analyze {t_analyze:?} emit {t_emit:?} ({} files, {bytes} bytes)", artifacts.len());
}
