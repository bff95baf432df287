import Foundation
import TestSupport
import Testing

/// Members that misbehave under a running gateway: a frozen process (SIGSTOP), one answering
/// garbage, one closing the connection mid-answer. Each call ends (an answer or a JSON-RPC error
/// naming the member) within its read timeout, the bad member leaves rotation, the good one
/// serves on.
extension RealProcesses {
@Suite("faults", .serialized, .enabled(if: FileManager.default.isExecutableFile(atPath: AutoscaleRunTests.mcpMathPath), "build mcp-math first"))
struct FaultTests {
    typealias Child = RunCommandTests.Child
    static let misbehaving = RunCommandTests.root.appendingPathComponent("Tests/pool/misbehaving_server.py").path

    static func remote(_ id: String, port: Int) -> String {
        """
          \(id):
            mode: remote
            endpoint: http://127.0.0.1:\(port)/mcp
            health_check_interval_s: 1
            max_consecutive_failures: 2
            http: {connect_timeout: 1, read_timeout: 1}
            circuit_breaker: {failure_threshold: 2, reset_timeout_s: 30}
        """
    }

    static func start(_ servers: String) throws -> (AutoscaleRunTests.Running, String) {
        let config = FileManager.default.temporaryDirectory.appendingPathComponent("faults-\(UUID().uuidString).yaml").path
        try ("mcp_servers:\n" + servers).write(toFile: config, atomically: true, encoding: .utf8)
        return (try AutoscaleRunTests.Running(config: config), config)
    }

    static func group(_ members: [String]) -> String {
        "  both:\n    mode: group\n    strategy: round_robin\n    members:\n" + members.map { "      - {id: \($0)}\n" }.joined()
    }

    /// Calls `identify` through the group; each reply with how long it took.
    static func calls(_ count: Int, url: String, session: String) throws -> [(reply: String, seconds: Double)] {
        try (0..<count).map { index in
            let started = Date()
            let reply = try RunCommandTests.post(url, #"{"jsonrpc":"2.0","id":\#(index + 10),"method":"tools/call","params":{"name":"identify","arguments":{}}}"#, session: session)
            return (reply, Date().timeIntervalSince(started))
        }
    }

    @Test("a member answering garbage, and one closing mid-answer: errors naming it, at once; its circuit opens; the other serves every call after")
    func garbageAndClose() async throws {
        try await onOwnThread {
            for mode in ["garbage", "close"] {
                let (good, goodPort) = try RunCommandTests.startListening(AutoscaleRunTests.mcpMathPath, ["--port", "0", "--name", "good"])
                let (bad, badPort) = try RunCommandTests.startListening("/usr/bin/env", ["python3", Self.misbehaving, "--port", "0", "--mode", mode])
                defer { good.stop(SIGKILL); bad.stop(SIGKILL) }
                let (tidepool, config) = try Self.start(Self.remote("good", port: goodPort) + "\n" + Self.remote("bad", port: badPort) + "\n" + Self.group(["good", "bad"]))
                defer { tidepool.child.stop(); try? FileManager.default.removeItem(atPath: config) }
                let url = "http://127.0.0.1:\(tidepool.gatewayPort)/mcp/both"
                #expect(try RunCommandTests.waitFor {
                    let servers = tidepool.status()?["servers"] as? [[String: Any]] ?? []
                    return servers.filter { ($0["members"] as? [[String: Any]])?.first?["state"] as? String == "ready" }.count >= 2
                })
                let session = try #require(try RunCommandTests.initialize(url))
                let replies = try Self.calls(12, url: url, session: session)
                let failures = replies.filter { !$0.reply.contains("good pid=") }
                for failure in failures {
                    #expect(failure.reply.contains("\"error\"") && failure.reply.contains("bad"), "\(mode): \(failure.reply)")
                    #expect(failure.seconds < 3, "\(mode): a failed call took \(failure.seconds) s")
                }
                // The bad member got calls, and after 2 failures its breaker opened: everything
                // after went to the good member.
                #expect(failures.count >= 1 && failures.count <= 2, "\(mode): \(failures.map(\.reply))")
                #expect(replies.suffix(6).allSatisfy { $0.reply.contains("good pid=") }, "\(mode)")
            }
        }
    }

    @Test("a frozen member (SIGSTOP): calls to it time out and it leaves rotation; SIGCONT brings it back")
    func frozenMember() async throws {
        try await onOwnThread {
            let (first, firstPort) = try RunCommandTests.startListening(AutoscaleRunTests.mcpMathPath, ["--port", "0", "--name", "first"])
            let (second, secondPort) = try RunCommandTests.startListening(AutoscaleRunTests.mcpMathPath, ["--port", "0", "--name", "second"])
            defer { kill(second.process.processIdentifier, SIGCONT); first.stop(SIGKILL); second.stop(SIGKILL) }
            let (tidepool, config) = try Self.start(Self.remote("first", port: firstPort) + "\n" + Self.remote("second", port: secondPort) + "\n" + Self.group(["first", "second"]))
            defer { tidepool.child.stop(); try? FileManager.default.removeItem(atPath: config) }
            let url = "http://127.0.0.1:\(tidepool.gatewayPort)/mcp/both"
            func state(_ id: String) -> String? {
                let servers = tidepool.status()?["servers"] as? [[String: Any]] ?? []
                return (servers.first { $0["id"] as? String == id }?["members"] as? [[String: Any]])?.first?["state"] as? String
            }
            #expect(try RunCommandTests.waitFor { state("first") == "ready" && state("second") == "ready" })
            let session = try #require(try RunCommandTests.initialize(url))

            kill(second.process.processIdentifier, SIGSTOP)
            let frozen = try Self.calls(10, url: url, session: session)
            for call in frozen where !call.reply.contains("first pid=") {
                #expect(call.reply.contains("\"error\"") && call.reply.contains("second"), "\(call.reply)")
                #expect(call.seconds < 4, "a call to the frozen member took \(call.seconds) s")
            }
            #expect(frozen.contains { !$0.reply.contains("first pid=") }, "no call reached the frozen member")
            #expect(frozen.suffix(5).allSatisfy { $0.reply.contains("first pid=") })
            #expect(try RunCommandTests.waitFor(10) { state("second") != "ready" })

            kill(second.process.processIdentifier, SIGCONT)
            // Back once its probes pass and its circuit lets a trial call through; the trial
            // comes after reset_timeout_s (30 s) at the latest.
            #expect(try RunCommandTests.waitFor(45) {
                try Self.calls(2, url: url, session: session).contains { $0.reply.contains("second pid=") }
            })
            let log = tidepool.child.errors
            #expect(log.contains("WARNING health_check_failed") && log.contains("mcp_server=second"))
        }
    }
}
}
