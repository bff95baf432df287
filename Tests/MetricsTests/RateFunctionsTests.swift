import TidepoolMetrics
import Testing

/// Upstream's rate/increase/delta/irate/idelta cases from Prometheus 3's
/// `promql/promqltest/testdata/functions.test`, each `eval` line one case per series, with
/// upstream's series written in its `load` notation and upstream's expected numbers.
@Suite("Rate functions against upstream's functions.test")
struct RateFunctionsTests {
    enum Function: String, Sendable {
        case rate, increase, delta, irate, idelta
    }

    struct UpstreamCase: Sendable, CustomTestStringConvertible {
        /// The `eval` line and the series, as upstream writes them.
        var query: String
        var series: String
        var function: Function
        /// The `load` interval, in minutes.
        var loadIntervalMinutes: Int64
        /// The series values in upstream's `load` notation.
        var values: String
        var evaluationTimeMilliseconds: Int64
        var rangeMilliseconds: Int64
        var offsetMilliseconds: Int64 = 0
        /// nil: upstream expects no result for this series.
        var expected: Double?
        /// Whether the result must equal the double nearest upstream's decimal text, rather than
        /// lie within a relative 1e-12 of it. Every case is exact but two: upstream writes
        /// 0.26666666666666666 where the arithmetic (Go's and ours alike) lands one ulp away,
        /// on 0.2666666666666667; upstream's own test runner compares within an epsilon.
        var exact: Bool

        var testDescription: String { "\(query) \(series)" }
    }

    static func minutes(_ count: Int64) -> Int64 { count * 60_000 }
    static func seconds(_ count: Int64) -> Int64 { count * 1000 }

