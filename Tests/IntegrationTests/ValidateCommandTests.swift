import Foundation
import Testing

/// `tidepool validate --config FILE` end to end, through the built binary.
@Suite("tidepool validate (the binary)")
struct ValidateCommandTests {
    private let runner = EvaluateCommandTests()

    @Test("a good config exits 0 and prints each server and autoscaler")
    func validConfig() throws {
        let directory = try EvaluateCommandTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = try EvaluateCommandTests.write("""
            mcp_servers:
              math: {mode: pool, transport: http, command: [mcp-math, --port, "{port}"], replicas: 2, strategy: least_connections}
              upstream: {mode: remote, endpoint: "http://127.0.0.1:8080/mcp"}
              tools: {mode: group, strategy: priority, members: [{id: upstream, priority: 1}, {id: math, priority: 2}]}
            autoscalers:
              - name: math
                target: {pool: math}
                spec: {minReplicas: 1, maxReplicas: 5, metrics: [{type: Resource, resource: {name: cpu, target: {type: Utilization, averageUtilization: 70}}}]}
            """, to: "tidepool.yaml", in: directory)
        let run = try #require(runner.tidepool(["validate", "--config", file]))
        #expect(run.status == 0, "\(run.summary)")
        #expect(run.stderr.isEmpty)
        #expect(run.stdout.hasPrefix("\(file): valid\n"))
        #expect(run.stdout.contains("  math      pool    least_connections, 2 replicas, transport http, affinity none\n"))
        #expect(run.stdout.contains("  tools     group   priority, 2 members (min_healthy 1), affinity none\n"))
        #expect(run.stdout.contains("  math -> pool/math: replicas 1-5, 1 metric\n"))
    }

    @Test("a bad config exits 1 with the file, the key path and the message on standard error")
    func invalidConfig() throws {
        let directory = try EvaluateCommandTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = try EvaluateCommandTests.write(
            "mcp_servers:\n  math: {mode: pool, command: [mcp-math], strategy: least_conn}\n", to: "tidepool.yaml", in: directory)
        let run = try #require(runner.tidepool(["validate", "--config", file]))
        #expect(run.status == 1, "\(run.summary)")
        #expect(run.stdout.isEmpty)
        #expect(run.stderr == "tidepool: \(file): mcp_servers.math.strategy: \"least_conn\" is not a strategy (did you mean \"least_connections\"?)\n")
    }
}
