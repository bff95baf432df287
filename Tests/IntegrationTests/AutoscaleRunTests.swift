import Foundation
import Synchronization
import TestSupport
import Testing

/// `tidepool run` autoscaling a pool of the bundled `mcp-math` under load from
/// `scripts/load`: scale up within two sync periods, down after the stabilization window,
/// no failed call, no process left behind; the window and the size surviving a restart; and
/// scale from zero losing no call.
private enum AutoscaleFixtures {
    static let root = RunCommandTests.root
    static let tidepool = root.appendingPathComponent(".build/debug/tidepool").path
    static let mcpMath = root.appendingPathComponent(".build/debug/mcp-math").path
    static let load = root.appendingPathComponent("scripts/load").path
    static var built: Bool { FileManager.default.isExecutableFile(atPath: mcpMath) && FileManager.default.isExecutableFile(atPath: tidepool) }
}

extension RealProcesses {
@Suite("tidepool run autoscales a local pool", .serialized, .enabled(if: AutoscaleFixtures.built, "build mcp-math and tidepool first"))
struct AutoscaleRunTests {
    typealias Child = RunCommandTests.Child
    static var mcpMathPath: String { AutoscaleFixtures.mcpMath }

    /// A running tidepool with its own ports and state directory.
    final class Running: @unchecked Sendable {
        let child: Child
        let gatewayPort: Int
        let adminPort: Int
        var gateway: String { "http://127.0.0.1:\(gatewayPort)/mcp/math" }

        init(config: String) throws {
            (child, gatewayPort, adminPort) = try RunCommandTests.startTidepool(["run", "--config", config])
        }

        /// /status as JSON, nil while the admin endpoint is not up.
        func status() -> [String: Any]? {
            guard let text = try? RunCommandTests.curl(["http://127.0.0.1:\(adminPort)/status"]),
                  let body = text.range(of: "\r\n\r\n").map({ text[$0.upperBound...] }),
                  let object = try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any] else { return nil }
            return object
        }

        /// The pool's desired size and its ready members' process ids.
        func pool() -> (desired: Int, ready: [Int32])? {
            guard let server = (status()?["servers"] as? [[String: Any]])?.first,
                  let desired = server["desiredReplicas"] as? Int,
                  let members = server["members"] as? [[String: Any]] else { return nil }
            let ready = members.filter { $0["state"] as? String == "ready" }.compactMap { ($0["pid"] as? Int).map(Int32.init) }
            return (desired, ready)
        }
    }

    /// `cpuMetric`: also a CPU Utilization metric with a target so high it never decides, to
    /// see the members' measured CPU in status.
    static func config(minReplicas: Int = 1, replicas: Int = 1, syncPeriod: Int, scaleDownWindow: Int, stateDirectory: String,
                       cpuMetric: Bool = false) throws -> String {
        let cpu = cpuMetric ? "\n        - type: Resource\n          resource: {name: cpu, target: {type: Utilization, averageUtilization: 10000}}" : ""
        let yaml = """
            mcp_servers:
              math:
                mode: pool
                transport: stdio
                command: ["\(AutoscaleFixtures.mcpMath)", "--stdio"]
                replicas: \(replicas)
                strategy: least_connections
                health_check_interval_s: 1
                drain_timeout_s: 10
                resources: {requests: {cpu: 100m}}
            autoscalers:
              - name: math
                target: {pool: math}
                spec:
                  minReplicas: \(minReplicas)
                  maxReplicas: 4
                  metrics:
                    - type: Pods
                      pods:
                        metric: {name: inflight}
                        target: {type: AverageValue, averageValue: "1"}\(cpu)
                  behavior:
                    scaleDown: {stabilizationWindowSeconds: \(scaleDownWindow)}
                metrics:
                  inflight: {gateway: inflight}
            controller: {sync_period_s: \(syncPeriod), state_dir: "\(stateDirectory)"}
            """
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("autoscale-\(UUID().uuidString).yaml")
        try yaml.write(to: file, atomically: true, encoding: .utf8)
        return file.path
    }

