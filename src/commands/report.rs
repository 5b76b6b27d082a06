//! placeholder
pub async fn run(_a: &crate::cli::ReportArgs) -> anyhow::Result<std::process::ExitCode> {
    anyhow::bail!("todo")
}
