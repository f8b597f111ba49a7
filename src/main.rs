//! The `mirrorc` binary: hands the arguments to `cli::run`.
fn main() -> std::process::ExitCode {
    mirrorc::cli::run()
}
