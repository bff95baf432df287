import Foundation
import TestSupport
import Testing

/// `tidepool run` end to end, the built binary with MCP Hangar's recipes 04 (failover) and 05
/// (load balancing) as their configs are written, members from the Python MCP SDK, on loopback.
private enum RunFixtures {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let python = root.appendingPathComponent(".venv/bin/python").path
    static var installed: Bool { FileManager.default.isExecutableFile(atPath: python) }
}

extension RealProcesses {
@Suite("tidepool run (the binary) with the Hangar recipes", .serialized, .enabled(if: RunFixtures.installed, "run scripts/test-deps first"))
struct RunCommandTests {
    static let root = RunFixtures.root
    static let python = RunFixtures.python
    static let fixture = root.appendingPathComponent("Tests/pool/mcp_fixture_server.py").path
    static let binary = root.appendingPathComponent(".build/debug/tidepool").path

    /// A child process, killed when the test is done with it. Its standard error goes to a
    /// file (a pipe nobody drains would stall it once full), and so does its standard output
    /// unless the test reads that from a pipe.
    final class Child: @unchecked Sendable {
        let process = Process()
        let output = Pipe()
        let input = Pipe()
        let errorFile = FileManager.default.temporaryDirectory.appendingPathComponent("tidepool-child-\(UUID().uuidString).log")

        /// `environment`: variables set on top of this process's own.
        init(_ executable: String, _ arguments: [String], readsOutput: Bool = false, environment: [String: String] = [:]) throws {
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = arguments
            if !environment.isEmpty {
                process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
            }
            _ = FileManager.default.createFile(atPath: errorFile.path, contents: nil)
            let log = try FileHandle(forWritingTo: errorFile)
            process.standardOutput = readsOutput ? output : log
            process.standardError = log
            process.standardInput = input
            try process.run()
        }

        /// What the child wrote on standard error so far (and on standard output, unless the
        /// test reads that).
        var errors: String { (try? String(contentsOf: errorFile, encoding: .utf8)) ?? "" }

        /// Sends `signal`, and SIGKILL if the child is still there 10 s later: a child can
        /// inherit a mask that blocks SIGTERM from the test runner's thread.
        func stop(_ signal: Int32 = SIGTERM) {
            if process.isRunning { kill(process.processIdentifier, signal) }
            let deadline = Date().addingTimeInterval(10)
            while process.isRunning, Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
        }

        deinit {
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            try? FileManager.default.removeItem(at: errorFile)
        }
    }

