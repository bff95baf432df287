import Foundation
import Logging
import Pool
import TestSupport
import Testing

/// Slow and oversized clients: each is cut off by its limit while a well-behaved client on
/// another connection is served. Raw sockets on loopback, every wait bounded.
@Suite("Gateway connection limits: slowloris, header size, slow bodies")
struct ConnectionLimitTests {
    /// A raw TCP client: writes what it is told, reads what comes, notices the close.
    final class RawConnection: Sendable {
        let descriptor: Int32

        init(port: Int) throws {
            descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard connected == 0 else { throw POSIXError(.ECONNREFUSED) }
            var timeout = timeval(tv_sec: 0, tv_usec: 100_000)
            setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            var one: Int32 = 1
            setsockopt(descriptor, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        }

        deinit { close(descriptor) }

        /// False once the peer has closed (EPIPE / reset).
        @discardableResult
        func send(_ text: String) -> Bool {
            let bytes = Array(text.utf8)
            return bytes.withUnsafeBytes { Foundation.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) } == bytes.count
        }

        /// Reads for up to `limit`: what arrived, and whether the peer closed. The blocking reads
        /// run on a thread of their own: on the concurrency runtime's pool (two threads on two
        /// cores) they would starve the gateway under test of the very threads it answers with.
        func read(for limit: Duration) async -> (text: String, closed: Bool) {
            await onOwnThread { self.blockingRead(for: limit) }
        }

        private func blockingRead(for limit: Duration) -> (text: String, closed: Bool) {
            var received: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 4096)
            let deadline = ContinuousClock.now + limit
            while ContinuousClock.now < deadline {
                let count = recv(descriptor, &buffer, buffer.count, 0)
                if count == 0 { return (String(decoding: received, as: UTF8.self), true) }
                if count < 0 {
                    if errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR { continue }
                    return (String(decoding: received, as: UTF8.self), true)
                }
                received += buffer[0..<count]
            }
            return (String(decoding: received, as: UTF8.self), false)
        }
    }

    func harness() async throws -> GatewayHarness {
        try await GatewayHarness(entries: { client, logger in
            // Nobody listens there: these tests never reach a member.
            [RemoteServer(id: "remote", endpoint: "http://127.0.0.1:9/mcp", healthCheckInterval: .seconds(60),
                          health: MemberHealthSettings(maxConsecutiveFailures: 3, failureThreshold: 3, resetTimeout: .seconds(5),
                                                       requestTimeout: .seconds(1)),
                          httpClient: client, logger: logger)]
        }, settings: .init(port: 0, idleTimeout: .seconds(1), bodyTimeout: .milliseconds(2500), maxHeaderBytes: 8 << 10))
    }

    /// A normal request on its own connection: answered.
    func wellBehavedClientIsServed(_ harness: GatewayHarness) async throws {
        let reply = try await harness.post("nothing", #"{"jsonrpc":"2.0","id":1,"method":"ping"}"#)
        #expect(reply.status == 404)
        #expect(reply.body.contains("no MCP server named nothing"))
    }

    @Test("a request head trickling in a header at a time is cut off at the idle timeout")
    func slowloris() async throws {
        let harness = try await harness()
        let connection = try RawConnection(port: harness.port)
        connection.send("POST /mcp/remote HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        let started = ContinuousClock.now
        var closedAfter: Duration?
        for index in 0..<80 {
            // One header every 150 ms: never idle at the socket, never a whole head.
            let (_, closed) = await connection.read(for: .milliseconds(150))
            if closed || !connection.send("X-Slow-\(index): a\r\n") {
                closedAfter = .now - started
                break
            }
            if index == 3 { try await wellBehavedClientIsServed(harness) }
        }
        let after = try #require(closedAfter, "the connection was still open after 12 s")
        print("slowloris connection closed after \(after)")
        // The idle timeout is 1 s; anything near it shows the limit at work, not some other close.
        #expect(after < .seconds(5))
        try await wellBehavedClientIsServed(harness)
        await harness.shutdown()
    }

    @Test("a request head over max_header_bytes closes the connection unanswered")
    func oversizedHeader() async throws {
        let harness = try await harness()
        let connection = try RawConnection(port: harness.port)
        let big = String(repeating: "a", count: 16 << 10)
        connection.send("POST /mcp/remote HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: \(big)\r\nContent-Length: 2\r\n\r\n{}")
        let (text, closed) = await connection.read(for: .seconds(3))
        #expect(closed)
        #expect(!text.contains("200 OK"), "\(text.prefix(200))")
        try await wellBehavedClientIsServed(harness)
        await harness.shutdown()
    }

    @Test("a stalled body is cut off at the idle timeout; one trickling in gets 408 at the body timeout")
    func slowBody() async throws {
        let harness = try await harness()
        let head = "POST /mcp/remote HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n"
        // Stalled after a few bytes: nothing read for the idle timeout (1 s) closes it.
        let stalled = try RawConnection(port: harness.port)
        stalled.send(head + "{\"jsonrpc\":")
        let (_, closed) = await stalled.read(for: .seconds(3))
        #expect(closed)

        // A byte every 300 ms: never idle, so the body timeout (2.5 s) answers it.
        let trickling = try RawConnection(port: harness.port)
        trickling.send(head)
        let started = ContinuousClock.now
        var answer = ""
        for _ in 0..<30 {
            let (text, closed) = await trickling.read(for: .milliseconds(300))
            answer += text
            if closed || !answer.isEmpty || !trickling.send(" ") { break }
        }
        answer += await trickling.read(for: .milliseconds(300)).text
        let took = ContinuousClock.now - started
        print("trickling body answered after \(took): \(answer.split(separator: "\r\n").first ?? "")")
        #expect(answer.hasPrefix("HTTP/1.1 408"), "\(answer.prefix(200))")
        #expect(answer.contains("did not arrive within"))
        #expect(took >= .seconds(2) && took < .seconds(8))
        try await wellBehavedClientIsServed(harness)
        await harness.shutdown()
    }

    @Test("bearer tokens: a wrong or missing one gets 401, the right one is served, and neither is ever logged")
    func tokensAreNotLogged() async throws {
        let secret = "tp-secret-7f3a9c"
        let wrong = "tp-wrong-1b2c3d"
        let harness = try await GatewayHarness(entries: { _, _ in [] }, settings: .init(port: 0, tokens: [secret]))
        let ping = #"{"jsonrpc":"2.0","id":1,"method":"ping"}"#
        #expect(try await harness.post("nothing", ping).status == 401)
        #expect(try await harness.post("nothing", ping, headers: [("Authorization", "Bearer \(wrong)")]).status == 401)
        // Past authentication: the unknown server is named.
        #expect(try await harness.post("nothing", ping, headers: [("Authorization", "Bearer \(secret)")]).status == 404)
        let logs = harness.logs.captured.joined(separator: "\n")
        #expect(!logs.contains(secret) && !logs.contains(wrong), "a token reached the log")
        await harness.shutdown()
    }
}