    static let cases: [UpstreamCase] = {
        var cases: [UpstreamCase] = []
        func add(_ query: String, _ series: String, _ function: Function, load interval: Int64, _ values: String,
                 at time: Int64, range: Int64, offset: Int64 = 0, expect expected: Double?, exact: Bool = true) {
            cases.append(UpstreamCase(query: query, series: series, function: function, loadIntervalMinutes: interval,
                                      values: values, evaluationTimeMilliseconds: time, rangeMilliseconds: range,
                                      offsetMilliseconds: offset, expected: expected, exact: exact))
        }

        // Tests for increase(): load 5m.
        let increaseSeries = [
            ("{path=\"/foo\"}", "0+10x10"), ("{path=\"/bar\"}", "0+18x5 0+18x5"),
            ("{path=\"/dings\"}", "10+10x10"), ("{path=\"/bumms\"}", "1+10x10"),
        ]
        for ((series, values), expected) in zip(increaseSeries, [100.0, 160, 100, 100]) {
            add("eval instant at 50m increase(http_requests_total[50m])", series, .increase, load: 5, values,
                at: minutes(50), range: minutes(50), expect: expected)
        }
        // "dings" would reach 0 at t=-5m, beyond the half-interval start (-2m30s): 105.
        // "bumms" reaches 0 at t=-30s, inside it: extrapolation stops there, 101.
        for ((series, values), expected) in zip(increaseSeries, [100.0, 162, 105, 101]) {
            add("eval instant at 50m increase(http_requests_total[100m])", series, .increase, load: 5, values,
                at: minutes(50), range: minutes(100), expect: expected)
        }

        // increase() with a counter reset: 3 2 reads as 3 0 1 2.
        add("eval instant at 30m increase(http_requests_total[30m])", "{path=\"/foo\"}", .increase, load: 5,
            "0 1 2 3 2 3 4", at: minutes(30), range: minutes(30), expect: 7)

        // Tests for rate(): resets in the middle are handled, a reset at the end is ignored.
        add("eval instant at 50m rate(testcounter_reset_middle_total[50m])", "{}", .rate, load: 5,
            "0+27x4 0+27x5", at: minutes(50), range: minutes(50), expect: 0.08)
        add("eval instant at 50m rate(testcounter_reset_end_total[5m])", "{}", .rate, load: 5,
            "0+10x9 0 10", at: minutes(50), range: minutes(5), expect: nil)
        add("eval instant at 50m rate(testcounter_reset_end_total[6m])", "{}", .rate, load: 5,
            "0+10x9 0 10", at: minutes(50), range: minutes(6), expect: 0)

        // Rates are per second.
        add("eval instant at 50m rate(calculate_rate_window_total[50m])", "{}", .rate, load: 5,
            "0+80x10", at: minutes(50), range: minutes(50), expect: 0.26666666666666666, exact: false)
        add("eval instant at 50m rate(calculate_rate_offset_total[10m] offset 5m)", "{x=\"a\"}", .rate, load: 5,
            "0+10x10", at: minutes(50), range: minutes(10), offset: minutes(5), expect: 0.03333333333333333)
        add("eval instant at 50m rate(calculate_rate_offset_total[10m] offset 5m)", "{x=\"b\"}", .rate, load: 5,
            "0+20x10", at: minutes(50), range: minutes(10), offset: minutes(5), expect: 0.06666666666666667)

        // Zero cutoff: load 4m. Left-side extrapolation stops at the zero point until that is
        // more than half a sampling interval (2m) away.
        let zeroCutoff = [("{start=\"0m\"}", "0+240x10"), ("{start=\"1m\"}", "60+240x10"), ("{start=\"2m\"}", "120+240x10"),
                          ("{start=\"3m\"}", "180+240x10"), ("{start=\"4m\"}", "240+240x10"), ("{start=\"5m\"}", "300+240x10")]
        for ((series, values), expected) in zip(zeroCutoff, [0.5, 0.55, 0.6, 0.6, 0.6, 0.6]) {
            add("eval instant at 10m rate(testcounter_zero_cutoff_total[20m])", series, .rate, load: 4, values,
                at: minutes(10), range: minutes(20), expect: expected)
        }
        for (series, values) in zeroCutoff {
            add("eval instant at 50m rate(testcounter_zero_cutoff_total[20m])", series, .rate, load: 4, values,
                at: minutes(50), range: minutes(20), expect: 0.6)
        }

        // deriv's comparison case: rate of a steady counter.
        add("eval instant at 50m rate(http_requests_total{group=\"canary\", instance=\"1\", job=\"app-server\"}[50m])",
            "{group=\"canary\", instance=\"1\", job=\"app-server\"}", .rate, load: 5, "0+80x10",
            at: minutes(50), range: minutes(50), expect: 0.26666666666666666, exact: false)

        // Tests for irate(): load 5m.
        add("eval instant at 50m irate(http_requests_total[50m])", "{path=\"/foo\"}", .irate, load: 5, "0+10x10",
            at: minutes(50), range: minutes(50), expect: 0.03333333333333333333)
        add("eval instant at 50m irate(http_requests_total[50m])", "{path=\"/bar\"}", .irate, load: 5, "0+10x5 0+10x5",
            at: minutes(50), range: minutes(50), expect: 0.03333333333333333333)
        add("eval instant at 30m irate(http_requests_total[50m])", "{path=\"/foo\"}", .irate, load: 5, "0+10x10",
            at: minutes(30), range: minutes(50), expect: 0.03333333333333333333)
        add("eval instant at 30m irate(http_requests_total[50m])", "{path=\"/bar\"}", .irate, load: 5, "0+10x5 0+10x5",
            at: minutes(30), range: minutes(50), expect: 0)
        // eval range from 0 to 20m step 5m irate(http_requests_nan[15m1s]): _ NaN NaN NaN 0.02
        for (step, expected) in zip(Int64(0)...4, [nil, .nan, .nan, .nan, 0.02] as [Double?]) {
            add("eval range from 0 to 20m step 5m irate(http_requests_nan[15m1s]), step \(step * 5)m", "{}", .irate, load: 5,
                "1 NaN NaN 5 11", at: minutes(step * 5), range: minutes(15) + seconds(1), expect: expected)
        }

        // Tests for delta(): load 5m.
        add("eval instant at 20m delta(http_requests[20m])", "{path=\"/foo\"}", .delta, load: 5, "0 50 100 150 200",
            at: minutes(20), range: minutes(20), expect: 200)
        add("eval instant at 20m delta(http_requests[20m])", "{path=\"/bar\"}", .delta, load: 5, "200 150 100 50 0",
            at: minutes(20), range: minutes(20), expect: -200)

        // Tests for idelta(): load 5m.
        add("eval instant at 20m idelta(http_requests[20m])", "{path=\"/foo\"}", .idelta, load: 5, "0 50 100 150",
            at: minutes(20), range: minutes(20), expect: 50)
        add("eval instant at 20m idelta(http_requests[20m])", "{path=\"/bar\"}", .idelta, load: 5, "0 50 100 50",
            at: minutes(20), range: minutes(20), expect: -50)
        for (step, expected) in zip(Int64(0)...4, [nil, .nan, .nan, .nan, 6] as [Double?]) {
            add("eval range from 0 to 20m step 5m idelta(http_requests_nan[15m1s]), step \(step * 5)m", "{}", .idelta, load: 5,
                "1 NaN NaN 5 11", at: minutes(step * 5), range: minutes(15) + seconds(1), expect: expected)
        }
        return cases
    }()

