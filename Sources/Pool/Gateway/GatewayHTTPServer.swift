import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore

/// The gateway's Streamable HTTP endpoint (MCP 2025-06-18): every entry at `/mcp/<id>`.
/// POST carries one JSON-RPC message and is answered with JSON; GET opens the session's event
/// stream; DELETE ends the session. Bad input gets its JSON-RPC error and an HTTP status, and
/// nobody else's requests notice.
public struct GatewayHTTPServer: Sendable {
    public struct Settings: Sendable {
        public var host: String
        public var port: Int
        /// Larger bodies are refused with 413.
        public var maxBodyBytes: Int
        /// Bearer tokens a client must present (`gateway.auth`); empty: no authentication.
        public var tokens: [String]
        /// A connection with no request in progress is closed after this: an idle keep-alive
        /// connection, and one whose request head is still trickling in (slowloris).
        public var idleTimeout: Duration
        /// A request body must have arrived whole within this, else 408 and the connection closes.
        public var bodyTimeout: Duration
        /// Larger request heads close the connection (nginx's large_client_header_buffers).
        public var maxHeaderBytes: Int

        public init(host: String = "127.0.0.1", port: Int = 8000, maxBodyBytes: Int = 4 << 20, tokens: [String] = [],
                    idleTimeout: Duration = .seconds(60), bodyTimeout: Duration = .seconds(30), maxHeaderBytes: Int = 32 << 10) {
            self.host = host
            self.port = port
            self.maxBodyBytes = maxBodyBytes
            self.tokens = tokens
            self.idleTimeout = idleTimeout
            self.bodyTimeout = bodyTimeout
            self.maxHeaderBytes = maxHeaderBytes
        }
    }

    static let sessionHeader = HTTPField.Name("Mcp-Session-Id")!
    static let versionHeader = HTTPField.Name("MCP-Protocol-Version")!

    public let gateway: Gateway
    public let settings: Settings
    let logger: Logger

    public init(gateway: Gateway, settings: Settings, logger: Logger) {
        self.gateway = gateway
        self.settings = settings
        self.logger = logger
    }

