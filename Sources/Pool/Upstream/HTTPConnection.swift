import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import Scaler
import Synchronization

/// A session with a member over Streamable HTTP (MCP 2025-06-18): each request is a POST whose
/// answer is JSON or an event stream; the member's `Mcp-Session-Id` is kept and sent back.
///
/// Invariant: `sessionID` is only ever taken from a successful initialize answer (an error
/// answer may carry a session id that is already dead).
public final class HTTPConnection: UpstreamConnection {
    private struct State {
        var nextID: Int64 = 1
        var sessionID: String?
        var protocolVersion: String?
    }

    public let endpoint: String
    private let client: HTTPClient
    private let state = Mutex(State())
    private let onUnsolicited: @Sendable (JSONRPCMessage) -> Void
    /// The largest answer accepted from a member.
    static let maximumResponseBytes = 64 << 20

    public init(endpoint: String, client: HTTPClient, onUnsolicited: @escaping @Sendable (JSONRPCMessage) -> Void = { _ in }) {
        self.endpoint = endpoint
        self.client = client
        self.onUnsolicited = onUnsolicited
    }

    public func send(_ request: JSONRPCMessage, timeout: Duration) async throws(UpstreamFailure) -> JSONRPCMessage {
        guard let clientID = request.id else { throw .failed("a request without an id") }
        let (upstreamID, sessionID, version) = state.withLock { state in
            defer { state.nextID += 1 }
            return (state.nextID, state.sessionID, state.protocolVersion)
        }
        do {
            return try await exchange(request, clientID: clientID, upstreamID: upstreamID, sessionID: sessionID, version: version,
                                      timeout: timeout)
        } catch {
            // The client went away. Over HTTP a dropped connection is not a cancellation (MCP
            // 2025-06-18), so say it: notifications/cancelled, from a task of its own since this
            // one's requests now fail at once.
            if Task.isCancelled, request.method != "initialize" {
                var params = JSONObject()
                params.entries.append(JSONObject.Entry("requestId", .number(String(upstreamID))))
                params.entries.append(JSONObject.Entry("reason", .string("the client disconnected")))
                let notification = JSONRPCMessage.request(id: nil, method: "notifications/cancelled", params: .object(params))
                Task { await self.notify(notification) }
            }
            throw error
        }
    }

    private func exchange(_ request: JSONRPCMessage, clientID: JSONRPCID, upstreamID: Int64, sessionID: String?, version: String?,
                          timeout: Duration) async throws(UpstreamFailure) -> JSONRPCMessage {
        let isInitialize = request.method == "initialize"
        var http = HTTPClientRequest(url: endpoint)
        http.method = .POST
        http.headers.add(name: "Content-Type", value: "application/json")
        http.headers.add(name: "Accept", value: "application/json, text/event-stream")
        if !isInitialize {
            if let sessionID { http.headers.add(name: "Mcp-Session-Id", value: sessionID) }
            http.headers.add(name: "MCP-Protocol-Version", value: version ?? MCPProtocol.latestVersion)
        }
        http.body = .bytes(ByteBuffer(bytes: request.replacingID(with: JSONRPCID(upstreamID))))

        let response: HTTPClientResponse
        do {
            response = try await client.execute(http, deadline: .now() + TimeAmount(timeout))
        } catch {
            throw Self.classify(error, timeout: timeout)
        }
        switch response.status.code {
        case 200:
            let message = try await readAnswer(response, expecting: upstreamID, timeout: timeout)
            if isInitialize, message.resultJSON != nil {
                let negotiated = Self.protocolVersion(in: message)
                let newSession = response.headers.first(name: "Mcp-Session-Id")
                state.withLock { state in
                    state.sessionID = newSession
                    state.protocolVersion = negotiated
                }
            }
            return message.withID(clientID)
        case 404 where sessionID != nil && !isInitialize:
            throw .sessionLost
        default:
            let body = (try? await response.body.collect(upTo: 4096)).map { String(buffer: $0) } ?? ""
            throw .failed("HTTP \(response.status.code) from \(endpoint): \(body.prefix(200))")
        }
    }

