#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Parses Prometheus text format 0.0.4 and OpenMetrics 1.0 in one pass over the bytes, with no
/// regular expressions and no allocation per sample: each sample reaches `onSample` as a view.
///
/// ```swift
/// try ExpositionParser.parse(bytes, format: .prometheusText) { sample in
///     if sample.nameBytes.elementsEqual("up".utf8) { print(sample.value) }
/// }
/// ```
///
/// A malformed exposition is rejected whole: the error names the line, the column and what
/// was expected there.
public struct ExpositionParser: ~Copyable {
    private let input: UnsafeBufferPointer<UInt8>
    private let format: ExpositionFormat
    private var index = 0
    private var line = 1
    private var lineStart = 0
    /// Unescaped label values and quoted names of the current sample.
    private var scratch: [UInt8] = []
    private var labelSpans: [SampleView.LabelSpan] = []
    private var exemplarSpans: [SampleView.LabelSpan] = []

    private init(input: UnsafeBufferPointer<UInt8>, format: ExpositionFormat) {
        self.input = input
        self.format = format
        scratch.reserveCapacity(256)
        labelSpans.reserveCapacity(16)
    }

    /// Streams every sample (and, if asked, every metadata line) of an exposition.
    public static func parse(
        _ bytes: UnsafeBufferPointer<UInt8>,
        format: ExpositionFormat,
        onMetadata: ((MetadataView) throws -> Void)? = nil,
        onSample: (SampleView) throws -> Void
    ) throws {
        var parser = ExpositionParser(input: bytes, format: format)
        try parser.run(onMetadata: onMetadata, onSample: onSample)
    }

    // MARK: Lines

    private mutating func run(onMetadata: ((MetadataView) throws -> Void)?, onSample: (SampleView) throws -> Void) throws {
        let count = input.count
        var sawEOF = false
        while index < count {
            if sawEOF {
                throw error("nothing after # EOF")
            }
            let byte = input[index]
            if byte == UInt8(ascii: "#") {
                if try comment(onMetadata: onMetadata) { sawEOF = true }
            } else if byte == UInt8(ascii: "\n") {
                if format == .openMetrics { throw error("a sample or metadata line, not an empty line") }
                nextLine()
            } else if format == .prometheusText && (byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t")) {
                skipBlanks()
                if index < count && input[index] != UInt8(ascii: "\n") {
                    if input[index] == UInt8(ascii: "#") {
                        if try comment(onMetadata: onMetadata) { sawEOF = true }
                    } else {
                        try sample(onSample)
                    }
                } else if index < count {
                    nextLine()
                }
            } else {
                try sample(onSample)
            }
        }
        if format == .openMetrics && !sawEOF {
            throw error("# EOF at the end of an OpenMetrics exposition")
        }
    }

    @inline(__always) private mutating func nextLine() {
        index += 1
        line += 1
        lineStart = index
    }

    private func error(_ expected: String) -> ExpositionError {
        ExpositionError(line: line, column: index - lineStart + 1, message: "expected \(expected)")
    }

    @inline(__always) private mutating func skipBlanks() {
        while index < input.count, input[index] == UInt8(ascii: " ") || input[index] == UInt8(ascii: "\t") { index += 1 }
    }

    /// One separator: a single space in OpenMetrics, spaces or tabs in the text format.
    @inline(__always) private mutating func separator(_ what: String) throws(ExpositionError) {
        guard index < input.count, input[index] == UInt8(ascii: " ") || (format == .prometheusText && input[index] == UInt8(ascii: "\t")) else {
            throw error(what)
        }
        index += 1
        if format == .prometheusText { skipBlanks() }
    }

    private mutating func endOfLine() throws(ExpositionError) {
        if format == .prometheusText { skipBlanks() }
        if index == input.count {
            if format == .openMetrics { throw error("a newline") }
            return
        }
        guard input[index] == UInt8(ascii: "\n") else { throw error("the end of the line") }
        nextLine()
    }

