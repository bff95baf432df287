// The Metrics library: Prometheus text and OpenMetrics parsing, scraping, the Prometheus HTTP
// query API, counter rates, process CPU and memory, recordings. It arrives with its own issue;
// until then this target holds no code.
