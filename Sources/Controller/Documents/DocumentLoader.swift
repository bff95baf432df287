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