    static func temporaryDirectory() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("tidepool-run-state-\(UUID().uuidString)").path
    }

    /// `scripts/load` in the background: its summary line when it is done.
    final class Load: @unchecked Sendable {
        let process = Process()
        let output = Pipe()

        init(url: String, concurrency: Int, seconds: Int, milliseconds: Int, extra: [String] = []) throws {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["python3", AutoscaleFixtures.load, "--url", url, "--concurrency", "\(concurrency)",
                                 "--duration", "\(seconds)", "--ms", "\(milliseconds)", "--quiet"] + extra
            process.standardOutput = output
            process.standardError = output
            try process.run()
        }

        /// Waits for the load to end; its output ("calls=N failed=M ...", then any failures).
        func finish() -> String {
            let data = output.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return String(decoding: data, as: UTF8.self)
        }
    }

    static func figure(_ name: String, in summary: String) -> Int? {
        summary.range(of: "\(name)=\\d+", options: .regularExpression).flatMap { Int(summary[$0].dropFirst(name.count + 1)) }
    }

    static func processExists(_ pid: Int32) -> Bool {
        kill(pid, 0) == 0 || errno == EPERM
    }

    @Test("load scales the pool up within two sync periods and, after the window, down again; no call fails, no process stays")
    func scaleUpAndDown() async throws {
        // Blocking waits (processes, curl, sleeps) run on a thread of their own, not on
        // one of the few the concurrency runtime shares with the other suites.
        try await onOwnThread {
            let state = Self.temporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: state) }
            let config = try Self.config(syncPeriod: 2, scaleDownWindow: 6, stateDirectory: state)
            defer { try? FileManager.default.removeItem(atPath: config) }
            let tidepool = try Running(config: config)
            defer { tidepool.child.stop() }
            #expect(try RunCommandTests.waitFor { tidepool.pool()?.ready.count == 1 })

            var pids = Set<Int32>()
            let load = try Load(url: tidepool.gateway, concurrency: 4, seconds: 12, milliseconds: 50)
            let loadStarted = Date()
            var scaledUpAfter: TimeInterval?
            _ = try RunCommandTests.waitFor(10) {
                guard let pool = tidepool.pool() else { return false }
                pids.formUnion(pool.ready)
                if pool.desired > 1, scaledUpAfter == nil { scaledUpAfter = Date().timeIntervalSince(loadStarted) }
                return pool.desired > 1
            }
            let upAfter = try #require(scaledUpAfter, "the pool never scaled up under load")
            // Two sync periods (4 s), and a little for the status poll.
            #expect(upAfter <= 4.5, "scaled up \(upAfter) s after the load started")
            #expect(try RunCommandTests.waitFor(15) {
                guard let pool = tidepool.pool() else { return false }
                pids.formUnion(pool.ready)
                return pool.ready.count > 1
            })
            let summary = load.finish()
            #expect(Self.figure("failed", in: summary) == 0, "\(summary)")
            #expect((Self.figure("calls", in: summary) ?? 0) > 100, "\(summary)")
            let loadEnded = Date()
            // Down again once the 6 s window has passed since the last high recommendation.
            #expect(try RunCommandTests.waitFor(30) {
                guard let pool = tidepool.pool() else { return false }
                pids.formUnion(pool.ready)
                return pool.desired == 1 && pool.ready.count == 1
            })
            let downAfter = Date().timeIntervalSince(loadEnded)
            #expect(downAfter >= 4, "scaled down \(downAfter) s after the load ended, inside the 6 s window")

            let log = tidepool.child.errors
            #expect(log.contains("INFO scaled autoscaler=math from=1"))
            #expect(log.contains("reason=\"All metrics below target\"") || log.contains("below target"))
            let decisions = try String(contentsOfFile: (state as NSString).appendingPathComponent("decisions.jsonl"), encoding: .utf8)
            #expect(decisions.split(separator: "\n").count >= 2)

            // SIGTERM: every member stops; none is left in the process table.
            tidepool.child.stop()
            #expect(tidepool.child.process.terminationStatus == 0)
            #expect(pids.count >= 2)
            let leftOver = pids.filter(Self.processExists)
            #expect(leftOver.isEmpty, "processes left behind: \(leftOver)")
        }
    }

    @Test("a restart inside the stabilization window comes back at the saved size and keeps it until the window has passed")
    func restartKeepsSizeAndWindow() async throws {
        // Blocking waits (processes, curl, sleeps) run on a thread of their own, not on
        // one of the few the concurrency runtime shares with the other suites.
        try await onOwnThread {
            let state = Self.temporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: state) }
            let config = try Self.config(syncPeriod: 1, scaleDownWindow: 20, stateDirectory: state)
            defer { try? FileManager.default.removeItem(atPath: config) }

            var first: Running? = try Running(config: config)
            defer { first?.child.stop() }
            #expect(try RunCommandTests.waitFor { first?.pool()?.ready.count == 1 })
            let load = try Load(url: first!.gateway, concurrency: 4, seconds: 5, milliseconds: 50)
            var scaled = 1
            _ = try RunCommandTests.waitFor(15) {
                scaled = max(scaled, first?.pool()?.desired ?? 0)
                return scaled >= 3
            }
            let summary = load.finish()
            #expect(Self.figure("failed", in: summary) == 0, "\(summary)")
            #expect(scaled >= 2)
            let sized = try #require(first?.pool()?.desired)
            first?.child.stop()
            let stoppedAt = Date()
            first = nil

            // The config still says replicas: 1; the saved state says `sized`.
            let second = try Running(config: config)
            defer { second.child.stop() }
            #expect(try RunCommandTests.waitFor { second.pool()?.ready.count == sized })
            // Idle now, but the window (20 s from the last high recommendation) still holds the size.
            Thread.sleep(forTimeInterval: 4)
            #expect(second.pool()?.desired == sized)
            #expect(second.child.errors.contains("INFO state_restored autoscaler=math"))
            // And it ends on time: not a whole new window after the restart.
            #expect(try RunCommandTests.waitFor(40) { second.pool()?.desired == 1 })
            let after = Date().timeIntervalSince(stoppedAt)
            #expect(after < 20 + 12, "scaled down \(after) s after the stop")
        }
    }

    @Test("scale from zero: calls at an empty pool wait for the first member and none is lost")
    func scaleFromZero() async throws {
        // Blocking waits (processes, curl, sleeps) run on a thread of their own, not on
        // one of the few the concurrency runtime shares with the other suites.
        try await onOwnThread {
            let state = Self.temporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: state) }
            let config = try Self.config(minReplicas: 0, replicas: 0, syncPeriod: 1, scaleDownWindow: 2, stateDirectory: state)
            defer { try? FileManager.default.removeItem(atPath: config) }
            let tidepool = try Running(config: config)
            defer { tidepool.child.stop() }
            #expect(try RunCommandTests.waitFor { tidepool.pool()?.desired == 0 })

            @Sendable func call(_ session: String, _ id: Int) throws -> String {
                try RunCommandTests.post(tidepool.gateway, #"{"jsonrpc":"2.0","id":\#(id),"method":"tools/call","params":{"name":"add","arguments":{"a":\#(id),"b":1}}}"#, session: session)
            }
            // First activation: nothing has answered initialize yet, so initialize waits for it.
            var started = Date()
            let session = try #require(try RunCommandTests.initialize(tidepool.gateway))
            #expect(try call(session, 1).contains(#""text":"2""#))
            let coldStart = Date().timeIntervalSince(started)

            // Idle: down to zero after the window.
            #expect(try RunCommandTests.waitFor(30) { tidepool.pool().map { $0.desired == 0 && $0.ready.isEmpty } ?? false })

            // Second activation: a burst of calls at zero; every one is answered.
            started = Date()
            let replies = try DispatchQueue.concurrentPerformResults(8) { index in try call(session, 100 + index) }
            let warmStart = Date().timeIntervalSince(started)
            for (index, reply) in replies.enumerated() {
                #expect(reply.contains(#""text":"\#(101 + index)""#), "call \(index): \(reply)")
            }
            #expect(tidepool.child.errors.contains("reason=\"calls arrived while at zero replicas\""))
            print("scale from zero: first call answered after \(String(format: "%.3f", coldStart)) s (cold), burst of 8 after \(String(format: "%.3f", warmStart)) s")
        }
    }
}
}

