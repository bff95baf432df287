/// One sample as the streaming parser hands it over: views into the input (and into the
/// parser's scratch space for escaped text), valid only during the callback. Reading `name`
/// or a label as a `String` allocates; the byte accessors do not.
public struct SampleView {
    /// Where a piece of text lies: in the input, or (unescaped) in the scratch buffer.
    struct Span {
        var start: Int
        var end: Int
        var inScratch: Bool
    }

    struct LabelSpan {
        var name: Span
        var value: Span
    }

    let input: UnsafeBufferPointer<UInt8>
    let scratch: UnsafeBufferPointer<UInt8>
    let nameSpan: Span
    let labelSpans: UnsafeBufferPointer<LabelSpan>
    let exemplarSpans: UnsafeBufferPointer<LabelSpan>

    /// The sample's value (NaN and infinities included).
    public let value: Double
    /// Milliseconds since the epoch, when the exposition gives one.
    public let timestampMilliseconds: Int64?
    /// The 1-based line the sample is on.
    public let line: Int
    /// The exemplar's value and timestamp (OpenMetrics), when present.
    public let exemplarValue: Double?
    public let exemplarTimestampMilliseconds: Int64?

    private func bytes(_ span: Span) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(rebasing: (span.inScratch ? scratch : input)[span.start..<span.end])
    }

    private func string(_ span: Span) -> String {
        String(decoding: bytes(span), as: UTF8.self)
    }

    public var name: String { string(nameSpan) }
    public var nameBytes: UnsafeBufferPointer<UInt8> { bytes(nameSpan) }

    public var labelCount: Int { labelSpans.count }
    public func labelName(at index: Int) -> String { string(labelSpans[index].name) }
    public func labelValue(at index: Int) -> String { string(labelSpans[index].value) }
    public func labelNameBytes(at index: Int) -> UnsafeBufferPointer<UInt8> { bytes(labelSpans[index].name) }
    public func labelValueBytes(at index: Int) -> UnsafeBufferPointer<UInt8> { bytes(labelSpans[index].value) }

    /// The labels as pairs, in exposition order.
    public var labels: [(name: String, value: String)] {
        (0..<labelSpans.count).map { (labelName(at: $0), labelValue(at: $0)) }
    }

    /// The value of the label named `name`, if the sample has it.
    public func label(_ name: String) -> String? {
        let wanted = Array(name.utf8)
        for index in 0..<labelSpans.count where labelNameBytes(at: index).elementsEqual(wanted) {
            return labelValue(at: index)
        }
        return nil
    }

    public var exemplarLabels: [(name: String, value: String)] {
        (0..<exemplarSpans.count).map { (string(exemplarSpans[$0].name), string(exemplarSpans[$0].value)) }
    }

    /// An owned copy that outlives the callback.
    public var sample: Sample {
        Sample(name: name, labels: labels, value: value, timestampMilliseconds: timestampMilliseconds,
               exemplar: exemplarValue.map { Exemplar(labels: exemplarLabels, value: $0, timestampMilliseconds: exemplarTimestampMilliseconds) })
    }
}

/// A sample that owns its text.
public struct Sample: Sendable, Equatable {
    public var name: String
    public var labels: [(name: String, value: String)]
    public var value: Double
    public var timestampMilliseconds: Int64?
    /// Kept apart from the sample itself, as OpenMetrics does.
    public var exemplar: Exemplar?

    public init(name: String, labels: [(name: String, value: String)], value: Double,
                timestampMilliseconds: Int64? = nil, exemplar: Exemplar? = nil) {
        self.name = name
        self.labels = labels
        self.value = value
        self.timestampMilliseconds = timestampMilliseconds
        self.exemplar = exemplar
    }

    public func label(_ name: String) -> String? { labels.first { $0.name == name }?.value }

    public static func == (lhs: Sample, rhs: Sample) -> Bool {
        lhs.name == rhs.name && lhs.labels.count == rhs.labels.count
            && zip(lhs.labels, rhs.labels).allSatisfy { $0.name == $1.name && $0.value == $1.value }
            && (lhs.value == rhs.value || (lhs.value.isNaN && rhs.value.isNaN))
            && lhs.timestampMilliseconds == rhs.timestampMilliseconds && lhs.exemplar == rhs.exemplar
    }
}

public struct Exemplar: Sendable, Equatable {
    public var labels: [(name: String, value: String)]
    public var value: Double
    public var timestampMilliseconds: Int64?

    public static func == (lhs: Exemplar, rhs: Exemplar) -> Bool {
        lhs.labels.count == rhs.labels.count
            && zip(lhs.labels, rhs.labels).allSatisfy { $0.name == $1.name && $0.value == $1.value }
            && (lhs.value == rhs.value || (lhs.value.isNaN && rhs.value.isNaN))
            && lhs.timestampMilliseconds == rhs.timestampMilliseconds
    }
}

/// A `# HELP`, `# TYPE` or `# UNIT` line.
public enum MetadataView {
    case help(name: String, text: String)
    case type(name: String, type: MetricType)
    case unit(name: String, unit: String)
}
