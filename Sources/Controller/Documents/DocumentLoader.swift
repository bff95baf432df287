import CYaml
import Foundation
import Scaler
import Yams

/// A file (or standard input) that could not be read or parsed, named in the message.
public struct InputError: Error, CustomStringConvertible {
    public var source: String
    public var message: String

    public init(source: String, message: String) {
        self.source = source
        self.message = message
    }

    public var description: String { "\(source): \(message)" }
}

/// Reads JSON or YAML documents into the Scaler's JSON tree, so both formats reach the same
/// decoder with the same field-path errors.
public enum DocumentLoader {
    /// Reads a whole file, or standard input for "-".
    public static func readBytes(_ path: String) throws(InputError) -> [UInt8] {
        if path == "-" {
            return Array(FileHandle.standardInput.readDataToEndOfFile())
        }
        // Straight into the array: a week's recording is a hundred megabytes, and going
        // through Data would copy it twice.
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            let reason = errno == ENOENT ? "no such file" : "cannot be read (\(String(cString: strerror(errno))))"
            throw InputError(source: path, message: reason)
        }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw InputError(source: path, message: "cannot be read") }
        if (status.st_mode & S_IFMT) == S_IFDIR { throw InputError(source: path, message: "is a directory, not a file") }
        var bytes: [UInt8] = []
        var capacity = max(Int(status.st_size), 0) + 1
        while true {
            var readError: Int32 = 0
            let previous = bytes
            // Uninitialised capacity, filled by read(2): no zero-filling a hundred megabytes first.
            bytes = [UInt8](unsafeUninitializedCapacity: capacity) { buffer, initialized in
                var filled = 0
                if !previous.isEmpty {
                    _ = buffer.initialize(from: previous)
                    filled = previous.count
                }
                while filled < buffer.count {
                    let count = read(descriptor, buffer.baseAddress! + filled, buffer.count - filled)
                    if count < 0 {
                        if errno == EINTR { continue }
                        readError = errno
                        break
                    }
                    if count == 0 { break }
                    filled += count
                }
                initialized = filled
            }
            if readError != 0 { throw InputError(source: path, message: "cannot be read (\(String(cString: strerror(readError))))") }
            // A file that grew while being read (or a pipe) fills the whole buffer: read on.
            if bytes.count < capacity { return bytes }
            capacity *= 2
        }
    }

    /// Parses a document: JSON when it starts with `{` or `[`, YAML otherwise (or when the
    /// file is named .yaml/.yml).
    public static func parse(_ bytes: [UInt8], source: String) throws(InputError) -> JSONValue {
        let isYAMLName = source.hasSuffix(".yaml") || source.hasSuffix(".yml")
        let firstSignificant = bytes.first { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }
        if !isYAMLName, firstSignificant == UInt8(ascii: "{") || firstSignificant == UInt8(ascii: "[") {
            do {
                return try JSONParser.parse(bytes)
            } catch {
                throw InputError(source: source, message: "malformed JSON at \(error.description)")
            }
        }
        return try parseYAML(String(decoding: bytes, as: UTF8.self), source: source)
    }

    public static func load(_ path: String) throws(InputError) -> JSONValue {
        try parse(try readBytes(path), source: path == "-" ? "<stdin>" : path)
    }

    static func parseYAML(_ text: String, source: String) throws(InputError) -> JSONValue {
        // Yams resolves each alias to a copy of its anchor's node, so nested aliases multiply:
        // a few hundred bytes ("billion laughs") stand for hundreds of millions of nodes, and
        // hashing them (Yams checks mapping keys for duplicates) or converting them hung. A
        // document's own nodes are fewer than its bytes; aliases may multiply them by 16 (to
        // at least 100 000 nodes) before the document is refused, unexpanded.
        let limit = max(100_000, 16 * text.utf8.count)
        if text.utf8.contains(UInt8(ascii: "*")), expandedNodeCount(text, limit: limit) == nil {
            throw InputError(source: source, message: "malformed YAML: its aliases expand to more than \(limit) nodes")
        }
        let node: Node?
        do {
            node = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw InputError(source: source, message: "malformed YAML: \(error)")
        } catch {
            throw InputError(source: source, message: "malformed YAML: \(error)")
        }
        guard let node else { throw InputError(source: source, message: "the document is empty") }
        return convert(node)
    }

    /// How many nodes the YAML stream holds with every alias expanded, counted from libyaml's
    /// events without building anything; nil once past `limit`. A syntax error ends the count
    /// early (Yams then reports it, with its place).
    static func expandedNodeCount(_ text: String, limit: Int) -> Int? {
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else { return 0 }
        defer { yaml_parser_delete(&parser) }
        yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING)
        var text = text
        return text.withUTF8 { buffer -> Int? in
            yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
            var anchors: [String: Int] = [:]
            var total = 0
            // Each open collection's anchor and the nodes it holds so far (itself included).
            var open: [(anchor: String?, nodes: Int)] = []
            func name(_ anchor: UnsafeMutablePointer<yaml_char_t>?) -> String? {
                anchor.map { String(cString: $0) }
            }
            /// Counts `nodes` more in the collection they are in; false past the limit.
            func count(_ nodes: Int) -> Bool {
                if !open.isEmpty { open[open.count - 1].nodes += nodes }
                total += nodes
                return total <= limit
            }
            var event = yaml_event_t()
            while yaml_parser_parse(&parser, &event) == 1 {
                defer { yaml_event_delete(&event) }
                switch event.type {
                case YAML_STREAM_END_EVENT:
                    return total
                case YAML_SCALAR_EVENT:
                    if let anchor = name(event.data.scalar.anchor) { anchors[anchor] = 1 }
                    guard count(1) else { return nil }
                case YAML_ALIAS_EVENT:
                    // An undefined alias counts nothing here; Yams reports it.
                    guard count(anchors[name(event.data.alias.anchor) ?? ""] ?? 0) else { return nil }
                case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
                    let anchor = event.type == YAML_SEQUENCE_START_EVENT
                        ? name(event.data.sequence_start.anchor) : name(event.data.mapping_start.anchor)
                    total += 1
                    guard total <= limit else { return nil }
                    open.append((anchor, 1))
                case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                    guard let finished = open.popLast() else { return total }
                    if let anchor = finished.anchor { anchors[anchor] = finished.nodes }
                    if !open.isEmpty { open[open.count - 1].nodes += finished.nodes }
                default:
                    break
                }
            }
            return total
        }
    }

    /// YAML to the JSON tree. Plain scalars that read as numbers stay numbers with their text
    /// (so `0.1` keeps meaning the quantity 100m); quoted scalars stay strings.
    static func convert(_ node: Node) -> JSONValue {
        switch node {
        case .scalar(let scalar):
            if scalar.style != .plain { return .string(scalar.string) }
            switch scalar.string {
            case "null", "Null", "NULL", "~", "": return .null
            case "true", "True", "TRUE": return .bool(true)
            case "false", "False", "FALSE": return .bool(false)
            default:
                if isJSONNumber(scalar.string) { return .number(scalar.string) }
                return .string(scalar.string)
            }
        case .sequence(let sequence):
            return .array(sequence.map(convert))
        case .mapping(let mapping):
            var object = JSONObject()
            for (key, value) in mapping {
                object.entries.append(JSONObject.Entry(key.string ?? "\(key)", convert(value)))
            }
            return .object(object)
        case .alias:
            return .null
        }
    }

    static func isJSONNumber(_ text: String) -> Bool {
        (try? JSONParser.parse(text)).map { if case .number = $0 { return true } else { return false } } ?? false
    }
}