    @Test("upstream's expected value", arguments: cases)
    func upstreamCase(_ testCase: UpstreamCase) throws {
        let series = try LoadNotation.series(testCase.values, intervalMilliseconds: Self.minutes(testCase.loadIntervalMinutes))
        let evaluate: (CounterSeries, Int64, Int64, Int64) -> Double? = switch testCase.function {
        case .rate: RateFunctions.rate(_:rangeMilliseconds:at:offsetMilliseconds:)
        case .increase: RateFunctions.increase(_:rangeMilliseconds:at:offsetMilliseconds:)
        case .delta: RateFunctions.delta(_:rangeMilliseconds:at:offsetMilliseconds:)
        case .irate: RateFunctions.irate(_:rangeMilliseconds:at:offsetMilliseconds:)
        case .idelta: RateFunctions.idelta(_:rangeMilliseconds:at:offsetMilliseconds:)
        }
        let actual = evaluate(series, testCase.rangeMilliseconds, testCase.evaluationTimeMilliseconds, testCase.offsetMilliseconds)
        #expect(UpstreamComparison.matches(actual, testCase.expected, exact: testCase.exact),
                "got \(actual.map { "\($0)" } ?? "no result"), upstream expects \(testCase.expected.map { "\($0)" } ?? "no result")")
    }

    // MARK: extrapolatedRate's rules, one at a time

    static func samples(_ pairs: [(seconds: Int64, value: Double)]) -> [CounterSample] {
        pairs.map { CounterSample(timestampMilliseconds: $0.seconds * 1000, value: $0.value) }
    }

    /// Upstream's closing arithmetic, in its order: the raw increase times
    /// (sampled interval + extension at the start + extension at the end) / sampled interval.
    static func extrapolated(_ increase: Double, sampledInterval: Double, toStart: Double, toEnd: Double) -> Double {
        increase * ((sampledInterval + toStart + toEnd) / sampledInterval)
    }

    @Test("fewer than two samples give no result")
    func tooFewSamples() {
        #expect(RateFunctions.extrapolatedRate([], rangeStart: 0, rangeEnd: 60_000, isCounter: true, isRate: true) == nil)
        #expect(RateFunctions.extrapolatedRate(Self.samples([(30, 5)]), rangeStart: 0, rangeEnd: 60_000, isCounter: true, isRate: true) == nil)
        #expect(RateFunctions.instantValue(Self.samples([(30, 5)]), isRate: true) == nil)
    }

    @Test("a gap under 1.1 average intervals is extrapolated to the boundary, from 1.1 on by half an interval")
    func extrapolationThreshold() {
        // Samples every 10s from 100 to 120 (so the zero point is far away); the range ends
        // right at the last sample.
        let samples = Self.samples([(100, 100), (110, 110), (120, 120)])
        // Start 10.9s before the first sample (< 11s): extrapolated all the way, 20 * 30.9 / 20.
        let near = RateFunctions.extrapolatedRate(samples, rangeStart: 89_100, rangeEnd: 120_000, isCounter: true, isRate: false)
        #expect(near == Self.extrapolated(20, sampledInterval: 20, toStart: 10.9, toEnd: 0))
        // Exactly 11s (1.1 intervals): only half an interval, 20 * 25 / 20.
        let atThreshold = RateFunctions.extrapolatedRate(samples, rangeStart: 89_000, rangeEnd: 120_000, isCounter: true, isRate: false)
        #expect(atThreshold == 25)
        // The same on the right.
        let rightAtThreshold = RateFunctions.extrapolatedRate(samples, rangeStart: 100_000 - 1, rangeEnd: 131_000, isCounter: true, isRate: false)
        #expect(rightAtThreshold == Self.extrapolated(20, sampledInterval: 20, toStart: 0.001, toEnd: 5))
    }

    @Test("a counter is never extrapolated below zero; a gauge (delta) is")
    func zeroPointClamp() {
        // From 1 to 21 in 20s: the zero point lies 1s before the first sample.
        let samples = Self.samples([(100, 1), (110, 11), (120, 21)])
        #expect(RateFunctions.extrapolatedRate(samples, rangeStart: 95_000, rangeEnd: 120_000, isCounter: true, isRate: false) == 21)
        #expect(RateFunctions.extrapolatedRate(samples, rangeStart: 95_000, rangeEnd: 120_000, isCounter: false, isRate: false) == 25)
        // A negative first value disables the clamp (upstream computes it only from >= 0).
        let negative = Self.samples([(100, -1), (110, 9), (120, 19)])
        #expect(RateFunctions.extrapolatedRate(negative, rangeStart: 95_000, rangeEnd: 120_000, isCounter: true, isRate: false) == 25)
    }

    @Test("each reset adds back the value before it")
    func resets() {
        // 5 → 8 (+3), 8 → 2 (reset: +2 counted from zero), 2 → 1 (reset: +1), 1 → 4 (+3): 9.
        let samples = Self.samples([(0, 5), (10, 8), (20, 2), (30, 1), (40, 4)])
        #expect(RateFunctions.extrapolatedRate(samples, rangeStart: -1, rangeEnd: 40_000, isCounter: true, isRate: false)
            == Self.extrapolated(9, sampledInterval: 40, toStart: 0.001, toEnd: 0))
        // As a gauge, the same values just went down by 1.
        #expect(RateFunctions.extrapolatedRate(samples, rangeStart: -1, rangeEnd: 40_000, isCounter: false, isRate: false)
            == Self.extrapolated(-1, sampledInterval: 40, toStart: 0.001, toEnd: 0))
    }

    @Test("rate divides by the range, not by the sampled interval")
    func ratePerSecondOfRange() {
        // From 10 to 60 at 10s..60s in the range (0, 60]: 10s to the start (within 1.1
        // intervals, and exactly where the counter would be zero): an increase of 60 over 60s.
        let samples = Self.samples([(10, 10), (20, 20), (30, 30), (40, 40), (50, 50), (60, 60)])
        let rate = RateFunctions.extrapolatedRate(samples, rangeStart: 0, rangeEnd: 60_000, isCounter: true, isRate: true)
        #expect(UpstreamComparison.matches(rate, 1, exact: false))
        let increase = RateFunctions.extrapolatedRate(samples, rangeStart: 0, rangeEnd: 60_000, isCounter: true, isRate: false)
        #expect(UpstreamComparison.matches(increase, 60, exact: false))
    }

    @Test("irate: the last two samples; a drop is a reset counted from zero")
    func instantRate() {
        #expect(RateFunctions.instantValue(Self.samples([(0, 1), (10, 50), (15, 60)]), isRate: true) == 2)
        #expect(RateFunctions.instantValue(Self.samples([(0, 1), (10, 50), (15, 10)]), isRate: true) == 2)
        #expect(RateFunctions.instantValue(Self.samples([(0, 1), (10, 50), (15, 10)]), isRate: false) == -40)
    }

    @Test("ranges are left-open: a sample on the range start is not selected")
    func leftOpenRange() {
        let series = CounterSeries(Self.samples([(0, 0), (60, 60), (120, 120)]))
        #expect(series.samples(after: 0, through: 120_000).map(\.value) == [60, 120])
        #expect(series.samples(after: -1, through: 119_999).map(\.value) == [0, 60])
        #expect(series.samples(after: 120_000, through: 200_000).isEmpty)
        #expect(series.samples(after: 100_000, through: 10_000).isEmpty)
        // Two samples at 60s and 120s, 60s to the start of (0, 120]: within threshold.
        #expect(RateFunctions.increase(series, rangeMilliseconds: 120_000, at: 120_000) == 120)
        #expect(RateFunctions.rate(series, rangeMilliseconds: 60_000, at: 120_000) == nil)
    }

}

