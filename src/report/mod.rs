//! Machine-readable and human views of what dockaudit read or decided.

pub mod inventory;
pub mod json;
pub mod junit;
pub mod prometheus;
pub mod sarif;
pub mod text;

use crate::judge::{Evaluation, Verdict};

/// `dockaudit check --format`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// One line per control, for a terminal.
    Text,
    /// The evaluation as data, versioned by `schema_version`.
    Json,
    /// SARIF 2.1.0, for code-scanning dashboards.
    Sarif,
    /// JUnit XML, for CI.
    Junit,
    /// node_exporter textfile-collector gauges.
    Prometheus,
}

impl Format {
    /// Every format, in `--format`'s order.
    pub const ALL: [Format; 5] = [Format::Text, Format::Json, Format::Sarif, Format::Junit, Format::Prometheus];

    /// The `--format` value.
    pub fn name(self) -> &'static str {
        match self {
            Format::Text => "text",
            Format::Json => "json",
            Format::Sarif => "sarif",
            Format::Junit => "junit",
            Format::Prometheus => "prometheus",
        }
    }

    /// The file extension golden files and CI artifacts use.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Text => "txt",
            Format::Json => "json",
            Format::Sarif => "sarif",
            Format::Junit => "junit.xml",
            Format::Prometheus => "prom",
        }
    }
}

/// Renders a `check` result. `color` only matters for text.
pub fn render(eval: &Evaluation, format: Format, color: bool) -> String {
    match format {
        Format::Text => text::render(eval, color),
        Format::Json => json::render(eval),
        Format::Sarif => sarif::render(eval),
        Format::Junit => junit::render(eval),
        Format::Prometheus => prometheus::render(eval),
    }
}

/// dockaudit's version (Cargo.toml's), as the reports name the tool.
pub const TOOL_VERSION: &str = env!("CARGO_PKG_VERSION");

/// "CIS Docker Benchmark 1.6.0"
pub fn benchmark_title(eval: &Evaluation) -> String {
    format!("CIS Docker Benchmark {}", eval.benchmark.version())
}

fn host_count(eval: &Evaluation, verdict: Verdict) -> usize {
    eval.host.iter().filter(|h| h.verdict == verdict).count()
}

#[cfg(test)]
mod golden;

#[cfg(test)]
pub(crate) fn golden_rules() -> String {
    golden::MIXED_RULES.to_string()
}
