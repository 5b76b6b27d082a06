//! `cds-wizard catalog …`: the research catalog's crawl, queries, diff, export and merge.

use clap::{Args, Subcommand};

#[derive(Debug, Args)]
pub struct CatalogArgs {
    /// The catalog database (default: catalog.sqlite in the program's home, CDS_WIZARD_HOME).
    #[arg(long, global = true, value_name = "FILE")]
    pub db: Option<std::path::PathBuf>,
    /// What to do; none opens the Catalog view on a terminal and lists the utilities
    /// otherwise.
    #[command(subcommand)]
    pub command: Option<CatalogCommand>,
}

impl CatalogArgs {
    /// Whether this run opens the wizard's Catalog view: `catalog browse`, or `catalog` alone
    /// on a terminal.
    pub fn browses(&self) -> bool {
        use std::io::IsTerminal;
        match &self.command {
            Some(CatalogCommand::Browse) => true,
            None => std::io::stdout().is_terminal() && std::io::stdin().is_terminal(),
            Some(_) => false,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum CatalogCommand {
    /// Discover many utilities concurrently and store them as a new snapshot.
    Crawl(CatalogCrawlArgs),
    /// Utilities in the catalog, with counts and registration cost.
    List(CatalogQueryArgs),
    /// One utility's stored snapshot (by URL, name or row id).
    Show(CatalogShowArgs),
    /// Scopes of every utility, optionally of one type.
    Scopes(CatalogScopesArgs),
    /// Authorization details fields, filtered by id, scope type, format or reach.
    Fields(CatalogFieldsArgs),
    /// Search names, ids and descriptions.
    Search(CatalogSearchArgs),
    /// Write a table as CSV or JSON Lines.
    Export(CatalogExportArgs),
    /// Compare two utilities, or two snapshots of one utility.
    Diff(CatalogDiffArgs),
    /// Merge catalogs crawled apart (sharded URL lists) into OUT.
    Merge(CatalogMergeArgs),
    /// Browse the catalog in the interactive wizard: utilities, scope matrix, catalogs, and
    /// two utilities (or two crawls) side by side; offline (needs a terminal).
    Browse,
}

#[derive(Debug, Args)]
pub struct CatalogCrawlArgs {
    /// Base URLs or metadata URLs.
    #[arg(value_name = "URL", required_unless_present = "from")]
    pub urls: Vec<String>,
    /// A file of URLs, one a line (`#` starts a comment); `-` reads standard input.
    #[arg(long, value_name = "FILE")]
    pub from: Option<std::path::PathBuf>,
    /// Utilities discovered at once, overall.
    #[arg(long, default_value_t = 16, value_parser = clap::value_parser!(u32).range(1..=1024))]
    pub concurrency: u32,
    /// Requests in flight at once at one host, over all its utilities (also how many of its
    /// utilities are discovered at once).
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u32).range(1..=1024))]
    pub per_host: u32,
    /// Seconds to wait for each response.
    #[arg(long, default_value_t = 15, value_parser = clap::value_parser!(u64).range(1..=600))]
    pub timeout: u64,
    /// A label kept with the snapshot (e.g. 2026-Q4).
    #[arg(long)]
    pub label: Option<String>,
    /// Print the summary as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct CatalogQueryArgs {
    /// Read this crawl's snapshots (default: each utility's newest).
    #[arg(long, value_name = "ID")]
    pub crawl: Option<i64>,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct CatalogShowArgs {
    /// The utility: its listed URL, metadata URL, name, or row id.
    pub utility: String,
    #[command(flatten)]
    pub query: CatalogQueryArgs,
}

#[derive(Debug, Args)]
pub struct CatalogScopesArgs {
    /// Only scopes of this type (e.g. cds_usage).
    #[arg(long = "type", value_name = "TYPE")]
    pub scope_type: Option<String>,
    /// Only scopes a public client may use (an app with no client secret: auth method `none`).
    #[arg(long)]
    pub public: bool,
    #[command(flatten)]
    pub query: CatalogQueryArgs,
}

#[derive(Debug, Args)]
pub struct CatalogFieldsArgs {
    /// Only this field id (e.g. segment_start).
    #[arg(long)]
    pub field: Option<String>,
    /// Only fields of scopes of this type (e.g. cds_usage).
    #[arg(long = "scope-type", value_name = "TYPE")]
    pub scope_type: Option<String>,
    /// Only fields of this format.
    #[arg(long)]
    pub format: Option<String>,
    /// Only date fields whose maximum reaches at least this many months (or is infinite).
    #[arg(long, value_name = "N")]
    pub min_months: Option<f64>,
    #[command(flatten)]
    pub query: CatalogQueryArgs,
}

#[derive(Debug, Args)]
pub struct CatalogSearchArgs {
    /// Text to find (case-insensitive).
    pub text: String,
    #[command(flatten)]
    pub query: CatalogQueryArgs,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum CatalogExportFormat {
    Csv,
    Jsonl,
}

#[derive(Debug, Args)]
pub struct CatalogExportArgs {
    #[arg(long, value_enum)]
    pub format: CatalogExportFormat,
    /// The table or view (utilities, scopes, fields, registration_fields, latest, ...).
    #[arg(long)]
    pub table: String,
    /// Write here instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<std::path::PathBuf>,
}

#[derive(Debug, Args)]
pub struct CatalogDiffArgs {
    /// The first utility (URL, name or row id).
    pub a: String,
    /// The second: another utility, or the same one (then --crawl-a/--crawl-b pick snapshots;
    /// by default its previous and newest).
    pub b: Option<String>,
    #[arg(long, value_name = "ID")]
    pub crawl_a: Option<i64>,
    #[arg(long, value_name = "ID")]
    pub crawl_b: Option<i64>,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct CatalogMergeArgs {
    /// The catalog to merge into (created when missing).
    pub out: std::path::PathBuf,
    /// Catalogs to append.
    #[arg(required = true)]
    pub inputs: Vec<std::path::PathBuf>,
}
