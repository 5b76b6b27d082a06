//! The research catalog (issue 13): many utilities' public documents (CDS-WG1-01 §3–§4,
//! CDS-WG1-02 §3) crawled politely into one SQLite database, kept as snapshots over time,
//! queried, compared and exported without the network.

pub mod browse;
pub mod crawl;
pub mod diff;
pub mod export;
mod load;
pub mod merge;
pub mod model;
pub mod query;
pub mod schema;
pub mod store;

pub use crawl::{CrawlEvent, CrawlOptions, CrawlSummary, crawl, parse_url_list};
pub use diff::{Change, diff};
pub use model::UtilitySnapshot;
pub use store::{Catalog, StoreError};
