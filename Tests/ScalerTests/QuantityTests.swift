import Scaler
import Testing

/// Kubernetes quantities as the algorithm reads them: `MilliValue()` (rounded up, away from
/// zero), `AsApproximateFloat64()` and the DecimalSI canonical text.
///
/// Most parse cases come from upstream's `TestQuantityParse`
/// (k8s.io/apimachinery/pkg/api/resource/quantity_test.go), turned into the milli-value each
/// quantity has.
@Suite("Quantity")
struct QuantityTests {

    // MARK: Suffixes

    @Test("every suffix", arguments: [
        // Decimal SI
        ("5n", 1),             // 0.000000005 rounds up to 1m
        ("4u", 1),             // 0.000004 rounds up to 1m
        ("3m", 3),
        ("9", 9_000),
        ("8k", 8_000_000),
        ("50k", 50_000_000),
        ("7M", 7_000_000_000),
        ("6G", 6_000_000_000_000),
        ("5T", 5_000_000_000_000_000),
        ("40T", 40_000_000_000_000_000),
        ("300T", 300_000_000_000_000_000),
        ("2P", 2_000_000_000_000_000_000),
        ("1E", Int64.max),     // 10^21 milli does not fit
        // Binary SI
        ("1Ki", 1_024_000),
        ("8Ki", 8_192_000),
        ("7Mi", 7_340_032_000),
        ("6Gi", 6_442_450_944_000),
        ("5Ti", 5_497_558_138_880_000),
        ("10Ti", 10_995_116_277_760_000),
        ("100Ti", 109_951_162_777_600_000),
        ("4Pi", 4_503_599_627_370_496_000),
        ("3Ei", Int64.max),
        // Decimal exponents
        ("1E-3", 1),
        ("1e3", 1_000_000),
        ("1E6", 1_000_000_000),
        ("1e9", 1_000_000_000_000),
        ("1E12", 1_000_000_000_000_000),
        ("1e13", 10_000_000_000_000_000),
        ("1e14", 100_000_000_000_000_000),
        ("1e15", 1_000_000_000_000_000_000),
        ("1E18", Int64.max),
        ("1.5e-3", 2),
        ("2e0", 2_000),
        ("2e-0", 2_000),
        ("2E+1", 20_000),
        ("25e-1", 2_500),
        ("1e-9", 1),
        ("0", 0), ("0n", 0), ("0u", 0), ("0m", 0), ("0k", 0), ("0Ki", 0), ("0Mi", 0), ("0M", 0),
        ("0Gi", 0), ("0G", 0), ("0Ti", 0), ("0T", 0), ("0e5", 0), ("0E", 0),
    ] as [(String, Int64)])
    func suffix(_ text: String, _ milli: Int64) throws {
        #expect(try Quantity(parsing: text).milliValue == milli)
    }

