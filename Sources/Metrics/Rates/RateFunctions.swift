/// PromQL's `rate`, `increase`, `delta`, `irate` and `idelta` over float samples, shaped like
/// upstream's `promql/functions.go` (`extrapolatedRate`, `instantValue`, `funcRate`, ...) so the
/// two can be read side by side.
///
/// Followed: Prometheus 3.x as on its main branch (`promql/functions.go` at commit 003b9e9d,
/// `promql/promqltest/testdata/functions.test` at 0043f1e4, whose rate/increase/delta/irate/
/// idelta cases the tests translate). As there:
/// - ranges are selected left-open, `(t - range, t]` (changed in 3.0; 2.x selected
///   `[t - range, t]`, so results differ when a sample lies exactly on the range start);
/// - `extrapolatedRate` caps the left extrapolation at half a sample interval *before* it
///   applies the counter zero-point clamp (since prometheus/prometheus#13725, 2024; before,
///   the clamp came first and could let the extrapolation reach further than half an interval).
///
/// Not modelled (documented differences):
/// - native histograms: samples are floats only;
/// - start-timestamp reset detection (`isStartTimestampReset`, created timestamps / OTel start
///   times): a reset is only ever a value lower than the previous one;
/// - the experimental `anchored` / `smoothed` range modifiers (`extendedRate`);
/// - annotations (e.g. "metric might not be a counter"): a missing result is just `nil`.
public enum RateFunctions {
    // MARK: Upstream's helpers

    /// `extrapolatedRate`: the increase of `samples` over `(rangeStart, rangeEnd]`, corrected for
    /// counter resets and extrapolated towards the range boundaries; per second when `isRate`.
    ///
    /// `samples` must be the samples of one series inside the range, oldest first, with strictly
    /// increasing timestamps (what `CounterSeries.samples(after:through:)` returns). Fewer than two
    /// samples give no result (`nil`), as upstream drops the element.
    ///
    /// - rate: `isCounter: true, isRate: true`; increase: `isCounter: true, isRate: false`;
    ///   delta: `isCounter: false, isRate: false`.
    public static func extrapolatedRate(
        _ samples: some RandomAccessCollection<CounterSample>,
        rangeStart: Int64, rangeEnd: Int64, isCounter: Bool, isRate: Bool
    ) -> Double? {
        guard samples.count > 1, let first = samples.first, let last = samples.last else { return nil }
        let numSamplesMinusOne = samples.count - 1
        // Upstream never sees equal timestamps (the TSDB refuses them); a caller could, and
        // dividing by a zero interval would turn into NaN or infinity rather than "no result".
        guard last.timestampMilliseconds > first.timestampMilliseconds else { return nil }

        var resultFloat = last.value - first.value
        if isCounter {
            // A value lower than the previous one means the counter restarted from zero in
            // between, so everything it had counted before (the previous value) was lost from
            // the difference and is added back.
            var previous = first
            for current in samples.dropFirst() {
                if current.value < previous.value {
                    resultFloat += previous.value
                }
                previous = current
            }
        }

        // Seconds between the first/last samples and the range boundaries.
        var durationToStart = Double(first.timestampMilliseconds - rangeStart) / 1000
        var durationToEnd = Double(rangeEnd - last.timestampMilliseconds) / 1000

        let sampledInterval = Double(last.timestampMilliseconds - first.timestampMilliseconds) / 1000
        let averageDurationBetweenSamples = sampledInterval / Double(numSamplesMinusOne)

        // A boundary "close enough" (within 110% of the average interval) is taken to have a
        // sample just outside it, so the result is extrapolated all the way there. Further away,
        // the series is taken to start (or end) inside the range, and its expected start (end) is
        // half an interval beyond the first (last) sample: extrapolate only that far.
        let extrapolationThreshold = averageDurationBetweenSamples * 1.1
        if durationToStart >= extrapolationThreshold {
            durationToStart = averageDurationBetweenSamples / 2
        }
        if isCounter {
            // Counters are never negative: if the slope reaches zero before the chosen start,
            // the series is taken to start at that zero point instead. Upstream computes this
            // only when the counter went up and its first value is not negative.
            var durationToZero = durationToStart
            if resultFloat > 0, first.value >= 0 {
                durationToZero = sampledInterval * (first.value / resultFloat)
            }
            if durationToZero < durationToStart {
                durationToStart = durationToZero
            }
        }
        if durationToEnd >= extrapolationThreshold {
            durationToEnd = averageDurationBetweenSamples / 2
        }

        var factor = (sampledInterval + durationToStart + durationToEnd) / sampledInterval
        if isRate {
            factor /= goSeconds(milliseconds: rangeEnd - rangeStart)
        }
        return resultFloat * factor
    }

