/// One reading of a series: when it was taken and what it read.
///
/// Times are milliseconds since the Unix epoch because that is how Prometheus stores and
/// exposes sample times; keeping the same unit lets upstream's arithmetic be mirrored exactly.
public struct CounterSample: Sendable, Equatable {
    public var timestampMilliseconds: Int64
    public var value: Double

    public init(timestampMilliseconds: Int64, value: Double) {
        self.timestampMilliseconds = timestampMilliseconds
        self.value = value
    }

    /// NaN readings equal each other, so a series equals itself (as `Sample` does).
    public static func == (lhs: CounterSample, rhs: CounterSample) -> Bool {
        lhs.timestampMilliseconds == rhs.timestampMilliseconds
            && (lhs.value == rhs.value || (lhs.value.isNaN && rhs.value.isNaN))
    }
}

/// The samples of one series, oldest first, with strictly increasing timestamps: the shape a
/// Prometheus TSDB series has, and the one the rate functions assume.
public struct CounterSeries: Sendable, Equatable {
    public private(set) var samples: [CounterSample]

    /// What `append` did with a sample. Mirrors the TSDB appender: an identical repeat is
    /// accepted silently, anything older (or a different value at the same time) is refused.
    public enum AppendOutcome: Sendable, Equatable {
        case appended
        /// Same timestamp and the same value bit for bit: nothing to store.
        case duplicate
        /// Older than the newest sample, or a different value at the newest sample's time.
        case rejectedOutOfOrder
    }

    public init() {
        samples = []
    }

    /// A series from samples already in time order (strictly increasing timestamps).
    public init(_ samples: [CounterSample]) {
        precondition(
            zip(samples, samples.dropFirst()).allSatisfy { $0.timestampMilliseconds < $1.timestampMilliseconds },
            "CounterSeries needs strictly increasing timestamps"
        )
        self.samples = samples
    }

    public var newest: CounterSample? { samples.last }

    @discardableResult
    public mutating func append(_ sample: CounterSample) -> AppendOutcome {
        if let newest = samples.last, sample.timestampMilliseconds <= newest.timestampMilliseconds {
            let repeatsNewest = sample.timestampMilliseconds == newest.timestampMilliseconds
                && sample.value.bitPattern == newest.value.bitPattern
            return repeatsNewest ? .duplicate : .rejectedOutOfOrder
        }
        samples.append(sample)
        return .appended
    }

    /// The samples in `(rangeStart, rangeEnd]`: Prometheus 3's left-open range selection, so a
    /// sample lying exactly on the start belongs to the previous range, not this one.
    public func samples(after rangeStart: Int64, through rangeEnd: Int64) -> ArraySlice<CounterSample> {
        let lower = firstIndex { $0.timestampMilliseconds > rangeStart }
        let upper = firstIndex { $0.timestampMilliseconds > rangeEnd }
        return samples[lower..<max(lower, upper)]
    }

    /// Drops every sample at or before `cutoff` (the ones no range ending later can select).
    public mutating func removeSamples(atOrBefore cutoff: Int64) {
        let keptFrom = firstIndex { $0.timestampMilliseconds > cutoff }
        samples.removeFirst(keptFrom)
    }

    /// Binary search for the first sample satisfying a predicate that is false, then true,
    /// along the series (timestamps are sorted); `samples.count` when none does.
    private func firstIndex(where isPast: (CounterSample) -> Bool) -> Int {
        var low = 0
        var high = samples.count
        while low < high {
            let middle = (low + high) / 2
            if isPast(samples[middle]) { high = middle } else { low = middle + 1 }
        }
        return low
    }
}
