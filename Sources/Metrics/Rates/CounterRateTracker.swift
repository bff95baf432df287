/// Per-second rates of counters as scrapes come in: record each scraped value, ask for the
/// rate over the last window at any time.
///
/// ```swift
/// var tracker = CounterRateTracker<String>(maximumWindow: .seconds(60))
/// tracker.record(1027, for: "web-0", at: scrapeTimeMilliseconds)
/// let perSecond = tracker.rate(of: "web-0", over: .seconds(60), at: nowMilliseconds)
/// ```
///
/// A rate is `rate(series[window])` as Prometheus 3 evaluates it (`RateFunctions.rate`): the
/// samples in `(time - window, time]`, counter resets added back, extrapolated to the window's
/// edges, never below zero.
///
/// Memory stays bounded: a series keeps only the samples a window ending at or after its
/// newest sample can select, and a series silent for longer than both the maximum window and
/// the staleness period is dropped altogether. Queries are meant for "now" (a time at or after
/// the newest recorded sample); earlier times are answered from what is still kept.
///
/// Staleness: a series whose newest sample at or before `time` is `stalenessPeriod` old or
/// older has no rate, like an instant-vector lookup with Prometheus's lookback delta (5 minutes
/// by default; left-open in Prometheus 3, so a sample exactly 5 minutes old no longer counts).
/// This is a deliberate addition: Prometheus's own `rate()` has no lookback and keeps answering
/// while two samples remain in the range. An autoscaler must not keep acting on a pod that
/// vanished, so here a vanished series reads as missing, never as a frozen or zero rate. When it
/// reappears, its older samples still in the window count again, as they would in Prometheus.
public struct CounterRateTracker<SeriesKey: Hashable & Sendable>: Sendable {
    /// The longest window `rate(of:over:at:)` may be asked for; older samples are dropped.
    public let maximumWindow: Duration
    /// How long a series keeps a rate after its last sample.
    public let stalenessPeriod: Duration

    private let maximumWindowMilliseconds: Int64
    private let stalenessMilliseconds: Int64
    private var seriesByKey: [SeriesKey: CounterSeries] = [:]
    /// When silent series were last swept out; sweeping on every record would cost a pass over
    /// all series per sample.
    private var lastSweepMilliseconds: Int64?

    public init(maximumWindow: Duration, stalenessPeriod: Duration = .seconds(300)) {
        maximumWindowMilliseconds = Self.wholeMilliseconds(maximumWindow)
        stalenessMilliseconds = Self.wholeMilliseconds(stalenessPeriod)
        precondition(maximumWindowMilliseconds > 0, "the maximum window must be at least a millisecond")
        precondition(stalenessMilliseconds > 0, "the staleness period must be at least a millisecond")
        self.maximumWindow = maximumWindow
        self.stalenessPeriod = stalenessPeriod
    }

    /// Series currently kept (recently seen ones).
    public var seriesCount: Int { seriesByKey.count }
    /// Samples currently kept, over all series: what the memory bound is about.
    public var sampleCount: Int { seriesByKey.values.reduce(0) { $0 + $1.samples.count } }

    /// The kept samples of one series, oldest first.
    public func samples(of key: SeriesKey) -> [CounterSample] {
        seriesByKey[key]?.samples ?? []
    }

    /// Records one scraped value. Samples must arrive in time order per series; an older one
    /// is refused, as Prometheus's TSDB refuses out-of-order samples.
    @discardableResult
    public mutating func record(_ value: Double, for key: SeriesKey, at timestampMilliseconds: Int64) -> CounterSeries.AppendOutcome {
        let sample = CounterSample(timestampMilliseconds: timestampMilliseconds, value: value)
        let outcome = seriesByKey[key, default: CounterSeries()].append(sample)
        if outcome == .appended {
            // No window ending at or after this sample reaches back to these.
            seriesByKey[key]?.removeSamples(atOrBefore: timestampMilliseconds - maximumWindowMilliseconds)
        }
        sweepIfDue(at: timestampMilliseconds)
        return outcome
    }

    /// `rate(series[window])` at `time`: the per-second increase, or nil when the series is
    /// unknown, stale, or has fewer than two samples in the window.
    public func rate(of key: SeriesKey, over window: Duration, at timeMilliseconds: Int64) -> Double? {
        guard let series = liveSeries(key, at: timeMilliseconds) else { return nil }
        return RateFunctions.rate(series, rangeMilliseconds: checkedWindow(window), at: timeMilliseconds)
    }

    /// `increase(series[window])` at `time`, with the same conditions as `rate`.
    public func increase(of key: SeriesKey, over window: Duration, at timeMilliseconds: Int64) -> Double? {
        guard let series = liveSeries(key, at: timeMilliseconds) else { return nil }
        return RateFunctions.increase(series, rangeMilliseconds: checkedWindow(window), at: timeMilliseconds)
    }

    /// `irate(series[window])` at `time`: the rate between the last two samples in the window.
    public func irate(of key: SeriesKey, over window: Duration, at timeMilliseconds: Int64) -> Double? {
        guard let series = liveSeries(key, at: timeMilliseconds) else { return nil }
        return RateFunctions.irate(series, rangeMilliseconds: checkedWindow(window), at: timeMilliseconds)
    }

    /// Forgets a series now (a target removed from the pool), rather than after it goes silent.
    public mutating func removeSeries(_ key: SeriesKey) {
        seriesByKey[key] = nil
    }

    /// Drops every series that no query at or after `time` could give a rate: silent for at
    /// least the maximum window (no samples left to select) and the staleness period (no rate
    /// anyway). `record` calls this on its own about once per that span.
    public mutating func removeSilentSeries(at timeMilliseconds: Int64) {
        let cutoff = timeMilliseconds - max(maximumWindowMilliseconds, stalenessMilliseconds)
        seriesByKey = seriesByKey.filter { _, series in
            guard let newest = series.newest else { return false }
            return newest.timestampMilliseconds > cutoff
        }
        lastSweepMilliseconds = timeMilliseconds
    }

    // MARK: Details

    private mutating func sweepIfDue(at timeMilliseconds: Int64) {
        guard let lastSweepMilliseconds else {
            self.lastSweepMilliseconds = timeMilliseconds
            return
        }
        if timeMilliseconds - lastSweepMilliseconds >= max(maximumWindowMilliseconds, stalenessMilliseconds) {
            removeSilentSeries(at: timeMilliseconds)
        }
    }

    /// The series, unless it has no sample in the lookback `(time - stalenessPeriod, time]`.
    private func liveSeries(_ key: SeriesKey, at timeMilliseconds: Int64) -> CounterSeries? {
        guard let series = seriesByKey[key] else { return nil }
        let lookback = series.samples(after: timeMilliseconds - stalenessMilliseconds, through: timeMilliseconds)
        return lookback.isEmpty ? nil : series
    }

    private func checkedWindow(_ window: Duration) -> Int64 {
        let milliseconds = Self.wholeMilliseconds(window)
        precondition(milliseconds > 0, "a rate window must be at least a millisecond")
        // A longer window would silently miss the samples already dropped.
        precondition(milliseconds <= maximumWindowMilliseconds, "the window is longer than the tracker's maximum window")
        return milliseconds
    }

    /// Whole milliseconds of a duration (sample times have millisecond resolution).
    private static func wholeMilliseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