    static func freePort() -> Int {
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

    /// curl, as the recipes' readers would: status line, headers and body.
    static func curl(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        process.arguments = ["-s", "-i", "--max-time", "20"] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    static func post(_ url: String, _ body: String, session: String? = nil) throws -> String {
        var arguments = ["-X", "POST", "-H", "Content-Type: application/json", "-H", "Accept: application/json, text/event-stream", "-d", body]
        if let session { arguments += ["-H", "Mcp-Session-Id: \(session)"] }
        return try curl(arguments + [url])
    }

    static func initialize(_ url: String) throws -> String? {
        let reply = try post(url, #"{"jsonrpc":"2.0","method":"initialize","params":{"protocolVersion":"2024-11-05","capabilities":{},"clientInfo":{"name":"test","version":"1.0"}},"id":1}"#)
        let session = reply.split(separator: "\r\n").first { $0.lowercased().hasPrefix("mcp-session-id:") }?
            .split(separator: ":", maxSplits: 1).last?.trimmingCharacters(in: .whitespaces)
        if let session { _ = try post(url, #"{"jsonrpc":"2.0","method":"notifications/initialized","params":{}}"#, session: session) }
        return session
    }

    /// A fixture member on a port of its own, started and answering. A port picked free can be
    /// taken by another test before the child binds it; the child then exits, and this tries
    /// another port rather than let the test talk to whoever holds it.
    static func startFixture(name: String, port requested: Int? = nil) throws -> (child: Child, port: Int) {
        for _ in 0..<3 {
            let port = requested ?? freePort()
            let child = try Child(python, [fixture, "--port", "\(port)", "--name", name])
            let answering = try waitFor(30) {
                guard child.process.isRunning else { return true }
                return try post("http://127.0.0.1:\(port)/mcp", #"{"jsonrpc":"2.0","method":"ping","id":0}"#).hasPrefix("HTTP/1.1 ")
            }
            if answering, child.process.isRunning { return (child, port) }
            child.stop(SIGKILL)
        }
        throw ServerError("the fixture member \(name) did not start: \(requested.map { "port \($0) is taken" } ?? "three ports taken")")
    }

    /// Starts a program told to listen on port 0 and reads the port the kernel gave it from
    /// its `listening on http://127.0.0.1:PORT` line: no port is guessed free and then taken by
    /// someone else.
    static func startListening(_ executable: String, _ arguments: [String]) throws -> (child: Child, port: Int) {
        let child = try Child(executable, arguments)
        return (child, try listeningPort(of: child, marker: "listening on "))
    }

    /// The port after `marker` + `http://127.0.0.1:` in what the child printed, waiting for the
    /// line at most 30 s; throws when the child exits first.
    static func listeningPort(of child: Child, marker: String) throws -> Int {
        let deadline = Date().addingTimeInterval(30)
        let prefix = marker + "http://127.0.0.1:"
        while Date() < deadline {
            let errors = child.errors
            if let range = errors.range(of: prefix) {
                let digits = errors[range.upperBound...].prefix { $0.isASCII && $0.isNumber }
                // A line still being written may end inside the number: wait for what follows it.
                if let port = Int(digits), errors[range.upperBound...].count > digits.count { return port }
            }
            guard child.process.isRunning else {
                throw ServerError("\(child.process.executableURL?.lastPathComponent ?? "child") exited before it said where it listens: \(errors.suffix(500))")
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
        throw ServerError("\(child.process.executableURL?.lastPathComponent ?? "child") did not say where it listens within 30 s: \(child.errors.suffix(500))")
    }

    /// `tidepool run` on ports the kernel picks; the gateway's and the admin endpoint's ports
    /// read from what it prints.
    static func startTidepool(_ arguments: [String]) throws -> (child: Child, gatewayPort: Int, adminPort: Int) {
        let child = try Child(binary, arguments + ["--gateway-listen", "127.0.0.1:0", "--admin-listen", "127.0.0.1:0"])
        let gatewayPort = try listeningPort(of: child, marker: "gateway listening on ")
        let adminPort = try listeningPort(of: child, marker: "admin endpoint ")
        return (child, gatewayPort, adminPort)
    }

    /// How many members `/status` reports ready.
    static func readyMembers(adminPort: Int) throws -> Int {
        try curl(["http://127.0.0.1:\(adminPort)/status"]).components(separatedBy: "\"state\":\"ready\"").count - 1
    }

    static func waitFor(_ limit: TimeInterval = 30, _ condition: () throws -> Bool) throws -> Bool {
        let deadline = Date().addingTimeInterval(limit)
        while Date() < deadline {
            if try condition() { return true }
            Thread.sleep(forTimeInterval: 0.1)
        }
        return false
    }

    @Test("recipe 04: priority failover to the backup when the primary dies, failback when it returns")
    func recipe04() async throws {
        // Blocking waits (processes, curl, sleeps) run on a thread of their own, not on
        // one of the few the concurrency runtime shares with the other suites.
        try await onOwnThread {
            var (primary, primaryPort) = try Self.startFixture(name: "primary")
            let (backup, backupPort) = try Self.startFixture(name: "backup")
            defer { primary.stop(); backup.stop() }
            // Recipe 04's config as written, with this test's ports and a 1 s health interval
            // instead of 30 s so the test does not take minutes.
            let config = """
                mcp_servers:
                  my-mcp:
                    mode: remote
                    endpoint: http://localhost:\(primaryPort)/mcp
                    description: "Primary MCP server"
                    health_check_interval_s: 1
                    max_consecutive_failures: 3
                    http:
                      connect_timeout: 10.0
                      read_timeout: 30.0
                  my-mcp-backup:
                    mode: remote
                    endpoint: http://localhost:\(backupPort)/mcp
                    description: "Backup MCP server"
                    health_check_interval_s: 1
                    max_consecutive_failures: 3
                    http:
                      connect_timeout: 10.0
                      read_timeout: 30.0
                  my-mcp-group:
                    mode: group
                    description: "Primary/backup MCP failover"
                    strategy: priority
                    min_healthy: 1
                    circuit_breaker:
                      failure_threshold: 3
                      reset_timeout_s: 30
                    members:
                      - id: my-mcp
                        priority: 1
                      - id: my-mcp-backup
                        priority: 2
                """
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("recipe04-\(UUID().uuidString).yaml")
            try config.write(to: file, atomically: true, encoding: .utf8)
            defer { try? FileManager.default.removeItem(at: file) }
            let (tidepool, gatewayPort, adminPort) = try Self.startTidepool(["run", "--config", file.path])
            defer { tidepool.stop() }
            let url = "http://127.0.0.1:\(gatewayPort)/mcp/my-mcp-group"
            #expect(try Self.waitFor { try Self.curl(["http://127.0.0.1:\(adminPort)/readyz"]).hasPrefix("HTTP/1.1 200") })
            // /readyz is green with one entry (min_healthy: 1); the priority order shows once
            // both have shaken hands.
            #expect(try Self.waitFor { try Self.readyMembers(adminPort: adminPort) == 2 })
            let session = try #require(try Self.initialize(url))
            func whoami(_ id: Int) throws -> String {
                try Self.post(url, #"{"jsonrpc":"2.0","method":"tools/call","params":{"name":"whoami","arguments":{}},"id":\#(id)}"#, session: session)
            }
            let first = try whoami(2)
            #expect(first.contains("name=primary"), "\(first)")

            primary.stop(SIGKILL)
            for id in 3..<8 {
                let reply = try whoami(id)
                #expect(reply.contains("name=backup"), "call \(id) after the primary died: \(reply)")
            }
            // Three failed probes a second apart take the primary out of rotation; it comes
            // back only after that, as a recovered primary would.
            #expect(try Self.waitFor { tidepool.errors.contains("removed_from_rotation mcp_server=my-mcp member=") })
            primary = try Self.startFixture(name: "primary", port: primaryPort).child
            // Failback: once its health checks pass again (and the group's circuit lets it), the
            // primary reclaims traffic.
            #expect(try Self.waitFor(60) { try whoami(20).contains("name=primary") })
            tidepool.stop()
            let log = tidepool.errors
            #expect(log.contains("INFO group_created group_id=my-mcp-group strategy=priority"))
            #expect(log.contains("Added member my-mcp to group my-mcp-group (priority=1)"))
            #expect(log.contains("WARNING health_check_failed") && log.contains("consecutive_failures=3"))
            #expect(tidepool.process.terminationStatus == 0)
        }
    }

    @Test("recipe 05: round_robin over three instances, one stopped: the other two share the calls")
    func recipe05() async throws {
        // Blocking waits (processes, curl, sleeps) run on a thread of their own, not on
        // one of the few the concurrency runtime shares with the other suites.
        try await onOwnThread {
            let started = try (0..<3).map { index in try Self.startFixture(name: "m\(index)") }
            let members = started.map(\.child)
            let ports = started.map(\.port)
            defer { members.forEach { $0.stop() } }
            let config = """
                mcp_servers:
                  my-mcp:
                    mode: remote
                    endpoint: "http://localhost:\(ports[0])/mcp"
                    health_check_interval_s: 10 # from recipe 02
                    max_consecutive_failures: 3 # from recipe 03
                  my-mcp-backup:
                    mode: remote
                    endpoint: "http://localhost:\(ports[1])/mcp"
                    health_check_interval_s: 10
                    max_consecutive_failures: 3
                  my-mcp-3: # NEW: third instance
                    mode: remote
                    endpoint: "http://localhost:\(ports[2])/mcp"
                    health_check_interval_s: 10
                    max_consecutive_failures: 3
                  my-mcp-group:
                    mode: group
                    strategy: round_robin # NEW: changed from priority to round_robin
                    min_healthy: 1
                    members:
                      - id: my-mcp
                        weight: 1 # NEW: equal weight
                      - id: my-mcp-backup
                        weight: 1 # NEW: equal weight
                      - id: my-mcp-3 # NEW: third member
                        weight: 1
                """
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("recipe05-\(UUID().uuidString).yaml")
            try config.write(to: file, atomically: true, encoding: .utf8)
            defer { try? FileManager.default.removeItem(at: file) }
            let (tidepool, gatewayPort, adminPort) = try Self.startTidepool(["run", "--config", file.path])
            defer { tidepool.stop() }
            let url = "http://127.0.0.1:\(gatewayPort)/mcp/my-mcp-group"
            #expect(try Self.waitFor { try Self.readyMembers(adminPort: adminPort) == 3 })
            let session = try #require(try Self.initialize(url))
            func served(_ count: Int, from base: Int) throws -> [String] {
                try (0..<count).map { index in
                    let reply = try Self.post(url, #"{"jsonrpc":"2.0","method":"tools/call","params":{"name":"whoami","arguments":{}},"id":\#(base + index)}"#, session: session)
                    return reply.range(of: #"name=m\d"#, options: .regularExpression).map { String(reply[$0]) } ?? "failed: \(reply)"
                }
            }
            #expect(try served(6, from: 2) == ["name=m0", "name=m1", "name=m2", "name=m0", "name=m1", "name=m2"])
            members[1].stop(SIGKILL)
            let after = try served(8, from: 20)
            #expect(Set(after) == ["name=m0", "name=m2"], "\(after)")
            #expect(after.filter { $0 == "name=m0" }.count == 4)
        }
    }

    @Test("run --stdio: an MCP client on standard input and output reaches the pool")
    func stdio() async throws {
        // Blocking waits (processes, curl, sleeps) run on a thread of their own, not on
        // one of the few the concurrency runtime shares with the other suites.
        try await onOwnThread {
            let config = """
                mcp_servers:
                  math:
                    mode: pool
                    transport: http
                    command: ["\(Self.python)", "\(Self.fixture)", "--port", "{port}", "--json-response"]
                    replicas: 1
                """
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("stdio-\(UUID().uuidString).yaml")
            try config.write(to: file, atomically: true, encoding: .utf8)
            defer { try? FileManager.default.removeItem(at: file) }
            let tidepool = try Child(Self.binary, ["run", "--stdio", "math", "--config", file.path, "--gateway-listen", "127.0.0.1:0",
                                                   "--admin-listen", "127.0.0.1:0"], readsOutput: true)
            defer { tidepool.stop() }
            let lines = [
                #"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}"#,
                #"{"jsonrpc":"2.0","method":"notifications/initialized"}"#,
                #"{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"add","arguments":{"a":20,"b":22}}}"#,
                #"not json"#,
            ]
            tidepool.input.fileHandleForWriting.write(Data((lines.joined(separator: "\n") + "\n").utf8))
            var received = ""
            let reader = tidepool.output.fileHandleForReading
            // A read blocks; a watchdog ends the child (and so the read) if no answer comes.
            let watchdog = DispatchWorkItem { if tidepool.process.isRunning { kill(tidepool.process.processIdentifier, SIGKILL) } }
            DispatchQueue.global().asyncAfter(deadline: .now() + 60, execute: watchdog)
            defer { watchdog.cancel() }
            let deadline = Date().addingTimeInterval(40)
            while received.components(separatedBy: "\n").count < 4, Date() < deadline {
                let chunk = reader.availableData
                if chunk.isEmpty { break }
                received += String(decoding: chunk, as: UTF8.self)
            }
            let replies = received.split(separator: "\n").map(String.init)
            #expect(replies.contains { $0.contains(#""id":1"#) && $0.contains("protocolVersion") })
            #expect(replies.contains { $0.contains(#""id":2"#) && $0.contains(#""text":"42""#) })
            #expect(replies.contains { $0.contains("-32700") })
            try tidepool.input.fileHandleForWriting.close()
            // Standard input closed: tidepool stops its members and exits.
            tidepool.process.waitUntilExit()
            #expect(tidepool.process.terminationStatus == 0)
        }
    }
}
}
