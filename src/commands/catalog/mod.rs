//! `cds-wizard catalog`: the research catalog's commands (issue 13). `crawl` is here; the
//! offline questions (list, show, scopes, fields, search, export, diff, merge) in `ask.rs`.

mod ask;

use std::io::{IsTerminal, Read};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use anyhow::Context;

use crate::catalog::crawl::{self, CrawlEvent, CrawlOptions, CrawlSink};
use crate::catalog::store::{self, Catalog};
use crate::cli::{CatalogArgs, CatalogCommand, CatalogCrawlArgs, CatalogQueryArgs};
use crate::onboarding::discovery::DiscoveryLimits;
use crate::present::catalog as words;

pub async fn run(args: &CatalogArgs) -> anyhow::Result<ExitCode> {
    let path = match &args.db {
        Some(p) => p.clone(),
        None => store::default_path()?,
    };
    match &args.command {
        Some(CatalogCommand::Crawl(a)) => run_crawl(&path, a).await,
        Some(other) => ask::run(&path, other),
        // `catalog` alone, off a terminal: what the view would open on, as a list.
        None => ask::run(
            &path,
            &CatalogCommand::List(CatalogQueryArgs {
                crawl: None,
                json: false,
            }),
        ),
    }
}

fn read_urls(a: &CatalogCrawlArgs) -> anyhow::Result<Vec<String>> {
    let mut text = a.urls.join("\n");
    if let Some(from) = &a.from {
        let mut listed = String::new();
        if from.as_os_str() == "-" {
            std::io::stdin().read_to_string(&mut listed)?;
        } else {
            listed = std::fs::read_to_string(from)
                .with_context(|| format!("cannot read the URL list {}", from.display()))?;
        }
        text.push('\n');
        text.push_str(&listed);
    }
    Ok(crawl::parse_url_list(&text))
}

/// Progress on stderr: a bar on a terminal, one plain line per utility otherwise.
fn progress_sink() -> (CrawlSink, Option<indicatif::ProgressBar>) {
    let failed = Arc::new(AtomicUsize::new(0));
    let done = Arc::new(AtomicUsize::new(0));
    let requests = Arc::new(AtomicU64::new(0));
    let transferred = Arc::new(AtomicU64::new(0));
    let total = Arc::new(AtomicUsize::new(0));
    let bar = std::io::stderr().is_terminal().then(|| {
        let bar = indicatif::ProgressBar::new(0);
        if let Ok(style) = indicatif::ProgressStyle::with_template(
            "{bar:30} {pos}/{len} utilities · {msg} · {elapsed}",
        ) {
            bar.set_style(style);
        }
        bar
    });
    let shown = bar.clone();
    let sink: CrawlSink = Arc::new(move |e| match e {
        CrawlEvent::Started { total: n } => {
            total.store(n, Ordering::Relaxed);
            if let Some(b) = &shown {
                b.set_length(n as u64);
            }
        }
        CrawlEvent::Request { bytes } => {
            requests.fetch_add(1, Ordering::Relaxed);
            transferred.fetch_add(bytes, Ordering::Relaxed);
        }
        CrawlEvent::Finished { url, error } => {
            let n = done.fetch_add(1, Ordering::Relaxed) + 1;
            if error.is_some() {
                failed.fetch_add(1, Ordering::Relaxed);
            }
            match &shown {
                Some(b) => {
                    b.set_position(n as u64);
                    b.set_message(words::crawl_progress(
                        failed.load(Ordering::Relaxed),
                        requests.load(Ordering::Relaxed),
                        transferred.load(Ordering::Relaxed),
                    ));
                }
                None => eprintln!(
                    "{}",
                    words::crawl_line(n, total.load(Ordering::Relaxed), &url, error.as_deref())
                ),
            }
        }
    });
    (sink, bar)
}

async fn run_crawl(path: &std::path::Path, a: &CatalogCrawlArgs) -> anyhow::Result<ExitCode> {
    let urls = read_urls(a)?;
    if urls.is_empty() {
        anyhow::bail!("no URLs to crawl");
    }
    let mut catalog = Catalog::open(path)?;
    let client = super::http_client(a.timeout)?;
    let options = CrawlOptions {
        concurrency: a.concurrency as usize,
        per_host: a.per_host as usize,
        limits: DiscoveryLimits::default(),
        label: a.label.clone(),
    };
    let (sink, bar) = progress_sink();
    let shutdown = async {
        // Ctrl-C stops the crawl; what finished stays in the database.
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    let summary = crawl::crawl(&mut catalog, &client, urls, &options, sink, shutdown).await?;
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    if a.json {
        super::print_json(&serde_json::to_value(&summary)?);
    } else {
        for line in words::crawl_summary(&summary, &path.display().to_string()) {
            println!("{line}");
        }
    }
    Ok(if summary.interrupted {
        ExitCode::from(130)
    } else {
        ExitCode::SUCCESS
    })
}