    @Test("upstream's decimal and fractional forms", arguments: [
        ("100.035k", 100_035_000),
        ("0.001", 1),
        ("0.0005k", 500),
        ("0.005", 5),
        ("0.05", 50),
        ("0.5", 500),
        ("0.00050k", 500),
        ("0.00500", 5),
        ("0.05000", 50),
        ("0.50000", 500),
        ("0.5e0", 500),
        ("0.5e-1", 50),
        ("0.5e-2", 5),
        ("10.035M", 10_035_000_000),
        ("1.2e3", 1_200_000),
        ("1.3E+6", 1_300_000_000),
        ("1.40e9", 1_400_000_000_000),
        ("1.53E12", 1_530_000_000_000_000),
        ("1.6e15", 1_600_000_000_000_000_000),
        ("1.7E18", Int64.max),
        ("9.01", 9_010),
        ("8.1k", 8_100_000),
        ("7.123456M", 7_123_456_000),
        ("6.987654321G", 6_987_654_321_000),
        ("5.444T", 5_444_000_000_000_000),
        ("40.1T", 40_100_000_000_000_000),
        ("300.2T", 300_200_000_000_000_000),
        ("2.5P", 2_500_000_000_000_000_000),
        ("1.01E", Int64.max),
        ("12E", Int64.max),
        // Things that round: upstream keeps nanos, MilliValue rounds up.
        ("3.001n", 1),
        ("1.1E-9", 1),
        ("0.0000000001", 1),
        ("0.0000000005", 1),
        ("0.00000000050", 1),
        ("0.5e-9", 1),
        ("0.9n", 1),
        ("0.00000012345", 1),
        ("9Ei", Int64.max),
        ("9223372036854775807Ki", Int64.max),
        // Fractional binary quantities.
        ("100.035Ki", 102_435_840),
        ("0.5Mi", 524_288_000),
        ("0.05Gi", 53_687_091_200),
        ("0.025Ti", 27_487_790_694_400),
        // "Things written by trolls".
        ("0.000000000001Ki", 1),
        (".001", 1),
        (".0001k", 100),
        ("1.", 1_000),
        ("1.G", 1_000_000_000_000),
        // The brief's shorthand forms.
        (".5", 500),
        ("5.", 5_000),
        ("0.1", 100),
        ("2.5", 2_500),
        ("1500m", 1_500),
    ] as [(String, Int64)])
    func upstreamForms(_ text: String, _ milli: Int64) throws {
        let quantity = try Quantity(parsing: text)
        #expect(quantity.milliValue == milli)
        // Upstream's table is also run with "+" and "-" in front of every entry.
        #expect(try Quantity(parsing: "+" + text).milliValue == milli)
        let negative = try Quantity(parsing: "-" + text).milliValue
        #expect(negative == (milli == Int64.max ? Int64.min : -milli), "-\(text)")
    }

    // MARK: Signs and rounding

    @Test("signs", arguments: [
        ("+1", 1_000), ("-1", -1_000), ("+0", 0), ("-0", 0), ("-0.0", 0), ("-1.5", -1_500),
        ("-500m", -500), ("+2k", 2_000_000), ("-1Ki", -1_024_000), ("-1e3", -1_000_000), ("-1e-3", -1),
    ] as [(String, Int64)])
    func signs(_ text: String, _ milli: Int64) throws {
        #expect(try Quantity(parsing: text).milliValue == milli)
    }

    @Test("milliValue rounds up, away from zero", arguments: [
        ("0.0001", 1), ("-0.0001", -1),
        ("1n", 1), ("-1n", -1),
        ("1u", 1), ("999u", 1), ("1001u", 2), ("-1001u", -2),
        ("1.0001m", 2), ("-1.0001m", -2),
        ("1.0000000001m", 2),
        ("1.999m", 2),
        ("1.000m", 1),
        ("2.0000", 2_000),
        ("0.0015", 2), ("-0.0015", -2),
        ("0.30000000000000004", 301),   // the decimal text, not the binary float
        ("1e-10000", 1), ("-1e-10000", -1),
        ("0.0000000000000000000000000000000000000000000001", 1),
        ("1.0000000000000000000000000000000000000000000001", 1_001),
    ] as [(String, Int64)])
    func roundsUp(_ text: String, _ milli: Int64) throws {
        #expect(try Quantity(parsing: text).milliValue == milli)
    }

    @Test("saturates at the ends of Int64 instead of overflowing", arguments: [
        ("9223372036854775.807", Int64.max),             // exactly Int64.max milli
        ("9223372036854775.806", Int64.max - 1),
        ("9223372036854775.8065", Int64.max),            // rounds up onto the maximum
        ("9223372036854775.808", Int64.max),
        ("9223372036854775807", Int64.max),
        ("-9223372036854775.807", -Int64.max),
        ("-9223372036854775.808", Int64.min),            // exactly Int64.min milli
        ("-9223372036854775.809", Int64.min),
        ("-9223372036854775807", Int64.min),
        ("1e10000", Int64.max),
        ("-1e10000", Int64.min),
        ("1e99999999999999999999", Int64.max),
        ("8Ei", Int64.max),
        ("-8Ei", Int64.min),
        ("1" + String(repeating: "0", count: 80), Int64.max),
        ("-" + String(repeating: "9", count: 80) + "k", Int64.min),
        ("0e99999999", 0),
    ] as [(String, Int64)])
    func saturates(_ text: String, _ milli: Int64) throws {
        #expect(try Quantity(parsing: text).milliValue == milli)
    }

    // MARK: Invalid texts

