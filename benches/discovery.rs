//! Discovery against the demo utility with injected latency, compared with the protocol's
//! critical path: metadata, then (related documents ‖ first coverage page ‖ OAuth metadata),
//! then the remaining coverage pages one after another. Run: `cargo bench --bench discovery`.

use std::time::{Duration, Instant};

use cds_wizard::demo::{DemoOptions, DemoServer};
use cds_wizard::http::{HttpClient, HttpPolicy};
use cds_wizard::onboarding::discovery::{DiscoveryLimits, discover};

const LATENCY: Duration = Duration::from_millis(50);
const RUNS: usize = 10;

#[tokio::main]
async fn main() {
    let server = DemoServer::start(
        0,
        DemoOptions {
            latency: LATENCY,
            ..Default::default()
        },
    )
    .await
    .expect("demo server");
    let client = HttpClient::new(HttpPolicy::default()).expect("http client");
    let limits = DiscoveryLimits::default();

    // Warm-up (connection set-up is not what is measured), and the shape of the protocol.
    let d = discover(&client, &server.base_url, &limits, None)
        .await
        .expect("discovery");
    let pages = d.coverage.as_ref().map_or(0, |c| c.pages);
    let requests = 1 + d.related.len() + pages + usize::from(d.oauth.is_some());
    // metadata, then max(related depth, coverage pages, oauth) sequential round trips.
    let related_depth = d.related.iter().map(|r| r.depth).max().unwrap_or(0);
    let critical_hops = 1 + related_depth.max(pages).max(1);
    let bound = LATENCY * critical_hops as u32;
    let serial = LATENCY * requests as u32;

    let mut times = Vec::with_capacity(RUNS);
    for _ in 0..RUNS {
        let t = Instant::now();
        discover(&client, &server.base_url, &limits, None)
            .await
            .expect("discovery");
        times.push(t.elapsed());
    }
    times.sort();
    let median = times[RUNS / 2];
    let mean = times.iter().sum::<Duration>() / RUNS as u32;
    println!(
        "discovery of the demo utility, {} ms injected per response, {RUNS} runs",
        LATENCY.as_millis()
    );
    println!(
        "  requests: {requests} (1 metadata, {} related, {pages} coverage pages, OAuth metadata)",
        d.related.len()
    );
    println!(
        "  critical path: {critical_hops} round trips = {} ms",
        bound.as_millis()
    );
    println!(
        "  all requests one after another: {} ms",
        serial.as_millis()
    );
    println!(
        "  measured: min {} ms, median {} ms, mean {} ms, max {} ms",
        times[0].as_millis(),
        median.as_millis(),
        mean.as_millis(),
        times[RUNS - 1].as_millis()
    );
    println!(
        "  median / critical path = {:.2}",
        median.as_secs_f64() / bound.as_secs_f64()
    );
    server.stop().await;
}
