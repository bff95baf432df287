import Scaler

/// One JSON-RPC 2.0 message, kept as the bytes it arrived in, with what the gateway reads of it.
///
/// The gateway never re-encodes a message: it validates it once, then forwards the same bytes
/// with only the `id` spliced (`replacingID`), so a tool's arguments and results pass through
/// untouched and cheaply.
///
/// Invariants: `bytes` is one valid JSON object with `"jsonrpc": "2.0"`; `idSpan`, when set,
/// is the exact byte range of the top-level `id` value inside `bytes`.
public struct JSONRPCMessage: Sendable {
    public enum Kind: Sendable, Equatable {
        case request
        case notification
        case response
    }

    public let bytes: [UInt8]
    public let kind: Kind
    /// The method of a request or notification.
    public let method: String?
    /// The id's JSON text (`7`, `"a-1"`) of a request or response; nil for a notification.
    public let id: JSONRPCID?
    /// The parsed message, for the few methods whose params the gateway reads.
    public let value: JSONValue
    private let idSpan: Range<Int>?

    /// Validates `bytes` as one JSON-RPC message. Malformed JSON is a parse error (-32700);
    /// valid JSON that is not a JSON-RPC 2.0 message is an invalid request (-32600). Batches
    /// (arrays) are invalid requests: MCP 2025-06-18 removed batching.
    public static func parse(_ bytes: [UInt8]) throws(JSONRPCError) -> JSONRPCMessage {
        let value: JSONValue
        do {
            value = try JSONParser.parse(bytes)
        } catch {
            throw JSONRPCError(code: .parseError, message: "Parse error: \(error.description)")
        }
        guard case .object(let object) = value else {
            if case .array = value {
                throw JSONRPCError(code: .invalidRequest, message: "Invalid Request: batches are not supported (MCP 2025-06-18 removed them)")
            }
            throw JSONRPCError(code: .invalidRequest, message: "Invalid Request: expected a JSON-RPC object, found \(value.typeName)")
        }
        guard object["jsonrpc"] == .string("2.0") else {
            throw JSONRPCError(code: .invalidRequest, message: "Invalid Request: \"jsonrpc\" must be \"2.0\"", id: JSONRPCID(object["id"]))
        }
        let id = JSONRPCID(object["id"])
        if object["id"] != nil, id == nil {
            throw JSONRPCError(code: .invalidRequest, message: "Invalid Request: \"id\" must be a string or a number")
        }
        let kind: Kind
        var method: String?
        if let methodValue = object["method"] {
            guard case .string(let name) = methodValue else {
                throw JSONRPCError(code: .invalidRequest, message: "Invalid Request: \"method\" must be a string", id: id)
            }
            method = name
            kind = id == nil ? .notification : .request
        } else if object["result"] != nil || object["error"] != nil, id != nil {
            kind = .response
        } else {
            throw JSONRPCError(code: .invalidRequest, message: "Invalid Request: neither a request (method) nor a response (id with result or error)", id: id)
        }
        var idSpan: Range<Int>?
        if id != nil {
            idSpan = bytes.withUnsafeBufferPointer { buffer in
                JSONSpanScanner.members(of: buffer)?.first { member in
                    member.key.count == 2 && buffer[member.key.lowerBound] == UInt8(ascii: "i") && buffer[member.key.lowerBound + 1] == UInt8(ascii: "d")
                }?.value
            }
        }
        return JSONRPCMessage(bytes: bytes, kind: kind, method: method, id: id, value: value, idSpan: idSpan)
    }

    /// The same message with another id: the bytes spliced around the id, or, when the id
    /// could not be located by bytes (an escaped key), the message written anew.
    public func replacingID(with newID: JSONRPCID) -> [UInt8] {
        if let idSpan {
            var spliced: [UInt8] = []
            spliced.reserveCapacity(bytes.count - idSpan.count + newID.text.count)
            spliced.append(contentsOf: bytes[..<idSpan.lowerBound])
            spliced.append(contentsOf: newID.text)
            spliced.append(contentsOf: bytes[idSpan.upperBound...])
            return spliced
        }
        guard case .object(var object) = value else { return bytes }
        let parsedID = (try? JSONParser.parse(newID.text)) ?? .null
        if let index = object.entries.firstIndex(where: { $0.key == "id" }) {
            object.entries[index].value = parsedID
        } else {
            object.entries.append(JSONObject.Entry("id", parsedID))
        }
        var writer = JSONWriter(reservingCapacity: bytes.count + 16)
        writer.value(.object(object))
        return writer.bytes
    }

