//! Criterion micro-benchmarks of the compiler's stages on a generated estate, so a regression
//! shows up per stage: `load` (read files), `parse` (YAML → Ast), `analyze` (resolve: Ast →
//! Model), `emit` (Model → artifacts) and the whole in-memory `compile`.
//!
//! ```text
//! cargo bench --bench stages                   # scale S (fast)
//! MIRRORC_BENCH_SCALE=M cargo bench --bench stages
//! cargo bench --bench stages -- emit           # one stage
//! ```
//! The estate comes from `examples/gen_estate.rs` (built and run by cargo into a temporary
//! folder), so it is the same deterministic estate that `bench/run` uses.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};

/// Generates the estate with the shipped generator (`cargo run --release --example gen_estate`).
fn generate(scale: &str, dir: &Path) {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = Command::new(cargo)
        .args([
            "run",
            "--quiet",
            "--release",
            "--example",
            "gen_estate",
            "--",
            "--scale",
            scale,
            "--out",
        ])
        .arg(dir)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .status()
        .expect("run gen_estate");
    assert!(status.success(), "gen_estate failed");
}

fn stages(c: &mut Criterion) {
    let scale = std::env::var("MIRRORC_BENCH_SCALE").unwrap_or_else(|_| "S".into());
    let tmp = tempfile::tempdir().expect("temp dir");
    generate(&scale, tmp.path());
    let inputs: Vec<PathBuf> = vec![tmp.path().to_path_buf()];

    let sources = mirrorc_core::source::load(&inputs).expect("load");
    let bytes: usize = sources.iter().map(|(_, f)| f.text.len()).sum();
    let (ast, findings) = mirrorc_core::syntax::parse(&sources);
    assert!(findings.is_empty(), "the generated estate does not parse");
    let (model, findings) = mirrorc_core::analyze::analyze(&ast);
    let model =
        model.unwrap_or_else(|| panic!("the generated estate has {} findings", findings.len()));
    let clients = model.clients.len() as u64;

    let mut g = c.benchmark_group(format!("stages-{scale}"));
    g.sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5));
    g.throughput(Throughput::Bytes(bytes as u64));
    g.bench_function("load", |b| {
        b.iter(|| mirrorc_core::source::load(&inputs).expect("load"))
    });
    g.bench_function("parse", |b| {
        b.iter(|| mirrorc_core::syntax::parse(&sources))
    });
    g.throughput(Throughput::Elements(clients));
    g.bench_function("analyze", |b| {
        b.iter(|| mirrorc_core::analyze::analyze(&ast))
    });
    g.bench_function("emit", |b| {
        b.iter(|| mirrorc_core::emit::emit(&model).expect("emit"))
    });
    g.bench_function("compile", |b| {
        b.iter(|| mirrorc_core::build(&sources).expect("compile"))
    });
    g.finish();
}

criterion_group!(benches, stages);
criterion_main!(benches);