    @Test("invalid texts are rejected", arguments: [
        "", "1.2.3", "12x", "1Kb", "e3", "--1",
        // upstream's invalid list
        "1.1.M", "1+1.0M", "0.1mi", "0.1am", "aoeu", ".5i", "1i", "-3.01i", "-3.01e-", " 1", "1 ",
        // more
        ".", "-", "+", "+-1", "1e", "1e+", "1e-", "1E-", "Ki", "k", "m", "1KI", "1ki", "1Ki2", "1kk", "1e3m",
        "1e3.5", "1.5.", "1,5", "0x10", "∞", "1\u{0}", "1\n", "NaN", "Inf", "½",
    ])
    func invalid(_ text: String) {
        #expect(throws: QuantityError.self, "\(text.debugDescription) parsed") { try Quantity(parsing: text) }
    }

    @Test("the error names the text")
    func errorMessage() {
        do {
            _ = try Quantity(parsing: "12x")
            Issue.record("\"12x\" parsed")
        } catch {
            #expect(error.text == "12x")
            #expect(error.description == "\"12x\" is not a quantity")
        }
    }

    // MARK: JSON numbers

    @Test("a JSON number is the quantity of its decimal text, never a binary float")
    func jsonNumbers() throws {
        let text = """
            {"now": "2026-11-20T12:00:00Z",
             "hpa": {"maxReplicas": 5, "metrics": [
               {"type": "Pods", "pods": {"metric": {"name": "qps"}, "target": {"type": "AverageValue", "averageValue": 0.1}}},
               {"type": "External", "external": {"metric": {"name": "queue"}, "target": {"type": "Value", "value": 1e2}}}]},
             "scale": {"specReplicas": 1},
             "pods": [{"name": "p"}],
             "metrics": [{"podValues": {"p": {"value": 0.30000000000000004}}}, {"values": [0.1, 2.5e-1, 7]}],
             "controller": {"tolerance": 0.1}}
            """
        let reconcileCase = try ReconcileCase(json: text)
        #expect(reconcileCase.spec.metrics[0].target?.averageValue?.milliValue == 100)
        #expect(reconcileCase.spec.metrics[1].target?.value?.milliValue == 100_000)
        guard case .podValues(let samples) = reconcileCase.metrics[0] else {
            Issue.record("metrics[0] is not podValues: \(reconcileCase.metrics[0])")
            return
        }
        #expect(samples.first?.sample.milliValue == 301)
        #expect(reconcileCase.metrics[1] == .values([Quantity(milli: 100), Quantity(milli: 250), Quantity(milli: 7_000)]))
        #expect(reconcileCase.options.tolerance == 0.1)
    }

    // MARK: approximateDouble

    @Test("approximateDouble as AsApproximateFloat64", arguments: [
        ("0.05", 0.05), ("1Ki", 1024), ("1Mi", 1_048_576), ("0.1", 0.1), ("100m", 0.1), ("1.5", 1.5),
        ("-2", -2), ("1e3", 1000), ("2k", 2000), ("0", 0), ("250m", 0.25), ("1.5Ki", 1536),
        ("5n", 5e-9), ("1E", 1e18), ("0.0001", 0.0001),
    ] as [(String, Double)])
    func approximateDouble(_ text: String, _ value: Double) throws {
        #expect(try Quantity(parsing: text).approximateDouble == value)
    }

    @Test("approximateDouble keeps magnitude where milliValue saturates")
    func approximateBeyondMilli() throws {
        let huge = try Quantity(parsing: "1e30")
        #expect(huge.milliValue == Int64.max)
        #expect(abs(huge.approximateDouble / 1e30 - 1) < 1e-12)
        let big = try Quantity(parsing: "5E")
        #expect(big.milliValue == Int64.max)
        #expect(big.approximateDouble == 5e18)
        let tiny = try Quantity(parsing: "1n")
        #expect(tiny.milliValue == 1)
        #expect(tiny.approximateDouble == 1e-9)
    }

