import AsyncHTTPClient
import Foundation
import Logging
import Pool
import Testing

/// Pools of real MCP servers (the Python SDK fixture over HTTP, mcp-server-time over stdio)
/// behind the gateway, on loopback.
@Suite("Gateway over pools of real MCP servers", .serialized, .enabled(if: Fixtures.pythonFixturesInstalled, "run scripts/test-deps first"))
struct GatewayPoolTests {
    @Test("round_robin over an HTTP pool: calls alternate between the members, results intact")
    func roundRobinOverHTTP() async throws {
        let harness = try await GatewayHarness { client, logger in
            [PoolServer(spec: PoolSpec(id: "math", command: Fixtures.httpMember(), transport: .http(path: "/mcp"), replicas: 2),
                        httpClient: client, logger: logger)]
        }
        defer { Task { await harness.shutdown() } }
        let pool = try #require(harness.gateway.entries["math"] as? PoolServer)
        try await harness.waitUntil { pool.readyReplicas == 2 }
        let session = try await harness.openSession("math")
        #expect(try await harness.callTool("math", session: session, "add", #"{"a":2,"b":3}"#) == "5")
        var servedBy: [String: Int] = [:]
        for index in 0..<10 {
            let who = try await harness.callTool("math", session: session, "whoami", id: 10 + index)
            let port = who.split(separator: " ").first { $0.hasPrefix("port=") } ?? "?"
            servedBy[String(port), default: 0] += 1
        }
        #expect(servedBy.count == 2, "\(servedBy)")
        #expect(servedBy.values.allSatisfy { $0 == 5 }, "\(servedBy)")
        await harness.shutdown()
    }

    @Test("a stdio pool of mcp-server-time: one child serves many requests, ids rewritten and restored")
    func stdioPool() async throws {
        let harness = try await GatewayHarness { client, logger in
            [PoolServer(spec: PoolSpec(id: "time", command: [Fixtures.timeServer], transport: .stdio, replicas: 1),
                        httpClient: client, logger: logger)]
        }
        let pool = try #require(harness.gateway.entries["time"] as? PoolServer)
        try await harness.waitUntil { pool.readyReplicas == 1 }
        let session = try await harness.openSession("time")
        // Concurrent calls with the same client id from two sessions must not cross.
        let other = try await harness.openSession("time")
        async let first = harness.post("time", #"{"jsonrpc":"2.0","id":"same","method":"tools/call","params":{"name":"get_current_time","arguments":{"timezone":"Europe/Berlin"}}}"#, session: session)
        async let second = harness.post("time", #"{"jsonrpc":"2.0","id":"same","method":"tools/call","params":{"name":"get_current_time","arguments":{"timezone":"Asia/Tokyo"}}}"#, session: other)
        let (a, b) = try await (first, second)
        #expect(a.status == 200 && b.status == 200)
        #expect(a.body.contains(#""id":"same""#) && b.body.contains(#""id":"same""#))
        #expect(a.body.contains("Europe/Berlin") && b.body.contains("Asia/Tokyo"), "\(a.body) \(b.body)")
        #expect(pool.members.first?.processID != nil)
        await harness.shutdown()
    }

    @Test("bad input gets its JSON-RPC error and status; the gateway keeps serving")
    func badInput() async throws {
        let harness = try await GatewayHarness { client, logger in
            [PoolServer(spec: PoolSpec(id: "math", command: Fixtures.httpMember(), transport: .http(path: "/mcp"), replicas: 1),
                        httpClient: client, logger: logger)]
        }
        let pool = try #require(harness.gateway.entries["math"] as? PoolServer)
        try await harness.waitUntil { pool.readyReplicas == 1 }
        let session = try await harness.openSession("math")

        let malformed = try await harness.post("math", #"{"jsonrpc":"2.0","id":1,"method":"#, session: session)
        #expect(malformed.status == 400)
        #expect(malformed.body.contains("-32700"))
        let notRPC = try await harness.post("math", #"{"hello":"world"}"#, session: session)
        #expect(notRPC.status == 400)
        #expect(notRPC.body.contains("-32600"))
        let batch = try await harness.post("math", #"[{"jsonrpc":"2.0","id":1,"method":"ping"}]"#, session: session)
        #expect(batch.status == 400 && batch.body.contains("-32600"))
        let unknownServer = try await harness.post("nope", #"{"jsonrpc":"2.0","id":1,"method":"ping"}"#, session: session)
        #expect(unknownServer.status == 404)
        let noSession = try await harness.post("math", #"{"jsonrpc":"2.0","id":1,"method":"ping"}"#)
        #expect(noSession.status == 400)
        let unknownSession = try await harness.post("math", #"{"jsonrpc":"2.0","id":1,"method":"ping"}"#, session: "feedface")
        #expect(unknownSession.status == 404)
        let big = String(repeating: "x", count: 5 << 20)
        let tooLarge = try await harness.post("math", #"{"jsonrpc":"2.0","id":1,"method":"ping","params":{"x":"\#(big)"}}"#, session: session)
        #expect(tooLarge.status == 413)
        let badVersion = try await harness.post("math", #"{"jsonrpc":"2.0","id":1,"method":"ping"}"#, session: session, headers: [("MCP-Protocol-Version", "1999-01-01")])
        #expect(badVersion.status == 400)
        // And everyone is still served.
        let ping = try await harness.post("math", #"{"jsonrpc":"2.0","id":9,"method":"ping"}"#, session: session)
        #expect(ping.status == 200 && ping.body.contains(#""result":{}"#))
        #expect(try await harness.callTool("math", session: session, "multiply", #"{"a":6,"b":7}"#) == "42")
        await harness.shutdown()
    }
}
