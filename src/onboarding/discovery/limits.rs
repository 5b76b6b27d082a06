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
    /// Coverage entries kept in memory at most (500,000: five times issue 5's scale).
    pub max_coverage_entries: usize,
}

impl Default for DiscoveryLimits {
    fn default() -> Self {
        Self {
            max_related_depth: 3,
            max_related_documents: 32,
            max_coverage_pages: 2_000,
            max_coverage_entries: 500_000,
        }
    }
}