    /// `instantValue`: the change between the last two samples, per second when `isRate`
    /// (irate), as is otherwise (idelta). For irate a drop means a reset, and the change is the
    /// last value itself (the counter counted up from zero to it).
    public static func instantValue(_ samples: some RandomAccessCollection<CounterSample>, isRate: Bool) -> Double? {
        guard samples.count > 1, let last = samples.last else { return nil }
        let previous = samples[samples.index(samples.endIndex, offsetBy: -2)]
        let sampledInterval = last.timestampMilliseconds - previous.timestampMilliseconds
        guard sampledInterval != 0 else { return nil }

        var result = last.value
        // Written as upstream does, so a NaN on either side yields NaN rather than a "reset".
        if !isRate || !(last.value < previous.value) {
            result = last.value - previous.value
        }
        if isRate {
            result /= Double(sampledInterval) / 1000
        }
        return result
    }

    // MARK: The PromQL functions, with the engine's range selection

    /// `rate(series[range] offset offset)` evaluated at `evaluationTime`.
    public static func rate(
        _ series: CounterSeries, rangeMilliseconds: Int64, at evaluationTime: Int64, offsetMilliseconds: Int64 = 0
    ) -> Double? {
        let (start, end) = rangeBounds(rangeMilliseconds, evaluationTime, offsetMilliseconds)
        return extrapolatedRate(series.samples(after: start, through: end), rangeStart: start, rangeEnd: end, isCounter: true, isRate: true)
    }

    /// `increase(series[range] offset offset)` evaluated at `evaluationTime`.
    public static func increase(
        _ series: CounterSeries, rangeMilliseconds: Int64, at evaluationTime: Int64, offsetMilliseconds: Int64 = 0
    ) -> Double? {
        let (start, end) = rangeBounds(rangeMilliseconds, evaluationTime, offsetMilliseconds)
        return extrapolatedRate(series.samples(after: start, through: end), rangeStart: start, rangeEnd: end, isCounter: true, isRate: false)
    }

    /// `delta(series[range] offset offset)` evaluated at `evaluationTime` (for gauges: no reset
    /// correction, no zero clamp).
    public static func delta(
        _ series: CounterSeries, rangeMilliseconds: Int64, at evaluationTime: Int64, offsetMilliseconds: Int64 = 0
    ) -> Double? {
        let (start, end) = rangeBounds(rangeMilliseconds, evaluationTime, offsetMilliseconds)
        return extrapolatedRate(series.samples(after: start, through: end), rangeStart: start, rangeEnd: end, isCounter: false, isRate: false)
    }

    /// `irate(series[range] offset offset)` evaluated at `evaluationTime`.
    public static func irate(
        _ series: CounterSeries, rangeMilliseconds: Int64, at evaluationTime: Int64, offsetMilliseconds: Int64 = 0
    ) -> Double? {
        let (start, end) = rangeBounds(rangeMilliseconds, evaluationTime, offsetMilliseconds)
        return instantValue(series.samples(after: start, through: end), isRate: true)
    }

    /// `idelta(series[range] offset offset)` evaluated at `evaluationTime`.
    public static func idelta(
        _ series: CounterSeries, rangeMilliseconds: Int64, at evaluationTime: Int64, offsetMilliseconds: Int64 = 0
    ) -> Double? {
        let (start, end) = rangeBounds(rangeMilliseconds, evaluationTime, offsetMilliseconds)
        return instantValue(series.samples(after: start, through: end), isRate: false)
    }

    // MARK: Details

    /// The engine's `rangeStart = ts - (range + offset)`, `rangeEnd = ts - offset`.
    private static func rangeBounds(_ range: Int64, _ evaluationTime: Int64, _ offset: Int64) -> (start: Int64, end: Int64) {
        precondition(range > 0, "a range selector's range must be positive")
        return (evaluationTime - (range + offset), evaluationTime - offset)
    }

    /// Go's `time.Duration.Seconds()` for a whole number of milliseconds: whole seconds plus the
    /// remainder in nanoseconds divided by 1e9, added as doubles. Computed the same way (rather
    /// than `ms / 1000`) so rates match upstream to the last bit for every range.
    private static func goSeconds(milliseconds: Int64) -> Double {
        let wholeSeconds = milliseconds / 1000
        let remainderNanoseconds = (milliseconds % 1000) * 1_000_000
        return Double(wholeSeconds) + Double(remainderNanoseconds) / 1e9
    }
}
