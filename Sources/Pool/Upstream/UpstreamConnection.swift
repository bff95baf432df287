import Scaler

/// Why a request to a member got no answer, which decides what the gateway does next.
public enum UpstreamFailure: Error, Sendable, CustomStringConvertible {
    /// The request never reached the member (refused, not running, stdin closed): another
    /// member may take it, since the first one never saw it.
    case notDelivered(String)
    /// The member had the request and failed before answering (it died, closed the
    /// connection mid-response, answered garbage). Never retried: a tool call is not assumed
    /// to be idempotent.
    case failed(String)
    /// No answer within the read timeout.
    case timedOut(Duration)
    /// The member no longer knows the gateway's session (HTTP 404): re-initialize.
    case sessionLost

    public var description: String {
        switch self {
        case .notDelivered(let reason): return "not delivered: \(reason)"
        case .failed(let reason): return reason
        case .timedOut(let limit): return "no answer within \(limit)"
        case .sessionLost: return "the member lost the session"
        }
    }
}

/// The gateway's own session with one member. It allocates the ids on that session, so
/// requests of many clients (whose ids collide) share it: a request goes out under a fresh
/// id and its response comes back under the client's.
public protocol UpstreamConnection: AnyObject, Sendable {
    /// Sends a request and returns its response, carrying the request's own id.
    func send(_ request: JSONRPCMessage, timeout: Duration) async throws(UpstreamFailure) -> JSONRPCMessage
    /// Sends a notification (no answer expected).
    func notify(_ notification: [UInt8]) async
    /// Ends the session.
    func close() async
}

extension UpstreamConnection {
    /// The MCP handshake: initialize, then notifications/initialized. Returns the member's
    /// initialize result (its JSON text), which the gateway's own answers reuse.
    public func initialize(timeout: Duration) async throws(UpstreamFailure) -> [UInt8] {
        var params = JSONObject()
        params.entries.append(JSONObject.Entry("protocolVersion", .string(MCPProtocol.latestVersion)))
        params.entries.append(JSONObject.Entry("capabilities", .object(JSONObject())))
        params.entries.append(JSONObject.Entry("clientInfo", .object(JSONObject([
            JSONObject.Entry("name", .string("tidepool")), JSONObject.Entry("version", .string(MCPProtocol.tidepoolVersion)),
        ]))))
        let bytes = JSONRPCMessage.request(id: JSONRPCID(0), method: "initialize", params: .object(params))
        let request: JSONRPCMessage
        do {
            request = try JSONRPCMessage.parse(bytes)
        } catch {
            throw .failed("could not build initialize: \(error)")
        }
        let response = try await send(request, timeout: timeout)
        guard let result = response.resultJSON else {
            throw .failed("initialize was refused: \(String(decoding: response.bytes.prefix(300), as: UTF8.self))")
        }
        await notify(JSONRPCMessage.request(id: nil, method: "notifications/initialized", params: nil))
        return result
    }

    /// A liveness probe: `ping`, or `tools/list` where the configuration asks for it.
    public func probe(method: String, timeout: Duration) async throws(UpstreamFailure) {
        let bytes = JSONRPCMessage.request(id: JSONRPCID(0), method: method, params: nil)
        guard let request = try? JSONRPCMessage.parse(bytes) else { throw .failed("could not build \(method)") }
        let response = try await send(request, timeout: timeout)
        guard response.resultJSON != nil else {
            throw .failed("\(method) answered with an error: \(String(decoding: response.bytes.prefix(200), as: UTF8.self))")
        }
    }
}

/// Protocol constants the gateway speaks.
public enum MCPProtocol {
    /// The version the gateway implements (Streamable HTTP, 2025-06-18).
    public static let latestVersion = "2025-06-18"
    /// Versions a client may negotiate; the gateway answers in the client's when it knows it.
    public static let supportedVersions = ["2025-06-18", "2025-03-26", "2024-11-05"]
    public static let tidepoolVersion = "0.1.0"
}
