import Scaler
import Testing

// MARK: - RFC 3339

@Suite("Timestamp")
struct TimestampTests {
    /// 2026-11-20T12:00:00Z (`date -u -d 2026-11-20T12:00:00Z +%s`).
    static let noon: Int64 = 1_795_176_000

    @Test("RFC 3339 texts", arguments: [
        ("2026-11-20T12:00:00Z", noon, 0),
        ("2026-11-20t12:00:00z", noon, 0),
        ("2026-11-20T13:00:00+01:00", noon, 0),
        ("2026-11-20T06:30:00-05:30", noon, 0),
        ("2026-11-21T00:00:00+12:00", noon, 0),
        ("2026-11-20T12:00:00+00:00", noon, 0),
        ("2026-11-20T12:00:00-00:00", noon, 0),
        ("2026-11-20T13:00:00.5+01:00", noon, 500_000_000),
        ("2026-11-20T12:00:00.123456789Z", noon, 123_456_789),
        ("2026-11-20T12:00:00.1234567891Z", noon, 123_456_789),  // beyond nanoseconds: truncated
        ("2026-11-20T12:00:00.000000001Z", noon, 1),
        ("2026-11-20T12:00:00.1Z", noon, 100_000_000),
        ("2026-11-20T12:00:00.000Z", noon, 0),
        ("1970-01-01T00:00:00Z", 0, 0),
        ("1969-12-31T23:59:59Z", -1, 0),
        ("1900-01-01T00:00:00Z", -2_208_988_800, 0),
        ("2024-02-29T23:59:59Z", 1_709_251_199, 0),
        ("2000-02-29T00:00:00Z", 951_782_400, 0),
        ("2100-03-01T00:00:00Z", 4_107_542_400, 0),
    ] as [(String, Int64, Int64)])
    func parses(_ text: String, _ seconds: Int64, _ nanos: Int64) {
        let timestamp = Timestamp(rfc3339: text)
        #expect(timestamp?.nanosecondsSinceEpoch == seconds * 1_000_000_000 + nanos)
    }

    @Test("invalid texts and impossible dates", arguments: [
        "", "2026-11-20", "2026-11-20T12:00:00", "2026-11-20T12:00Z", "2026-11-20 12:00:00",
        "2026-02-30T00:00:00Z", "2026-02-29T00:00:00Z", "2023-02-29T00:00:00Z", "1900-02-29T00:00:00Z",
        "2026-04-31T00:00:00Z", "2026-06-31T00:00:00Z", "2026-13-01T00:00:00Z", "2026-00-10T00:00:00Z",
        "2026-01-00T00:00:00Z", "2026-01-32T00:00:00Z", "2026-11-20T24:00:00Z", "2026-11-20T12:60:00Z",
        "2026-11-20T12:00:61Z", "2026-11-20T12:00:00.Z", "2026-11-20T12:00:00+0100", "2026-11-20T12:00:00+01",
        "2026-11-20T12:00:00+24:00", "2026-11-20T12:00:00+01:60", "2026-11-20T12:00:00Zjunk", " 2026-11-20T12:00:00Z",
        "2026-11-20T12:00:00Z ", "26-11-20T12:00:00Z", "2026-1-20T12:00:00Z", "2026/11/20T12:00:00Z", "now",
        "1795176000", "2263-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "2026-11-2OT12:00:00Z",
    ])
    func rejects(_ text: String) {
        #expect(Timestamp(rfc3339: text) == nil, "\(text.debugDescription) parsed")
    }

    @Test("an offset takes exactly one sign")
    func offsetSign() {
        #expect(Timestamp(rfc3339: "2026-11-20T12:00:00+-05:00") == nil)
        #expect(Timestamp(rfc3339: "2026-11-20T12:00:00-+05:00") == nil)
        #expect(Timestamp(rfc3339: "2026-11-20T12:00:00--05:00") == nil)
        #expect(Timestamp(rfc3339: "2026-11-20T12:00:00++05:00") == nil)
    }

