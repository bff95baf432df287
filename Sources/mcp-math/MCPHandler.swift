import Foundation

/// The MCP server logic, shared by both transports: one JSON-RPC message in, at most one out.
struct MCPHandler: Sendable {
    static let protocolVersions = ["2025-06-18", "2025-03-26", "2024-11-05"]

    let name: String
    let log: StandardError?

    /// What a transport does with one decoded message.
    enum Outcome {
        case response([String: Any])
        /// A notification or a response from the client: nothing to answer.
        case none
    }

    /// Handles one message body. Malformed JSON and invalid requests get their JSON-RPC errors.
    func handle(_ body: Data) -> Outcome {
        guard let object = try? JSONSerialization.jsonObject(with: body) else {
            return .response(Self.error(id: NSNull(), code: -32700, message: "Parse error: the body is not JSON"))
        }
        guard let message = object as? [String: Any], message["jsonrpc"] as? String == "2.0" else {
            return .response(Self.error(id: NSNull(), code: -32600, message: "Invalid Request: expected a JSON-RPC 2.0 object"))
        }
        guard let method = message["method"] as? String else { return .none }
        guard let id = message["id"], !(id is NSNull) else { return .none }
        log?.write("mcp-math method=\(method)")
        let params = message["params"] as? [String: Any] ?? [:]
        do {
            return .response(["jsonrpc": "2.0", "id": id, "result": try result(method: method, params: params)])
        } catch let failure as Failure {
            return .response(Self.error(id: id, code: failure.code, message: failure.message))
        } catch {
            return .response(Self.error(id: id, code: -32603, message: "\(error)"))
        }
    }

    struct Failure: Error {
        let code: Int
        let message: String
    }

    private func result(method: String, params: [String: Any]) throws -> [String: Any] {
        switch method {
        case "initialize":
            let asked = params["protocolVersion"] as? String ?? Self.protocolVersions[0]
            return [
                "protocolVersion": Self.protocolVersions.contains(asked) ? asked : Self.protocolVersions[0],
                "capabilities": ["tools": ["listChanged": false]],
                "serverInfo": ["name": name, "version": "1.0.0"],
            ]
        case "ping":
            return [:]
        case "tools/list":
            return ["tools": Tools.descriptions]
        case "tools/call":
            guard let tool = params["name"] as? String else { throw Failure(code: -32602, message: "tools/call needs params.name") }
            let arguments = params["arguments"] as? [String: Any] ?? [:]
            return try Tools.call(tool, arguments: arguments, serverName: name)
        default:
            throw Failure(code: -32601, message: "Method not found: \(method)")
        }
    }

    static func error(id: Any, code: Int, message: String) -> [String: Any] {
        ["jsonrpc": "2.0", "id": id, "error": ["code": code, "message": message]]
    }

    static func encode(_ object: [String: Any]) -> Data {
        (try? JSONSerialization.data(withJSONObject: object, options: [.withoutEscapingSlashes])) ?? Data("{}".utf8)
    }
}
