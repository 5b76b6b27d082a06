//! How far discovery goes (CDS-WG1-01 §3.3 related metadata, §4.1 coverage pages) before it
//! stops and says so.

/// How far discovery goes before it stops and says so.
#[derive(Debug, Clone)]
pub struct DiscoveryLimits {
    pub max_related_depth: usize,
    pub max_related_documents: usize,
    /// Coverage pages read at most. Pages are sequential round trips, so this bounds time;
    /// 2,000 pages of a utility's usual hundreds of entries is well past the 100,000 entries
    /// the wizard must handle (issue 5; the scaled demo pages 1,000 at a time).
    pub max_coverage_pages: usize,
    /// Coverage entries read at most, decodable or not (500,000: five times issue 5's scale).
    pub max_coverage_entries: usize,
    /// Bytes of coverage pages read at most, all pages together (1 GiB: fifteen times the
    /// 65 MB of issue 15's scaled demo); each response is also capped on its own.
    pub max_coverage_bytes: usize,
    /// The whole discovery, every request included (`--timeout` bounds each request).
    pub deadline: std::time::Duration,
}

impl Default for DiscoveryLimits {
    fn default() -> Self {
        Self {
            max_related_depth: 3,
            max_related_documents: 32,
            max_coverage_pages: 2_000,
            max_coverage_entries: 500_000,
            max_coverage_bytes: 1 << 30,
            deadline: std::time::Duration::from_secs(300),
        }
    }
}