    @Test("Go's zero time round-trips")
    func goZeroTime() {
        let zero = Timestamp(rfc3339: "0001-01-01T00:00:00Z")
        #expect(zero == Timestamp.distantPast)
        #expect(zero?.rfc3339 == "0001-01-01T00:00:00Z")
        #expect(Timestamp.distantPast.rfc3339 == "0001-01-01T00:00:00Z")
        #expect(Timestamp(rfc3339: Timestamp.distantPast.rfc3339) == .distantPast)
        // Earlier than any real time, with room to subtract a window.
        #expect(Timestamp.distantPast < Timestamp(secondsSinceEpoch: -2_208_988_800))
        #expect(Timestamp.distantPast - .seconds(3_600) < Timestamp.distantPast)
    }

    @Test("formatting", arguments: [
        (0, "1970-01-01T00:00:00Z"),
        (1, "1970-01-01T00:00:00.000000001Z"),
        (500_000_000, "1970-01-01T00:00:00.5Z"),
        (-1, "1969-12-31T23:59:59.999999999Z"),
        (-1_000_000_000, "1969-12-31T23:59:59Z"),
        (noon * 1_000_000_000, "2026-11-20T12:00:00Z"),
        (noon * 1_000_000_000 + 120_000_000, "2026-11-20T12:00:00.12Z"),
        (1_709_251_199 * 1_000_000_000, "2024-02-29T23:59:59Z"),
        (-2_208_988_800 * 1_000_000_000, "1900-01-01T00:00:00Z"),
        (4_107_542_400 * 1_000_000_000, "2100-03-01T00:00:00Z"),
    ] as [(Int64, String)])
    func formats(_ nanoseconds: Int64, _ text: String) {
        let timestamp = Timestamp(nanosecondsSinceEpoch: nanoseconds)
        #expect(timestamp.rfc3339 == text)
        #expect(timestamp.description == text)
    }

    @Test("an offset is formatted back in UTC")
    func offsetToUTC() {
        #expect(Timestamp(rfc3339: "2026-11-20T13:00:00.5+01:00")?.rfc3339 == "2026-11-20T12:00:00.5Z")
        #expect(Timestamp(rfc3339: "2026-03-01T01:00:00+02:00")?.rfc3339 == "2026-02-28T23:00:00Z")
        #expect(Timestamp(rfc3339: "2024-02-28T23:00:00-02:00")?.rfc3339 == "2024-02-29T01:00:00Z")
    }

    @Test("random instants from 1900 to 2200 round-trip through their text")
    func roundTrip() {
        var random = SplitMix64(seed: 0x7133_0001)
        var failures: [String] = []
        let low: Int64 = -2_208_988_800, high: Int64 = 7_258_118_400
        for _ in 0..<5_000 {
            let seconds = random.int64(in: low...high)
            let nanos = random.bool() ? 0 : random.int64(in: 0...999_999_999)
            let timestamp = Timestamp(nanosecondsSinceEpoch: seconds * 1_000_000_000 + nanos)
            let text = timestamp.rfc3339
            if Timestamp(rfc3339: text) != timestamp { failures.append(text) }
        }
        #expect(failures.isEmpty, "\(failures.count) failures, first: \(failures.prefix(5))")
    }

    @Test("every second of a day is written with its hours, minutes and seconds")
    func everySecondOfADay() {
        func two(_ value: Int64) -> String { value < 10 ? "0\(value)" : "\(value)" }
        var failures: [String] = []
        for second in Int64(0)..<86_400 {
            let expected = "2026-11-20T\(two(second / 3600)):\(two(second / 60 % 60)):\(two(second % 60))Z"
            let text = Timestamp(secondsSinceEpoch: 1_795_132_800 + second).rfc3339
            if text != expected { failures.append("\(text) for \(expected)") }
        }
        #expect(failures.isEmpty, "\(failures.count) failures, first: \(failures.prefix(5))")
    }

