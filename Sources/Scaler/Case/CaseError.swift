/// A malformed reconcile case: which field, and what is wrong with it.
///
/// `metrics[1].podValues.web-0.value: "12x" is not a quantity`
public struct CaseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Path components from the document root: keys and `[index]` subscripts.
    public private(set) var components: [String]
    public var message: String

    public init(_ message: String, at components: [String] = []) {
        self.message = message
        self.components = components
    }

    public var path: String {
        var text = ""
        for component in components {
            if component.hasPrefix("[") || text.isEmpty {
                text += component
            } else {
                text += "." + component
            }
        }
        return text
    }

    public var description: String { path.isEmpty ? message : "\(path): \(message)" }

    /// The same error one level further down: `component` goes in front of the path.
    public func prefixed(_ component: String) -> CaseError {
        var copy = self
        copy.components.insert(component, at: 0)
        return copy
    }
}

/// Reads typed fields out of a JSON tree, naming the field in every error. The happy path
/// builds no strings: a path is assembled only while an error travels up.
public struct FieldReader {
    public let object: JSONObject

    public init(_ value: JSONValue, allowing keys: [String]? = nil) throws(CaseError) {
        guard case .object(let object) = value else {
            throw CaseError("expected an object, found \(value.typeName)")
        }
        self.object = object
        if let keys {
            for entry in object.entries where !keys.contains(where: { $0.utf8.count == entry.key.utf8.count && $0 == entry.key }) {
                throw CaseError("unknown field\(FieldReader.suggestion(for: entry.key, among: keys))").prefixed(entry.key)
            }
        }
    }

    /// A present, non-null value.
    public func value(_ key: String) -> JSONValue? {
        guard let value = object[key] else { return nil }
        if case .null = value { return nil }
        return value
    }

    public func required<T>(_ key: String, _ read: (JSONValue) throws(CaseError) -> T) throws(CaseError) -> T {
        guard let value = value(key) else { throw CaseError("is required").prefixed(key) }
        return try at(key) { () throws(CaseError) -> T in try read(value) }
    }

    public func optional<T>(_ key: String, _ read: (JSONValue) throws(CaseError) -> T) throws(CaseError) -> T? {
        guard let value = value(key) else { return nil }
        return try at(key) { () throws(CaseError) -> T in try read(value) }
    }

    public static func suggestion(for key: String, among keys: [String]) -> String {
        nearest(to: key, among: keys).map { " (did you mean \"\($0)\"?)" } ?? " (known fields: \(keys.joined(separator: ", ")))"
    }

    /// The candidate `text` most likely misspells (within a few edits) or cuts short
    /// (`least_conn` for `least_connections`), if any.
    public static func nearest(to text: String, among candidates: [String]) -> String? {
        let lowered = text.lowercased()
        var best: (candidate: String, distance: Int)?
        for candidate in candidates {
            let distance = editDistance(lowered, candidate.lowercased())
            if distance <= max(2, candidate.count / 3), distance < (best?.distance ?? Int.max) {
                best = (candidate, distance)
            }
        }
        if let best { return best.candidate }
        // An abbreviation is too far by edit distance but unambiguous to a reader.
        guard lowered.count >= 3 else { return nil }
        return candidates.filter { $0.lowercased().hasPrefix(lowered) }.min { $0.count < $1.count }
    }

    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a.utf8)
        let b = Array(b.utf8)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = previous
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}

/// Runs `body`, prefixing any error with `component`.
@inline(__always)
public func at<T>(_ component: String, _ body: () throws(CaseError) -> T) throws(CaseError) -> T {
    do {
        return try body()
    } catch {
        throw error.prefixed(component)
    }
}

@inline(__always)
public func at<T>(index: Int, _ body: () throws(CaseError) -> T) throws(CaseError) -> T {
    do {
        return try body()
    } catch {
        throw error.prefixed("[\(index)]")
    }
}

