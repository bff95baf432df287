import TidepoolMetrics
import Testing

@Suite("Counter rate tracker")
struct CounterRateTrackerTests {
    /// Scrapes every 15s: the counter's value at each scrape, from time 0.
    static func scraped(_ values: [Double], into tracker: inout CounterRateTracker<String>, key: String = "web-0",
                        startMilliseconds: Int64 = 0, intervalMilliseconds: Int64 = 15_000) {
        for (index, value) in values.enumerated() {
            tracker.record(value, for: key, at: startMilliseconds + Int64(index) * intervalMilliseconds)
        }
    }

    @Test("a steady counter reads its slope")
    func steadyCounter() {
        var tracker = CounterRateTracker<String>(maximumWindow: .seconds(60))
        // 10 per second, scraped every 15s for two minutes.
        Self.scraped((0...8).map { Double($0) * 150 }, into: &tracker)
        #expect(UpstreamComparison.matches(tracker.rate(of: "web-0", over: .seconds(60), at: 120_000), 10, exact: false))
        #expect(UpstreamComparison.matches(tracker.increase(of: "web-0", over: .seconds(60), at: 120_000), 600, exact: false))
        #expect(tracker.irate(of: "web-0", over: .seconds(60), at: 120_000) == 10)
    }

    @Test("a restarted pod's counter reset is added back, as rate() does")
    func resetIsAddedBack() {
        var tracker = CounterRateTracker<String>(maximumWindow: .seconds(60))
        // +150 per scrape, then the process restarts between 45s and 60s and counts 30 anew.
        Self.scraped([1000, 1150, 1300, 1450, 30, 180], into: &tracker)
        let expected = RateFunctions.rate(CounterSeries(tracker.samples(of: "web-0")), rangeMilliseconds: 60_000, at: 75_000)
        // In (15s, 75s]: 1300, 1450, 30, 180: 180 - 1300 + 1450 = 330 over 45s, extrapolated
        // 15s to the window's start (within 1.1 intervals; the zero point is further): 440 in 60s.
        #expect(UpstreamComparison.matches(tracker.rate(of: "web-0", over: .seconds(60), at: 75_000), 440.0 / 60, exact: false))
        #expect(tracker.rate(of: "web-0", over: .seconds(60), at: 75_000) == expected)
        #expect(tracker.irate(of: "web-0", over: .seconds(60), at: 75_000) == 10)
        #expect(tracker.rate(of: "web-0", over: .seconds(60), at: 75_000).map { $0 > 0 } == true)
    }

    @Test("no rate once a series has been silent for the staleness period")
    func staleness() {
        var tracker = CounterRateTracker<String>(maximumWindow: .seconds(600))
        Self.scraped((0...8).map { Double($0) * 150 }, into: &tracker)
        let lastScrape: Int64 = 120_000
        // The default period is Prometheus's lookback delta, 5 minutes, left-open.
        #expect(tracker.rate(of: "web-0", over: .seconds(600), at: lastScrape + 299_999) != nil)
        #expect(tracker.rate(of: "web-0", over: .seconds(600), at: lastScrape + 300_000) == nil)
        #expect(tracker.increase(of: "web-0", over: .seconds(600), at: lastScrape + 300_000) == nil)
        #expect(tracker.irate(of: "web-0", over: .seconds(600), at: lastScrape + 300_000) == nil)

        var quick = CounterRateTracker<String>(maximumWindow: .seconds(60), stalenessPeriod: .seconds(30))
        Self.scraped((0...8).map { Double($0) * 150 }, into: &quick)
        #expect(quick.rate(of: "web-0", over: .seconds(60), at: lastScrape + 29_000) != nil)
        #expect(quick.rate(of: "web-0", over: .seconds(60), at: lastScrape + 30_000) == nil)
    }

    @Test("a series that reappears has a rate again, counting what is left in the window")
    func reappearing() {
        var tracker = CounterRateTracker<String>(maximumWindow: .seconds(600), stalenessPeriod: .seconds(60))
        Self.scraped([0, 150, 300], into: &tracker)
        #expect(tracker.rate(of: "web-0", over: .seconds(600), at: 120_000) == nil)
        tracker.record(1500, for: "web-0", at: 150_000)
        let expected = RateFunctions.rate(CounterSeries(tracker.samples(of: "web-0")), rangeMilliseconds: 600_000, at: 150_000)
        #expect(tracker.samples(of: "web-0").count == 4)
        #expect(tracker.rate(of: "web-0", over: .seconds(600), at: 150_000) == expected)
        #expect(expected != nil)
    }

    @Test("only samples inside the maximum window are kept")
    func windowTrimming() {
        var tracker = CounterRateTracker<String>(maximumWindow: .seconds(60))
        Self.scraped((0..<100).map { Double($0) * 150 }, into: &tracker)
        // Newest at 1485s: (1425s, 1485s] holds 1440, 1455, 1470, 1485.
        #expect(tracker.samples(of: "web-0").map(\.timestampMilliseconds) == [1_440_000, 1_455_000, 1_470_000, 1_485_000])
        #expect(tracker.sampleCount == 4)
    }