    @Test("arithmetic with durations")
    func arithmetic() {
        let now = Timestamp(secondsSinceEpoch: Self.noon)
        #expect((now + .seconds(60)) - now == .seconds(60))
        #expect((now - .seconds(300)).rfc3339 == "2026-11-20T11:55:00Z")
        #expect(now - .seconds(1) < now)
    }
}

// MARK: - Go durations

@Suite("TimeSpan")
struct DurationTests {
    @Test("Go duration texts", arguments: [
        ("60s", 60_000_000_000), ("1m30s", 90_000_000_000), ("500ms", 500_000_000), ("1.5h", 5_400_000_000_000),
        ("0", 0), ("+0", 0), ("-0", 0), ("0s", 0), ("1h", 3_600_000_000_000), ("2h45m", 9_900_000_000_000),
        ("1h2m3s", 3_723_000_000_000), ("10ns", 10), ("300us", 300_000), ("300µs", 300_000),
        ("1.5s", 1_500_000_000), (".5s", 500_000_000), ("-1m", -60_000_000_000), ("+5s", 5_000_000_000),
        ("1m0.25s", 60_250_000_000), ("1s500ms", 1_500_000_000), ("0.1ms", 100_000),
    ] as [(String, Int64)])
    func parses(_ text: String, _ nanoseconds: Int64) {
        #expect(TimeSpan(goText: text)?.nanoseconds == nanoseconds)
    }

    @Test("invalid duration texts", arguments: ["5x", "", "1", "s", "-", "1.5.5s", "1 s", "1S", "1d", "60 s", "1h-1m", "ms", "1e3s"])
    func rejects(_ text: String) {
        #expect(TimeSpan(goText: text) == nil, "\(text.debugDescription) parsed")
    }

    @Test("fractions are exact to the nanosecond, as Go's ParseDuration", arguments: [
        ("1.000000001s", 1_000_000_001),
        ("0.000000001s", 1),
        ("1.1s", 1_100_000_000),
        ("4.35s", 4_350_000_000),
        ("0.3s", 300_000_000),
        ("0.7s", 700_000_000),
        ("1.9s", 1_900_000_000),
        ("16.7ms", 16_700_000),
    ] as [(String, Int64)])
    func exactFractions(_ text: String, _ nanoseconds: Int64) {
        #expect(TimeSpan(goText: text)?.nanoseconds == nanoseconds)
    }

    /// Go's ParseDuration accumulates integer nanoseconds; the Scaler multiplies binary floats
    /// and truncates, which loses a nanosecond when the product lands just below the integer.
    @Test("fractions that a binary float truncates a nanosecond short", arguments: [
        ("2.000000003s", 2_000_000_003),
        ("33.3ms", 33_300_000),
    ] as [(String, Int64)])
    func inexactFractions(_ text: String, _ nanoseconds: Int64) {
        #expect(TimeSpan(goText: text)?.nanoseconds == nanoseconds)
    }

    @Test("Go's TimeSpan.String() for whole and fractional seconds", arguments: [
        (0, "0s"), (60_000_000_000, "1m0s"), (90_000_000_000, "1m30s"), (1_500_000_000, "1.5s"),
        (3_600_000_000_000, "1h0m0s"), (3_723_000_000_000, "1h2m3s"), (-90_000_000_000, "-1m30s"), (5_000_000_000, "5s"),
    ] as [(Int64, String)])
    func formats(_ nanoseconds: Int64, _ text: String) {
        #expect(TimeSpan(nanoseconds: nanoseconds).description == text)
    }
}

// MARK: - JSON

@Suite("JSON parser")
struct JSONParserTests {
    func parse(_ text: String) -> JSONValue? { try? JSONParser.parse(text) }

    func syntaxError(_ text: String) -> JSONSyntaxError? {
        do {
            _ = try JSONParser.parse(text)
            return nil
        } catch {
            return error
        }
    }