extension RealProcesses.AutoscaleRunTests {
    static func run(_ arguments: [String]) throws -> (status: Int32, output: String, errors: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: AutoscaleFixtures.tidepool)
        process.arguments = arguments
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("out-\(UUID().uuidString)")
        let errors = FileManager.default.temporaryDirectory.appendingPathComponent("err-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errors.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: output); try? FileManager.default.removeItem(at: errors) }
        process.standardOutput = try FileHandle(forWritingTo: output)
        process.standardError = try FileHandle(forWritingTo: errors)
        process.standardInput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return (process.terminationStatus, try String(contentsOf: output, encoding: .utf8), try String(contentsOf: errors, encoding: .utf8))
    }

    @Test("tidepool record writes what the loop observed under load, and tidepool replay reads it back; tidepool status shows the autoscaler")
    func recordThenReplay() async throws {
        // Blocking waits (processes, curl, sleeps) run on a thread of their own, not on
        // one of the few the concurrency runtime shares with the other suites.
        try await onOwnThread {
            let state = Self.temporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: state) }
            let config = try Self.config(syncPeriod: 1, scaleDownWindow: 30, stateDirectory: state, cpuMetric: true)
            defer { try? FileManager.default.removeItem(atPath: config) }
            let recording = FileManager.default.temporaryDirectory.appendingPathComponent("recording-\(UUID().uuidString).jsonl").path
            defer { try? FileManager.default.removeItem(atPath: recording) }