    /// Upstream's ParseQuantity stores the value rounded up to nanos (and a BinarySI value capped
    /// at 2^63-1); AsApproximateFloat64 then multiplies by Go's math.Pow10, which is correctly
    /// rounded up to 1e31 (a table of literals). These are the values upstream reads.
    @Test("approximateDouble of the value upstream stores", arguments: [
        ("3.001n", 4e-9),                     // stored as 4n
        ("0.0000000001", 1e-9),               // stored as 1n
        ("0.30000000000000004", 0.300000001), // stored as 300000001n
        ("1e30", 1e30),                       // 1 * math.Pow10(30)
        ("1e25", 1e25),
        ("9Ei", 9.223372036854775807e18),     // capped at maxAllowed
    ] as [(String, Double)])
    func approximateAsUpstreamStores(_ text: String, _ value: Double) throws {
        let quantity = try Quantity(parsing: text)
        #expect(quantity.approximateDouble == value)
    }

    @Test("init(milli:)")
    func milliInit() {
        let quantity = Quantity(milli: 1_500)
        #expect(quantity.milliValue == 1_500)
        #expect(quantity.approximateDouble == 1.5)
        #expect(quantity.description == "1500m")
        #expect(quantity == (try? Quantity(parsing: "1.5")))
    }

    // MARK: Canonical text

    @Test("canonical(milli:) as NewMilliQuantity(v, DecimalSI).String()", arguments: [
        (0, "0"), (1, "1m"), (10, "10m"), (100, "100m"), (1_000, "1"), (1_500, "1500m"), (10_000, "10"),
        (100_000, "100"), (1_000_000, "1k"), (1_200_000, "1200"), (5_000_000, "5k"), (-300, "-300m"),
        (-1_000, "-1"), (-1_500_000, "-1500"), (2_000, "2"), (123, "123m"), (1_001, "1001m"),
        (1_200, "1200m"), (20_000, "20"), (120_000, "120"), (999_000, "999"), (10_000_000, "10k"),
        (1_000_000_000, "1M"), (1_000_000_000_000, "1G"), (1_000_000_000_000_000, "1T"),
        (1_000_000_000_000_000_000, "1P"), (9_000_000_000_000_000_000, "9P"),
        (Int64.max, "9223372036854775807m"), (Int64.min, "-9223372036854775808m"),
        // upstream's TestQuantityString entries that are milli-representable DecimalSI
        (80, "80m"), (1_080, "1080m"), (300_000_000_000, "300M"), (1_234_567_000_000_000, "1234567M"),
        (3_000_000, "3k"), (1_025_000, "1025"), (5_000, "5"), (500, "500m"),
    ] as [(Int64, String)])
    func canonical(_ milli: Int64, _ text: String) {
        #expect(Quantity.canonical(milli: milli) == text)
        #expect(Quantity(milli: milli).description == text)
        // The JSON writer puts the same text in place.
        var writer = JSONWriter()
        writer.quantity(milli: milli)
        #expect(writer.string == "\"\(text)\"")
    }

    @Test("decimal(milli:) for people", arguments: [
        (1_792_500, "1792.5"), (250, "0.25"), (0, "0"), (5, "0.005"), (-1_500, "-1.5"), (1_000, "1"),
        (1_010, "1.01"), (-5, "-0.005"), (Int64.max, "9223372036854775.807"), (Int64.min, "-9223372036854775.808"),
    ] as [(Int64, String)])
    func decimal(_ milli: Int64, _ text: String) {
        #expect(Quantity.decimal(milli: milli) == text)
    }

    @Test("canonical and decimal texts parse back to the same milli-value")
    func roundTrip() throws {
        var random = SplitMix64(seed: 0x5EED_0001)
        var failures: [String] = []
        for _ in 0..<5_000 {
            let magnitude = random.next() >> random.int(in: 0...63)
            var milli = Int64(truncatingIfNeeded: magnitude)
            if random.bool() { milli = milli == Int64.min ? milli : -milli }
            // Values with many trailing zeros exercise the suffixes.
            if random.bool() { milli = milli / 1_000 * 1_000 }
            for text in [Quantity.canonical(milli: milli), Quantity.decimal(milli: milli)] {
                let back = try Quantity(parsing: text).milliValue
                if back != milli { failures.append("\(milli) -> \(text) -> \(back)") }
            }
        }
        #expect(failures.isEmpty, "\(failures.count) failures, first: \(failures.prefix(5))")
    }
}