    @Test("trimming never changes a rate: the same as rate() over the whole history")
    func trimmingIsInvisible() {
        var tracker = CounterRateTracker<String>(maximumWindow: .seconds(90))
        var history = CounterSeries()
        // A counter with irregular scrapes, jittered increments and an occasional restart.
        var generator = SplitMix64(seed: 42)
        var time: Int64 = 0
        var value = 0.0
        for _ in 0..<400 {
            time += 10_000 + Int64(generator.next() % 10_000)
            value = generator.next() % 50 == 0 ? Double(generator.next() % 20) : value + Double(generator.next() % 100)
            tracker.record(value, for: "web-0", at: time)
            history.append(CounterSample(timestampMilliseconds: time, value: value))
            for window: Int64 in [30_000, 60_000, 90_000] {
                for queryTime in [time, time + 7_000] {
                    let tracked = tracker.rate(of: "web-0", over: .milliseconds(window), at: queryTime)
                    let full = RateFunctions.rate(history, rangeMilliseconds: window, at: queryTime)
                    #expect(tracked == full, "window \(window)ms at \(queryTime)ms")
                }
            }
            #expect(tracker.sampleCount <= 10)
        }
    }

    @Test("memory stays bounded as series come and go")
    func boundedMemory() {
        var tracker = CounterRateTracker<String>(maximumWindow: .seconds(60), stalenessPeriod: .seconds(300))
        // A pool of pods, each living for 10 minutes, scraped every 15s; a new pod every minute.
        var peakSeries = 0
        var peakSamples = 0
        for scrape in 0..<(24 * 60 * 4) {
            let time = Int64(scrape) * 15_000
            let minute = scrape / 4
            for pod in max(0, minute - 9)...minute {
                tracker.record(Double(scrape - pod * 4), for: "pod-\(pod)", at: time)
            }
            peakSeries = max(peakSeries, tracker.seriesCount)
            peakSamples = max(peakSamples, tracker.sampleCount)
        }
        // Ten live pods, plus the ones silent for less than twice max(window, staleness).
        #expect(peakSeries <= 10 + 10)
        #expect(peakSamples <= peakSeries * 4)
        // A day of pods (1440 of them) has come and gone.
        #expect(tracker.seriesCount < 30)
        tracker.removeSilentSeries(at: 24 * 3_600_000 + 300_000)
        #expect(tracker.seriesCount == 0)
    }

    @Test("out-of-order samples are refused, identical repeats ignored")
    func outOfOrder() {
        var tracker = CounterRateTracker<String>(maximumWindow: .seconds(60))
        #expect(tracker.record(10, for: "web-0", at: 15_000) == .appended)
        #expect(tracker.record(10, for: "web-0", at: 15_000) == .duplicate)
        #expect(tracker.record(11, for: "web-0", at: 15_000) == .rejectedOutOfOrder)
        #expect(tracker.record(5, for: "web-0", at: 14_000) == .rejectedOutOfOrder)
        #expect(tracker.record(20, for: "web-0", at: 30_000) == .appended)
        #expect(tracker.samples(of: "web-0") == [
            CounterSample(timestampMilliseconds: 15_000, value: 10), CounterSample(timestampMilliseconds: 30_000, value: 20),
        ])
    }

    @Test("no rate for an unknown series, a single sample, or a removed series")
    func noRate() {
        var tracker = CounterRateTracker<String>(maximumWindow: .seconds(60))
        #expect(tracker.rate(of: "web-0", over: .seconds(60), at: 0) == nil)
        tracker.record(10, for: "web-0", at: 0)
        #expect(tracker.rate(of: "web-0", over: .seconds(60), at: 0) == nil)
        tracker.record(20, for: "web-0", at: 15_000)
        #expect(tracker.rate(of: "web-0", over: .seconds(60), at: 15_000) != nil)
        // A shorter window holds only the newest sample.
        #expect(tracker.rate(of: "web-0", over: .seconds(10), at: 15_000) == nil)
        tracker.removeSeries("web-0")
        #expect(tracker.rate(of: "web-0", over: .seconds(60), at: 15_000) == nil)
        #expect(tracker.seriesCount == 0)
    }

    @Test("series are tracked independently")
    func independentSeries() {
        var tracker = CounterRateTracker<String>(maximumWindow: .seconds(60))
        Self.scraped((0...4).map { Double($0) * 150 }, into: &tracker, key: "web-0")
        Self.scraped((0...4).map { Double($0) * 300 }, into: &tracker, key: "web-1")
        #expect(tracker.irate(of: "web-0", over: .seconds(60), at: 60_000) == 10)
        #expect(tracker.irate(of: "web-1", over: .seconds(60), at: 60_000) == 20)
        #expect(tracker.seriesCount == 2)
    }
}

/// A small deterministic generator (SplitMix64), so property-style tests repeat exactly.
struct SplitMix64 {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var mixed = state
        mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
        return mixed ^ (mixed >> 31)
    }
}