            // record runs the configuration itself; its gateway listens where the config says
            // (the default 127.0.0.1:8000 may be taken), so this test gives it its own ports.
            let gatewayPort = RunCommandTests.freePort()
            let adminPort = RunCommandTests.freePort()
            var text = try String(contentsOfFile: config, encoding: .utf8)
            text += "\ngateway: {listen: \"127.0.0.1:\(gatewayPort)\"}\nadmin: {listen: \"127.0.0.1:\(adminPort)\"}\n"
            try text.write(toFile: config, atomically: true, encoding: .utf8)

            let recorder = try Child(AutoscaleFixtures.tidepool, ["record", "--config", config, "--autoscaler", "math", "--duration", "8s", "--out", recording])
            defer { recorder.stop() }
            let gateway = "http://127.0.0.1:\(gatewayPort)/mcp/math"
            #expect(try RunCommandTests.waitFor { (try? RunCommandTests.curl(["http://127.0.0.1:\(adminPort)/readyz"]))?.hasPrefix("HTTP/1.1 200") == true })
            let load = try Load(url: gateway, concurrency: 3, seconds: 4, milliseconds: 50)
            Thread.sleep(forTimeInterval: 3)
            let status = try Self.run(["status", "--admin", "http://127.0.0.1:\(adminPort)"])
            #expect(status.status == 0, "\(status.errors)")
            #expect(status.output.contains("autoscaler math target=pool/math"), "\(status.output)")
            #expect(status.output.contains("ScalingActive=True ValidMetricFound"), "\(status.output)")
            let json = try Self.run(["status", "--admin", "http://127.0.0.1:\(adminPort)", "--json"])
            #expect((try? JSONSerialization.jsonObject(with: Data(json.output.utf8))) != nil)
            // The members' own CPU, measured from their process trees, against 100m each: the
            // work tool burns CPU, so utilization is well above zero.
            let cpu = json.output.range(of: #""name":"cpu","current":\{[^}]*"averageUtilization":\d+"#, options: .regularExpression)
                .flatMap { match in json.output[match].split(separator: ":").last.flatMap { Int($0) } }
            #expect((cpu ?? 0) > 10, "\(json.output)")
            #expect(Self.figure("failed", in: load.finish()) == 0)
            recorder.process.waitUntilExit()
            #expect(recorder.process.terminationStatus == 0, "\(recorder.errors)")
            #expect(recorder.errors.contains("recorded "), "\(recorder.errors)")

            let lines = try String(contentsOfFile: recording, encoding: .utf8).split(separator: "\n")
            #expect(lines.count >= 5, "\(lines.count) observations in 8 s at a 1 s sync period")
            let hpa = FileManager.default.temporaryDirectory.appendingPathComponent("hpa-\(UUID().uuidString).yaml").path
            defer { try? FileManager.default.removeItem(atPath: hpa) }
            try """
                spec:
                  minReplicas: 1
                  maxReplicas: 4
                  metrics:
                    - type: Pods
                      pods: {metric: {name: inflight}, target: {type: AverageValue, averageValue: "1"}}
                """.write(toFile: hpa, atomically: true, encoding: .utf8)
            let replay = try Self.run(["replay", "--hpa", hpa, "--metrics", recording, "--format", "jsonl", "--sync-period", "1"])
            #expect(replay.status == 0, "\(replay.errors)")
            let steps = replay.output.split(separator: "\n")
            #expect(steps.count >= 5)
            // Under load the recorded in-flight calls ask for more than one member.
            #expect(steps.contains { $0.contains(#""desiredReplicas":2"#) || $0.contains(#""desiredReplicas":3"#) || $0.contains(#""desiredReplicas":4"#) },
                    "\(replay.output)")
        }
    }
}

