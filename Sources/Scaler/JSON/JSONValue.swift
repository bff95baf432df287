/// A JSON document as a tree, with each number kept as the text it was written in.
///
/// Keeping the text matters: the reconcile case reads a JSON number as the quantity of its
/// decimal text (`0.1` is 100m, never a binary float), so no number is converted on the way in.
public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case number(String)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)

    public subscript(key: String) -> JSONValue? {
        if case .object(let object) = self { return object[key] }
        return nil
    }

    public var typeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .number: return "a number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }
}

/// A JSON object that keeps its keys in document order. Lookups are linear: the objects of a
/// reconcile case are small, and a scan beats hashing at that size.
public struct JSONObject: Sendable, Equatable {
    /// One key and its value. A struct rather than a tuple: arrays of it copy through
    /// specialized code.
    public struct Entry: Sendable, Equatable {
        public var key: String
        public var value: JSONValue

        public init(_ key: String, _ value: JSONValue) {
            self.key = key
            self.value = value
        }
    }

    public var entries: [Entry]

    public init(_ entries: [Entry] = []) {
        self.entries = entries
    }

    public init(pairs: [(key: String, value: JSONValue)]) {
        self.entries = pairs.map { Entry($0.key, $0.value) }
    }

    public subscript(key: String) -> JSONValue? {
        get {
            let length = key.utf8.count
            for entry in entries where entry.key.utf8.count == length && entry.key == key { return entry.value }
            return nil
        }
        set {
            if let index = entries.firstIndex(where: { $0.key == key }) {
                if let newValue { entries[index].value = newValue } else { entries.remove(at: index) }
            } else if let newValue {
                entries.append(Entry(key, newValue))
            }
        }
    }

    public var keys: [String] { entries.map(\.key) }

}