    /// Serves until the task is cancelled, or until a graceful shutdown of the enclosing
    /// `ServiceGroup` (then every response under way is written before its connection closes).
    /// `onRunning` gets the bound port (useful with port 0).
    public func run(onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        let router = Router(context: GatewayRequestContext.self)
        let server = self
        // The router matches "/mcp/x/" as "/mcp/x" too.
        router.post("/mcp/:id") { request, context in try await server.post(request, context: context) }
        router.get("/mcp/:id") { request, context in server.get(request, context: context) }
        router.delete("/mcp/:id") { request, context in server.delete(request, context: context) }
        var quiet = Logger(label: "tidepool.gateway.http")
        quiet.logLevel = .critical
        let http1 = HTTP1Channel.Configuration(
            idleTimeout: .nanoseconds(settings.idleTimeout.nanoseconds),
            httpDecoderConfiguration: .init(maxHeaderFieldSize: min(8 << 10, settings.maxHeaderBytes),
                                            maxHeaderListSize: settings.maxHeaderBytes, maxHeaderFieldCount: 100))
        let app = Application(
            router: router,
            server: .http1(configuration: http1),
            configuration: .init(address: .hostname(settings.host, port: settings.port), serverName: nil),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? 0) },
            logger: quiet
        )
        try await app.run()
    }

    // MARK: - Handlers

    func post(_ request: Request, context: GatewayRequestContext) async throws -> Response {
        if let refusal = authorize(request) { return refusal }
        guard let serverID = context.parameters.get("id"), gateway.entries[serverID] != nil else {
            return Self.jsonRPCError(.notFound, JSONRPCError(code: .invalidRequest, message: "no MCP server named \(context.parameters.get("id") ?? "")"))
        }
        if let version = request.headers[Self.versionHeader], !MCPProtocol.supportedVersions.contains(version) {
            return Self.jsonRPCError(.badRequest, JSONRPCError(code: .invalidRequest, message: "unsupported MCP-Protocol-Version \(version) (supported: \(MCPProtocol.supportedVersions.joined(separator: ", ")))"))
        }
        let body: ByteBuffer
        switch await Self.collectBody(request, upTo: settings.maxBodyBytes, within: settings.bodyTimeout) {
        case .success(let bytes):
            body = bytes
        case .failure(.tooLarge):
            return Self.jsonRPCError(.contentTooLarge, JSONRPCError(code: .invalidRequest, message: "the request body is larger than \(settings.maxBodyBytes) bytes"))
        case .failure(.tooSlow):
            var response = Self.jsonRPCError(.requestTimeout, JSONRPCError(code: .invalidRequest, message: "the request body did not arrive within \(settings.bodyTimeout)"))
            response.headers[.connection] = "close"
            return response
        }
        let message: JSONRPCMessage
        do {
            message = try JSONRPCMessage.parse(Array(body.readableBytesView))
        } catch {
            return Self.jsonRPCError(.badRequest, error)
        }
        let sessionID = request.headers[Self.sessionHeader]
        let client = ClientIdentity(address: context.remoteAddress?.ipAddress ?? "unknown", token: Self.bearerToken(request))
        switch await gateway.handle(message, serverID: serverID, sessionID: sessionID, client: client) {
        case .response(let bytes, let newSession):
            var headers: HTTPFields = [.contentType: "application/json"]
            if let newSession { headers[Self.sessionHeader] = newSession }
            return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
        case .accepted:
            return Response(status: .accepted)
        case .sessionNotFound:
            return Self.jsonRPCError(.notFound, JSONRPCError(code: .invalidRequest, message: "Session not found: initialize again", id: message.id))
        case .sessionRequired:
            return Self.jsonRPCError(.badRequest, JSONRPCError(code: .invalidRequest, message: "Bad Request: the Mcp-Session-Id header is required", id: message.id))
        case .overloaded(let bytes, let retryAfter):
            return Response(status: .tooManyRequests, headers: [.contentType: "application/json", .retryAfter: "\(retryAfter)"],
                            body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
        }
    }

    /// The session's stream for server-initiated messages. The gateway terminates sessions and
    /// sends none of its own, so it carries keep-alive comments until the session ends.
    func get(_ request: Request, context: GatewayRequestContext) -> Response {
        if let refusal = authorize(request) { return refusal }
        guard let serverID = context.parameters.get("id"), gateway.entries[serverID] != nil else { return Response(status: .notFound) }
        guard let sessionID = request.headers[Self.sessionHeader] else { return Response(status: .badRequest) }
        guard gateway.hasSession(sessionID, serverID: serverID) else { return Response(status: .notFound) }
        let gateway = self.gateway
        let body = ResponseBody { writer in
            var sinceKeepAlive = Duration.zero
            // The stream ends with its session, and when shutdown begins: an open stream would
            // otherwise hold the graceful close of the listener until its deadline.
            while gateway.hasSession(sessionID, serverID: serverID), gateway.isAdmitting, !Task.isCancelled {
                try await Task.sleep(for: .seconds(1))
                sinceKeepAlive += .seconds(1)
                if sinceKeepAlive >= .seconds(15) {
                    try await writer.write(ByteBuffer(string: ": keep-alive\n\n"))
                    sinceKeepAlive = .zero
                }
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"], body: body)
    }

    func delete(_ request: Request, context: GatewayRequestContext) -> Response {
        if let refusal = authorize(request) { return refusal }
        guard let sessionID = request.headers[Self.sessionHeader] else { return Response(status: .badRequest) }
        return gateway.end(sessionID) ? Response(status: .ok) : Response(status: .notFound)
    }

    enum BodyFailure: Error {
        case tooLarge
        case tooSlow
    }

    /// The whole body, or why not: larger than the limit, or not all there by the deadline (a
    /// client trickling its body must not hold a handler forever). The deadline is checked as
    /// each chunk arrives, so a body that stalls outright is the idle timeout's to end, and one
    /// trickling in is answered at the first chunk past the deadline. That way a request costs
    /// no timer and no child tasks, which a deadline of its own would.
    static func collectBody(_ request: Request, upTo limit: Int, within timeout: Duration) async -> Result<ByteBuffer, BodyFailure> {
        let deadline = ContinuousClock.now + timeout
        var collected = ByteBuffer()
        do {
            for try await chunk in request.body {
                if ContinuousClock.now > deadline { return .failure(.tooSlow) }
                guard collected.readableBytes + chunk.readableBytes <= limit else { return .failure(.tooLarge) }
                // A body that came in one chunk (the usual case) is kept as it is, not copied.
                if collected.readableBytes == 0 {
                    collected = chunk
                } else {
                    collected.writeImmutableBuffer(chunk)
                }
            }
        } catch {
            // The connection failed under the body; nobody is left to read an answer.
            return .failure(.tooSlow)
        }
        return .success(collected)
    }

    static func bearerToken(_ request: Request) -> String? {
        request.headers[.authorization].flatMap { header -> String? in
            header.hasPrefix("Bearer ") ? String(header.dropFirst(7)) : nil
        }
    }

    /// 401 unless the request carries one of the configured bearer tokens.
    private func authorize(_ request: Request) -> Response? {
        guard !settings.tokens.isEmpty else { return nil }
        let presented = Self.bearerToken(request)
        if let presented, settings.tokens.contains(where: { ConstantTime.equal($0, presented) }) { return nil }
        return Response(status: .unauthorized, headers: [.wwwAuthenticate: "Bearer"])
    }

    static func jsonRPCError(_ status: HTTPResponse.Status, _ error: JSONRPCError) -> Response {
        Response(status: status, headers: [.contentType: "application/json"],
                 body: ResponseBody(byteBuffer: ByteBuffer(bytes: error.responseBytes)))
    }
}

/// The request context of the gateway's routes: Hummingbird's basic one plus the peer's
/// address, which `rate_limit: {per: client}` keys on.
public struct GatewayRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?

    public init(source: Source) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }
}

/// Comparison whose time does not depend on where the strings differ, for secrets.
enum ConstantTime {
    static func equal(_ a: String, _ b: String) -> Bool {
        let left = Array(a.utf8)
        let right = Array(b.utf8)
        var difference = UInt8(truncatingIfNeeded: left.count ^ right.count)
        for index in 0..<max(left.count, right.count) {
            let x = index < left.count ? left[index] : 0
            let y = index < right.count ? right[index] : 0
            difference |= x ^ y
        }
        return difference == 0
    }
}