    /// The message under another id, without parsing it again when the id's bytes are known.
    /// (`value` keeps the parsed tree of the original; only `id` and `bytes` change.)
    public func withID(_ newID: JSONRPCID) -> JSONRPCMessage {
        let spliced = replacingID(with: newID)
        guard let idSpan else { return (try? JSONRPCMessage.parse(spliced)) ?? self }
        return JSONRPCMessage(bytes: spliced, kind: kind, method: method, id: newID, value: value,
                              idSpan: idSpan.lowerBound..<idSpan.lowerBound + newID.text.count)
    }

    /// `params` of a request or notification, if it is an object.
    public var params: JSONObject? {
        guard case .object(let object) = value, case .object(let params)? = object["params"] else { return nil }
        return params
    }

    /// A request as bytes: `{"jsonrpc":"2.0","id":ID,"method":M,"params":P}`.
    public static func request(id: JSONRPCID?, method: String, params: JSONValue?) -> [UInt8] {
        var writer = JSONWriter(reservingCapacity: 128)
        writer.beginObject()
        writer.key("jsonrpc"); writer.value("2.0")
        if let id { writer.key("id"); writer.rawValue(id.text) }
        writer.key("method"); writer.value(method)
        if let params { writer.key("params"); writer.value(params) }
        writer.endObject()
        return writer.bytes
    }

    /// A successful response whose result is already JSON text.
    public static func result(id: JSONRPCID, resultJSON: some Collection<UInt8>) -> [UInt8] {
        var writer = JSONWriter(reservingCapacity: 64 + resultJSON.count)
        writer.beginObject()
        writer.key("jsonrpc"); writer.value("2.0")
        writer.key("id"); writer.rawValue(id.text)
        writer.key("result"); writer.rawValue(resultJSON)
        writer.endObject()
        return writer.bytes
    }

    /// The `result` member's JSON text of a response, nil for an error response.
    public var resultJSON: [UInt8]? {
        bytes.withUnsafeBufferPointer { buffer -> [UInt8]? in
            guard let member = JSONSpanScanner.members(of: buffer)?.first(where: { member in
                member.key.count == 6 && Array(buffer[member.key]) == Array("result".utf8)
            }) else { return nil }
            return Array(buffer[member.value])
        }
    }
}

/// A request id as its JSON text, so `7` and `"7"` stay different ids, as JSON-RPC says.
public struct JSONRPCID: Hashable, Sendable, CustomStringConvertible {
    public let text: [UInt8]

    public init(text: [UInt8]) {
        self.text = text
    }

    public init(_ number: Int64) {
        self.text = Array(String(number).utf8)
    }

    /// Nil unless the value is a string or a number (JSON-RPC ids; null ids are not requests).
    init?(_ value: JSONValue?) {
        switch value {
        case .number(let text)?:
            self.text = Array(text.utf8)
        case .string?:
            var writer = JSONWriter(reservingCapacity: 16)
            writer.value(value!)
            self.text = writer.bytes
        default:
            return nil
        }
    }

    /// The integer this id stands for, when it is a plain integer (the gateway's own ids).
    public var integer: Int64? { Int64(String(decoding: text, as: UTF8.self)) }

    public var description: String { String(decoding: text, as: UTF8.self) }
}

/// A JSON-RPC error response to send: its code, message and the id it answers.
public struct JSONRPCError: Error, Sendable, CustomStringConvertible {
    public struct Code: RawRepresentable, Sendable, Equatable {
        public let rawValue: Int
        public init(rawValue: Int) { self.rawValue = rawValue }

        public static let parseError = Code(rawValue: -32700)
        public static let invalidRequest = Code(rawValue: -32600)
        public static let methodNotFound = Code(rawValue: -32601)
        public static let invalidParams = Code(rawValue: -32602)
        public static let internalError = Code(rawValue: -32603)
        /// Implementation-defined server errors (-32000 to -32099): the member failed.
        public static let upstreamFailed = Code(rawValue: -32000)
        public static let upstreamTimeout = Code(rawValue: -32001)
        public static let unavailable = Code(rawValue: -32002)
        public static let overloaded = Code(rawValue: -32003)
    }

    public var code: Code
    public var message: String
    public var id: JSONRPCID?

    public init(code: Code, message: String, id: JSONRPCID? = nil) {
        self.code = code
        self.message = message
        self.id = id
    }

    public var description: String { "\(code.rawValue): \(message)" }

    /// `{"jsonrpc":"2.0","id":ID|null,"error":{"code":C,"message":M}}`.
    public var responseBytes: [UInt8] {
        var writer = JSONWriter(reservingCapacity: 96 + message.utf8.count)
        writer.beginObject()
        writer.key("jsonrpc"); writer.value("2.0")
        writer.key("id")
        if let id { writer.rawValue(id.text) } else { writer.valueNull() }
        writer.key("error")
        writer.beginObject()
        writer.key("code"); writer.value(code.rawValue)
        writer.key("message"); writer.value(message)
        writer.endObject()
        writer.endObject()
        return writer.bytes
    }
}