    @Test("values")
    func values() throws {
        #expect(parse("null") == .null)
        #expect(parse("true") == .bool(true))
        #expect(parse("false") == .bool(false))
        #expect(parse("\"hi\"") == .string("hi"))
        #expect(parse("[]") == .array([]))
        #expect(parse("{}") == .object(JSONObject()))
        #expect(parse(" \t\r\n[1, \"a\", null, {\"b\": [true]}] \n") == .array([
            .number("1"), .string("a"), .null, .object(JSONObject([JSONObject.Entry("b", .array([.bool(true)]))])),
        ]))
        let object = try JSONParser.parse(#"{"z": 1, "a": 2, "m": {"k": "v"}}"#)
        guard case .object(let entries) = object else {
            Issue.record("not an object: \(object)")
            return
        }
        #expect(entries.keys == ["z", "a", "m"], "keys keep document order")
        #expect(object["a"] == .number("2"))
        #expect(object["m"]?["k"] == .string("v"))
        #expect(object["missing"] == nil)
        #expect(object.typeName == "an object")
        #expect(try JSONParser.parse(Array("[1,2]".utf8)) == .array([.number("1"), .number("2")]))
    }

    @Test("numbers keep their text", arguments: ["0.10", "0", "-0", "1E+2", "1e-7", "123456789012345678901234567890", "1e400", "-0.0", "2.50"])
    func numbersKeepText(_ text: String) {
        #expect(parse(text) == .number(text))
        #expect(parse("[\(text)]") == .array([.number(text)]))
    }

    @Test("escapes")
    func escapes() {
        #expect(parse(#""\"\\\/\b\f\n\r\t""#) == .string("\"\\/\u{08}\u{0C}\n\r\t"))
        #expect(parse(#""caf\u00e9""#) == .string("café"))
        #expect(parse(#""\u0041\u00DF\u6C34""#) == .string("Aß水"))
        #expect(parse(#""\uD83D\uDE00""#) == .string("😀"))
        #expect(parse(#""a\ud834\udd1eb""#) == .string("a𝄞b"))
        #expect(parse(#""\u0000""#) == .string("\u{0}"))
        #expect(parse("\"raw ünïcødé ✓\"") == .string("raw ünïcødé ✓"))
        #expect(parse(#""mixed \"escape\" and ✓""#) == .string("mixed \"escape\" and ✓"))
    }

    @Test("malformed strings", arguments: [
        #""\uD83D""#,            // a high surrogate alone
        #""\uD83Dx""#,
        #""\uD83D\u0041""#,      // a high surrogate and no low one
        #""\uDE00""#,            // a low surrogate alone
        #""\u12""#, #""\u12G4""#, #""\x""#, #""\'""#, "\"tab\there\"", "\"line\nbreak\"", "\"open",
        #""trailing\""#,
    ])
    func malformedStrings(_ text: String) {
        #expect(syntaxError(text) != nil, "\(text.debugDescription) parsed")
    }

    @Test("malformed values", arguments: [
        "", " ", "01", "1.", ".5", "-", "+1", "1e", "1e+", "0x10", "NaN", "tru", "nul", "True", "[1,]", "{\"a\":1,}",
        "[1 2]", "{\"a\" 1}", "{a: 1}", "{'a': 1}", "[", "{", "{\"a\":", "{} x", "[] []", "\"a\" \"b\"", "1 2",
    ])
    func malformedValues(_ text: String) {
        #expect(syntaxError(text) != nil, "\(text.debugDescription) parsed")
    }

    @Test("errors carry line and column", arguments: [
        ("", 1, 1, "a value"),
        ("{\n  \"a\": 1,\n  \"b\" 2\n}", 3, 7, "':'"),
        ("[1, 2,\n]", 2, 1, "a value"),
        ("{\"a\": tru}", 1, 7, "true"),
        ("[1 2]", 1, 4, "',' or ']'"),
        ("{} x", 1, 4, "end of input"),
        ("\"abc", 1, 5, "'\"' to close the string"),
        ("{\"a\":01}", 1, 7, "',' or '}'"),
        ("{\n\n    \"a\": [1, 2}\n}", 3, 15, "',' or ']'"),
        ("\n\n\n   @", 4, 4, "a value"),
        ("[1.]", 1, 4, "a digit after '.'"),
        ("{\"key\": 1\n  \"next\": 2}", 2, 3, "',' or '}'"),
    ] as [(String, Int, Int, String)])
    func lineAndColumn(_ text: String, _ line: Int, _ column: Int, _ expected: String) {
        let error = syntaxError(text)
        #expect(error?.line == line)
        #expect(error?.column == column)
        #expect(error?.expected == expected)
        #expect(error?.description == "line \(line), column \(column): expected \(expected)")
    }

    @Test("nesting is limited to 512 levels")
    func depthLimit() {
        let deepest = String(repeating: "[", count: 512) + String(repeating: "]", count: 512)
        #expect(syntaxError(deepest) == nil)
        let tooDeep = String(repeating: "[", count: 513) + String(repeating: "]", count: 513)
        let error = syntaxError(tooDeep)
        #expect(error?.expected == "nesting no deeper than 512")
        #expect(error?.column == 513)
        let objects = String(repeating: "{\"a\":", count: 513) + "1" + String(repeating: "}", count: 513)
        #expect(syntaxError(objects)?.expected == "nesting no deeper than 512")
        // Siblings do not add depth.
        let wide = "[" + Array(repeating: String(repeating: "[", count: 300) + String(repeating: "]", count: 300), count: 4)
            .joined(separator: ",") + "]"
        #expect(syntaxError(wide) == nil)
        // Far deeper input fails cleanly instead of exhausting the stack.
        #expect(syntaxError(String(repeating: "[", count: 100_000)) != nil)
    }
}