    /// A `#` line. Returns true for `# EOF`.
    private mutating func comment(onMetadata: ((MetadataView) throws -> Void)?) throws -> Bool {
        let start = index
        index += 1
        if format == .openMetrics {
            if matches(" EOF") {
                index += 4
                if index == input.count { return true }
                guard input[index] == UInt8(ascii: "\n") else { throw error("a newline after # EOF") }
                nextLine()
                return true
            }
            guard index < input.count, input[index] == UInt8(ascii: " ") else { throw error("HELP, TYPE, UNIT or EOF after #") }
            index += 1
        } else {
            skipBlanks()
        }
        let keyword: UInt8
        if matches("HELP") { keyword = UInt8(ascii: "H") }
        else if matches("TYPE") { keyword = UInt8(ascii: "T") }
        else if matches("UNIT") && format == .openMetrics { keyword = UInt8(ascii: "U") }
        else {
            if format == .openMetrics { throw error("HELP, TYPE, UNIT or EOF after #") }
            skipToLineEnd()
            return false
        }
        index += 4
        // "# HELPER ..." is a plain comment in the text format.
        if index < input.count, input[index] != UInt8(ascii: " ") && input[index] != UInt8(ascii: "\t") {
            if format == .openMetrics { throw error("a space after the keyword") }
            index = start
            skipToLineEnd()
            return false
        }
        try separator("a space after the keyword")
        scratch.removeAll(keepingCapacity: true)
        let name = try metricName(quotedAllowed: true)
        let nameText = onMetadata == nil ? "" : text(name)
        var rest = index
        if index < input.count, input[index] != UInt8(ascii: "\n") {
            try separator("a space after the metric name")
            rest = index
        }
        let restStart = rest
        while index < input.count, input[index] != UInt8(ascii: "\n") { index += 1 }
        var restEnd = index
        switch keyword {
        case UInt8(ascii: "H"):
            if let onMetadata {
                try onMetadata(.help(name: nameText, text: unescapeHelp(restStart..<restEnd)))
            }
        case UInt8(ascii: "T"):
            if format == .prometheusText {
                while restEnd > restStart, input[restEnd - 1] == UInt8(ascii: " ") || input[restEnd - 1] == UInt8(ascii: "\t") { restEnd -= 1 }
            }
            let typeText = String(decoding: UnsafeBufferPointer(rebasing: input[restStart..<restEnd]), as: UTF8.self)
            guard let type = MetricType(rawValue: typeText), format == .openMetrics || Self.textTypes.contains(type) else {
                index = restStart
                throw error("a metric type (counter, gauge, histogram, summary, untyped\(format == .openMetrics ? ", gaugehistogram, info, stateset, unknown" : ""))")
            }
            try onMetadata?(.type(name: nameText, type: type))
        default:
            try onMetadata?(.unit(name: nameText, unit: String(decoding: UnsafeBufferPointer(rebasing: input[restStart..<restEnd]), as: UTF8.self)))
        }
        if index < input.count { nextLine() } else if format == .openMetrics { throw error("a newline") }
        return false
    }

    private static let textTypes: [MetricType] = [.counter, .gauge, .histogram, .summary, .untyped]

    private mutating func skipToLineEnd() {
        while index < input.count, input[index] != UInt8(ascii: "\n") { index += 1 }
        if index < input.count { nextLine() }
    }

    private func matches(_ word: StaticString) -> Bool {
        let length = word.utf8CodeUnitCount
        guard index + length <= input.count else { return false }
        let start = word.utf8Start
        for offset in 0..<length where input[index + offset] != start[offset] { return false }
        return true
    }