/// Scalar readers, each naming what it expected.
public enum Read {
    public static func string(_ value: JSONValue) throws(CaseError) -> String {
        guard case .string(let text) = value else { throw CaseError("expected a string, found \(value.typeName)") }
        return text
    }

    public static func bool(_ value: JSONValue) throws(CaseError) -> Bool {
        guard case .bool(let flag) = value else { throw CaseError("expected true or false, found \(value.typeName)") }
        return flag
    }

    public static func array(_ value: JSONValue) throws(CaseError) -> [JSONValue] {
        guard case .array(let elements) = value else { throw CaseError("expected an array, found \(value.typeName)") }
        return elements
    }

    public static func int32(_ value: JSONValue) throws(CaseError) -> Int32 {
        guard case .number(let text) = value else { throw CaseError("expected an integer, found \(value.typeName)") }
        guard let number = Int32(text) else { throw CaseError("\(text) is not a 32-bit integer") }
        return number
    }

    public static func nonNegativeInt32(_ value: JSONValue) throws(CaseError) -> Int32 {
        let number = try int32(value)
        guard number >= 0 else { throw CaseError("must not be negative, found \(number)") }
        return number
    }

    /// A quantity string, or a JSON number read as the quantity of its decimal text.
    public static func quantity(_ value: JSONValue) throws(CaseError) -> Quantity {
        let text: String
        switch value {
        case .string(let string): text = string
        case .number(let number): text = number
        default: throw CaseError("expected a quantity such as \"500m\" or 2.5, found \(value.typeName)")
        }
        do {
            return try Quantity(parsing: text)
        } catch {
            throw CaseError(error.description)
        }
    }

    /// A float64 flag, parsed as Go's flag package parses one (not as a quantity).
    public static func float64(_ value: JSONValue) throws(CaseError) -> Double {
        let text: String
        switch value {
        case .number(let number): text = number
        case .string(let string): text = string
        default: throw CaseError("expected a number, found \(value.typeName)")
        }
        guard let number = Double(text), number.isFinite else { throw CaseError("\"\(text)\" is not a number") }
        return number
    }

    /// RFC 3339 text, or a JSON number of Unix seconds.
    public static func timestamp(_ value: JSONValue) throws(CaseError) -> Timestamp {
        switch value {
        case .string(let text):
            guard let timestamp = Timestamp(rfc3339: text) else {
                throw CaseError("\"\(text)\" is not an RFC 3339 timestamp (like 2026-11-20T12:00:00Z)")
            }
            return timestamp
        case .number(let text):
            guard let seconds = Double(text), seconds.isFinite, abs(seconds) < 9e9 else {
                throw CaseError("\(text) is not a Unix time in seconds")
            }
            return Timestamp(nanosecondsSinceEpoch: Int64((seconds * 1e9).rounded()))
        default:
            throw CaseError("expected an RFC 3339 timestamp, found \(value.typeName)")
        }
    }

    /// Go duration text ("60s"), or a JSON number of seconds.
    public static func duration(_ value: JSONValue) throws(CaseError) -> TimeSpan {
        switch value {
        case .string(let text):
            guard let duration = TimeSpan(goText: text) else { throw CaseError("\"\(text)\" is not a duration (like \"60s\" or \"1m30s\")") }
            return duration
        case .number(let text):
            guard let seconds = Double(text), seconds.isFinite, seconds >= 0, seconds < 9e9 else {
                throw CaseError("\(text) is not a number of seconds")
            }
            return TimeSpan(nanoseconds: Int64((seconds * 1e9).rounded()))
        default:
            throw CaseError("expected a duration, found \(value.typeName)")
        }
    }

    public static func seconds(_ value: JSONValue) throws(CaseError) -> TimeSpan {
        if case .string = value { return try duration(value) }
        let seconds = try float64(value)
        guard seconds >= 0, seconds < 9e9 else { throw CaseError("must be a non-negative number of seconds") }
        return TimeSpan(nanoseconds: Int64((seconds * 1e9).rounded()))
    }
}
