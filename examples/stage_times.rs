//! Prints the time of each pipeline stage for an estate folder (a quick profiling aid):
//! `cargo run --release --example stage_times -- DIR`.
use std::time::Instant;

/// Peak resident set so far (VmHWM), in MiB; 0 where /proc is missing.
fn peak_mib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kb = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok());
    kb.unwrap_or(0) / 1024
}

fn main() {
    let dir = std::env::args().nth(1).unwrap_or_else(|| "site".into());
    let t = Instant::now();
    let sources = mirrorc_core::source::load(&[dir.into()]).expect("load");
    let t_load = t.elapsed();
    let m_load = peak_mib();
    let t = Instant::now();
    let (ast, _) = mirrorc_core::syntax::parse(&sources);
    let t_parse = t.elapsed();
    let m_parse = peak_mib();
    let t = Instant::now();
    let (model, findings) = mirrorc_core::analyze::analyze(&ast);
    let t_analyze = t.elapsed();
    let m_analyze = peak_mib();
    let model = model.unwrap_or_else(|| panic!("{} findings", findings.len()));
    let t = Instant::now();
    let artifacts = mirrorc_core::emit::emit(&model).expect("emit");
    let t_emit = t.elapsed();
    let m_emit = peak_mib();
    let bytes: usize = artifacts.iter().map(|a| a.content.len()).sum();
    println!("peak RSS MiB after load {m_load} parse {m_parse} analyze {m_analyze} emit {m_emit}");
    println!("load {t_load:?} parse {t_parse:?} analyze {t_analyze:?} emit {t_emit:?} ({} files, {bytes} bytes)", artifacts.len());
}