    /// HELP text: `\\` and `\n` are escapes (in both formats; OpenMetrics adds `\"`).
    private func unescapeHelp(_ range: Range<Int>) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(range.count)
        var position = range.lowerBound
        while position < range.upperBound {
            let byte = input[position]
            if byte == UInt8(ascii: "\\"), position + 1 < range.upperBound {
                let next = input[position + 1]
                if next == UInt8(ascii: "n") { bytes.append(0x0A); position += 2; continue }
                if next == UInt8(ascii: "\\") { bytes.append(UInt8(ascii: "\\")); position += 2; continue }
                if next == UInt8(ascii: "\""), format == .openMetrics { bytes.append(UInt8(ascii: "\"")); position += 2; continue }
            }
            bytes.append(byte)
            position += 1
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private func text(_ span: SampleView.Span) -> String {
        span.inScratch
            ? String(decoding: scratch[span.start..<span.end], as: UTF8.self)
            : String(decoding: UnsafeBufferPointer(rebasing: input[span.start..<span.end]), as: UTF8.self)
    }

    // MARK: Samples

    private mutating func sample(_ onSample: (SampleView) throws -> Void) throws {
        // Clearing costs a call even when empty; most samples have no escapes or exemplars.
        if !scratch.isEmpty { scratch.removeAll(keepingCapacity: true) }
        if !labelSpans.isEmpty { labelSpans.removeAll(keepingCapacity: true) }
        if !exemplarSpans.isEmpty { exemplarSpans.removeAll(keepingCapacity: true) }
        let sampleLine = line
        var name: SampleView.Span
        if input[index] == UInt8(ascii: "{") {
            // Prometheus 3: the name quoted inside the braces, `{"my.metric", label="v"}`.
            index += 1
            skipBlanks()
            guard index < input.count, input[index] == UInt8(ascii: "\"") else { throw error("a metric name") }
            name = try quoted()
            skipBlanks()
            if index < input.count, input[index] == UInt8(ascii: ",") {
                index += 1
                try labels(exemplar: false)
            } else {
                guard index < input.count, input[index] == UInt8(ascii: "}") else { throw error("',' or '}'") }
                index += 1
            }
        } else {
            name = try metricName(quotedAllowed: false)
            if index < input.count, input[index] == UInt8(ascii: "{") {
                index += 1
                try labels(exemplar: false)
            }
        }
        try separator("a space before the value")
        let value = try number()
        var timestamp: Int64?
        var exemplarValue: Double?
        var exemplarTimestamp: Int64?
        if index < input.count, input[index] == UInt8(ascii: " ") || input[index] == UInt8(ascii: "\t") {
            if format == .prometheusText { skipBlanks() } else { index += 1 }
            if index < input.count, input[index] != UInt8(ascii: "\n"), input[index] != UInt8(ascii: "#") {
                timestamp = format == .openMetrics ? try secondsTimestamp() : try millisecondsTimestamp()
                if index < input.count, input[index] == UInt8(ascii: " ") || input[index] == UInt8(ascii: "\t") {
                    if format == .prometheusText { skipBlanks() } else { index += 1 }
                }
            }
            if format == .openMetrics, index < input.count, input[index] == UInt8(ascii: "#") {
                // An exemplar: ` # {labels} value [timestamp]`.
                index += 1
                try separator("a space after #")
                guard index < input.count, input[index] == UInt8(ascii: "{") else { throw error("'{' to open the exemplar's labels") }
                index += 1
                try labels(exemplar: true)
                try separator("a space before the exemplar's value")
                exemplarValue = try number()
                if index < input.count, input[index] == UInt8(ascii: " ") {
                    index += 1
                    exemplarTimestamp = try secondsTimestamp()
                }
            }
        }
        try endOfLine()

        let input = self.input
        let value_ = value
        let timestamp_ = timestamp
        let exemplarValue_ = exemplarValue
        let exemplarTimestamp_ = exemplarTimestamp
        try scratch.withUnsafeBufferPointer { scratchBuffer in
            try labelSpans.withUnsafeBufferPointer { labels in
                try exemplarSpans.withUnsafeBufferPointer { exemplars in
                    try onSample(SampleView(
                        input: input, scratch: scratchBuffer, nameSpan: name, labelSpans: labels, exemplarSpans: exemplars,
                        value: value_, timestampMilliseconds: timestamp_, line: sampleLine,
                        exemplarValue: exemplarValue_, exemplarTimestampMilliseconds: exemplarTimestamp_))
                }
            }
        }
    }

    /// `[a-zA-Z_:][a-zA-Z0-9_:]*`, or a quoted UTF-8 name where allowed.
    private mutating func metricName(quotedAllowed: Bool) throws(ExpositionError) -> SampleView.Span {
        if quotedAllowed, index < input.count, input[index] == UInt8(ascii: "\"") { return try quoted() }
        let start = index
        guard index < input.count, CharacterClass.isNameStart(input[index], colon: true) else { throw error("a metric name") }
        index += 1
        while index < input.count, CharacterClass.isNameContinue(input[index], colon: true) { index += 1 }
        return SampleView.Span(start: start, end: index, inScratch: false)
    }

    /// `name="value"` pairs up to the closing brace; names may be quoted (Prometheus 3).
    private mutating func labels(exemplar: Bool) throws(ExpositionError) {
        let closing = UInt8(ascii: "}")
        if format == .prometheusText { skipBlanks() }
        while true {
            guard index < input.count else { throw error("a label name or '}'") }
            if input[index] == closing {
                index += 1
                return
            }
            let name: SampleView.Span
            if input[index] == UInt8(ascii: "\"") {
                name = try quoted()
            } else {
                let start = index
                guard CharacterClass.isNameStart(input[index], colon: false) else { throw error("a label name") }
                index += 1
                while index < input.count, CharacterClass.isNameContinue(input[index], colon: false) { index += 1 }
                name = SampleView.Span(start: start, end: index, inScratch: false)
            }
            if format == .prometheusText { skipBlanks() }
            guard index < input.count, input[index] == UInt8(ascii: "=") else { throw error("'=' after the label name") }
            index += 1
            if format == .prometheusText { skipBlanks() }
            guard index < input.count, input[index] == UInt8(ascii: "\"") else { throw error("'\"' to open the label value") }
            let value = try quoted()
            for existing in exemplar ? exemplarSpans : labelSpans where equal(existing.name, name) {
                if !name.inScratch { index = name.start }
                throw error("each label name once (\(text(name)) appears twice)")
            }
            if exemplar {
                exemplarSpans.append(SampleView.LabelSpan(name: name, value: value))
            } else {
                labelSpans.append(SampleView.LabelSpan(name: name, value: value))
            }
            if format == .prometheusText { skipBlanks() }
            guard index < input.count else { throw error("',' or '}'") }
            if input[index] == UInt8(ascii: ",") {
                index += 1
                if format == .prometheusText { skipBlanks() }
            } else if input[index] != closing {
                throw error("',' or '}'")
            }
        }
    }

    private func equal(_ a: SampleView.Span, _ b: SampleView.Span) -> Bool {
        guard a.end - a.start == b.end - b.start else { return false }
        for offset in 0..<(a.end - a.start) {
            let left = a.inScratch ? scratch[a.start + offset] : input[a.start + offset]
            let right = b.inScratch ? scratch[b.start + offset] : input[b.start + offset]
            if left != right { return false }
        }
        return true
    }

    /// A double-quoted string with `\\`, `\"` and `\n` escapes. Without escapes it stays a view
    /// into the input; with them it is unescaped into the scratch buffer.
    ///
    /// It must be valid UTF-8, as Prometheus requires of label values: two strings that differ
    /// only in invalid bytes would otherwise read as one (each repaired to U+FFFD), a label
    /// name twice in one sample (found by fuzz-exposition).
    private mutating func quoted() throws(ExpositionError) -> SampleView.Span {
        index += 1
        let start = index
        // Any byte with the high bit set means the UTF-8 needs checking; most strings are ASCII.
        var bits: UInt8 = 0
        while index < input.count {
            let byte = input[index]
            if byte == UInt8(ascii: "\"") {
                try requireUTF8(from: start, ifAnyOf: bits)
                index += 1
                return SampleView.Span(start: start, end: index - 1, inScratch: false)
            }
            if byte == UInt8(ascii: "\\") { break }
            if byte == UInt8(ascii: "\n") { throw error("'\"' to close the string before the end of the line") }
            bits |= byte
            index += 1
        }
        let scratchStart = scratch.count
        scratch.append(contentsOf: UnsafeBufferPointer(rebasing: input[start..<index]))
        while index < input.count {
            let byte = input[index]
            if byte == UInt8(ascii: "\"") {
                // Escapes are ASCII, so the raw bytes are valid exactly when the unescaped are.
                try requireUTF8(from: start, ifAnyOf: bits)
                index += 1
                return SampleView.Span(start: scratchStart, end: scratch.count, inScratch: true)
            }
            if byte == UInt8(ascii: "\n") { throw error("'\"' to close the string before the end of the line") }
            if byte == UInt8(ascii: "\\") {
                guard index + 1 < input.count else { throw error("an escape") }
                switch input[index + 1] {
                case UInt8(ascii: "\\"): scratch.append(UInt8(ascii: "\\"))
                case UInt8(ascii: "\""): scratch.append(UInt8(ascii: "\""))
                case UInt8(ascii: "n"): scratch.append(0x0A)
                default:
                    if format == .openMetrics {
                        index += 1
                        throw error("an escape (\\\\, \\\" or \\n)")
                    }
                    // A backslash escapes no newline: the string ends unterminated there (the
                    // escape used to swallow the newline, and the line count went wrong after it).
                    if input[index + 1] == UInt8(ascii: "\n") {
                        index += 1
                        throw error("'\"' to close the string before the end of the line")
                    }
                    // The text format keeps an unknown escape as written.
                    scratch.append(UInt8(ascii: "\\"))
                    scratch.append(input[index + 1])
                }
                index += 2
                continue
            }
            scratch.append(byte)
            bits |= byte
            index += 1
        }
        throw error("'\"' to close the string")
    }

    /// Checks the input from `start` up to `index` (the closing quote) when `bits` has the high
    /// bit set; a failure points at the first byte of the invalid sequence.
    @inline(__always)
    private mutating func requireUTF8(from start: Int, ifAnyOf bits: UInt8) throws(ExpositionError) {
        guard bits & 0x80 != 0 else { return }
        if let offset = UTF8Validation.firstInvalidByte(UnsafeBufferPointer(rebasing: input[start..<index])) {
            index = start + offset
            throw error("valid UTF-8 in a quoted name or label value")
        }
    }

    // MARK: Numbers

    /// A float as Go's strconv.ParseFloat reads it (text format) or OpenMetrics allows it.
    private mutating func number() throws(ExpositionError) -> Double {
        let start = index
        while index < input.count {
            let byte = input[index]
            if byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\n") { break }
            index += 1
        }
        guard let value = NumberParser.double(UnsafeBufferPointer(rebasing: input[start..<index]), strict: format == .openMetrics) else {
            index = start
            throw error("a number (like 1, 2.5e3, NaN, +Inf or -Inf)")
        }
        return value
    }

    /// Text format: integer milliseconds.
    private mutating func millisecondsTimestamp() throws(ExpositionError) -> Int64 {
        let start = index
        var negative = false
        if index < input.count, input[index] == UInt8(ascii: "-") || input[index] == UInt8(ascii: "+") {
            negative = input[index] == UInt8(ascii: "-")
            index += 1
        }
        var value: Int64 = 0
        let digitsStart = index
        while index < input.count, input[index] &- 48 < 10 {
            let (product, overflow) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = product.addingReportingOverflow(Int64(input[index] &- 48))
            guard !overflow, !overflow2 else { index = start; throw error("a timestamp in milliseconds that fits 64 bits") }
            value = sum
            index += 1
        }
        guard index > digitsStart else { index = start; throw error("a timestamp in milliseconds") }
        if index < input.count, input[index] != UInt8(ascii: " "), input[index] != UInt8(ascii: "\t"), input[index] != UInt8(ascii: "\n") {
            throw error("the end of the line after the timestamp")
        }
        return negative ? -value : value
    }

    /// OpenMetrics: seconds, possibly fractional; kept exactly to the millisecond (truncated).
    private mutating func secondsTimestamp() throws(ExpositionError) -> Int64 {
        let start = index
        while index < input.count, input[index] != UInt8(ascii: " "), input[index] != UInt8(ascii: "\n") { index += 1 }
        let text = UnsafeBufferPointer(rebasing: input[start..<index])
        if let exact = NumberParser.decimalMilliseconds(text) { return exact }
        guard let seconds = NumberParser.double(text, strict: true), seconds.isFinite, abs(seconds) < 9.2e15 else {
            index = start
            throw error("a timestamp in seconds")
        }
        return Int64(seconds * 1000)
    }
}

/// Byte classes for names, from one 256-entry table: bit 1 a letter or `_`, bit 2 a digit,
/// bit 4 a colon (metric names only).
enum CharacterClass {
    private static let table: [UInt8] = (0...255).map { value -> UInt8 in
        let byte = UInt8(value)
        if (byte | 0x20) &- UInt8(ascii: "a") < 26 || byte == UInt8(ascii: "_") { return 1 }
        if byte &- 48 < 10 { return 2 }
        if byte == UInt8(ascii: ":") { return 4 }
        return 0
    }

