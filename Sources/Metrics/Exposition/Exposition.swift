import Scaler

/// A metric family: its metadata and its samples.
public struct MetricFamily: Sendable, Equatable {
    public var name: String
    public var type: MetricType
    public var help: String?
    public var unit: String?
    public var samples: [Sample]

    public init(name: String, type: MetricType = .untyped, help: String? = nil, unit: String? = nil, samples: [Sample] = []) {
        self.name = name
        self.type = type
        self.help = help
        self.unit = unit
        self.samples = samples
    }

    /// The sample names a family of this type owns, as the formats define them.
    func owns(_ sampleName: String) -> Bool {
        if sampleName == name { return true }
        guard sampleName.hasPrefix(name) else { return false }
        let suffix = sampleName.dropFirst(name.count)
        switch type {
        case .counter: return suffix == "_total" || suffix == "_created"
        case .histogram: return suffix == "_bucket" || suffix == "_count" || suffix == "_sum" || suffix == "_created"
        case .gaugeHistogram: return suffix == "_bucket" || suffix == "_gcount" || suffix == "_gsum"
        case .summary: return suffix == "_count" || suffix == "_sum" || suffix == "_created"
        case .info: return suffix == "_info"
        default: return false
        }
    }
}

/// A whole exposition, collected: the collecting API on top of `ExpositionParser`.
///
/// ```swift
/// let exposition = try Exposition(parsing: bytes, format: .prometheusText)
/// let up = exposition.samples.first { $0.name == "up" }?.value
/// ```
public struct Exposition: Sendable {
    public var families: [MetricFamily]

    public var samples: [Sample] { families.flatMap(\.samples) }

    public init(parsing bytes: [UInt8], format: ExpositionFormat) throws(ExpositionError) {
        var families: [MetricFamily] = []
        var pending = MetricFamily(name: "")
        do {
            try bytes.withUnsafeBufferPointer { buffer in
                try ExpositionParser.parse(buffer, format: format, onMetadata: { metadata in
                    let name: String
                    switch metadata {
                    case .help(let family, _), .type(let family, _), .unit(let family, _): name = family
                    }
                    if name != pending.name {
                        if !pending.name.isEmpty || !pending.samples.isEmpty { families.append(pending) }
                        pending = MetricFamily(name: name)
                    }
                    switch metadata {
                    case .help(_, let text): pending.help = text
                    case .type(_, let type): pending.type = type
                    case .unit(_, let unit): pending.unit = unit
                    }
                }, onSample: { view in
                    let sample = view.sample
                    if !pending.owns(sample.name) {
                        if !pending.name.isEmpty || !pending.samples.isEmpty { families.append(pending) }
                        pending = MetricFamily(name: sample.name)
                    }
                    pending.samples.append(sample)
                })
            }
        } catch let error as ExpositionError {
            throw error
        } catch {
            throw ExpositionError(line: 0, column: 0, message: "\(error)")
        }
        if !pending.name.isEmpty || !pending.samples.isEmpty { families.append(pending) }
        self.families = families
    }

    /// Guesses the format of a file: OpenMetrics when it ends with `# EOF`.
    public static func detectFormat(_ bytes: [UInt8]) -> ExpositionFormat {
        var end = bytes.count
        while end > 0, bytes[end - 1] == UInt8(ascii: "\n") || bytes[end - 1] == UInt8(ascii: " ") { end -= 1 }
        let marker = Array("# EOF".utf8)
        return end >= marker.count && Array(bytes[(end - marker.count)..<end]) == marker ? .openMetrics : .prometheusText
    }
}

/// How `tidepool scrape` prints samples.
public enum SampleOutput {
    /// `{"name", "labels", "value", "timestamp"}`: value a JSON number or "NaN", "+Inf",
    /// "-Inf"; timestamp milliseconds or null.
    public static func writeJSONLine(_ sample: SampleView, to writer: inout JSONWriter) {
        writer.beginObject()
        writer.key("name"); writer.value(sample.name)
        writer.key("labels")
        writer.beginObject()
        for index in 0..<sample.labelCount {
            writer.key(sample.labelName(at: index))
            writer.value(sample.labelValue(at: index))
        }
        writer.endObject()
        writer.key("value"); writeValue(sample.value, to: &writer)
        writer.key("timestamp")
        if let timestamp = sample.timestampMilliseconds { writer.value(timestamp) } else { writer.valueNull() }
        writer.endObject()
        writer.newline()
    }

    static func writeValue(_ value: Double, to writer: inout JSONWriter) {
        if value.isNaN { writer.value("NaN"); return }
        if value.isInfinite { writer.value(value > 0 ? "+Inf" : "-Inf"); return }
        writer.rawNumber(numberText(value))
    }

    /// Integers without a fraction; everything else in the shortest text that reads back
    /// exactly.
    public static func numberText(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return "\(value)"
    }

    /// A label value as the text format writes it. By scalar, not Character: "\r\n" is one
    /// Character, and its newline would slip through unescaped. `package` so fuzz-exposition's
    /// round trip writes with it, and so checks it.
    package static func escaped(_ value: String) -> String {
        var text = ""
        text.reserveCapacity(value.utf8.count)
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\\": text += "\\\\"
            case "\"": text += "\\\""
            case "\n": text += "\\n"
            default: text.unicodeScalars.append(scalar)
            }
        }
        return text
    }

    /// A readable line: `name{label="value",...} value [timestamp]`.
    public static func tableLine(_ sample: SampleView) -> String {
        var text = sample.name
        if sample.labelCount > 0 {
            text += "{" + (0..<sample.labelCount).map { "\(sample.labelName(at: $0))=\"\(escaped(sample.labelValue(at: $0)))\"" }.joined(separator: ",") + "}"
        }
        let value = sample.value.isNaN ? "NaN" : sample.value.isInfinite ? (sample.value > 0 ? "+Inf" : "-Inf") : numberText(sample.value)
        text += "  " + value
        if let timestamp = sample.timestampMilliseconds {
            // An OpenMetrics timestamp (seconds) can lie past what nanoseconds since the epoch
            // hold (years 1677 to 2262): those are shown as the milliseconds they are.
            let (nanoseconds, overflow) = timestamp.multipliedReportingOverflow(by: 1_000_000)
            let instant = Timestamp(nanosecondsSinceEpoch: nanoseconds)
            text += "  @" + (overflow || instant <= .distantPast ? "\(timestamp)ms" : instant.rfc3339)
        }
        return text
    }
}
