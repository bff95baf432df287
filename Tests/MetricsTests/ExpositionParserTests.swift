import TidepoolMetrics
import Testing

@Suite("Exposition parser")
struct ExpositionParserTests {
    static func samples(_ text: String, _ format: ExpositionFormat = .prometheusText) throws -> [Sample] {
        try Exposition(parsing: Array(text.utf8), format: format).samples
    }

    static func failure(_ text: String, _ format: ExpositionFormat = .prometheusText) -> ExpositionError? {
        do {
            _ = try Exposition(parsing: Array(text.utf8), format: format)
            return nil
        } catch {
            return error
        }
    }

    @Test("the text format's reference example")
    func referenceExample() throws {
        let text = #"""
            # HELP http_requests_total The total number of HTTP requests.
            # TYPE http_requests_total counter
            http_requests_total{method="post",code="200"} 1027 1395066363000
            http_requests_total{method="post",code="400"}    3 1395066363000

            # Escaping in label values:
            msdos_file_access_time_seconds{path="C:\\DIR\\FILE.TXT",error="Cannot find file:\n\"FILE.TXT\""} 1.458255915e9

            # Minimalistic line:
            metric_without_timestamp_and_labels 12.47

            # A weird metric from before the epoch:
            something_weird{problem="division by zero"} +Inf -3982045
            """#
        let samples = try Self.samples(text + "\n")
        #expect(samples.count == 5)
        #expect(samples[0] == Sample(name: "http_requests_total", labels: [("method", "post"), ("code", "200")], value: 1027, timestampMilliseconds: 1395066363000))
        #expect(samples[1].value == 3)
        #expect(samples[2].label("path") == #"C:\DIR\FILE.TXT"#)
        #expect(samples[2].label("error") == "Cannot find file:\n\"FILE.TXT\"")
        #expect(samples[2].value == 1.458255915e9)
        #expect(samples[3] == Sample(name: "metric_without_timestamp_and_labels", labels: [], value: 12.47))
        #expect(samples[4].value == .infinity)
        #expect(samples[4].timestampMilliseconds == -3982045)
    }

    @Test("families take their samples by name and suffix")
    func families() throws {
        let text = """
            # HELP rpc_duration_seconds A summary.
            # TYPE rpc_duration_seconds summary
            rpc_duration_seconds{quantile="0.5"} 4773
            rpc_duration_seconds_sum 1.7560473e+07
            rpc_duration_seconds_count 2693
            # TYPE http_request_duration_seconds histogram
            http_request_duration_seconds_bucket{le="0.05"} 24054
            http_request_duration_seconds_bucket{le="+Inf"} 144320
            http_request_duration_seconds_sum 53423
            http_request_duration_seconds_count 144320
            orphan 1

            """
        let exposition = try Exposition(parsing: Array(text.utf8), format: .prometheusText)
        #expect(exposition.families.map(\.name) == ["rpc_duration_seconds", "http_request_duration_seconds", "orphan"])
        #expect(exposition.families[0].type == .summary)
        #expect(exposition.families[0].help == "A summary.")
        #expect(exposition.families[0].samples.count == 3)
        #expect(exposition.families[1].samples.map(\.name).last == "http_request_duration_seconds_count")
        #expect(exposition.families[1].samples[1].label("le") == "+Inf")
        #expect(exposition.families[2].type == .untyped)
    }

    @Test("values as Go's ParseFloat reads them", arguments: [
        ("1", 1.0), ("-1", -1.0), ("1.5", 1.5), (".5", 0.5), ("5.", 5.0), ("1e3", 1000.0), ("1E-3", 0.001),
        ("+Inf", Double.infinity), ("-Inf", -Double.infinity), ("Inf", Double.infinity), ("inf", Double.infinity),
        ("0.1", 0.1), ("123456789.123456789", 123456789.123456789), ("1.7976931348623157e308", 1.7976931348623157e308),
        ("4.9e-324", Double.leastNonzeroMagnitude), ("12345678901234567890123", 12345678901234567890123.0), ("0.30000000000000004", 0.30000000000000004),
    ] as [(String, Double)])
    func values(_ text: String, _ value: Double) throws {
        let samples = try Self.samples("m \(text)\n")
        #expect(samples.first?.value == value)
    }

    @Test("NaN in both formats")
    func nan() throws {
        #expect(try Self.samples("m NaN\n").first?.value.isNaN == true)
        #expect(try Self.samples("m nan\n").first?.value.isNaN == true)
        #expect(try Self.samples("m NaN\n# EOF\n", .openMetrics).first?.value.isNaN == true)
        #expect(Self.failure("m nan\n# EOF\n", .openMetrics) != nil)
        #expect(Self.failure("m Inf\n# EOF\n", .openMetrics) != nil)
    }

    @Test("Prometheus 3 quoted UTF-8 names")
    func quotedNames() throws {
        let samples = try Self.samples(#"""
            {"my.metric", "label.with.dots"="1", plain="2"} 3
            # TYPE "my.other" gauge
            {"my.other"} 4

            """#)
        #expect(samples[0].name == "my.metric")
        #expect(samples[0].labels.map(\.name) == ["label.with.dots", "plain"])
        #expect(samples[1].name == "my.other")
        #expect(samples[1].value == 4)
    }

    @Test("OpenMetrics: seconds, exemplars, # EOF")
    func openMetrics() throws {
        let text = """
            # TYPE foo counter
            # UNIT foo seconds
            # HELP foo A counter.
            foo_total 17.0 1520879607.789 # {trace_id="KOO5S4vxi0o"} 0.67 1520879607.789
            foo_created 1520430000.123
            # EOF

            """
        let exposition = try Exposition(parsing: Array(text.utf8), format: .openMetrics)
        #expect(exposition.families.count == 1)
        #expect(exposition.families[0].unit == "seconds")
        let sample = exposition.families[0].samples[0]
        #expect(sample.timestampMilliseconds == 1520879607789)
        #expect(sample.exemplar?.value == 0.67)
        #expect(sample.exemplar?.labels.first?.value == "KOO5S4vxi0o")
        #expect(sample.exemplar?.timestampMilliseconds == 1520879607789)
        #expect(exposition.families[0].samples[1].value == 1520430000.123)
    }

    @Test("malformed expositions name the line, the column and what was expected", arguments: [
        ("a{b=\"c} 1\n", 1, 10, "'\"' to close the string before the end of the line"),
        ("ok 1\nbad{ 1\n", 2, 6, "a label name"),
        ("ok 1\n1bad 2\n", 2, 1, "a metric name"),
        ("m{a=\"1\",a=\"2\"} 1\n", 1, 9, "each label name once (a appears twice)"),
        ("m 1x\n", 1, 3, "a number (like 1, 2.5e3, NaN, +Inf or -Inf)"),
        ("m 1 12x\n", 1, 7, "the end of the line after the timestamp"),
        ("m{a=b} 1\n", 1, 5, "'\"' to open the label value"),
        ("m\n", 1, 2, "a space before the value"),
        ("# TYPE m sumary\nm 1\n", 1, 10, "a metric type (counter, gauge, histogram, summary, untyped)"),
        // Found by fuzz-exposition: a backslash before the newline swallowed it, so the string
        // ran on into the next line and the error named line 1, column 5 of a 3-byte line.
        ("{\"\\\n", 1, 4, "'\"' to close the string before the end of the line"),
        ("ok 1\na{b=\"x\\\n\"} 1\nc 2\n", 2, 8, "'\"' to close the string before the end of the line"),
    ] as [(String, Int, Int, String)])
    func errors(_ text: String, _ line: Int, _ column: Int, _ message: String) {
        let error = Self.failure(text)
        #expect(error == ExpositionError(line: line, column: column, message: "expected \(message)"))
    }

    /// `prefix`, then `bytes`, then `suffix`: inputs a Swift string literal cannot hold.
    static func bytes(_ prefix: String, _ bytes: [UInt8], _ suffix: String) -> [UInt8] {
        Array(prefix.utf8) + bytes + Array(suffix.utf8)
    }

    @Test("quoted names and label values must be valid UTF-8, as Prometheus requires (found by fuzz-exposition)", arguments: [
        // Two label names differing only in invalid bytes read as one name twice, each
        // repaired to U+FFFD; written back, the sample did not parse.
        (bytes("{\"m\",\"l", [0xFF, 0xFF], "\"=\"1\",\"l\u{FFFD}\"=\"2\"} 1\n"), 8),
        (bytes("a{b=\"", [0xFF], "\"} 1\n"), 6),
        (bytes("a{b=\"ok\\n", [0xC0, 0x80], "\"} 1\n"), 10),                // overlong NUL, after an escape
        (bytes("a{b=\"", [0xED, 0xA0, 0x80], "\"} 1\n"), 6),                 // a UTF-16 surrogate
        (bytes("a{b=\"x", [0xF4, 0x90, 0x80, 0x80], "\"} 1\n"), 7),          // past U+10FFFF
        (bytes("a{b=\"x", [0xE2, 0x82], "\"} 1\n"), 7),                      // cut short by the quote
        (bytes("{\"", [0x80], "\"} 1\n"), 3),                                // a quoted metric name
    ] as [([UInt8], Int)])
    func invalidUTF8(_ input: [UInt8], _ column: Int) {
        for format in [ExpositionFormat.prometheusText, .openMetrics] {
            do {
                _ = try Exposition(parsing: input + (format == .openMetrics ? Array("# EOF\n".utf8) : []), format: format)
                Issue.record("\(format): accepted \(input)")
            } catch {
                #expect(error == ExpositionError(line: 1, column: column, message: "expected valid UTF-8 in a quoted name or label value"))
            }
        }
    }

    @Test("valid multi-byte UTF-8 in names and values reads as written")
    func validUTF8() throws {
        let exposition = try Exposition(parsing: Array("{\"température\",\"città\"=\"€ \\\"😀\\\"\"} 1\n".utf8), format: .prometheusText)
        #expect(exposition.samples.first?.name == "température")
        #expect(exposition.samples.first?.labels.first?.name == "città")
        #expect(exposition.samples.first?.labels.first?.value == "€ \"😀\"")
    }

    @Test("OpenMetrics is strict", arguments: [
        ("m 1\n", "# EOF at the end of an OpenMetrics exposition"),
        ("m 1\n# EOF\nm 2\n", "nothing after # EOF"),
        ("m 1\n\n# EOF\n", "a sample or metadata line, not an empty line"),
        ("# random comment\n# EOF\n", "HELP, TYPE, UNIT or EOF after #"),
        ("m  1\n# EOF\n", "a number (like 1, 2.5e3, NaN, +Inf or -Inf)"),
        ("m{a=\"\\x\"} 1\n# EOF\n", "an escape (\\\\, \\\" or \\n)"),
    ] as [(String, String)])
    func strictOpenMetrics(_ text: String, _ message: String) {
        let error = Self.failure(text, .openMetrics)
        #expect(error?.message == "expected \(message)", "got \(String(describing: error))")
    }

    @Test("the format follows the Content-Type as Prometheus chooses it")
    func contentType() {
        #expect(ExpositionFormat(contentType: "application/openmetrics-text; version=1.0.0; charset=utf-8") == .openMetrics)
        #expect(ExpositionFormat(contentType: "text/plain; version=0.0.4; charset=utf-8") == .prometheusText)
        #expect(ExpositionFormat(contentType: nil) == .prometheusText)
        #expect(Exposition.detectFormat(Array("a 1\n# EOF\n".utf8)) == .openMetrics)
        #expect(Exposition.detectFormat(Array("a 1\n".utf8)) == .prometheusText)
    }

    @Test("the streaming API hands views that read without allocating names")
    func streaming() throws {
        let text = "a{x=\"1\"} 1\nb 2\na{x=\"2\"} 3\n"
        var total = 0.0
        var lines: [Int] = []
        try Array(text.utf8).withUnsafeBufferPointer { buffer in
            try ExpositionParser.parse(buffer, format: .prometheusText) { sample in
                if sample.nameBytes.elementsEqual("a".utf8) { total += sample.value }
                lines.append(sample.line)
            }
        }
        #expect(total == 4)
        #expect(lines == [1, 2, 3])
    }

    @Test("text-format whitespace: tabs, trailing blanks, CR-free lines, last line without newline")
    func whitespace() throws {
        let samples = try Self.samples("a\t1\t1000 \n  b  2\nc 3")
        #expect(samples.map(\.name) == ["a", "b", "c"])
        #expect(samples[0].timestampMilliseconds == 1000)
        #expect(samples[2].value == 3)
    }

    /// `tidepool scrape`'s table line for each sample of an exposition.
    static func tableLines(_ text: String, _ format: ExpositionFormat) throws -> [String] {
        var lines: [String] = []
        try Array(text.utf8).withUnsafeBufferPointer { buffer in
            try ExpositionParser.parse(buffer, format: format) { lines.append(SampleOutput.tableLine($0)) }
        }
        return lines
    }

    @Test("a table line escapes every newline in a label value, one after a carriage return too")
    func tableLineEscapesNewlines() throws {
        // "\r\n" is one Character in Swift: escaping by Character let that newline through raw.
        let lines = try Self.tableLines("m{a=\"x\r\\ny\\n\"} 1\n", .prometheusText)
        #expect(lines == ["m{a=\"x\r\\ny\\n\"}  1"], "\(lines)")
    }

    @Test("a table line shows a timestamp past what nanoseconds hold as milliseconds (found by fuzz-exposition)")
    func tableLineFarTimestamp() throws {
        // OpenMetrics timestamps are seconds: the text format's reference timestamp read as
        // seconds is the year 46 000, and multiplying its milliseconds into nanoseconds trapped.
        let lines = try Self.tableLines("a 1 1395066363000\nb 2 1395066363.5\nc 3 -9000000000000\n# EOF\n", .openMetrics)
        #expect(lines == ["a  1  @1395066363000000ms", "b  2  @2014-03-17T14:26:03.5Z", "c  3  @-9000000000000000ms"])
    }
}