/// How results are compared with upstream's: no result matches only no result, NaN only NaN,
/// numbers exactly or within a relative 1e-12.
enum UpstreamComparison {
    static func matches(_ actual: Double?, _ expected: Double?, exact: Bool) -> Bool {
        switch (actual, expected) {
        case (nil, nil): return true
        case let (actual?, expected?):
            if expected.isNaN { return actual.isNaN }
            if exact { return actual == expected }
            return actual == expected || abs(actual - expected) <= 1e-12 * abs(expected)
        default: return false
        }
    }
}

/// Upstream's `load` notation (promqltest): space-separated items, each a number, `NaN`, `_`
/// (no sample), or `a+bxn` / `a-bxn` (a, then n more values, adding b each time, as upstream
/// does by repeated addition). The first item is at time 0, the next one interval later.
enum LoadNotation {
    struct Malformed: Error, CustomStringConvertible {
        var item: String
        var description: String { "not a load item: \(item)" }
    }

    static func values(_ text: String) throws -> [Double?] {
        var values: [Double?] = []
        for item in text.split(separator: " ") {
            if item == "_" {
                values.append(nil)
            } else if let value = Double(item) {
                values.append(value)
            } else if let times = item.firstIndex(of: "x"),
                      let sign = item[item.index(after: item.startIndex)..<times].firstIndex(where: { $0 == "+" || $0 == "-" }),
                      let start = Double(item[..<sign]), let step = Double(item[sign..<times]),
                      let count = Int(item[item.index(after: times)...]) {
                var value = start
                values.append(value)
                for _ in 0..<count {
                    value += step
                    values.append(value)
                }
            } else {
                throw Malformed(item: String(item))
            }
        }
        return values
    }

    static func series(_ text: String, intervalMilliseconds: Int64) throws -> CounterSeries {
        var series = CounterSeries()
        for (index, value) in try values(text).enumerated() {
            if let value {
                series.append(CounterSample(timestampMilliseconds: Int64(index) * intervalMilliseconds, value: value))
            }
        }
        return series
    }
}
