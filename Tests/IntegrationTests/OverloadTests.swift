import Foundation
import TestSupport
import Testing

/// The gateway under ten times what one member can take: `max_concurrency: 2`, `max_queue: 4`.
extension RealProcesses {
@Suite("overload protection", .serialized, .enabled(if: FileManager.default.isExecutableFile(atPath: AutoscaleRunTests.mcpMathPath), "build mcp-math first"))
struct OverloadTests {
    @Test("10x a member's capacity: fast 429s for the excess, bounded latency for admitted calls, no timeouts")
    func tenTimesCapacity() async throws {
        try await onOwnThread {
            let config = FileManager.default.temporaryDirectory.appendingPathComponent("overload-\(UUID().uuidString).yaml").path
            defer { try? FileManager.default.removeItem(atPath: config) }
            try """
                mcp_servers:
                  math:
                    mode: pool
                    transport: stdio
                    command: ["\(AutoscaleRunTests.mcpMathPath)", "--stdio"]
                    replicas: 1
                    max_concurrency: 2
                    max_queue: 4
                    queue_timeout_ms: 500
                """.write(toFile: config, atomically: true, encoding: .utf8)
            let tidepool = try AutoscaleRunTests.Running(config: config)
            defer { tidepool.child.stop() }
            #expect(try RunCommandTests.waitFor { tidepool.pool()?.ready.count == 1 })

            // One member takes 2 calls of 50 ms at once: 40 calls/s. Twenty clients, each calling
            // again at once after an answer and 50 ms after a refusal, ask for up to 400/s.
            let load = try AutoscaleRunTests.Load(url: tidepool.gateway, concurrency: 20, seconds: 5, milliseconds: 50,
                                                  extra: ["--json", "--backoff-ms", "50"])
            let output = load.finish()
            let line = try #require(output.split(separator: "\n").last { $0.hasPrefix("{") }, "\(output)")
            let report = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: [String: Any]])
            func count(_ outcome: String) -> Int { report[outcome]?["count"] as? Int ?? -1 }
            func p99(_ outcome: String) -> Double { report[outcome]?["p99"] as? Double ?? .infinity }
            print("overload: \(line)")
            #expect(count("ok") >= 10, "\(line)")
            #expect(count("overloaded") > count("ok"), "the excess is refused: \(line)")
            #expect(count("timeout") == 0 && count("failed") == 0, "\(line)")
            // Refusals come at once or when queue_timeout_ms (500) runs out; an admitted call
            // waited at most that long, then ran for 50 ms. The margins are for a CI machine
            // busy with other suites; without the limit, calls would wait out the client's 60 s.
            #expect(p99("overloaded") < 2.5, "\(line)")
            #expect(p99("ok") < 3, "\(line)")

            let metrics = try RunCommandTests.curl(["http://127.0.0.1:\(tidepool.adminPort)/metrics"])
            #expect(metrics.contains(#"tidepool_gateway_queue_exits_total{mcp_server="math",outcome="queue_full"}"#), "\(metrics)")
            #expect(metrics.contains(#"tidepool_gateway_queue_exits_total{mcp_server="math",outcome="admitted"}"#))
            #expect(metrics.contains("tidepool_gateway_queue_length{mcp_server=\"math\"}"))

            // The refusal itself: HTTP 429, Retry-After, a JSON-RPC error naming the limit.
            let session = try #require(try RunCommandTests.initialize(tidepool.gateway))
            let burst = try DispatchQueue.concurrentPerformResults(12) { index in
                try RunCommandTests.post(tidepool.gateway, #"{"jsonrpc":"2.0","id":\#(index),"method":"tools/call","params":{"name":"work","arguments":{"ms":300}}}"#, session: session)
            }
            let refused = try #require(burst.first { $0.hasPrefix("HTTP/1.1 429") }, "\(burst.map { $0.prefix(20) })")
            #expect(refused.lowercased().contains("retry-after: 1"))
            #expect(refused.contains("-32003") && refused.contains("max_concurrency 2"), "\(refused)")
        }
    }
}
}