    @inline(__always) static func isNameStart(_ byte: UInt8, colon: Bool) -> Bool {
        table[Int(byte)] & (colon ? 5 : 1) != 0
    }

    @inline(__always) static func isNameContinue(_ byte: UInt8, colon: Bool) -> Bool {
        table[Int(byte)] & (colon ? 7 : 3) != 0
    }
}

/// Float parsing without building strings: Clinger's exact fast path for the common literals,
/// `strtod` for the rest.
enum NumberParser {
    private static let exactPowers: [Double] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ]

    static func double(_ bytes: UnsafeBufferPointer<UInt8>, strict: Bool) -> Double? {
        let count = bytes.count
        guard count > 0 else { return nil }
        var index = 0
        var negative = false
        if bytes[0] == UInt8(ascii: "-") || bytes[0] == UInt8(ascii: "+") {
            negative = bytes[0] == UInt8(ascii: "-")
            index = 1
        }
        guard index < count else { return nil }
        // NaN and infinities.
        if bytes[index] &- 48 >= 10 && bytes[index] != UInt8(ascii: ".") {
            return special(bytes, from: index, negative: negative, signed: index == 1, strict: strict)
        }
        var mantissa: UInt64 = 0
        var digits = 0
        var exponent = 0
        var sawDigit = false
        while index < count, bytes[index] &- 48 < 10 {
            sawDigit = true
            if digits < 19 {
                mantissa = mantissa &* 10 &+ UInt64(bytes[index] &- 48)
                if mantissa != 0 { digits += 1 }
            } else {
                exponent += 1
                if bytes[index] != UInt8(ascii: "0") { return fallback(bytes) }
            }
            index += 1
        }
        if index < count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            while index < count, bytes[index] &- 48 < 10 {
                sawDigit = true
                if digits < 19 {
                    mantissa = mantissa &* 10 &+ UInt64(bytes[index] &- 48)
                    if mantissa != 0 { digits += 1 }
                    exponent -= 1
                } else if bytes[index] != UInt8(ascii: "0") {
                    return fallback(bytes)
                }
                index += 1
            }
        }
        guard sawDigit else { return nil }
        if index < count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            var exponentNegative = false
            if index < count, bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+") {
                exponentNegative = bytes[index] == UInt8(ascii: "-")
                index += 1
            }
            var written = 0
            let exponentStart = index
            while index < count, bytes[index] &- 48 < 10 {
                written = min(written * 10 + Int(bytes[index] &- 48), 100_000)
                index += 1
            }
            guard index > exponentStart else { return nil }
            exponent += exponentNegative ? -written : written
        }
        guard index == count else { return strict ? nil : fallback(bytes) }
        // Clinger: a mantissa below 2^53 and a power of ten that is exact give the correctly
        // rounded result with one operation.
        if mantissa <= 1 << 53 {
            var value = Double(mantissa)
            if exponent == 0 { return negative ? -value : value }
            if exponent < 0 && exponent >= -22 {
                value /= exactPowers[-exponent]
                return negative ? -value : value
            }
            if exponent > 0 && exponent <= 22 {
                value *= exactPowers[exponent]
                return negative ? -value : value
            }
        }
        return fallback(bytes)
    }

    private static func special(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, negative: Bool, signed: Bool, strict: Bool) -> Double? {
        let word = String(decoding: UnsafeBufferPointer(rebasing: bytes[start...]), as: UTF8.self)
        if strict {
            // OpenMetrics spells these exactly.
            if word == "NaN" && !signed { return .nan }
            if word == "Inf" && signed { return negative ? -.infinity : .infinity }
            return nil
        }
        switch word.lowercased() {
        case "nan": return .nan
        case "inf", "infinity": return negative ? -.infinity : .infinity
        default: return nil
        }
    }

    /// The rare long or extreme literal: the C library's correctly rounded conversion.
    private static func fallback(_ bytes: UnsafeBufferPointer<UInt8>) -> Double? {
        guard bytes.count < 400 else { return nil }
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: bytes.count + 1) { buffer -> Double? in
            for position in 0..<bytes.count { buffer[position] = CChar(bitPattern: bytes[position]) }
            buffer[bytes.count] = 0
            var end: UnsafeMutablePointer<CChar>?
            let value = strtod(buffer.baseAddress!, &end)
            guard let end, end == buffer.baseAddress! + bytes.count else { return nil }
            return value
        }
    }

    /// "1520430000.123" as exact milliseconds (fraction truncated past the third digit).
    static func decimalMilliseconds(_ bytes: UnsafeBufferPointer<UInt8>) -> Int64? {
        var index = 0
        var negative = false
        if index < bytes.count, bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+") {
            negative = bytes[index] == UInt8(ascii: "-")
            index += 1
        }
        var seconds: Int64 = 0
        let start = index
        while index < bytes.count, bytes[index] &- 48 < 10 {
            guard seconds < 9_000_000_000_000 else { return nil }
            seconds = seconds * 10 + Int64(bytes[index] &- 48)
            index += 1
        }
        guard index > start else { return nil }
        var milliseconds = seconds * 1000
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            var scale: Int64 = 100
            let fractionStart = index
            while index < bytes.count, bytes[index] &- 48 < 10 {
                milliseconds += Int64(bytes[index] &- 48) * scale
                scale /= 10
                index += 1
            }
            guard index > fractionStart else { return nil }
        }
        guard index == bytes.count else { return nil }
        return negative ? -milliseconds : milliseconds
    }
}

/// UTF-8 as the Unicode standard defines it: no overlong forms, no surrogates, nothing past
/// U+10FFFF (the standard library's decoder is that strict).
enum UTF8Validation {
    /// The offset of the first byte that does not begin a well-formed sequence, or nil.
    static func firstInvalidByte(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        var parser = Unicode.UTF8.ForwardParser()
        var iterator = bytes.makeIterator()
        var offset = 0
        while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let encoded): offset += encoded.count
            case .emptyInput: return nil
            case .error: return offset
            }
        }
    }
}
