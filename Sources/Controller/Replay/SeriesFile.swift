import Foundation
import Scaler

/// Values over time read from a file that is not a Tidepool recording: a CSV table, or a
/// Prometheus query_range response saved with curl. Each column or result is one series.
///
/// Invariant: every series' points are sorted by time. A point without a value is a known gap
/// (an empty CSV cell, a NaN): the metric failed there; it never reads as zero.
struct SeriesFile: Sendable {
    enum Format { case recording, csv, queryRange }

    struct Series: Sendable {
        /// Prometheus labels with `__name__` when the result has one; a CSV column's name is
        /// its `__name__`.
        var labels: [String: String]
        var points: [(time: Timestamp, value: Quantity?)]

        var name: String? { labels["__name__"] }

        var labelText: String {
            let pairs = labels.filter { $0.key != "__name__" }.sorted { $0.key < $1.key }.map { "\($0.key)=\"\($0.value)\"" }
            return (name ?? "") + (pairs.isEmpty && name != nil ? "" : "{" + pairs.joined(separator: ",") + "}")
        }
    }

    var source: String
    var format: Format
    var series: [Series]

    /// The file's name without directory and extension: a query file named after the metric
    /// it holds maps to that metric.
    var stem: String { ((source as NSString).lastPathComponent as NSString).deletingPathExtension }

