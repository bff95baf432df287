import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import Pool
import Synchronization
import Testing

/// Paths of the repository and the test fixtures.
enum Fixtures {
    static let repository: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()
    static let python = repository + "/.venv/bin/python"
    static let fixtureServer = repository + "/Tests/pool/mcp_fixture_server.py"
    static let timeServer = repository + "/.venv/bin/mcp-server-time"

    /// The Python fixtures exist once scripts/test-deps has run; the tests say so if not.
    static var pythonFixturesInstalled: Bool {
        FileManager.default.isExecutableFile(atPath: python) && FileManager.default.isExecutableFile(atPath: timeServer)
    }

    static func httpMember(_ extra: [String] = []) -> [String] {
        [python, fixtureServer, "--port", "{port}", "--json-response"] + extra
    }
}

/// A pool, its gateway and the HTTP endpoint, on loopback, for one test.
final class GatewayHarness: Sendable {
    let gateway: Gateway
    let entries: [any ServerEntry]
    let httpClient: HTTPClient
    let logs = KeyValueLogOutput(capturing: true)
    private let serverTask: Task<Void, any Error>
    let port: Int

    init(entries makeEntries: (HTTPClient, Logger) -> [any ServerEntry], affinities: [String: ServerConfig.Affinity] = [:],
         rateLimits: [String: RateLimitSettings] = [:], settings: GatewayHTTPServer.Settings = .init(port: 0)) async throws {
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        httpClient = client
        let output = logs
        var logger = Logger(label: "test") { label in KeyValueLogHandler(label: label, level: .debug, output: output) }
        logger.logLevel = .debug
        entries = makeEntries(client, logger)
        gateway = Gateway(entries: entries, affinities: affinities, firstMemberTimeout: .seconds(20), rateLimits: rateLimits, logger: logger)
        for entry in entries { await entry.start() }
        let bound = Mutex<Int?>(nil)
        let server = GatewayHTTPServer(gateway: gateway, settings: settings, logger: logger)
        serverTask = Task { try await server.run { port in bound.withLock { $0 = port } } }
        var waited = 0
        while bound.withLock({ $0 }) == nil, waited < 500 {
            try await Task.sleep(for: .milliseconds(10))
            waited += 1
        }
        guard let port = bound.withLock({ $0 }) else { throw HarnessError.serverDidNotStart }
        self.port = port
    }

    func shutdown() async {
        for entry in entries { await entry.shutdown() }
        serverTask.cancel()
        _ = try? await serverTask.value
        try? await httpClient.shutdown()
    }

    /// One POST to /mcp/<server>: status, session header, body.
    func post(_ server: String, _ json: String, session: String? = nil, headers extra: [(String, String)] = []) async throws
        -> (status: Int, session: String?, body: String)
    {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/mcp/\(server)")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Accept", value: "application/json, text/event-stream")
        if let session { request.headers.add(name: "Mcp-Session-Id", value: session) }
        for (name, value) in extra { request.headers.add(name: name, value: value) }
        request.body = .bytes(ByteBuffer(string: json))
        let response = try await httpClient.execute(request, timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 1 << 20)
        return (Int(response.status.code), response.headers.first(name: "Mcp-Session-Id"), String(buffer: body))
    }

    /// initialize + notifications/initialized; returns the session id.
    func openSession(_ server: String) async throws -> String {
        let reply = try await post(server, #"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"test","version":"1"}}}"#)
        guard reply.status == 200, let session = reply.session else { throw HarnessError.initializeFailed(reply.status, reply.body) }
        let initialized = try await post(server, #"{"jsonrpc":"2.0","method":"notifications/initialized"}"#, session: session)
        guard initialized.status == 202 else { throw HarnessError.initializeFailed(initialized.status, initialized.body) }
        return session
    }

    /// tools/call NAME with ARGUMENTS (JSON text); returns the first text content, or the error.
    func callTool(_ server: String, session: String, _ name: String, _ arguments: String = "{}", id: Int = 2) async throws -> String {
        let reply = try await post(server, #"{"jsonrpc":"2.0","id":\#(id),"method":"tools/call","params":{"name":"\#(name)","arguments":\#(arguments)}}"#, session: session)
        guard reply.status == 200 else { throw HarnessError.callFailed(reply.status, reply.body) }
        guard let data = reply.body.data(using: .utf8),
              let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else { throw HarnessError.callFailed(reply.status, reply.body) }
        if let error = object["error"] as? [String: Any] { throw HarnessError.rpcError("\(error["code"] ?? "") \(error["message"] ?? "")") }
        guard let result = object["result"] as? [String: Any], let content = result["content"] as? [[String: Any]],
              let text = content.first?["text"] as? String else { throw HarnessError.callFailed(reply.status, reply.body) }
        return text
    }

    /// Waits until `condition` holds, up to `limit`.
    func waitUntil(_ limit: Duration = .seconds(30), _ condition: () -> Bool) async throws {
        let deadline = ContinuousClock.now + limit
        while !condition() {
            guard ContinuousClock.now < deadline else { throw HarnessError.timedOut }
            try await Task.sleep(for: .milliseconds(50))
        }
    }
}

enum HarnessError: Error {
    case serverDidNotStart
    case initializeFailed(Int, String)
    case callFailed(Int, String)
    case rpcError(String)
    case timedOut
}

/// A fixture MCP server the test starts itself (a "remote" somebody else runs), on a port of
/// its own; killed when the test ends.
final class StandaloneServer: @unchecked Sendable {
    let port: Int
    let name: String
    private var process: Process?

    init(name: String, port: Int? = nil, extra: [String] = ["--json-response"]) throws {
        self.name = name
        self.port = try port ?? StandaloneServer.freePort()
        try start(extra: extra)
    }

    var endpoint: String { "http://127.0.0.1:\(port)/mcp" }

    func start(extra: [String] = ["--json-response"]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Fixtures.python)
        process.arguments = [Fixtures.fixtureServer, "--port", String(port), "--name", name] + extra
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        self.process = process
    }

    /// SIGKILL, as a crash would.
    func kill() {
        guard let process, process.isRunning else { return }
        Foundation.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// Waits until the port accepts connections. Generous: the Python SDK takes seconds to import on a machine busy with the whole suite.
    func waitUntilListening(_ limit: Duration = .seconds(60)) async throws {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            if StandaloneServer.accepts(port: port) { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw HarnessError.timedOut
    }

    deinit { kill() }

    static func freePort() throws -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) } }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) } }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    static func accepts(port: Int) -> Bool {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        } == 0
    }
}

extension GatewayHarness {
    /// Which fixture (by its --name or port) served each of `count` whoami calls.
    func whoServed(_ server: String, session: String, count: Int) async throws -> [String: Int] {
        var servedBy: [String: Int] = [:]
        for index in 0..<count {
            let who = try await callTool(server, session: session, "whoami", id: 100 + index)
            let name = who.split(separator: " ").first { $0.hasPrefix("name=") }.map { String($0.dropFirst(5)) } ?? who
            servedBy[name, default: 0] += 1
        }
        return servedBy
    }
}