@Suite("JSON writer")
struct JSONWriterTests {
    @Test("integers at both ends of Int64, keys, strings that need escaping, and growth past the first room")
    func values() throws {
        var writer = JSONWriter(reservingCapacity: 1)
        writer.beginArray()
        for number in [Int64.min, Int64.max, 0, -7, 1_000] { writer.value(number) }
        writer.beginObject()
        writer.key("plain"); writer.value("tab\tquote\"back\\slash\u{1}é")
        writer.key("dynamic key \"quoted\"" as String); writer.value(true)
        writer.endObject()
        // Far more than the first room, through every kind of append.
        for index in 0..<2_000 { writer.value("entry \(index)") }
        writer.endArray()
        let text = writer.string
        #expect(text.hasPrefix(#"[-9223372036854775808,9223372036854775807,0,-7,1000,{"plain":"tab\tquote\"back\\slash\u0001é","dynamic key \"quoted\"":true},"entry 0","#))
        #expect(text.hasSuffix(#""entry 1999"]"#))
        let parsed = try JSONParser.parse(text)
        guard case .array(let elements) = parsed else {
            Issue.record("not an array: \(text.prefix(80))")
            return
        }
        #expect(elements.count == 2_006)
        #expect(elements[5]["plain"] == .string("tab\tquote\"back\\slash\u{1}é"))
    }

    @Test("a history entry written in one append reads as the object written piece by piece")
    func timedCount() {
        let times = [Timestamp(nanosecondsSinceEpoch: 1_795_000_000_000_000_000), Timestamp(nanosecondsSinceEpoch: 1_795_086_400_500_000_000),
                     Timestamp.distantPast]
        var fused = JSONWriter()
        var pieces = JSONWriter()
        for writer in [0, 1] {
            for (index, time) in times.enumerated() {
                let count = [Int64(-3), Int64.max, 0][index]
                if writer == 0 {
                    if index == 0 { fused.beginArray() }
                    fused.timedCount(time, "change", count)
                    if index == times.count - 1 { fused.endArray() }
                } else {
                    if index == 0 { pieces.beginArray() }
                    pieces.beginObject()
                    pieces.key("timestamp"); pieces.value(time)
                    pieces.key("change"); pieces.value(count)
                    pieces.endObject()
                    if index == times.count - 1 { pieces.endArray() }
                }
            }
        }
        #expect(fused.string == pieces.string)
        #expect(fused.string.contains(#"{"timestamp":"2026-11-18T11:06:40Z","change":-3}"#), "\(fused.string)")
    }
}
