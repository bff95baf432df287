/// What Tidepool knows of one scrape target over time: the samples of its last good scrape and
/// whether they still count.
///
/// As in Prometheus, a failed scrape makes every series of the target stale at once (Prometheus
/// writes staleness markers), and so does silence longer than the lookback period; stale samples
/// are never handed to the autoscaler, so a dead target reads as a failed metric, never as zero.
public struct TargetHealth: Sendable {
    public private(set) var lastSuccess: ContinuousClock.Instant?
    public private(set) var lastError: ScrapeError?
    public private(set) var consecutiveFailures = 0
    private var samples: [Sample] = []
    /// How long samples count without a new scrape (Prometheus's default lookback is 5 minutes).
    public var stalenessPeriod: Duration

    public init(stalenessPeriod: Duration = .seconds(300)) {
        self.stalenessPeriod = stalenessPeriod
    }

    public mutating func recordSuccess(_ samples: [Sample], at instant: ContinuousClock.Instant) {
        self.samples = samples
        lastSuccess = instant
        lastError = nil
        consecutiveFailures = 0
    }

    public mutating func recordFailure(_ error: ScrapeError) {
        lastError = error
        consecutiveFailures += 1
        samples = []
    }

    /// The current samples, or nil when the target is stale (never scraped, last scrape failed,
    /// or silent for longer than the staleness period).
    public func currentSamples(at instant: ContinuousClock.Instant) -> [Sample]? {
        // Left-open, as Prometheus 3's lookback: a sample exactly one period old is stale.
        guard let lastSuccess, lastError == nil, instant - lastSuccess < stalenessPeriod else { return nil }
        return samples
    }
}