    /// A recording's lines start with an object holding "timestamp"; a query response is one
    /// object with "status" and "data"; anything else is read as CSV.
    static func detectFormat(_ bytes: [UInt8], path: String) -> Format {
        if path.hasSuffix(".csv") { return .csv }
        guard let first = bytes.firstIndex(where: { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }),
              bytes[first] == UInt8(ascii: "{") else { return .csv }
        // The first key decides; both producers write their leading key first.
        var index = first + 1
        while index < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) { index += 1 }
        let key = "\"status\"".utf8
        if bytes.count - index >= key.count, bytes[index..<index + key.count].elementsEqual(key) { return .queryRange }
        let data = "\"data\"".utf8
        if bytes.count - index >= data.count, bytes[index..<index + data.count].elementsEqual(data) { return .queryRange }
        return .recording
    }

    // MARK: - CSV

    /// `timestamp,replicas,<metric>...`: a header row naming the columns, then one row per
    /// time. Timestamps are RFC 3339 or Unix seconds; an empty cell is a gap.
    static func csv(_ bytes: [UInt8], source: String) throws(InputError) -> SeriesFile {
        let text = String(decoding: bytes, as: UTF8.self)
        var header: [String]?
        var columns: [[(time: Timestamp, value: Quantity?)]] = []
        var lineNumber = 0
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            var line = Substring(rawLine)
            if line.hasSuffix("\r") { line = line.dropLast() }
            if line.allSatisfy(\.isWhitespace) || line.hasPrefix("#") { continue }
            let cells = splitCSV(line)
            guard let names = header else {
                guard let first = cells.first, ["timestamp", "time"].contains(first.lowercased()) else {
                    throw InputError(source: "\(source):\(lineNumber)",
                                     message: "the first row names the columns and starts with timestamp (timestamp,replicas,<metric>...)")
                }
                guard cells.count >= 2 else {
                    throw InputError(source: "\(source):\(lineNumber)", message: "no columns after timestamp; add replicas and the metrics")
                }
                for (index, name) in cells.enumerated() where index > 0 {
                    if name.isEmpty { throw InputError(source: "\(source):\(lineNumber)", message: "column \(index + 1) has no name") }
                    if let earlier = cells[1..<index].firstIndex(of: name) {
                        throw InputError(source: "\(source):\(lineNumber)", message: "column \(index + 1) repeats the name \"\(name)\" of column \(earlier + 1)")
                    }
                }
                header = cells
                columns = Array(repeating: [], count: cells.count - 1)
                continue
            }
            guard cells.count == names.count else {
                throw InputError(source: "\(source):\(lineNumber)", message: "\(cells.count) cells where the header has \(names.count) columns")
            }
            let time: Timestamp
            do {
                time = try parseTime(cells[0])
            } catch {
                throw InputError(source: "\(source):\(lineNumber)", message: "timestamp: \(error.message)")
            }
            if let previous = columns.first?.last?.time, time <= previous {
                throw InputError(source: "\(source):\(lineNumber)", message: "timestamp \(cells[0]) is not after the row before; rows go forward in time")
            }
            for index in 1..<cells.count {
                let cell = cells[index].trimmingCharacters(in: .whitespaces)
                var value: Quantity?
                if !cell.isEmpty, cell.lowercased() != "nan" {
                    do {
                        value = try Quantity(parsing: cell)
                    } catch {
                        throw InputError(source: "\(source):\(lineNumber)", message: "column \(names[index]): \"\(cell)\" is not a number or quantity")
                    }
                }
                columns[index - 1].append((time, value))
            }
        }
        guard let names = header else { throw InputError(source: source, message: "the file is empty; expected a header row (timestamp,replicas,<metric>...)") }
        let series = zip(names.dropFirst(), columns).map { Series(labels: ["__name__": $0], points: $1) }
        return SeriesFile(source: source, format: .csv, series: series)
    }

    /// Splits a CSV row, honouring double-quoted cells with doubled quotes inside.
    static func splitCSV(_ line: Substring) -> [String] {
        var cells: [String] = []
        var cell = ""
        var quoted = false
        var iterator = line.makeIterator()
        while let character = iterator.next() {
            if quoted {
                if character == "\"" {
                    if let next = iterator.next() {
                        if next == "\"" { cell.append("\"") } else {
                            quoted = false
                            if next == "," { cells.append(cell); cell = "" } else { cell.append(next) }
                        }
                    } else { quoted = false }
                } else { cell.append(character) }
            } else if character == "\"" && cell.isEmpty {
                quoted = true
            } else if character == "," {
                cells.append(cell.trimmingCharacters(in: .whitespaces))
                cell = ""
            } else {
                cell.append(character)
            }
        }
        cells.append(quoted ? cell : cell.trimmingCharacters(in: .whitespaces))
        return cells
    }

    /// RFC 3339, or Unix seconds (fractions allowed).
    static func parseTime(_ text: String) throws(CaseError) -> Timestamp {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let seconds = Double(trimmed) {
            return try Read.timestamp(.number(String(seconds)))
        }
        return try Read.timestamp(.string(trimmed))
    }

    // MARK: - Prometheus query_range

    /// `{"status":"success","data":{"resultType":"matrix","result":[{"metric":{...},"values":[[t,"v"],...]}]}}`
    /// as /api/v1/query_range answers. NaN and infinite values are gaps.
    static func queryRange(_ bytes: [UInt8], source: String) throws(InputError) -> SeriesFile {
        let document: JSONValue
        do {
            document = try JSONParser.parse(bytes)
        } catch {
            throw InputError(source: source, message: "malformed JSON at \(error.description)")
        }
        do throws(CaseError) {
            let response = try FieldReader(document)
            let status = try response.required("status", Read.string)
            if status != "success" {
                let type = try response.optional("errorType", Read.string) ?? "error"
                let message = try response.optional("error", Read.string) ?? "no message"
                throw CaseError("the saved response is a Prometheus error (\(type)): \(message)").prefixed("status")
            }
            return try at("data") { () throws(CaseError) in
                let data = try FieldReader(response.required("data") { $0 })
                let type = try data.required("resultType", Read.string)
                guard type == "matrix" else {
                    throw CaseError("is \"\(type)\"; replay needs a range query's \"matrix\" (save /api/v1/query_range, not /api/v1/query)").prefixed("resultType")
                }
                let results = try data.required("result", Read.array)
                var series: [Series] = []
                for (index, result) in results.enumerated() {
                    series.append(try at("result") { () throws(CaseError) in
                        try at(index: index) { () throws(CaseError) in try decodeSeries(result) }
                    })
                }
                return SeriesFile(source: source, format: .queryRange, series: series)
            }
        } catch {
            throw InputError(source: source, message: error.description)
        }
    }

    private static func decodeSeries(_ value: JSONValue) throws(CaseError) -> Series {
        let fields = try FieldReader(value)
        var labels: [String: String] = [:]
        if let metric = fields.value("metric") {
            guard case .object(let object) = metric else { throw CaseError("expected an object of labels").prefixed("metric") }
            for entry in object.entries {
                labels[entry.key] = try at("metric") { () throws(CaseError) in try at(entry.key) { () throws(CaseError) in try Read.string(entry.value) } }
            }
        }
        let values = try fields.required("values", Read.array)
        var points: [(time: Timestamp, value: Quantity?)] = []
        points.reserveCapacity(values.count)
        for (index, pair) in values.enumerated() {
            let point = try at("values") { () throws(CaseError) in
                try at(index: index) { () throws(CaseError) -> (time: Timestamp, value: Quantity?) in
                    let elements = try Read.array(pair)
                    guard elements.count == 2 else { throw CaseError("expected [unix seconds, \"value\"], found \(elements.count) elements") }
                    let time = try Read.timestamp(elements[0])
                    let text = try Read.string(elements[1])
                    return (time, sampleValue(text))
                }
            }
            if let last = points.last, point.time <= last.time {
                throw CaseError("timestamps go backwards").prefixed("[\(index)]").prefixed("values")
            }
            points.append(point)
        }
        return Series(labels: labels, points: points)
    }

    /// A sample value as exact decimal where it is plain decimal text, through Double where
    /// it is in Go's exponent form; NaN and infinities are gaps.
    static func sampleValue(_ text: String) -> Quantity? {
        if let exact = try? Quantity(parsing: text) { return exact }
        guard let double = Double(text), double.isFinite, abs(double) < 9e15 else { return nil }
        return Quantity(milli: Int64((double * 1000).rounded(.up)))
    }
}
