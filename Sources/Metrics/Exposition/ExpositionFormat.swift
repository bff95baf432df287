/// The two exposition formats Tidepool reads.
public enum ExpositionFormat: String, Sendable, Equatable {
    /// Prometheus text format 0.0.4 (with Prometheus 3's quoted UTF-8 names).
    case prometheusText = "text"
    /// OpenMetrics 1.0 text.
    case openMetrics = "openmetrics"

    /// The format for a response's Content-Type, as Prometheus chooses it: OpenMetrics for
    /// `application/openmetrics-text`, the text format for anything else.
    public init(contentType: String?) {
        let mediaType = contentType?.split(separator: ";").first?.trimmingWhitespace().lowercased() ?? ""
        self = mediaType == "application/openmetrics-text" ? .openMetrics : .prometheusText
    }

    /// The Accept header Prometheus sends when it scrapes: OpenMetrics preferred, text accepted.
    public static let acceptHeader =
        "application/openmetrics-text;version=1.0.0;q=0.5,application/openmetrics-text;version=0.0.1;q=0.4,text/plain;version=0.0.4;q=0.3,*/*;q=0.2"
}

extension Substring {
    func trimmingWhitespace() -> Substring {
        var result = self
        while let first = result.first, first == " " || first == "\t" { result.removeFirst() }
        while let last = result.last, last == " " || last == "\t" { result.removeLast() }
        return result
    }
}

/// A metric family's type, as `# TYPE` declares it.
public enum MetricType: String, Sendable, Equatable {
    case counter, gauge, histogram, summary, untyped, unknown
    case gaugeHistogram = "gaugehistogram"
    case info, stateset
}

/// Where and why an exposition is malformed. The whole exposition is rejected.
public struct ExpositionError: Error, Sendable, Equatable, CustomStringConvertible {
    public let line: Int
    public let column: Int
    public let message: String

    public init(line: Int, column: Int, message: String) {
        self.line = line
        self.column = column
        self.message = message
    }

    public var description: String { "line \(line), column \(column): \(message)" }
}