extension RealProcesses.AutoscaleRunTests {
    @Test("SIGTERM lets a call in flight finish, then stops every member and exits 0")
    func terminationDrainsCalls() async throws {
        try await onOwnThread {
            let state = Self.temporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: state) }
            let config = try Self.config(syncPeriod: 5, scaleDownWindow: 60, stateDirectory: state)
            defer { try? FileManager.default.removeItem(atPath: config) }
            let tidepool = try Running(config: config)
            defer { tidepool.child.stop() }
            var members: [Int32] = []
            #expect(try RunCommandTests.waitFor {
                members = tidepool.pool()?.ready ?? []
                return members.count == 1
            })
            let session = try #require(try RunCommandTests.initialize(tidepool.gateway))
            // The session's event stream, open when the signal comes: it must end, not be cut
            // (curl exits 18 on a chunked body closed before its last chunk).
            let stream = try Child("/usr/bin/curl", ["-s", "-N", "-o", "/dev/null", "--max-time", "30",
                "-H", "Accept: text/event-stream", "-H", "Mcp-Session-Id: \(session)", tidepool.gateway])
            defer { stream.stop() }
            let reply = Mutex<String?>(nil)
            let caller = Thread {
                let answer = try? RunCommandTests.post(tidepool.gateway,
                    #"{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"work","arguments":{"ms":1500}}}"#, session: session)
                reply.withLock { $0 = answer }
            }
            caller.start()
            // The call is in flight on the member when the signal comes.
            #expect(try RunCommandTests.waitFor(10) { (tidepool.status()?["servers"] as? [[String: Any]])?.first?["members"]
                .flatMap { $0 as? [[String: Any]] }?.first?["inflight"] as? Int == 1 })
            kill(tidepool.child.process.processIdentifier, SIGTERM)
            #expect(try RunCommandTests.waitFor(30) { reply.withLock { $0 } != nil })
            let answer = reply.withLock { $0 } ?? ""
            #expect(answer.contains("worked 1500 ms"), "\(answer)")
            tidepool.child.process.waitUntilExit()
            #expect(tidepool.child.process.terminationStatus == 0)
            stream.process.waitUntilExit()
            #expect(stream.process.terminationStatus == 0, "the event stream ended with curl status \(stream.process.terminationStatus)")
            #expect(members.allSatisfy { !Self.processExists($0) }, "members left behind")
            #expect(tidepool.child.errors.contains("INFO shutting_down inflight=1"), "\(tidepool.child.errors)")
        }
    }
}

extension DispatchQueue {
    /// Runs `body` `count` times at once, each on its own thread (a real burst, whatever the
    /// core count), and collects the results in order.
    static func concurrentPerformResults<T: Sendable>(_ count: Int, _ body: @escaping @Sendable (Int) throws -> T) throws -> [T] {
        let results = Mutex<[Int: Result<T, any Error>]>([:])
        let group = DispatchGroup()
        for index in 0..<count {
            group.enter()
            Thread {
                let result = Result { try body(index) }
                results.withLock { $0[index] = result }
                group.leave()
            }.start()
        }
        group.wait()
        return try (0..<count).map { index in try results.withLock { $0[index]! }.get() }
    }
}