    public func notify(_ notification: [UInt8]) async {
        let sessionID = state.withLock { $0.sessionID }
        var http = HTTPClientRequest(url: endpoint)
        http.method = .POST
        http.headers.add(name: "Content-Type", value: "application/json")
        http.headers.add(name: "Accept", value: "application/json, text/event-stream")
        if let sessionID { http.headers.add(name: "Mcp-Session-Id", value: sessionID) }
        http.body = .bytes(ByteBuffer(bytes: notification))
        if let response = try? await client.execute(http, deadline: .now() + .seconds(10)) {
            _ = try? await response.body.collect(upTo: 65536)
        }
    }

    /// Ends the member's session (DELETE), so it can free what it holds for us.
    public func close() async {
        guard let sessionID = state.withLock({ $0.sessionID }) else { return }
        var http = HTTPClientRequest(url: endpoint)
        http.method = .DELETE
        http.headers.add(name: "Mcp-Session-Id", value: sessionID)
        if let response = try? await client.execute(http, deadline: .now() + .seconds(2)) {
            _ = try? await response.body.collect(upTo: 65536)
        }
    }

    /// A JSON body, or the response event in an event stream (other events on the way are
    /// the member's notifications and requests).
    private func readAnswer(_ response: HTTPClientResponse, expecting id: Int64, timeout: Duration) async throws(UpstreamFailure) -> JSONRPCMessage {
        let contentType = response.headers.first(name: "Content-Type")?.lowercased() ?? ""
        do {
            if contentType.hasPrefix("text/event-stream") {
                var parser = ServerSentEventParser()
                for try await chunk in response.body {
                    for event in parser.feed(chunk.readableBytesView) where event.type == "message" {
                        guard let message = try? JSONRPCMessage.parse(event.data) else {
                            throw UpstreamFailure.failed("\(endpoint) sent an event that is not JSON-RPC")
                        }
                        if message.kind == .response, message.id?.integer == id { return message }
                        onUnsolicited(message)
                    }
                }
                throw UpstreamFailure.failed("\(endpoint) closed the event stream without answering")
            }
            let body = try await response.body.collect(upTo: Self.maximumResponseBytes)
            let message: JSONRPCMessage
            do {
                message = try JSONRPCMessage.parse(Array(body.readableBytesView))
            } catch {
                throw UpstreamFailure.failed("\(endpoint) answered with something that is not JSON-RPC (\(error.message))")
            }
            guard message.kind == .response, message.id?.integer == id else {
                throw UpstreamFailure.failed("\(endpoint) answered another request than the one sent")
            }
            return message
        } catch let failure as UpstreamFailure {
            throw failure
        } catch {
            throw Self.classify(error, timeout: timeout, duringBody: true)
        }
    }

    private static func protocolVersion(in response: JSONRPCMessage) -> String? {
        guard let result = response.resultJSON, let value = try? JSONParser.parse(result),
              case .string(let version)? = value["protocolVersion"] else { return nil }
        return version
    }

    /// Connecting failed: the member never saw the request. Anything later: it may have.
    static func classify(_ error: any Error, timeout: Duration, duringBody: Bool = false) -> UpstreamFailure {
        if let clientError = error as? HTTPClientError {
            switch clientError {
            case .connectTimeout, .getConnectionFromPoolTimeout, .alreadyShutdown:
                return .notDelivered(String(describing: clientError))
            case .deadlineExceeded, .readTimeout:
                return .timedOut(timeout)
            default:
                return .failed(String(describing: clientError))
            }
        }
        if !duringBody, error is NIOConnectionError { return .notDelivered("connection refused") }
        if !duringBody, let io = error as? IOError, io.errnoCode == ECONNREFUSED { return .notDelivered("connection refused") }
        if error is CancellationError { return .failed("cancelled") }
        if !duringBody, String(describing: error).contains("connection refused") || String(describing: error).contains("ECONNREFUSED") {
            return .notDelivered("connection refused")
        }
        return .failed(String(describing: error))
    }
}

extension TimeAmount {
    init(_ duration: Duration) {
        self = .nanoseconds(duration.nanoseconds)
    }
}
